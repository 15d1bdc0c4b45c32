"""The default network: a multi-layer perceptron with one softmax head per output.

Besides the plain MLP, :func:`build_mlp` can put the input handling inside the network
(statistics learnt from the training X by :func:`input_statistics`, so raw, heavy-tailed
money columns need no scaler from the user), embed each numerical feature
(piecewise-linear encoding, Gorishniy et al., NeurIPS 2022).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import keras
import numpy as np

from ..keras._network_layers import (
    ColumnSubset,
    PiecewiseLinearEmbedding,
    QuantileNormal,
    RobustScaleClip,
    Sum,
    TwoValuedEmbeddingDense,
)

INPUT_TRANSFORMS = ("robust", "quantile")
# the default network's first layer: ``input_scaling``'s options
INPUT_LAYERS = ("embedding", *INPUT_TRANSFORMS)
# 16 quantile bins embedded in 4 dimensions per column: twice the dimensions cost
# twice the time and saved no more in the tabular benchmark
EMBEDDING_BINS, EMBEDDING_DIM = 16, 4


# ------------------------------------------------------------------ input statistics
def layer_name(output_name) -> str:
    """A Keras layer name for an output (Keras names allow no spaces or slashes)."""
    return re.sub(r"[^0-9A-Za-z_.-]", "_", str(output_name))


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
        "distinct": [_distinct(column) for column in X.T],
    }


def _distinct(column: np.ndarray, cap: int = 1000) -> int:
    """Distinct finite values of a column, counted up to ``cap``."""
    values = column[np.isfinite(column)]
    return int(min(len(np.unique(values)), cap))


def _scaled_input(inputs, stats: dict):
    """The input layer ``stats["method"]`` names."""
    if stats["method"] == "quantile":
        return QuantileNormal(stats["quantiles"], name="quantile_normal")(inputs)
    return RobustScaleClip(stats["median"], stats["scale"], name="robust_scale")(inputs)


def _embedding_groups(stats: dict, n_bins: int, min_distinct: int) -> list:
    """``(columns, knots)`` of the many-valued columns, then of the few-valued ones.

    Columns with ``min_distinct`` distinct values or more get ``n_bins`` quantile bins;
    the others (binary, one-hot) one bin from their smallest to their largest value,
    which embeds their two values as many bins would, at a fraction of the work (most
    columns of one-hot encoded tabular data are of this kind). Empty groups are left out.
    """
    quantiles = np.asarray(stats["quantiles"])
    distinct = np.asarray(stats.get("distinct", [min_distinct] * len(quantiles)))
    knots = np.linspace(0, quantiles.shape[1] - 1, n_bins + 1).round().astype(int)
    many = np.flatnonzero(distinct >= min_distinct)
    few = np.flatnonzero(distinct < min_distinct)
    return [
        (columns, quantiles[columns][:, kept], name)
        for columns, kept, name in [
            (many, knots, "embedding"),
            (few, [0, quantiles.shape[1] - 1], "embedding_few"),
        ]
        if len(columns)
    ]


def _select(inputs, columns, name: str, split: bool):
    return ColumnSubset(columns, name=f"{name}_columns")(inputs) if split else inputs


def _embedded_input(inputs, groups: list, dim: int, seed, split: bool):
    """Piecewise-linear embeddings (Gorishniy et al., NeurIPS 2022) of ``groups``."""
    parts = [
        PiecewiseLinearEmbedding(knots, dim, seed=seed, name=name)(
            _select(inputs, columns, name, split)
        )
        for columns, knots, name in groups
    ]
    return parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="embeddings")(parts)


def _embedded_first_layer(inputs, groups: list, dim: int, seed, units: int, dense_seed):
    """The embeddings and the first hidden layer's pre-activation, (batch, units).

    The two-valued columns go through :class:`TwoValuedEmbeddingDense`, which computes
    their embeddings' share of the layer without materialising them; the many-valued
    columns' embeddings feed a bias-free :class:`keras.layers.Dense`. The two kernels
    start as the rows of one Glorot-uniform kernel over all the embeddings, the start
    of one Dense layer over their concatenation.
    """
    (*many, (few_columns, few_knots, few_name)) = groups
    n_many = sum(len(columns) for columns, _, _ in many) * dim
    start = keras.initializers.GlorotUniform(seed=dense_seed)(
        (n_many + len(few_columns) * dim, units)
    )
    fused = TwoValuedEmbeddingDense(few_knots, dim, units, seed=seed, name=few_name)
    summed = fused(_select(inputs, few_columns, few_name, bool(many)))
    fused.kernel.assign(keras.ops.reshape(start[n_many:], (len(few_columns), dim, units)))
    if many:
        embedded = _embedded_input(inputs, many, dim, seed, split=True)
        dense = keras.layers.Dense(units, use_bias=False, name="embedding_dense")
        summed = Sum(name="first_layer")([dense(embedded), summed])
        dense.kernel.assign(start[:n_many])
    return summed


def layer_seeds(seed: int | None) -> Iterator[int | None]:
    """One seed per layer: ``seed``, ``seed + 1``, ... (None: Keras draws them)."""
    return itertools.count(seed) if seed is not None else itertools.repeat(None)


def dense_layer(units: int, seeds: Iterator, **kwargs) -> keras.layers.Dense:
    initializer = keras.initializers.GlorotUniform(seed=next(seeds))
    return keras.layers.Dense(int(units), kernel_initializer=initializer, **kwargs)


def network_input(inputs, sizes: list, seeds: Iterator, *, activation: str, **options):
    """The input handling :func:`build_mlp` puts first, and the hidden sizes left after it.

    ``options``: ``input_stats``, ``embedding_bins``, ``embedding_dim`` and ``dropout``
    as :func:`build_mlp` takes them, and ``fold`` (default True): the two-valued
    columns' embeddings go into the first hidden layer, whose size is then used up.
    """
    stats, n_bins = options.get("input_stats"), options.get("embedding_bins", 0)
    if stats is None:
        return inputs, sizes
    if not n_bins:
        return _scaled_input(inputs, stats), sizes
    groups = _embedding_groups(stats, n_bins, min_distinct=3)
    seed, dim = next(seeds), options.get("embedding_dim", 4)
    if not (sizes and groups[-1][2] == "embedding_few" and options.get("fold", True)):
        return _embedded_input(inputs, groups, dim, seed, len(groups) > 1), sizes
    first = _embedded_first_layer(inputs, groups, dim, seed, sizes[0], dense_seed=next(seeds))
    hidden = keras.layers.Activation(activation, name="first_activation")(first)
    if options.get("dropout"):
        hidden = keras.layers.Dropout(options["dropout"], seed=next(seeds))(hidden)
    return hidden, sizes[1:]


def hidden_layers(hidden, sizes: list, seeds: Iterator, *, activation: str, dropout: float):
    """Dense layers of ``sizes`` units, each followed by ``dropout``."""
    for units in sizes:
        hidden = dense_layer(units, seeds, activation=activation)(hidden)
        if dropout:
            hidden = keras.layers.Dropout(dropout, seed=next(seeds))(hidden)
    return hidden


def build_mlp(
    meta: dict[str, Any],
    hidden_layer_sizes: Sequence[int] | int,
    activation: str,
    output_names: Sequence | None = None,
    seed: int | None = None,
    *,
    input_stats: dict | None = None,
    embedding_bins: int = 0,
    embedding_dim: int = 4,
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
        this many quantile bins (:class:`PiecewiseLinearEmbedding`; columns of fewer
        than three distinct values over one bin) instead; 0 for none.
    embedding_dim : int, default=4
        Size of each feature's embedding.
    dropout : float, default=0.0
        Dropout after each hidden layer.
    """
    seeds = layer_seeds(seed)
    sizes = [hidden_layer_sizes] if isinstance(hidden_layer_sizes, int) else hidden_layer_sizes
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    options = {"input_stats": input_stats, "embedding_bins": embedding_bins}
    options |= {"embedding_dim": embedding_dim, "dropout": dropout}
    hidden, sizes = network_input(inputs, list(sizes), seeds, activation=activation, **options)
    hidden = hidden_layers(hidden, sizes, seeds, activation=activation, dropout=dropout)
    n_classes = meta["n_classes_"]
    if not isinstance(n_classes, list):
        outputs = dense_layer(n_classes, seeds, activation="softmax", name="proba")(hidden)
        return keras.Model(inputs, outputs)
    heads = [
        dense_layer(k, seeds, activation="softmax", name=layer_name(name))(hidden)
        for k, name in zip(n_classes, output_names, strict=True)
    ]
    return keras.Model(inputs, heads)
