"""The default network: a multi-layer perceptron with one softmax head per output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from ._multioutput import layer_name


def build_mlp(
    meta: dict[str, Any],
    hidden_layer_sizes: Sequence[int] | int,
    activation: str,
    output_names: Sequence | None = None,
) -> keras.Model:
    """Build an uncompiled MLP sized from scikeras's ``meta``.

    Parameters
    ----------
    meta : dict
        scikeras metadata; ``n_features_in_`` and ``n_classes_`` (an int, or a
        list with one entry per output) are used.
    hidden_layer_sizes : int or sequence of int
        Units of each hidden layer, as in :class:`sklearn.neural_network.MLPClassifier`.
    activation : str
        Keras activation of the hidden layers.
    output_names : sequence, default=None
        Names of the heads of a multi-output network, one per output.
    """
    if isinstance(hidden_layer_sizes, int):
        hidden_layer_sizes = (hidden_layer_sizes,)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(int(units), activation=activation)(hidden)
    n_classes = meta["n_classes_"]
    if not isinstance(n_classes, list):
        outputs = keras.layers.Dense(n_classes, activation="softmax", name="proba")(hidden)
        return keras.Model(inputs, outputs)
    heads = [
        keras.layers.Dense(k, activation="softmax", name=layer_name(name))(hidden)
        for k, name in zip(n_classes, output_names, strict=True)
    ]
    return keras.Model(inputs, heads)
