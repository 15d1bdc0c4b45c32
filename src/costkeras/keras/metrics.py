"""Keras metrics of the cost of a model's decisions.

``MeanCost`` is a stateful ``keras.metrics.Metric``: ``model.fit(...,
validation_data=...)`` logs ``val_mean_cost`` after every epoch, and
``keras.callbacks.EarlyStopping(monitor="val_mean_cost")`` stops on it. It
imports neither scikit-learn nor the rest of costkeras's estimator.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ._ops import check_columns, check_matrix, class_probabilities, decide, split_target

__all__ = ["MeanCost"]

_DECISIONS = ("bayes", "argmax")


@keras.saving.register_keras_serializable(package="costkeras")
class MeanCost(keras.metrics.Metric):
    """Mean realised cost per example of the decisions a model's probabilities imply.

    Each example is decided as :class:`~costkeras.CostSensitiveKerasClassifier`
    decides: by Bayes's rule ``argmin_j sum_i p_i C[i, j]`` (``decision="bayes"``)
    or by the most probable class (``"argmax"``), and costs ``C[true, decided]``.
    The metric accumulates the (weighted) sum of those costs and of the weights
    over batches, so its value over a whole data set equals
    :func:`costkeras.metrics.mean_cost` on the same decisions, whatever the
    batching.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), default=None
        ``C[true, predicted]`` in class-index order. None means every error
        costs 1 (the value is then the error rate of the decisions).
    decision : {"bayes", "argmax"}, default="bayes"
        How probabilities become decisions.
    name : str, default="mean_cost"
        Keras logs ``name`` and ``val_`` + ``name``.
    dtype : str, default=None

    Notes
    -----
    ``y_true`` is what the losses of :mod:`costkeras.keras.losses` take:
    integer labels (batch,) or (batch, 1), one-hot rows (batch, k), or either
    followed by the example's own cost row ``C_n[true, :]`` (shape (batch, 1 + k)
    or (batch, 2k)). With such a row, the realised cost is the row's entry at
    the decision; the decision itself still uses ``cost_matrix`` (a row alone
    cannot decide: the true class is unknown when deciding). ``sample_weight``
    weighs each example's cost, as in ``mean_cost``. ``y_pred`` is a softmax
    (batch, k) or one sigmoid unit (batch, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.metrics import MeanCost
    >>> metric = MeanCost([[0, 1], [10, 0]])          # a missed 1 costs 10
    >>> metric.update_state([1, 0], [[0.8, 0.2], [0.95, 0.05]])
    >>> float(metric.result())                        # decides [1, 0]: both right
    0.0
    >>> metric.update_state([1], [[0.97, 0.03]])      # decided 0: a missed 1
    >>> round(float(metric.result()), 4)
    3.3333
    """

    def __init__(
        self,
        cost_matrix: Any = None,
        decision: str = "bayes",
        name: str = "mean_cost",
        dtype: str | None = None,
    ):
        super().__init__(name=name, dtype=dtype)
        if decision not in _DECISIONS:
            raise ValueError(f"decision must be one of {_DECISIONS}; got {decision!r}.")
        self.cost_matrix = None if cost_matrix is None else check_matrix(cost_matrix, "cost_matrix")
        self.decision = decision
        # how Keras's own metrics tell EarlyStopping and ModelCheckpoint that lower is
        # better, so that monitor="val_mean_cost" needs no mode="min"
        self._direction = "down"
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def _matrix(self, proba):
        k = proba.shape[-1]
        matrix = 1.0 - np.eye(k) if self.cost_matrix is None else self.cost_matrix
        return ops.convert_to_tensor(matrix, dtype=proba.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        proba = class_probabilities(ops.convert_to_tensor(y_pred, dtype=self.dtype))
        y_true = ops.convert_to_tensor(y_true)
        check_columns(proba, self.cost_matrix, "cost_matrix")
        one_hot, row = split_target(y_true, proba)
        matrix = self._matrix(proba)
        decided = decide(proba, matrix if self.decision == "bayes" else None)
        if row is None:
            row = ops.matmul(one_hot, matrix)  # C[true, :]
        costs = ops.sum(row * ops.one_hot(decided, proba.shape[-1], dtype=proba.dtype), axis=-1)
        if sample_weight is None:
            weights = ops.ones_like(costs)
        else:
            weights = ops.cast(ops.convert_to_tensor(sample_weight), costs.dtype)
            if len(weights.shape) > len(costs.shape):  # (batch, 1), as Keras passes them
                weights = ops.reshape(weights, ops.shape(costs))
            weights = ops.broadcast_to(weights, ops.shape(costs))
        self.total.assign_add(ops.sum(costs * weights))
        self.count.assign_add(ops.sum(weights))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self) -> None:
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cost_matrix"] = None if self.cost_matrix is None else self.cost_matrix.tolist()
        config["decision"] = self.decision
        return config
