"""The default network: a multi-layer perceptron with a softmax head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras


def build_mlp(
    meta: dict[str, Any], hidden_layer_sizes: Sequence[int] | int, activation: str
) -> keras.Model:
    """Build an uncompiled MLP sized from scikeras's ``meta``.

    Parameters
    ----------
    meta : dict
        scikeras metadata; ``n_features_in_`` and ``n_classes_`` are used.
    hidden_layer_sizes : int or sequence of int
        Units of each hidden layer, as in :class:`sklearn.neural_network.MLPClassifier`.
    activation : str
        Keras activation of the hidden layers.
    """
    if isinstance(hidden_layer_sizes, int):
        hidden_layer_sizes = (hidden_layer_sizes,)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(int(units), activation=activation)(hidden)
    outputs = keras.layers.Dense(meta["n_classes_"], activation="softmax", name="proba")(hidden)
    return keras.Model(inputs, outputs)
