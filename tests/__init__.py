"""The tests, laid out by the package's layers: core/, keras/ and estimator/.

tests/keras/ is no package (no ``__init__.py``): as one it would shadow the keras library
in the scripts run from this folder (serving_roundtrip.py, distributed_training.py), since
Python puts a script's folder first on ``sys.path``. Its modules' names are unique.
"""
