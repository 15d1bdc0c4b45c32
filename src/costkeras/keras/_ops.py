"""The arithmetic the Keras pieces share, in ``keras.ops``: targets, probabilities, decisions.

One place reads a target the way Keras users write it (integer labels, one-hot
rows, either followed by a per-example cost row), turns one sigmoid unit into
two class probabilities, and makes the Bayes decision, so that the losses,
``MeanCost`` and ``BayesDecision`` agree on every backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from keras import backend, ops


def class_probabilities(y_pred):
    """(..., k) probabilities; one sigmoid unit ``p(1)`` becomes ``[1 - p, p]``."""
    if y_pred.shape[-1] == 1:
        return ops.concatenate([1.0 - y_pred, y_pred], axis=-1)
    return y_pred


def split_target(y_true, proba):
    """The one-hot target, and the per-example cost row when the target carries one.

    ``proba`` has k columns (after :func:`class_probabilities`). The target is
    read by its shape, as Keras's losses read theirs:

    - ``(batch,)`` or ``(batch, 1)``: integer labels, as the sparse losses take
      them (0/1 for one sigmoid unit);
    - ``(batch, k)``: one-hot rows, as the categorical losses take them;
    - ``(batch, 1 + k)``: a label followed by the example's own cost row;
    - ``(batch, 2k)``: a one-hot row followed by the example's own cost row.

    The row replaces the loss's matrix row for that example: per-example costs
    travel through ``keras.Model.fit`` (batched, shuffled and split with their
    targets) this way.
    """
    k = proba.shape[-1]
    rank = len(y_true.shape)
    if rank == len(proba.shape) - 1:
        return _one_hot(y_true, k, proba.dtype), None
    width = y_true.shape[-1]
    if width == k:
        return ops.cast(y_true, proba.dtype), None
    if width == 1:
        return _one_hot(ops.squeeze(y_true, axis=-1), k, proba.dtype), None
    if width == 1 + k:
        row = ops.cast(y_true[..., 1:], proba.dtype)
        return _one_hot(y_true[..., 0], k, proba.dtype), row
    if width == 2 * k:
        y_true = ops.cast(y_true, proba.dtype)
        return y_true[..., :k], y_true[..., k:]
    raise ValueError(
        f"y_true must be integer labels of shape (batch,) or (batch, 1), one-hot rows of "
        f"shape (batch, {k}), or either followed by a cost row of {k} values (shape "
        f"(batch, {1 + k}) or (batch, {2 * k})) for {k} classes; got shape {tuple(y_true.shape)}."
    )


def _one_hot(labels, k: int, dtype):
    return ops.one_hot(ops.cast(labels, "int32"), k, dtype=dtype)


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


def first_argmin(values):
    """The position of the first minimum along the last axis, as int32; -1 where not finite.

    ``ops.argmin`` would do, but TensorFlow's exporter writes it with a
    ``Bitcast`` node that ONNX Runtime refuses (``../shared/NOTES.md``, section
    7); ``min``, ``equal`` and ``where`` export everywhere. Ties go to the
    lower position, as with :func:`numpy.argmin`. A row holding a NaN or an
    infinite value has no defined minimum (NaN equals nothing, so the search
    would return the out-of-range position m): it gets :data:`NO_DECISION`.
    """
    rows = tuple(values.shape[:-1])
    if 0 in rows:  # known to hold no rows: TensorFlow's and PyTorch's eager min refuse them
        return ops.zeros(rows, dtype="int32")
    m = values.shape[-1]
    finite = ops.all(ops.isfinite(values), axis=-1)
    is_min = ops.equal(values, ops.min(values, axis=-1, keepdims=True))
    positions = ops.arange(m, dtype="int32")
    first = ops.min(ops.where(is_min, positions, ops.convert_to_tensor(m, "int32")), axis=-1)
    return ops.where(finite, first, ops.convert_to_tensor(NO_DECISION, "int32"))


def decide(proba, costs=None):
    """Bayes's decision ``argmin_a sum_i p_i C[i, a]``; without costs, the most probable class.

    A row whose probabilities, cost matrix (per-row ``costs`` of shape
    (batch, k, m)) or expected costs hold a value that is not finite gets
    :data:`NO_DECISION`. The inputs are checked themselves, not only through the
    expected costs: a BLAS may skip a zero probability's product with a NaN cost.
    """
    if costs is None:
        return first_argmin(-proba)
    decided = first_argmin(expected_costs(proba, costs))
    finite = ops.all(ops.isfinite(proba), axis=-1)
    if len(costs.shape) == len(proba.shape) + 1:
        finite = ops.logical_and(finite, ops.all(ops.isfinite(costs), axis=(-2, -1)))
    return ops.where(finite, decided, ops.convert_to_tensor(NO_DECISION, "int32"))


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


def check_matrix(matrix: Any, name: str, *, square: bool = True) -> np.ndarray:
    """A finite 2-D float64 matrix (square unless told otherwise), or a ValueError naming it."""
    try:
        array = np.asarray(matrix, dtype="float64")
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numeric matrix; got {matrix!r}.") from error
    shape = "square (k, k)" if square else "(k, m)"
    if array.ndim != 2 or (square and array.shape[0] != array.shape[1]) or 0 in array.shape:
        raise ValueError(f"{name} must be a {shape} matrix; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite values.")
    return array


def check_columns(proba, matrix: np.ndarray | None, name: str) -> None:
    """Raise when the probabilities' k does not match the rows of ``matrix``."""
    k = proba.shape[-1]
    if matrix is not None and k is not None and matrix.shape[0] != k:
        raise ValueError(
            f"{name} has {matrix.shape[0]} rows (true classes) but the probabilities have "
            f"{k} columns."
        )
