"""The Bayes decision the Keras pieces share, in ``keras.ops``, and the checks of its costs.

``BayesDecision``, ``MeanCost`` and ``costkeras.decisions`` on tensors decide here,
as ``costkeras._bayes`` decides in NumPy: the same ties, the same rows left undecided.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import backend, ops

from .. import _cost_matrix
from .._cost_matrix import check_decidable

NO_DECISION = -1
"""The decision of a row that cannot be decided: a probability, a cost or an
expected cost that is not finite (NaN or infinite)."""


def expected_costs(proba, costs):
    """``R[..., a] = sum_i p_i C[i, a]``: costs (k, m) for all rows, or (batch, k, m) per row.

    Per row as a product and a sum, not ``einsum``: tf2onnx writes the einsum
    with a ``Reshape`` to ``(0, -1, m)`` that ONNX Runtime refuses on a batch of
    no rows.
    """
    if len(costs.shape) == len(proba.shape) + 1:
        return ops.sum(ops.expand_dims(proba, -1) * costs, axis=-2)
    return ops.matmul(proba, costs)


def first_argmin(values, tolerance=None):
    """The position of the first minimum along the last axis, as int32; -1 where not finite.

    ``ops.argmin`` would do, but TensorFlow's exporter writes it with a
    ``Bitcast`` node that ONNX Runtime refuses; ``min``, ``equal`` and ``where``
    export everywhere. Ties go to the
    lower position, as with :func:`numpy.argmin`. A row holding a NaN or an
    infinite value has no defined minimum (NaN equals nothing, so the search
    would return the out-of-range position m): it gets :data:`NO_DECISION`.
    ``tolerance`` (a scalar, or one per row of shape (batch, 1)): values that far
    above the minimum count as minima too, so the first of near-ties wins.
    """
    rows = tuple(values.shape[:-1])
    if 0 in rows:  # known to hold no rows: TensorFlow's and PyTorch's eager min refuse them
        return ops.zeros(rows, dtype="int32")
    m = values.shape[-1]
    finite = ops.all(ops.isfinite(values), axis=-1)
    smallest = ops.min(values, axis=-1, keepdims=True)
    if tolerance is None:
        is_min = ops.equal(values, smallest)
    else:
        is_min = ops.less_equal(values - smallest, tolerance)
    positions = ops.arange(m, dtype="int32")
    first = ops.min(ops.where(is_min, positions, ops.convert_to_tensor(m, "int32")), axis=-1)
    return ops.where(finite, first, ops.convert_to_tensor(NO_DECISION, "int32"))


def decision_positions(proba, costs=None):
    """Bayes's decision ``argmin_a sum_i p_i C[i, a]``; without costs, the most probable class.

    A row whose probabilities, cost matrix (per-row ``costs`` of shape
    (batch, k, m)) or expected costs hold a value that is not finite gets
    :data:`NO_DECISION`. The inputs are checked themselves, not only through the
    expected costs: a BLAS may skip a zero probability's product with a NaN cost.
    """
    if costs is None:
        return first_argmin(-proba)
    if 0 in tuple(proba.shape[:-1]):  # known to hold no rows
        return first_argmin(proba)
    decided = first_argmin(expected_costs(proba, costs), tie_tolerance(proba, costs))
    finite = ops.all(ops.isfinite(proba), axis=-1)
    if len(costs.shape) == len(proba.shape) + 1:
        finite = ops.logical_and(finite, ops.all(ops.isfinite(costs), axis=(-2, -1)))
    return ops.where(finite, decided, ops.convert_to_tensor(NO_DECISION, "int32"))


def tie_tolerance(proba, costs):
    """``2 k eps max|C|`` in the probabilities' dtype, as ``_bayes.tie_tolerance``.

    Expected costs closer than that are equal to the arithmetic: the lower
    decision wins them, in NumPy's ``predict`` and here alike, whatever order each
    adds the products in. A scalar for a (k, m) matrix; (batch, 1) per row.
    """
    k = costs.shape[-2]
    eps = float(np.finfo(keras.backend.standardize_dtype(proba.dtype)).eps)
    per_row = len(costs.shape) == len(proba.shape) + 1
    # initial=0: a batch of no rows known only when a graph runs has no maximum otherwise
    # (|C| >= 0, so it changes no other maximum)
    if per_row:
        largest = ops.max(ops.abs(costs), axis=(-2, -1), initial=0.0)
    else:
        largest = ops.max(ops.abs(costs))
    scale = ops.convert_to_tensor(2 * k * eps, dtype=proba.dtype)
    return scale * (ops.expand_dims(largest, -1) if per_row else largest)


def check_sample_cost(proba, costs, name: str = "sample_cost"):
    """``costs`` when it is one (k, m) matrix per row of ``proba``, else a ValueError naming it.

    Shapes known when the layer runs (eager TensorFlow and PyTorch, JAX, whose
    traced shapes are static) are checked here. Inside a TensorFlow graph whose
    batch is unknown until it runs (a SavedModel, a ``tf.function``), a
    ``tf.debugging`` assertion checks the rows at run time and raises
    ``tf.errors.InvalidArgumentError`` with the same message; no other backend
    has a batch unknown at trace time.
    """
    k = proba.shape[-1]
    expected = f"(batch, {k}, m), one cost matrix per row of the probabilities"
    shape = tuple(costs.shape)
    if len(shape) != 3 or (shape[1] is not None and shape[1] != k) or shape[2] == 0:
        raise ValueError(f"{name} must have shape {expected}; got shape {shape}.")
    n, rows = proba.shape[0], shape[0]
    if isinstance(n, int) and isinstance(rows, int):
        if n != rows:
            raise ValueError(f"{name} must have shape {expected} ({n} rows); got shape {shape}.")
        return costs
    message = f"{name} must have shape {expected}; its rows and the probabilities' rows"
    return _assert_same_rows(proba, costs, message)


def _assert_same_rows(proba, costs, message: str):
    """TensorFlow graphs: an assertion of equal row counts that runs with the graph."""
    if backend.backend() != "tensorflow":
        return costs
    import tensorflow as tf

    check = tf.debugging.assert_equal(tf.shape(costs)[0], tf.shape(proba)[0], message=message)
    with tf.control_dependencies([check]):
        return tf.identity(costs)


def check_matrix(
    matrix: Any,
    name: str,
    *,
    square: bool = True,
    decidable: bool = False,
    dtype: str | None = None,
    takes_actions: str | None = None,
) -> np.ndarray:
    """A finite 2-D float64 matrix (square unless told otherwise), or a ValueError naming it.

    The Keras-free core's check of every cost matrix given as an array
    (:func:`costkeras._cost_matrix.check_matrix`), with its messages.
    ``decidable``: a matrix that decides (costs, not the forum's weights) must also
    pass :func:`costkeras._cost_matrix.check_decidable` (one column, every row
    constant). ``dtype``: the float type the caller computes in; a cost whose
    magnitude it cannot hold (1e39 in float32) would become infinite there, so it
    is refused now. ``takes_actions``: what to say when a square matrix was
    expected but a (k, m) one came.
    """
    array = _cost_matrix.check_matrix(
        matrix, name, square=square, expected="a numeric matrix", hint=takes_actions
    )
    if decidable:
        check_decidable(array, name)
    if dtype is not None:
        check_representable(array, name, dtype)
    return array


def check_representable(array: np.ndarray, name: str, dtype: Any) -> None:
    """Refuse values whose magnitude overflows ``dtype`` (a float type): they become inf."""
    dtype = keras.backend.standardize_dtype(dtype)
    if "float" not in dtype:
        return
    largest = float(np.finfo(dtype).max)
    if array.size and np.max(np.abs(array)) > largest:
        raise ValueError(
            f"{name} holds a value of magnitude {np.max(np.abs(array)):.4g}, beyond the largest "
            f"{dtype} ({largest:.4g}), the type it is computed in: it would become infinite. "
            "Rescale the costs (dividing every cost by the same number changes no decision)"
            + (" or compute in float64 (dtype='float64')." if dtype != "float64" else ".")
        )


def check_columns(proba, matrix: np.ndarray | None, name: str) -> None:
    """Raise when the probabilities' k does not match the rows of ``matrix``."""
    k = proba.shape[-1]
    if matrix is not None and k is not None and matrix.shape[0] != k:
        raise ValueError(
            f"{name} has {matrix.shape[0]} rows (true classes) but the probabilities have "
            f"{k} columns."
        )
