"""The default network: a multi-layer perceptron with one softmax head per output."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import keras

from ._targets import layer_name


def build_mlp(
    meta: dict[str, Any],
    hidden_layer_sizes: Sequence[int] | int,
    activation: str,
    output_names: Sequence | None = None,
    seed: int | None = None,
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
    seed : int, default=None
        Seeds the layers' initializers (layer ``i`` gets ``seed + i``). Keras
        would otherwise draw their seeds from Python's process-wide ``random``,
        which scikeras seeds just before the build; any other thread drawing
        from it in between (a Dask worker's event loop does) changes the
        initial weights, and a seeded search stops reproducing itself.
    """
    layer_seeds = itertools.count(seed) if seed is not None else itertools.repeat(None)

    def dense(units, **kwargs):
        initializer = keras.initializers.GlorotUniform(seed=next(layer_seeds))
        return keras.layers.Dense(int(units), kernel_initializer=initializer, **kwargs)

    if isinstance(hidden_layer_sizes, int):
        hidden_layer_sizes = (hidden_layer_sizes,)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = dense(units, activation=activation)(hidden)
    n_classes = meta["n_classes_"]
    if not isinstance(n_classes, list):
        outputs = dense(n_classes, activation="softmax", name="proba")(hidden)
        return keras.Model(inputs, outputs)
    heads = [
        dense(k, activation="softmax", name=layer_name(name))(hidden)
        for k, name in zip(n_classes, output_names, strict=True)
    ]
    return keras.Model(inputs, heads)
