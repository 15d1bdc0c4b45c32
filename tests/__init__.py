"""The tests, laid out by the package's layers: core/, keras/ and estimator/; scale/ end to end.

Each source module has a test module of its name in its layer's folder
(test_layers_of_the_package.py checks it). tests/keras/ is no package (no ``__init__.py``):
as one it would shadow the keras library in the scripts run from this folder
(serving_roundtrip.py, distributed_training.py), since Python puts a script's folder first on
``sys.path``. Its modules import under their bare names (``test_metrics``), the packages'
under theirs (``tests.core.test_metrics``), so the two never meet.
"""
