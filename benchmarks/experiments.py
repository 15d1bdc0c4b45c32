"""Experiments of the benchmarks that the estimator does not use.

Kept here, beside ``tabular.py`` which tries them, rather than in the package:

- :class:`CostEarlyStopping`: early stopping on the cost of Bayes decisions or the
  expected cost of the held-out rows (the estimator stops on their log loss), with
  its score smoothed over epochs;
- :func:`fit_temperature` / :func:`apply_temperature`: temperature scaling of the
  probabilities on held-out rows;
- :func:`build_ensemble_mlp`: the default network as a TabM-mini parameter-efficient
  ensemble (Gorishniy et al., ICLR 2025), ``n_members`` copies sharing every hidden
  layer, with :class:`EnsembleInput` and :class:`EnsembleSoftmax`.

``tests/estimator/test_training.py``, ``test_early_stopping.py`` and ``test_network.py``
check them, as they check the package, since the benchmark's results rest on them.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from costkeras import _bayes
from costkeras._scikeras.early_stopping import LogLossEarlyStopping, log_loss_score
from costkeras._scikeras.network import (
    build_mlp,
    hidden_layers,
    layer_seeds,
    network_input,
)

MONITORS = ("decision_cost", "expected_cost", "log_loss")


def validation_score(
    proba: np.ndarray,
    y_positions: np.ndarray,
    costs: np.ndarray | None,
    monitor: str,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Mean validation loss of ``proba`` (lower is better).

    Parameters
    ----------
    proba : ndarray of shape (n_samples, k)
    y_positions : ndarray of int of shape (n_samples,)
        Column of each row's true class.
    costs : ndarray of shape (k, k) or (n_samples, k, k), or None
        ``C[true, predicted]``; None scores the log loss whatever ``monitor`` says.
    monitor : {"decision_cost", "expected_cost", "log_loss"}
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the mean (the training weights of the rows); all zero counts as None.

    Returns
    -------
    float
    """
    if costs is None or monitor == "log_loss":
        return log_loss_score(proba, y_positions, sample_weight)
    if sample_weight is not None and not np.any(sample_weight):
        sample_weight = None
    rows = np.arange(len(y_positions))
    costs = np.asarray(costs, dtype=np.float64)
    true_rows = costs[y_positions] if costs.ndim == 2 else costs[rows, y_positions]
    if monitor == "decision_cost":
        losses = true_rows[rows, _bayes.decision_positions(proba, costs)]
    else:
        losses = np.sum(proba * true_rows, axis=1)
    return float(np.average(losses, weights=sample_weight))


class CostEarlyStopping(LogLossEarlyStopping):
    """The estimator's early stopping, scoring a cost of the held-out rows instead.

    Parameters
    ----------
    X_val, y_val
        As :class:`~costkeras._scikeras.early_stopping.LogLossEarlyStopping`'s.
    costs : array-like of shape (k, k) or (n_val, k, k), default=None
        ``C[true, predicted]``, one matrix or one per row. None monitors the log loss.
    monitor : {"decision_cost", "expected_cost", "log_loss"}, default="decision_cost"
        The mean cost of Bayes decisions with each row's own cost matrix, the mean
        expected cost, or the log loss; logged as ``val_<monitor>``.
    smoothing : int, default=1
        Score an epoch by the mean of the last ``smoothing`` epochs' scores (the
        decision cost of a small validation set is noisy).
    **kwargs
        The other parameters of ``LogLossEarlyStopping``.
    """

    _SETTINGS = (*LogLossEarlyStopping._SETTINGS, "costs", "monitor", "smoothing")

    def __init__(
        self,
        X_val: Any,
        y_val: Any,
        costs: Any = None,
        *,
        monitor: str = "decision_cost",
        smoothing: int = 1,
        **kwargs: Any,
    ):
        if monitor not in MONITORS:
            raise ValueError(f"monitor must be one of {MONITORS}; got {monitor!r}.")
        super().__init__(X_val, y_val, **kwargs)
        self.costs = None if costs is None else np.asarray(costs, dtype=np.float64)
        self.monitor = monitor
        self.smoothing = smoothing

    def score(self, proba: np.ndarray) -> float:
        return validation_score(proba, self.y_val, self.costs, self.monitor, self.sample_weight)

    def smoothed(self) -> float:
        return float(np.mean(self.scores_[-self.smoothing :]))


def fit_temperature(proba: Any, y_positions: Any) -> float:
    """Temperature minimising the log loss of ``proba ** (1 / T)`` (renormalised).

    Temperature scaling (Guo et al., ICML 2017) on held-out rows: ``T > 1`` softens
    over-confident probabilities, ``T < 1`` sharpens timid ones; the ranking of the
    classes is unchanged, the Bayes decisions are not.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    y_positions : array-like of int of shape (n_samples,)

    Returns
    -------
    float
        In [0.05, 20].

    Examples
    --------
    >>> import numpy as np
    >>> from experiments import fit_temperature
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 2000)
    >>> y = (rng.random(2000) < p).astype(int)
    >>> overconfident = np.column_stack([1 - p, p]) ** 3
    >>> overconfident /= overconfident.sum(axis=1, keepdims=True)
    >>> 2.5 < fit_temperature(overconfident, y) < 3.5
    True
    """
    from scipy.optimize import minimize_scalar

    log_p = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-12, None))
    y_positions = np.asarray(y_positions)
    rows = np.arange(len(y_positions))

    def loss(log_t):
        z = log_p / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, y_positions]))

    result = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def apply_temperature(proba: Any, temperature: float) -> np.ndarray:
    """``proba ** (1 / temperature)``, renormalised per row.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    temperature : float

    Returns
    -------
    ndarray of shape (n_samples, k)
    """
    z = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-12, None)) / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@keras.saving.register_keras_serializable(package="costkeras_benchmarks")
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


@keras.saving.register_keras_serializable(package="costkeras_benchmarks")
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


def build_ensemble_mlp(
    meta: dict,
    hidden_layer_sizes,
    activation: str,
    seed: int | None = None,
    *,
    n_members: int = 1,
    input_stats: dict | None = None,
    embedding_bins: int = 0,
    embedding_dim: int = 4,
    dropout: float = 0.0,
) -> keras.Model:
    """``build_mlp``'s network as a TabM-mini ensemble of ``n_members`` (1: ``build_mlp``'s).

    The members share the input handling and every hidden layer; each scales the
    input by its own vector (:class:`EnsembleInput`, whose embeddings are therefore
    never folded into the first layer) and has its own softmax layer
    (:class:`EnsembleSoftmax`); their probabilities are averaged. Single output only.
    """
    sizes = [hidden_layer_sizes] if isinstance(hidden_layer_sizes, int) else hidden_layer_sizes
    options = {"input_stats": input_stats, "embedding_bins": embedding_bins}
    options |= {"embedding_dim": embedding_dim, "dropout": dropout}
    if n_members <= 1 or isinstance(meta["n_classes_"], list):
        return build_mlp(meta, sizes, activation, seed=seed, **options)
    seeds = layer_seeds(seed)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    hidden, sizes = network_input(
        inputs, list(sizes), seeds, activation=activation, fold=False, **options
    )
    hidden = EnsembleInput(n_members, seed=next(seeds), name="ensemble_input")(hidden)
    hidden = hidden_layers(hidden, sizes, seeds, activation=activation, dropout=dropout)
    outputs = EnsembleSoftmax(meta["n_classes_"], seed=next(seeds), name="proba")(hidden)
    return keras.Model(inputs, outputs)
