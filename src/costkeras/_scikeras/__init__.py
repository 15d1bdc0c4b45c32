"""The machinery of ``CostSensitiveKerasClassifier``: scikeras, scikit-learn and Keras together.

Private. Layers, from the bottom: Keras-free costs, metrics and decisions
(``costkeras`` itself), the Keras-native pieces (``costkeras.keras``), and this
package, which joins them to scikeras's ``KerasClassifier``. ``fixes`` holds
every repair of scikeras 0.13; ``costkeras._compat`` every private name of
scikit-learn, Keras and TensorFlow the package reaches for.
"""
