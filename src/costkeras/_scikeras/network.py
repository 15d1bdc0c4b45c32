"""The default network: a multi-layer perceptron with one softmax head per output.

Besides the plain MLP, :func:`build_mlp` can put the input handling inside the network
(statistics learnt from the training X by :func:`input_statistics`, so raw, heavy-tailed
money columns need no scaler from the user), embed each numerical feature
(piecewise-linear encoding, Gorishniy et al., NeurIPS 2022) and train a TabM-style
parameter-efficient ensemble (Gorishniy et al., ICLR 2025): ``n_members`` copies of the
network that share every hidden layer, differ by a per-member scaling of the input and a
per-member output layer, train at once, and average their probabilities.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from .targets import layer_name

INPUT_TRANSFORMS = ("robust", "quantile")


# ------------------------------------------------------------------ input statistics
def input_statistics(
    X: Any, method: str = "robust", *, n_quantiles: int = 64, subsample: int = 100_000, seed=0
) -> dict:
    """Statistics of the training X for the input layer of :func:`build_mlp`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numerical training features (NaN allowed: ignored here, replaced by the
        median in the network).
    method : {"robust", "quantile"}, default="robust"
        ``"robust"``: median and inter-quartile scale, for robust scaling with smooth
        clipping (RealMLP, Holzmüller et al., NeurIPS 2024). ``"quantile"``: the
        quantiles of each feature, for a quantile transform to a normal distribution.
    n_quantiles : int, default=64
        Quantiles kept per feature for ``"quantile"`` (and for piecewise-linear
        embeddings, which take every ``n_quantiles // n_bins``-th of them).
    subsample : int, default=100_000
        Rows used at most (a random subset beyond that).
    seed : int, default=0
        Seeds the subset.

    Returns
    -------
    dict
        ``method``, ``median``, ``scale`` and ``quantiles`` (n_quantiles + 1 rows),
        JSON-friendly lists of floats.
    """
    if method not in INPUT_TRANSFORMS:
        raise ValueError(f"method must be one of {INPUT_TRANSFORMS}; got {method!r}.")
    X = np.asarray(X, dtype=np.float64)
    if len(X) > subsample:
        X = X[np.random.default_rng(seed).choice(len(X), subsample, replace=False)]
    quantiles = np.nanquantile(X, np.linspace(0, 1, n_quantiles + 1), axis=0)
    quantiles = np.nan_to_num(quantiles)  # an all-NaN column
    median = quantiles[n_quantiles // 2]
    # RealMLP's robust scale: 1 / IQR, else 2 / range, else 0 for a constant column
    q1, q3 = quantiles[n_quantiles // 4], quantiles[(3 * n_quantiles) // 4]
    spread = q3 - q1
    span = quantiles[-1] - quantiles[0]
    scale = np.where(spread > 0, 1 / np.where(spread > 0, spread, 1), 0.0)
    scale = np.where((spread == 0) & (span > 0), 2 / np.where(span > 0, span, 1), scale)
    return {
        "method": method,
        "median": median.tolist(),
        "scale": scale.tolist(),
        "quantiles": quantiles.T.tolist(),  # (n_features, n_quantiles + 1)
    }


def _constant(values):
    # a backend tensor, not a NumPy array: PyTorch computes tensor-with-ndarray arithmetic
    # through NumPy (on the CPU, with a DeprecationWarning per call)
    return ops.convert_to_tensor(np.asarray(values, dtype="float32"))


def _fill_nan(x, median):
    return ops.where(ops.isnan(x), median, x)


def _piecewise_linear(x, knots):
    """(batch, d) -> (batch, d, m): how far x has gone through each of the m bins.

    A zero-width bin (a repeated quantile: a discrete feature) counts half for x at
    its value and fully beyond it, the midpoint rule of sklearn's QuantileTransformer.
    """
    left, right = knots[:, :-1], knots[:, 1:]
    width = right - left
    positive = ops.cast(width > 0, x.dtype)
    safe = ops.where(width > 0, width, ops.ones_like(width))
    diff = ops.expand_dims(x, -1) - left
    ramp = ops.clip(diff / safe, 0.0, 1.0)
    step = 0.5 * (1.0 + ops.sign(diff))
    return positive * ramp + (1.0 - positive) * step


@keras.saving.register_keras_serializable(package="costkeras")
class RobustScaleClip(keras.layers.Layer):
    """``(x - median) * scale``, then the smooth clip ``z / sqrt(1 + (z / 3)^2)``.

    The robust scaling with smooth clipping of RealMLP (Holzmüller et al., NeurIPS
    2024): outliers of heavy-tailed columns are squashed towards +-3 instead of
    dominating the first layer. NaN becomes the median.

    Parameters
    ----------
    median, scale : sequence of float, one per feature
    clip : float, default=3.0
    """

    def __init__(self, median, scale, clip: float = 3.0, **kwargs):
        super().__init__(**kwargs)
        self.median = [float(v) for v in median]
        self.scale = [float(v) for v in scale]
        self.clip = float(clip)

    def call(self, x):
        median = _constant(self.median)
        z = (_fill_nan(x, median) - median) * _constant(self.scale)
        return z / ops.sqrt(1.0 + ops.square(z / self.clip))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "median": self.median,
            "scale": self.scale,
            "clip": self.clip,
        }


@keras.saving.register_keras_serializable(package="costkeras")
class QuantileNormal(keras.layers.Layer):
    """Map each feature through its training quantiles to a standard normal.

    A quantile transform (as sklearn's ``QuantileTransformer(output_distribution=
    "normal")``) done by piecewise-linear interpolation of the stored quantiles, then
    the normal quantile function; the output lies in about [-3.1, 3.1]. NaN becomes
    the median.

    Parameters
    ----------
    quantiles : sequence of sequences of float, shape (n_features, m + 1)
    """

    def __init__(self, quantiles, **kwargs):
        super().__init__(**kwargs)
        self.quantiles = [[float(v) for v in row] for row in quantiles]

    def call(self, x):
        knots = _constant(self.quantiles)
        median = knots[:, knots.shape[1] // 2]
        u = ops.mean(_piecewise_linear(_fill_nan(x, median), knots), axis=-1)
        u = ops.clip(u, 1e-3, 1 - 1e-3)
        return np.float32(np.sqrt(2.0)) * ops.erfinv(2.0 * u - 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}


@keras.saving.register_keras_serializable(package="costkeras")
class PiecewiseLinearEmbedding(keras.layers.Layer):
    """Embed each numerical feature by its piecewise-linear encoding (Gorishniy 2022).

    Feature ``j`` becomes ``relu(W_j ple_j(x_j) + b_j)``, ``ple_j`` its encoding over
    quantile bins, ``W_j`` its own (n_bins, dim) matrix; the output is flattened to
    (batch, n_features * dim).

    Parameters
    ----------
    knots : sequence of sequences of float, shape (n_features, n_bins + 1)
    dim : int, default=8
    seed : int or None, default=None
    """

    def __init__(self, knots, dim: int = 8, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.knots = [[float(v) for v in row] for row in knots]
        self.dim = int(dim)
        self.seed = seed

    def build(self, input_shape):
        d, m = len(self.knots), len(self.knots[0]) - 1
        limit = float(np.sqrt(1.0 / m))
        self.kernel = self.add_weight(
            shape=(d, m, self.dim),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed),
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(d, self.dim),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed),
            name="bias",
        )

    def call(self, x):
        knots = _constant(self.knots)
        median = knots[:, knots.shape[1] // 2]
        encoded = _piecewise_linear(_fill_nan(x, median), knots)  # (b, d, m)
        embedded = ops.relu(ops.einsum("bdm,dme->bde", encoded, self.kernel) + self.bias)
        return ops.reshape(embedded, (-1, len(self.knots) * self.dim))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.knots) * self.dim)

    def get_config(self):
        return {**super().get_config(), "knots": self.knots, "dim": self.dim, "seed": self.seed}


@keras.saving.register_keras_serializable(package="costkeras")
class EnsembleInput(keras.layers.Layer):
    """(batch, d) -> (batch, k, d): k copies, each scaled by its member's vector.

    TabM-mini's adapter (Gorishniy et al., ICLR 2025): the member vectors start as
    random signs, so the members differ from the first step; the hidden layers after
    it are shared by all members.

    Parameters
    ----------
    n_members : int
    seed : int or None, default=None
    """

    def __init__(self, n_members: int, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_members = int(n_members)
        self.seed = seed

    def build(self, input_shape):
        signs = np.random.default_rng(self.seed).choice(
            [-1.0, 1.0], (self.n_members, input_shape[-1])
        )
        self.r = self.add_weight(
            shape=signs.shape,
            initializer=keras.initializers.Constant(signs.astype("float32")),
            name="r",
        )

    def call(self, x):
        return ops.expand_dims(x, 1) * self.r

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_members, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "n_members": self.n_members, "seed": self.seed}


@keras.saving.register_keras_serializable(package="costkeras")
class EnsembleSoftmax(keras.layers.Layer):
    """(batch, k, h) -> (batch, units): each member's own softmax layer, averaged.

    Parameters
    ----------
    units : int
    seed : int or None, default=None
    """

    def __init__(self, units: int, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.seed = seed

    def build(self, input_shape):
        k, h = input_shape[-2], input_shape[-1]
        limit = float(np.sqrt(6.0 / (h + self.units)))
        self.kernel = self.add_weight(
            shape=(k, h, self.units),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(k, self.units), initializer="zeros", name="bias")

    def call(self, x):
        logits = ops.einsum("bkh,khc->bkc", x, self.kernel) + self.bias
        return ops.mean(ops.softmax(logits, axis=-1), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "seed": self.seed}


def build_mlp(
    meta: dict[str, Any],
    hidden_layer_sizes: Sequence[int] | int,
    activation: str,
    output_names: Sequence | None = None,
    seed: int | None = None,
    *,
    input_stats: dict | None = None,
    embedding_bins: int = 0,
    embedding_dim: int = 8,
    n_members: int = 1,
    dropout: float = 0.0,
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
    input_stats : dict, default=None
        :func:`input_statistics` of the training X: the network then starts with
        :class:`RobustScaleClip` or :class:`QuantileNormal`. None feeds X as it is.
    embedding_bins : int, default=0
        With ``input_stats``, embed every feature by a piecewise-linear encoding over
        this many quantile bins (:class:`PiecewiseLinearEmbedding`) instead; 0 for none.
    embedding_dim : int, default=8
        Size of each feature's embedding.
    n_members : int, default=1
        Single-output only: above 1, a TabM-mini ensemble of this many members
        (:class:`EnsembleInput`, shared hidden layers, :class:`EnsembleSoftmax`).
    dropout : float, default=0.0
        Dropout after each hidden layer.
    """
    layer_seeds = itertools.count(seed) if seed is not None else itertools.repeat(None)

    def dense(units, **kwargs):
        initializer = keras.initializers.GlorotUniform(seed=next(layer_seeds))
        return keras.layers.Dense(int(units), kernel_initializer=initializer, **kwargs)

    if isinstance(hidden_layer_sizes, int):
        hidden_layer_sizes = (hidden_layer_sizes,)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    hidden = inputs
    if input_stats is not None and embedding_bins:
        quantiles = np.asarray(input_stats["quantiles"])
        columns = np.linspace(0, quantiles.shape[1] - 1, embedding_bins + 1).round().astype(int)
        hidden = PiecewiseLinearEmbedding(
            quantiles[:, columns], embedding_dim, seed=next(layer_seeds), name="embedding"
        )(hidden)
    elif input_stats is not None and input_stats["method"] == "quantile":
        hidden = QuantileNormal(input_stats["quantiles"], name="quantile_normal")(hidden)
    elif input_stats is not None:
        hidden = RobustScaleClip(input_stats["median"], input_stats["scale"], name="robust_scale")(
            hidden
        )
    n_classes = meta["n_classes_"]
    ensemble = n_members > 1 and not isinstance(n_classes, list)
    if ensemble:
        hidden = EnsembleInput(n_members, seed=next(layer_seeds), name="ensemble_input")(hidden)
    for units in hidden_layer_sizes:
        hidden = dense(units, activation=activation)(hidden)
        if dropout:
            hidden = keras.layers.Dropout(dropout, seed=next(layer_seeds))(hidden)
    if ensemble:
        outputs = EnsembleSoftmax(n_classes, seed=next(layer_seeds), name="proba")(hidden)
        return keras.Model(inputs, outputs)
    if not isinstance(n_classes, list):
        outputs = dense(n_classes, activation="softmax", name="proba")(hidden)
        return keras.Model(inputs, outputs)
    heads = [
        dense(k, activation="softmax", name=layer_name(name))(hidden)
        for k, name in zip(n_classes, output_names, strict=True)
    ]
    return keras.Model(inputs, heads)
