"""Keras losses that take misclassification costs into account.

Each loss expects one-hot ``y_true`` of shape (batch, k) and probabilities
``y_pred`` of shape (batch, k) (a softmax output), or, for two classes,
(batch, 1): one sigmoid unit giving ``p(1)``. For per-example costs,
:class:`ArgmaxWeightedCrossEntropy` and :class:`ExpectedCostCrossEntropy`
also take ``y_true`` of shape (batch, 2k): the one-hot target followed by the
example's own row of the matrix (``W[true, :]`` or ``C[true, :]``). Each is
written with
``keras.ops`` so it runs on any Keras backend, and is registered as
serializable so that models compiled with it save, load and pickle.

Cost matrices follow ``C[true, predicted]``, the orientation of
:func:`sklearn.metrics.confusion_matrix`.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "ArgmaxWeightedCrossEntropy",
    "ClassWeightedCrossEntropy",
    "ExpectedCostCrossEntropy",
    "forum_weights_from_costs",
]

_PACKAGE = "costkeras"


def _square_matrix(matrix: Any, name: str) -> np.ndarray:
    array = np.asarray(matrix, dtype="float64")
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"{name} must be a square (k, k) matrix; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite values.")
    return array


def _cross_entropy(y_true, y_pred):
    return keras.losses.categorical_crossentropy(y_true, y_pred)


def _as_class_probabilities(y_pred):
    """(batch, k) probabilities; one sigmoid unit ``p(1)`` becomes ``[1 - p, p]``."""
    if y_pred.shape[-1] == 1:
        return ops.concatenate([1.0 - y_pred, y_pred], axis=-1)
    return y_pred


def _split_target(y_true, y_pred):
    """The one-hot target and, when the target carries one, a per-example row.

    A target of 2k columns is ``[one_hot, row]``: the row replaces the
    loss's matrix row for that example, which is how per-example costs travel
    through ``keras.Model.fit`` (batched, shuffled and split with their
    targets, with no Python loop per sample).
    """
    k = y_pred.shape[-1]
    y_true = ops.cast(y_true, y_pred.dtype)
    if y_true.shape[-1] == 2 * k:
        return y_true[..., :k], y_true[..., k:]
    return y_true, None


def forum_weights_from_costs(cost_matrix: Any) -> np.ndarray:
    """Translate a cost matrix into the forum's weight matrix ``W = 1 + C``.

    The Keras forum answers (Keras issue 2115, Stack Overflow 56696069) use a
    *weight* matrix with ones on the diagonal whose entries multiply the
    cross-entropy; a cost matrix with a zero diagonal and extra costs off it
    maps onto it by adding one. The inverse is ``C = W - 1``.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k)
        Non-negative costs ``C[true, predicted]``.

    Returns
    -------
    ndarray of shape (k, k)

    Examples
    --------
    >>> from costkeras.losses import forum_weights_from_costs
    >>> forum_weights_from_costs([[0, 0.2], [3, 0]]).tolist()
    [[1.0, 1.2], [4.0, 1.0]]
    """
    costs = _square_matrix(cost_matrix, "cost_matrix")
    if np.any(costs < 0):
        raise ValueError("cost_matrix must be non-negative to give forum weights.")
    return 1.0 + costs


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ArgmaxWeightedCrossEntropy(keras.losses.Loss):
    """Cross-entropy scaled by ``W[true, argmax(pred)]``: the Keras forum loss.

    This is the loss of the answers to Keras issue 2115 and Stack Overflow
    question 56696069, kept exactly (ties in the argmax add their weights, as
    the forum's ``K.equal(y_pred, max)`` mask does) for users porting that
    code. ``W`` is a *weight* matrix with ones on the diagonal, not a cost
    matrix: see :func:`forum_weights_from_costs`. Because argmax has no
    gradient, the weight only rescales the cross-entropy of a sample; it
    cannot push probability away from one wrong class towards another.

    Parameters
    ----------
    weights : array-like of shape (k, k), default=None
        ``W[true, predicted]``, non-negative. None means all ones (plain
        cross-entropy); it exists so the class can be built without arguments.
    name : str, default="argmax_weighted_cross_entropy"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.losses import ArgmaxWeightedCrossEntropy
    >>> W = np.ones((3, 3)); W[1, 2] = 1.2
    >>> loss = ArgmaxWeightedCrossEntropy(W, reduction="none")
    >>> y_true = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    >>> y_pred = np.array([[0.1, 0.4, 0.5], [0.5, 0.4, 0.1]])
    >>> values = np.asarray(loss(y_true, y_pred))
    >>> round(float(values[0] / values[1]), 6)
    1.2
    """

    def __init__(
        self,
        weights: Any = None,
        name: str = "argmax_weighted_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.weights = None if weights is None else _square_matrix(weights, "weights")
        if self.weights is not None and np.any(self.weights < 0):
            raise ValueError("weights must be non-negative.")

    def call(self, y_true, y_pred):
        y_pred = _as_class_probabilities(y_pred)
        y_true, row = _split_target(y_true, y_pred)
        cross_entropy = _cross_entropy(y_true, y_pred)
        if row is None:
            if self.weights is None:
                return cross_entropy
            row = ops.matmul(y_true, ops.convert_to_tensor(self.weights, dtype=y_pred.dtype))
        is_max = ops.cast(ops.equal(y_pred, ops.max(y_pred, axis=-1, keepdims=True)), y_pred.dtype)
        return cross_entropy * ops.sum(row * is_max, axis=-1)  # W[true, argmax]

    def get_config(self) -> dict:
        config = super().get_config()
        config["weights"] = None if self.weights is None else self.weights.tolist()
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ClassWeightedCrossEntropy(keras.losses.Loss):
    """Cross-entropy scaled by a weight per true class.

    With ``class_weights = C.sum(axis=1)`` (normalised), each class weighs
    what its errors cost on average; this is what Keras's ``class_weight``
    does, written as a loss so it also serves multi-output models, where
    Keras 3 refuses ``class_weight``. Like the forum loss, it cannot tell one
    wrong class from another.

    Parameters
    ----------
    class_weights : array-like of shape (k,), default=None
        Non-negative weight of each true class. None means all ones.
    name : str, default="class_weighted_cross_entropy"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.losses import ClassWeightedCrossEntropy
    >>> loss = ClassWeightedCrossEntropy([1.0, 3.0], reduction="none")
    >>> y_true = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> y_pred = np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> np.round(np.asarray(loss(y_true, y_pred)) / np.log(2), 6).tolist()
    [1.0, 3.0]
    """

    def __init__(
        self,
        class_weights: Any = None,
        name: str = "class_weighted_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if class_weights is None:
            self.class_weights = None
        else:
            self.class_weights = np.asarray(class_weights, dtype="float64")
            if self.class_weights.ndim != 1:
                raise ValueError("class_weights must be one-dimensional, one weight per class.")
            if not np.all(np.isfinite(self.class_weights)) or np.any(self.class_weights < 0):
                raise ValueError("class_weights must be finite and non-negative.")

    def call(self, y_true, y_pred):
        y_pred = _as_class_probabilities(y_pred)
        cross_entropy = _cross_entropy(y_true, y_pred)
        if self.class_weights is None:
            return cross_entropy
        weights = ops.convert_to_tensor(self.class_weights, dtype=y_pred.dtype)
        return cross_entropy * ops.sum(ops.cast(y_true, y_pred.dtype) * weights, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["class_weights"] = (
            None if self.class_weights is None else self.class_weights.tolist()
        )
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExpectedCostCrossEntropy(keras.losses.Loss):
    """Cross-entropy plus a weighted expected cost: ``CE + w * sum_j p_j C[y, j]``.

    The expected cost is differentiable in every probability, so it moves
    mass away from the expensive wrong classes specifically. Alone it can
    collapse to one class and its gradient vanishes on confidently wrong
    samples (Galdran et al., MICCAI 2020); the cross-entropy term keeps
    learning going.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), default=None
        ``C[true, predicted]``. None means plain cross-entropy.
    cost_weight : float, default=1.0
        The weight ``w`` of the expected cost. Its effect scales with the
        magnitude of ``C``; :class:`~costkeras.CostSensitiveKerasClassifier`
        divides ``C`` by its largest absolute entry first.
    name : str, default="expected_cost_cross_entropy"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.losses import ExpectedCostCrossEntropy
    >>> C = [[0.0, 1.0], [4.0, 0.0]]
    >>> loss = ExpectedCostCrossEntropy(C, cost_weight=0.5, reduction="none")
    >>> value = np.asarray(loss(np.array([[0.0, 1.0]]), np.array([[0.25, 0.75]])))
    >>> round(float(value[0]), 6) == round(float(-np.log(0.75) + 0.5 * 0.25 * 4.0), 6)
    True
    """

    def __init__(
        self,
        cost_matrix: Any = None,
        cost_weight: float = 1.0,
        name: str = "expected_cost_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.cost_matrix = (
            None if cost_matrix is None else _square_matrix(cost_matrix, "cost_matrix")
        )
        if not np.isfinite(cost_weight) or cost_weight < 0:
            raise ValueError(f"cost_weight must be finite and non-negative; got {cost_weight}.")
        self.cost_weight = float(cost_weight)

    def call(self, y_true, y_pred):
        y_pred = _as_class_probabilities(y_pred)
        y_true, row = _split_target(y_true, y_pred)
        cross_entropy = _cross_entropy(y_true, y_pred)
        if row is None:
            if self.cost_matrix is None:
                return cross_entropy
            row = ops.matmul(y_true, ops.convert_to_tensor(self.cost_matrix, dtype=y_pred.dtype))
        return cross_entropy + self.cost_weight * ops.sum(row * y_pred, axis=-1)  # C[true, :]

    def get_config(self) -> dict:
        config = super().get_config()
        config["cost_matrix"] = None if self.cost_matrix is None else self.cost_matrix.tolist()
        config["cost_weight"] = self.cost_weight
        return config
