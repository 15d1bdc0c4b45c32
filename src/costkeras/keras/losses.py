"""Keras losses that take misclassification costs into account.

Each loss takes ``y_pred`` of shape (batch, k) (a softmax output) or, for two
classes, (batch, 1): one sigmoid unit giving ``p(1)``; with
``from_logits=True``, the logits before the softmax or sigmoid, as Keras's own
cross-entropies take them. ``y_true`` is what Keras's cross-entropies take:
integer labels of shape (batch,) or (batch, 1), as
``sparse_categorical_crossentropy`` (0/1 labels for a sigmoid unit), or one-hot
rows (batch, k), as ``categorical_crossentropy``. For per-example costs,
:class:`ArgmaxWeightedCrossEntropy` and :class:`ExpectedCostCrossEntropy` built
with ``costs_in_target=True`` take instead the label (or one-hot row) followed
by the example's own row of the matrix (``W[true, :]`` or ``C[true, :]``):
shape (batch, 1 + k) or (batch, 2k). The layout is never guessed from the
width: any other shape raises a ValueError that says what was expected.

Labels must be whole numbers in ``[0, k)``, and targets finite. Keras's own
``SparseCategoricalCrossentropy`` refuses labels out of range on TensorFlow
(eagerly and inside ``tf.function`` / ``model.fit``) and on PyTorch; these
losses refuse them, and non-whole labels and NaN or infinite values, with a
ValueError on concrete values and, inside a TensorFlow graph, with a
``tf.debugging`` assertion (``InvalidArgumentError`` when the step runs).
Compiled code cannot raise: under XLA (``jit_compile=True``, the default of
``model.fit`` on a TensorFlow GPU, which compiles assertions away) and in a
jitted JAX function (the default of ``model.fit`` on JAX), the offending
examples' losses are NaN instead, as Keras's sparse cross-entropy gives under
XLA (on JAX it gives a silent 0), so the epoch's loss reads NaN and
``keras.callbacks.TerminateOnNaN`` stops on it. An empty batch gives what
Keras's losses give: an empty (0,) tensor when its size is known, else 0.

Each is written with ``keras.ops`` so it runs on any Keras backend, and is
registered as serializable so that models compiled with it save, load and
pickle. None imports scikit-learn. Under mixed precision they compute in
float32, as Keras's losses do.

Cost matrices follow ``C[true, predicted]``, the orientation of
:func:`sklearn.metrics.confusion_matrix`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
from keras import ops

from ._cost_loss import CostLoss, check_class_weights, no_matrix_with_rows
from ._decide import check_matrix
from ._ops import enforce, invalid_to_nan

__all__ = [
    "ArgmaxWeightedCrossEntropy",
    "ClassWeightedCrossEntropy",
    "ExpectedCostCrossEntropy",
    "forum_weights_from_costs",
]

_PACKAGE = "costkeras"


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
    costs = check_matrix(cost_matrix, "cost_matrix")
    if np.any(costs < 0):
        raise ValueError("cost_matrix must be non-negative to give forum weights.")
    return 1.0 + costs


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ArgmaxWeightedCrossEntropy(CostLoss):
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
        cross-entropy), or, with ``costs_in_target=True``, each example's own
        row taken from y_true.
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities, as in
        :class:`keras.losses.CategoricalCrossentropy`: k logits go through a
        softmax, one logit (two classes) through a sigmoid. The argmax is
        that of the probabilities.
    costs_in_target : bool, default=False
        Whether y_true carries each example's own weight row ``W_n[true, :]``
        after its label or one-hot row: shape (batch, 1 + k) or (batch, 2k)
        (how per-example weights travel through ``model.fit``, batched and
        shuffled with their targets). The rows must be finite and
        non-negative; ``weights`` must then be None. When False, y_true must
        be labels (batch,) / (batch, 1) or one-hot rows (batch, k).
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

    Each example's own weight row, after its label:

    >>> per_example = ArgmaxWeightedCrossEntropy(costs_in_target=True, reduction="none")
    >>> y_true = np.array([[1, 1.0, 1.0, 1.2], [1, 1.0, 1.0, 1.2]])
    >>> np.allclose(per_example(y_true, y_pred), values)
    True
    """

    def __init__(
        self,
        weights: Any = None,
        *,
        from_logits: bool = False,
        costs_in_target: bool = False,
        name: str = "argmax_weighted_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name, reduction, dtype, from_logits, costs_in_target)
        no_matrix_with_rows(weights, "weights", self.costs_in_target)
        self.weights = (
            None if weights is None else check_matrix(weights, "weights", dtype=self.dtype)
        )
        if self.weights is not None and np.any(self.weights < 0):
            raise ValueError("weights must be non-negative.")

    def call(self, y_true, y_pred):
        proba, _, row, cross_entropy, checks = self._read(y_true, y_pred, self.weights, "weights")
        if row is None:
            return invalid_to_nan(cross_entropy, enforce(checks))
        if self.costs_in_target:
            nonnegative = ops.all(ops.greater_equal(row, 0), axis=-1)
            message = (
                "ArgmaxWeightedCrossEntropy got weight rows in y_true (its last "
                f"{proba.shape[-1]} columns) holding negative values; weights must be "
                "non-negative."
            )
            checks.append((nonnegative, message, None))
        valid = enforce(checks)
        # initial=-inf: TensorFlow's eager max refuses an empty batch without one
        top = ops.max(proba, axis=-1, keepdims=True, initial=float("-inf"))
        is_max = ops.cast(ops.equal(proba, top), proba.dtype)
        values = cross_entropy * ops.sum(row * is_max, axis=-1)  # W[true, argmax]
        return invalid_to_nan(values, valid)

    def get_config(self) -> dict:
        config = super().get_config()
        config["weights"] = None if self.weights is None else self.weights.tolist()
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ClassWeightedCrossEntropy(CostLoss):
    """Cross-entropy scaled by a weight per true class: Keras's ``class_weight`` as a loss.

    ``ClassWeightedCrossEntropy(cw)`` computes ``mean_n(cw[y_n] * CE_n)`` over a
    batch, which is what ``model.fit(..., class_weight=cw)`` trains with (the
    weights become per-sample weights under the default
    ``"sum_over_batch_size"`` reduction): on a single-output model the two
    train the same weights. As a loss it also serves models with several
    outputs, where Keras 3 refuses ``class_weight``: give each output its own
    in ``compile(loss={"output1": ClassWeightedCrossEntropy({0: 1, 1: 10}),
    ...})``. With ``C.sum(axis=1)`` as weights, each class weighs what its
    errors cost on average; like the forum loss, it cannot tell one wrong class
    from another. It takes no per-example cost rows: y_true is labels or
    one-hot rows only.

    Parameters
    ----------
    class_weights : dict or array-like of shape (k,), default=None
        Non-negative weight of each true class: a dict ``{class_index: weight}``
        as Keras's ``class_weight`` takes it (classes left out weigh 1), or one
        weight per class. None means all ones.
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities, as in
        :class:`keras.losses.CategoricalCrossentropy`: k logits go through a
        softmax, one logit (two classes) through a sigmoid.
    name : str, default="class_weighted_cross_entropy"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.losses import ClassWeightedCrossEntropy
    >>> loss = ClassWeightedCrossEntropy({1: 3.0}, reduction="none")
    >>> y_true = np.array([0, 1])                  # integer labels, as Keras's sparse losses
    >>> y_pred = np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> np.round(np.asarray(loss(y_true, y_pred)) / np.log(2), 6).tolist()
    [1.0, 3.0]
    """

    def __init__(
        self,
        class_weights: Mapping[int, float] | Any = None,
        *,
        from_logits: bool = False,
        name: str = "class_weighted_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name, reduction, dtype, from_logits)
        self.class_weights = check_class_weights(class_weights)

    def weight_vector(self, n_classes: int) -> np.ndarray | None:
        """The weight of each of ``n_classes`` classes (None: all ones)."""
        weights = self.class_weights
        if weights is None:
            return None
        if isinstance(weights, dict):
            too_large = [index for index in weights if index >= n_classes]
            if too_large:
                raise ValueError(
                    f"class_weights names classes {sorted(too_large)} but the output has "
                    f"{n_classes} classes (indices 0 to {n_classes - 1})."
                )
            vector = np.ones(n_classes)
            vector[list(weights)] = list(weights.values())
            return vector
        if len(weights) != n_classes:
            raise ValueError(
                f"class_weights has {len(weights)} weights but the output has {n_classes} "
                "classes; give one weight per class, or a dict {class_index: weight}."
            )
        return weights

    def call(self, y_true, y_pred):
        proba, one_hot, _, cross_entropy, checks = self._read(y_true, y_pred, None, "")
        valid = enforce(checks)
        weights = self.weight_vector(proba.shape[-1])
        if weights is not None:
            weights = ops.convert_to_tensor(weights, dtype=proba.dtype)
            cross_entropy = cross_entropy * ops.sum(one_hot * weights, axis=-1)
        return invalid_to_nan(cross_entropy, valid)

    def get_config(self) -> dict:
        config = super().get_config()
        weights = self.class_weights
        if isinstance(weights, dict):
            # JSON keys are strings; from_config turns them back into class indices
            config["class_weights"] = {str(index): value for index, value in weights.items()}
        else:
            config["class_weights"] = None if weights is None else weights.tolist()
        return config

    @classmethod
    def from_config(cls, config: dict) -> ClassWeightedCrossEntropy:
        weights = config.get("class_weights")
        if isinstance(weights, dict):
            config = {**config, "class_weights": {int(k): v for k, v in weights.items()}}
        return cls(**config)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ExpectedCostCrossEntropy(CostLoss):
    """Cross-entropy plus a weighted expected cost: ``CE + w * sum_j p_j C[y, j]``.

    The expected cost is differentiable in every probability, so it moves
    mass away from the expensive wrong classes specifically. Alone it can
    collapse to one class and its gradient vanishes on confidently wrong
    samples (Galdran et al., MICCAI 2020); the cross-entropy term keeps
    learning going.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), default=None
        ``C[true, predicted]``. None means plain cross-entropy, or, with
        ``costs_in_target=True``, each example's own row taken from y_true.
        A matrix that decides nothing (every row constant, all zeros; one
        class) or holds a cost beyond the loss's dtype (1e39 in float32) raises
        a ValueError, as everywhere in costkeras.
    cost_weight : float, default=1.0
        The weight ``w`` of the expected cost, a finite non-negative number
        (anything else raises a TypeError or ValueError naming it). Its effect
        scales with the magnitude of ``C``;
        :class:`~costkeras.CostSensitiveKerasClassifier` divides ``C`` by its
        largest absolute entry first.
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities, as in
        :class:`keras.losses.CategoricalCrossentropy`: k logits go through a
        softmax, one logit (two classes) through a sigmoid. The expected cost
        uses the probabilities.
    costs_in_target : bool, default=False
        Whether y_true carries each example's own cost row ``C_n[true, :]``
        after its label or one-hot row: shape (batch, 1 + k) or (batch, 2k)
        (how per-example costs travel through ``model.fit``, batched and
        shuffled with their targets). The rows must be finite;
        ``cost_matrix`` must then be None. When False, y_true must be labels
        (batch,) / (batch, 1) or one-hot rows (batch, k).
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

    Each example's own cost row, after its label (here the row of ``C``):

    >>> per_example = ExpectedCostCrossEntropy(
    ...     cost_weight=0.5, costs_in_target=True, reduction="none"
    ... )
    >>> np.allclose(per_example(np.array([[1, 4.0, 0.0]]), np.array([[0.25, 0.75]])), value)
    True
    """

    def __init__(
        self,
        cost_matrix: Any = None,
        cost_weight: float = 1.0,
        *,
        from_logits: bool = False,
        costs_in_target: bool = False,
        name: str = "expected_cost_cross_entropy",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ):
        super().__init__(name, reduction, dtype, from_logits, costs_in_target)
        no_matrix_with_rows(cost_matrix, "cost_matrix", self.costs_in_target)
        self.cost_matrix = (
            None
            if cost_matrix is None
            else check_matrix(cost_matrix, "cost_matrix", decidable=True, dtype=self.dtype)
        )
        if isinstance(cost_weight, (bool, np.bool_)) or not isinstance(
            cost_weight, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"cost_weight must be a non-negative number; got {cost_weight!r}.")
        if not np.isfinite(cost_weight) or cost_weight < 0:
            raise ValueError(f"cost_weight must be finite and non-negative; got {cost_weight}.")
        self.cost_weight = float(cost_weight)

    def call(self, y_true, y_pred):
        proba, _, row, values, checks = self._read(y_true, y_pred, self.cost_matrix, "cost_matrix")
        valid = enforce(checks)
        if row is not None:
            values = values + self.cost_weight * ops.sum(row * proba, axis=-1)  # C[true, :]
        return invalid_to_nan(values, valid)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cost_matrix"] = None if self.cost_matrix is None else self.cost_matrix.tolist()
        config["cost_weight"] = self.cost_weight
        return config
