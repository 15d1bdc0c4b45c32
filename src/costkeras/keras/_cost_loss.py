"""What the cost losses share: reading y_pred and y_true, their checks, the cross-entropy.

:class:`CostLoss` is the base of the losses of :mod:`costkeras.keras.losses`: it
refuses targets Keras would misread, turns logits and one sigmoid unit into class
probabilities, splits a target from the cost rows it may carry, and computes the
cross-entropy each loss scales or adds to. The checks of the losses' arguments
that are not cost matrices are here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import keras
import numpy as np
from keras import ops

from ._decide import check_columns
from ._ops import (
    check_prediction,
    check_target_type,
    class_logits,
    class_probabilities,
    probabilities_check,
    split_target,
)


class CostLoss(keras.losses.Loss):
    """What the three losses share: reading ``y_pred`` and ``y_true``, and the cross-entropy.

    ``costs_in_target`` None: the loss takes no cost rows at all.
    """

    def __init__(self, name, reduction, dtype, from_logits, costs_in_target=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = check_flag(from_logits, "from_logits")
        self.costs_in_target = (
            None if costs_in_target is None else check_flag(costs_in_target, "costs_in_target")
        )

    def __call__(self, y_true, y_pred, sample_weight=None):
        # Keras casts y_true to floats first; strings would fail there with no name
        check_target_type(y_true, type(self).__name__)
        # Keras's own losses take lists (as MeanCost does); the checks below read shapes
        if not hasattr(y_true, "shape"):
            y_true = ops.convert_to_tensor(y_true)
        if not hasattr(y_pred, "shape"):
            y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def _read(self, y_true, y_pred, matrix: np.ndarray | None, matrix_name: str):
        """Probabilities, the one-hot target, each example's cost row, CE, and the checks.

        The row is the one the target carries (``costs_in_target``), else
        ``matrix[true, :]``; None when there is neither.
        """
        owner = type(self).__name__
        check_prediction(y_pred, owner)
        if self.from_logits:
            logits = class_logits(y_pred)
            proba = ops.softmax(logits, axis=-1)
            checks = []
        else:
            proba = class_probabilities(y_pred)
            checks = [probabilities_check(y_pred, owner)]
        check_columns(proba, matrix, matrix_name)
        one_hot, row, target_checks = split_target(
            y_true, proba, costs_in_target=self.costs_in_target, owner=owner
        )
        checks += target_checks
        if row is None and matrix is not None:
            row = ops.matmul(one_hot, ops.convert_to_tensor(matrix, dtype=proba.dtype))
        if self.from_logits:
            cross_entropy = keras.losses.categorical_crossentropy(one_hot, logits, from_logits=True)
        else:
            cross_entropy = keras.losses.categorical_crossentropy(one_hot, proba)
        return proba, one_hot, row, cross_entropy, checks

    def get_config(self) -> dict:
        config = super().get_config()
        config["from_logits"] = self.from_logits
        if self.costs_in_target is not None:
            config["costs_in_target"] = self.costs_in_target
        return config


def check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def no_matrix_with_rows(matrix: Any, name: str, costs_in_target: Any) -> None:
    if matrix is not None and costs_in_target is True:
        raise ValueError(
            f"{name} would go unused: with costs_in_target=True each example's row in y_true "
            f"replaces {name}'s rows. Pass {name} or costs_in_target=True, not both."
        )


def check_class_weights(class_weights: Any) -> dict[int, float] | np.ndarray | None:
    if class_weights is None:
        return None
    if isinstance(class_weights, Mapping):
        checked = {}
        for index, weight in class_weights.items():
            if not isinstance(index, Integral) or isinstance(index, bool) or index < 0:
                raise ValueError(
                    "class_weights as a dict maps class indices (non-negative integers, as "
                    f"Keras's class_weight) to weights; got the key {index!r}."
                )
            checked[int(index)] = weight
        values = _finite_nonnegative(list(checked.values()))
        return dict(zip(checked, values.tolist(), strict=True))
    weights = _finite_nonnegative(class_weights)
    if weights.ndim != 1:
        raise ValueError(
            "class_weights must be a dict {class_index: weight} or one weight per class; "
            f"got shape {weights.shape}."
        )
    return weights


def _finite_nonnegative(values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as error:
        raise TypeError(f"class_weights must hold numbers; got {values!r}.") from error
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"class_weights must be finite and non-negative; got {values!r}.")
    return array
