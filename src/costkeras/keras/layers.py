"""Keras layers that make the cost-sensitive decision inside a model.

A model ending in :class:`BayesDecision` goes from features to the decided
class index, so the decision travels wherever the model does (``.keras``
files, TensorFlow SavedModel, ONNX) with no Python around it.
:class:`DecisionModel` is such a model as ``decision_model`` returns it: it
exports as it comes and names its batch dimension in ONNX files.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ._decide import (
    NO_DECISION,
    _assert_same_rows,
    check_columns,
    check_matrix,
    check_sample_cost,
    decision_positions,
)

# a model, not a layer, in its own module; public from here
from ._decision_model import DecisionModel
from ._ops import (
    check_prediction,
    class_probabilities,
)

__all__ = ["BayesDecision", "ClassProbabilities", "DecisionModel", "WhereFinite"]

_WIDE = ("float32", "float64")


def _wide_dtype(kwargs: dict, layer: str) -> dict:
    """``kwargs`` whose dtype computes in float32 or wider, whatever the global policy.

    A decision in float16 differs from float64's on random probabilities
    (``../shared/NOTES.md``, section 8): the rounding moves rows across the
    thresholds. So a global ``mixed_float16`` or ``bfloat16`` policy does not
    reach these layers, and a dtype given to the layer itself must be float32
    or float64.
    """
    dtype = kwargs.get("dtype")
    if dtype is None:
        if keras.config.dtype_policy().compute_dtype not in _WIDE:
            return {**kwargs, "dtype": "float32"}
        return kwargs
    compute = keras.dtype_policies.get(dtype).compute_dtype
    if compute not in _WIDE:
        raise ValueError(
            f"{layer} computes in float32 or float64: a narrower type changes decisions "
            f"(ties and thresholds move); got dtype={dtype!r}, which computes in {compute}. "
            "Leave dtype unset (float32 under any global policy) or pass 'float32' or "
            "'float64'."
        )
    return kwargs


@keras.saving.register_keras_serializable(package="costkeras")
class BayesDecision(keras.layers.Layer):
    """From class probabilities to the index of the decision of lowest expected cost.

    ``BayesDecision(C)(proba)`` is ``argmin_j sum_i p_i C[i, j]`` per row (Bayes's
    minimum-risk decision, Elkan 2001), the rule
    :class:`~costkeras.CostSensitiveKerasClassifier` decides by; ties go to the
    lower index, as with :func:`numpy.argmin`. Written with ``keras.ops`` (and no
    ``argmin``, whose TensorFlow export ONNX Runtime refuses), it runs on every
    backend and exports.

    It is for inference: a decision is an index, with no gradient, so nothing
    before it can be trained through it. Put it after training, on a trained
    network's probabilities, as
    :meth:`~costkeras.CostSensitiveKerasClassifier.decision_model` does; to train
    with the costs, use the losses of :mod:`costkeras.keras.losses`.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, m), default=None
        ``C[true, decision]``: rows the k classes in the order of the
        probabilities' columns; columns the m possible decisions (``m = k`` for
        the classes themselves). None: the most probable class (0/1 costs).
        Refused with a ValueError, as every entry point of costkeras refuses
        them: values that are not finite, one column (one decision), every
        row constant (all zeros), and a cost beyond the range of the dtype the
        layer decides in (1e39 in float32).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``). The layer
        decides in float32 (float64 with ``dtype="float64"``) whatever the
        global dtype policy: under ``mixed_float16`` it still decides in
        float32, and a float16 or bfloat16 ``dtype`` raises a ValueError.

    Notes
    -----
    Called as ``BayesDecision(C)(probabilities)`` or
    ``BayesDecision(C)(probabilities, sample_cost)``; :meth:`call` describes the
    arguments and the int32 tensor of shape (batch,) it returns.

    A row that cannot be decided gets ``-1``, the conventional "no decision":
    a row whose probabilities or own ``sample_cost`` hold a NaN or an infinite
    value, or whose expected costs overflow the layer's dtype. Every other row
    gets an index in ``[0, m)``. A batch of no rows gives an int32 tensor of
    shape (0,). Probabilities without a class axis, shape (batch,), raise a
    ValueError (they would read as the classes of one example): one sigmoid
    unit is (batch, 1).

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from costkeras.keras.layers import BayesDecision
    >>> decide = BayesDecision([[0, 1], [10, 0]])     # a missed 1 costs 10
    >>> np.asarray(decide(np.array([[0.8, 0.2], [0.95, 0.05]]))).tolist()
    [1, 0]
    >>> np.asarray(decide(np.array([[np.nan, 0.5]]))).tolist()   # no decision
    [-1]
    >>> inputs = keras.Input((4,))
    >>> proba = keras.layers.Dense(2, activation="softmax")(inputs)
    >>> model = keras.Model(inputs, [proba, decide(proba)])   # probabilities and decision
    """

    def __init__(self, cost_matrix: Any = None, **kwargs: Any):
        super().__init__(**_wide_dtype(kwargs, "BayesDecision"))
        self.cost_matrix = (
            None
            if cost_matrix is None
            else check_matrix(
                cost_matrix, "cost_matrix", square=False, decidable=True, dtype=self.compute_dtype
            )
        )
        self.supports_masking = False

    def call(self, probabilities, sample_cost=None):
        """The index of each row's decision of lowest expected cost; -1 for none.

        Parameters
        ----------
        probabilities : tensor of shape (batch, k), or (batch, 1)
            A softmax output, or one sigmoid unit giving ``p(1)`` of two classes.
            A pair ``[probabilities, sample_cost]`` works too, as Keras layers
            with two inputs often take them.
        sample_cost : tensor of shape (batch, k, m), optional
            One cost matrix per example, as many as the probabilities' rows;
            when given, it decides instead of ``cost_matrix``. Another shape
            raises a ValueError naming sample_cost and the shape expected. Inside
            a TensorFlow graph whose batch size is only known when it runs
            (an exported SavedModel, a ``tf.function``), rows that differ raise
            ``tf.errors.InvalidArgumentError`` with the same message when it
            runs. JAX and PyTorch know every shape when the layer runs (JAX
            traces ``jit`` with static shapes), so they raise the ValueError.

        Returns
        -------
        int32 tensor of shape (batch,)
            The index of each row's decision, ``-1`` where the row cannot be
            decided (a value that is not finite, see Notes).
        """
        probabilities, sample_cost = _inputs(probabilities, sample_cost)
        probabilities = ops.cast(probabilities, self.compute_dtype)
        check_prediction(probabilities, "BayesDecision", "probabilities")
        proba = class_probabilities(probabilities)
        if sample_cost is not None:
            return decision_positions(
                proba, check_sample_cost(proba, ops.cast(sample_cost, proba.dtype))
            )
        check_columns(proba, self.cost_matrix, "cost_matrix")
        if self.cost_matrix is None:
            return decision_positions(proba)
        return decision_positions(proba, ops.convert_to_tensor(self.cost_matrix, dtype=proba.dtype))

    def compute_output_spec(self, probabilities, sample_cost=None):
        probabilities, _ = _inputs(probabilities, sample_cost)
        if len(probabilities.shape) < 2:  # a width unknown while building is known when called
            check_prediction(probabilities, "BayesDecision", "probabilities")
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
    computes from the float32 output. As :class:`BayesDecision`, it computes in
    float32 or wider whatever the global dtype policy (``1 - p`` in float16
    would move decisions at their threshold).

    Parameters
    ----------
    unit : int, default=None
        The sigmoid unit to read out of several; None reads the whole output.
        A unit the output does not have raises a ValueError when the layer is
        called.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``: float32, the
        default under any global policy, or float64).

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
        super().__init__(**_wide_dtype(kwargs, "ClassProbabilities"))
        if unit is not None and (
            not isinstance(unit, (int, np.integer)) or isinstance(unit, bool) or unit < 0
        ):
            raise ValueError(f"unit must be a non-negative integer or None; got {unit!r}.")
        self.unit = None if unit is None else int(unit)

    def _check_unit(self, outputs) -> None:
        units = outputs.shape[-1]
        if self.unit is not None and units is not None and self.unit >= units:
            raise ValueError(
                f"unit={self.unit} picks a unit the output does not have: it has {units} "
                f"unit{'s' if units != 1 else ''} (unit 0 to {units - 1})."
            )

    def call(self, outputs):
        self._check_unit(outputs)
        outputs = ops.cast(outputs, self.compute_dtype)
        if self.unit is not None:
            outputs = outputs[..., self.unit : self.unit + 1]
        return class_probabilities(outputs)

    def compute_output_spec(self, outputs):
        self._check_unit(outputs)
        k = outputs.shape[-1] if self.unit is None else 1
        k = 2 if k == 1 else k
        return keras.KerasTensor((*outputs.shape[:-1], k), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "unit": self.unit}


@keras.saving.register_keras_serializable(package="costkeras")
class WhereFinite(keras.layers.Layer):
    """Each row of ``values`` whose row of ``inputs`` is all finite; ``fill`` for the others.

    ``WhereFinite(-1)(decision, features)`` gives the rows whose features hold a
    NaN or an infinite value no decision, where a network that clips its inputs
    would decide them from finite outputs. Values and their dtype pass as they
    are (the layer casts nothing); integer ``inputs`` are always finite. Both
    take one row per example: other row counts raise a ValueError naming
    values and inputs (inside a TensorFlow graph whose batch size is unknown
    until it runs, ``tf.errors.InvalidArgumentError`` when it runs).

    Parameters
    ----------
    fill : float, default=-1
        The value of the rows not all finite: -1 (no decision) for
        decisions, NaN for probabilities. Integer ``values`` need an integer fill.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``).

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.layers import WhereFinite
    >>> decided = np.array([1, 0, 1], dtype="int32")
    >>> features = np.array([[0.5, 1.0], [np.inf, 0.0], [0.0, np.nan]])
    >>> np.asarray(WhereFinite(-1)(decided, features)).tolist()
    [1, -1, -1]
    """

    def __init__(self, fill: float = NO_DECISION, **kwargs: Any):
        kwargs.setdefault("autocast", False)  # the features' own values, not a cast of them
        super().__init__(**kwargs)
        if isinstance(fill, bool) or not isinstance(fill, (int, float, np.integer, np.floating)):
            raise TypeError(f"fill must be a number; got {fill!r}.")
        self.fill = int(fill) if float(fill).is_integer() else float(fill)

    def call(self, values, inputs):
        dtype = keras.backend.standardize_dtype(values.dtype)
        if "float" not in dtype and not isinstance(self.fill, int):
            raise ValueError(f"fill={self.fill!r} is not a value of {dtype} values.")
        values = _same_rows(values, inputs)
        if "float" not in keras.backend.standardize_dtype(inputs.dtype):
            return values
        finite = ops.isfinite(inputs)
        if len(inputs.shape) > 1:
            finite = ops.all(finite, axis=tuple(range(1, len(inputs.shape))))
        finite = ops.reshape(finite, (-1,) + (1,) * (len(values.shape) - 1))
        return ops.where(finite, values, ops.convert_to_tensor(self.fill, dtype))

    def compute_output_spec(self, values, inputs):
        _same_rows(values, inputs, static=True)
        return keras.KerasTensor(values.shape, dtype=values.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill": self.fill}


def _same_rows(values, inputs, static: bool = False):
    """``values``, when it has as many rows as ``inputs``; else a ValueError naming both.

    A batch size unknown until a TensorFlow graph runs is checked there by an
    assertion (``tf.errors.InvalidArgumentError`` with the same message).
    """
    message = (
        "WhereFinite takes values and inputs with one row each per example, as many rows "
        f"in both; got values of shape {tuple(values.shape)} and inputs of shape "
        f"{tuple(inputs.shape)}"
    )
    if not values.shape or not inputs.shape:
        raise ValueError(f"{message}: both need a batch axis.")
    n, rows = values.shape[0], inputs.shape[0]
    if isinstance(n, int) and isinstance(rows, int):
        if n != rows:
            raise ValueError(f"{message}.")
        return values
    if static or isinstance(values, keras.KerasTensor):
        return values
    return _assert_same_rows(inputs, values, message)
