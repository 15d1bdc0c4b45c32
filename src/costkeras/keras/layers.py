"""A Keras layer that makes the cost-sensitive decision inside a model.

A model ending in :class:`BayesDecision` goes from features to the decided
class index, so the decision travels wherever the model does (``.keras``
files, TensorFlow SavedModel, ONNX) with no Python around it.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ._ops import check_columns, check_matrix, class_probabilities, decide

__all__ = ["BayesDecision", "ClassProbabilities"]


@keras.saving.register_keras_serializable(package="costkeras")
class BayesDecision(keras.layers.Layer):
    """From class probabilities to the index of the decision of lowest expected cost.

    ``BayesDecision(C)(proba)`` is ``argmin_j sum_i p_i C[i, j]`` per row (Bayes's
    minimum-risk decision, Elkan 2001), the rule
    :class:`~costkeras.CostSensitiveKerasClassifier` decides by; ties go to the
    lower index, as with :func:`numpy.argmin`. Written with ``keras.ops`` (and no
    ``argmin``, whose TensorFlow export ONNX Runtime refuses), it runs on every
    backend and exports.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, m), default=None
        ``C[true, decision]``: rows the k classes in the order of the
        probabilities' columns; columns the m possible decisions (``m = k`` for
        the classes themselves). None: the most probable class (0/1 costs).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Notes
    -----
    Called as ``BayesDecision(C)(probabilities)`` or
    ``BayesDecision(C)(probabilities, sample_cost)``; :meth:`call` describes the
    arguments and the int32 tensor of shape (batch,) it returns.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from costkeras.keras.layers import BayesDecision
    >>> decide = BayesDecision([[0, 1], [10, 0]])     # a missed 1 costs 10
    >>> np.asarray(decide(np.array([[0.8, 0.2], [0.95, 0.05]]))).tolist()
    [1, 0]
    >>> inputs = keras.Input((4,))
    >>> proba = keras.layers.Dense(2, activation="softmax")(inputs)
    >>> model = keras.Model(inputs, [proba, decide(proba)])   # probabilities and decision
    """

    def __init__(self, cost_matrix: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.cost_matrix = (
            None if cost_matrix is None else check_matrix(cost_matrix, "cost_matrix", square=False)
        )
        self.supports_masking = False

    def call(self, probabilities, sample_cost=None):
        """The index of each row's decision of lowest expected cost.

        Parameters
        ----------
        probabilities : tensor of shape (batch, k), or (batch, 1)
            A softmax output, or one sigmoid unit giving ``p(1)`` of two classes.
            A pair ``[probabilities, sample_cost]`` works too, as Keras layers
            with two inputs often take them.
        sample_cost : tensor of shape (batch, k, m), optional
            One cost matrix per example; when given, it decides instead of
            ``cost_matrix``.

        Returns
        -------
        int32 tensor of shape (batch,)
            The index of each row's decision.
        """
        probabilities, sample_cost = _inputs(probabilities, sample_cost)
        proba = class_probabilities(ops.cast(probabilities, self.compute_dtype))
        if sample_cost is not None:
            costs = ops.cast(sample_cost, proba.dtype)
            if costs.shape[-2] is not None and costs.shape[-2] != proba.shape[-1]:
                raise ValueError(
                    f"sample_cost must have shape (batch, {proba.shape[-1]}, m), a cost matrix "
                    f"per row; got shape {tuple(costs.shape)}."
                )
            return decide(proba, costs)
        check_columns(proba, self.cost_matrix, "cost_matrix")
        if self.cost_matrix is None:
            return decide(proba)
        return decide(proba, ops.convert_to_tensor(self.cost_matrix, dtype=proba.dtype))

    def compute_output_spec(self, probabilities, sample_cost=None):
        probabilities, _ = _inputs(probabilities, sample_cost)
        return keras.KerasTensor(probabilities.shape[:-1], dtype="int32")

    def get_config(self) -> dict:
        config = super().get_config()
        config["cost_matrix"] = None if self.cost_matrix is None else self.cost_matrix.tolist()
        return config


def _inputs(probabilities, sample_cost):
    """``(probabilities, sample_cost)`` from either calling convention."""
    if isinstance(probabilities, (list, tuple)):
        if len(probabilities) != 2 or sample_cost is not None:
            raise ValueError(
                "BayesDecision takes probabilities, or a pair [probabilities, sample_cost]; "
                f"got {len(probabilities)} inputs"
                + (" and sample_cost as well." if sample_cost is not None else ".")
            )
        return probabilities[0], probabilities[1]
    return probabilities, sample_cost


@keras.saving.register_keras_serializable(package="costkeras")
class ClassProbabilities(keras.layers.Layer):
    """A model's output as the probabilities of its classes, one column per class.

    A softmax output passes as it is; one sigmoid unit ``p(1)`` becomes the two
    columns ``[1 - p, p]``. ``unit`` picks one sigmoid unit out of several (a
    multi-label output, one unit per label) first. Computed in the layer's dtype:
    ``dtype="float64"`` casts before subtracting, so ``1 - p`` is what NumPy
    computes from the float32 output.

    Parameters
    ----------
    unit : int, default=None
        The sigmoid unit to read out of several; None reads the whole output.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.layers import ClassProbabilities
    >>> np.asarray(ClassProbabilities()(np.array([[0.25]]))).tolist()
    [[0.75, 0.25]]
    >>> np.asarray(ClassProbabilities(unit=1)(np.array([[0.1, 0.5]]))).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, unit: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if unit is not None and (not isinstance(unit, (int, np.integer)) or unit < 0):
            raise ValueError(f"unit must be a non-negative integer or None; got {unit!r}.")
        self.unit = None if unit is None else int(unit)

    def call(self, outputs):
        outputs = ops.cast(outputs, self.compute_dtype)
        if self.unit is not None:
            outputs = outputs[..., self.unit : self.unit + 1]
        return class_probabilities(outputs)

    def compute_output_spec(self, outputs):
        k = outputs.shape[-1] if self.unit is None else 1
        k = 2 if k == 1 else k
        return keras.KerasTensor((*outputs.shape[:-1], k), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "unit": self.unit}
