"""The options of ``cost_loss``: one strategy each, looked up by name in ``COST_LOSSES``.

As Keras pairs the name ``"categorical_crossentropy"`` with the class
``CategoricalCrossentropy``, each name of ``cost_loss`` is paired with a
:class:`CostLoss` that knows everything the fit needs of it: the Keras loss it
trains a head with (from a class-level cost matrix, or reading each example's
costs), how per-example costs travel (appended to the targets, or as example
weights), whether it reweights whole examples, and what ``decision="auto"``
resolves to after it.
"""

from __future__ import annotations

from typing import ClassVar

import keras
import numpy as np

from .._cost_matrix import check_nonnegative
from ..keras.losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    forum_weights_from_costs,
)

__all__ = ["COST_LOSSES", "DECISIONS", "CostLoss", "training_setup"]

DECISIONS = ("auto", "bayes", "argmax")


class CostLoss:
    """How one option of ``cost_loss`` trains a head with the costs.

    Attributes
    ----------
    name : str
        The option's name, the value of ``cost_loss``.
    trains : bool
        Whether the costs enter training at all.
    reweights : bool
        Whether the loss reweights whole examples: its probabilities already lean by
        the costs, so a Bayes decision would count them twice.
    travels : {"target", "weight", None}
        How each example's costs reach Keras: as a cost row appended to its one-hot
        target, as its sample weight, or not at all.
    keras_loss : type or None
        The Keras loss class it trains with (None: plain cross-entropy).
    """

    name: ClassVar[str]
    trains: ClassVar[bool] = True
    reweights: ClassVar[bool] = False
    travels: ClassVar[str | None] = "target"
    keras_loss: ClassVar[type | None] = None

    def decision(self, setting: str, cost_matrix: np.ndarray | None) -> str:
        """``"bayes"`` or ``"argmax"``: ``setting``, or what ``"auto"`` means after this loss."""
        if setting != "auto":
            return setting
        return "argmax" if cost_matrix is None or self.reweights else "bayes"

    def matrix_loss(self, cost_matrix: np.ndarray, weight: float) -> keras.losses.Loss:
        """The loss of a head trained with the class-level ``cost_matrix`` (k, k)."""
        raise NotImplementedError

    def example_loss(self, weight: float) -> keras.losses.Loss:
        """The loss of a head that reads each example's costs (``travels``)."""
        raise NotImplementedError

    def example_rows(self, rows: np.ndarray, scale: float):
        """Each example's cost row ``C[true, :]`` as Keras gets it: ``(target rows, weights)``.

        ``scale`` is the head's: the largest cost of the first call (``scales``).
        """
        raise NotImplementedError

    scales: ClassVar[bool] = False  # divides costs by the head's largest one

    def __repr__(self) -> str:
        return f"CostLoss({self.name!r})"


class _CrossEntropy(CostLoss):
    name, trains, travels = "cross_entropy", False, None

    def matrix_loss(self, cost_matrix, weight):
        return keras.losses.CategoricalCrossentropy()

    def example_rows(self, rows, scale):
        return None, None


def _nonnegative(matrix: np.ndarray, param: str, name: str) -> None:
    check_nonnegative(matrix, param=param, reason=f"for cost_loss={name!r}")


class _ArgmaxWeighted(CostLoss):
    name, reweights, keras_loss = "argmax_weighted", True, ArgmaxWeightedCrossEntropy

    def matrix_loss(self, cost_matrix, weight):
        _nonnegative(cost_matrix, "cost_matrix", self.name)
        return ArgmaxWeightedCrossEntropy(forum_weights_from_costs(cost_matrix))

    def example_loss(self, weight):
        return ArgmaxWeightedCrossEntropy(costs_in_target=True)

    def example_rows(self, rows, scale):
        _nonnegative(rows, "sample_cost", self.name)
        return 1.0 + rows, None


class _ClassWeighted(CostLoss):
    name, reweights, keras_loss = "class_weighted", True, ClassWeightedCrossEntropy
    travels = "weight"

    @staticmethod
    def _weights(costs: np.ndarray, param: str) -> np.ndarray:
        row_costs = costs.sum(axis=1)
        if not row_costs.any():
            raise ValueError(f"{param} is all zeros; cost_loss='class_weighted' needs some cost.")
        # mean weight 1 keeps the effective learning rate of plain cross-entropy
        return row_costs / row_costs.mean()

    def matrix_loss(self, cost_matrix, weight):
        _nonnegative(cost_matrix, "cost_matrix", self.name)
        return ClassWeightedCrossEntropy(self._weights(cost_matrix, "cost_matrix"))

    def example_loss(self, weight):
        return ClassWeightedCrossEntropy()

    def example_rows(self, rows, scale):
        _nonnegative(rows, "sample_cost", self.name)
        return None, self._weights(rows, "sample_cost")


class _ExpectedCost(CostLoss):
    name, keras_loss, scales = "expected_cost", ExpectedCostCrossEntropy, True

    def matrix_loss(self, cost_matrix, weight):
        # scale-free, so cost_loss_weight means the same for any currency
        scale = np.abs(cost_matrix).max() or 1.0
        return ExpectedCostCrossEntropy(cost_matrix / scale, cost_weight=weight)

    def example_loss(self, weight):
        return ExpectedCostCrossEntropy(cost_weight=weight, costs_in_target=True)

    def example_rows(self, rows, scale):
        return rows / scale, None


COST_LOSSES: dict[str, CostLoss] = {
    strategy.name: strategy
    for strategy in (_CrossEntropy(), _ArgmaxWeighted(), _ClassWeighted(), _ExpectedCost())
}
COST_LOSS_TYPES = tuple(s.keras_loss for s in COST_LOSSES.values() if s.keras_loss is not None)


def training_setup(cost_loss: str, cost_loss_weight: float, cost_matrix: np.ndarray | None):
    """The Keras loss for ``cost_loss`` with a class-level cost matrix (None: cross-entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras._scikeras.cost_losses import training_setup
    >>> type(training_setup("expected_cost", 1.0, np.array([[0.0, 1.0], [5.0, 0.0]]))).__name__
    'ExpectedCostCrossEntropy'
    """
    if cost_matrix is None:
        return keras.losses.CategoricalCrossentropy()
    return COST_LOSSES[cost_loss].matrix_loss(cost_matrix, cost_loss_weight)
