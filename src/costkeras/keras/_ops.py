"""The arithmetic the Keras pieces share, in ``keras.ops``: targets, probabilities, decisions.

One place reads a target the way Keras users write it (integer labels, one-hot
rows, either followed by a per-example cost row), turns one sigmoid unit into
two class probabilities, and makes the Bayes decision, so that the losses,
``MeanCost`` and ``BayesDecision`` agree on every backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from keras import ops


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


def expected_costs(proba, costs):
    """``R[..., a] = sum_i p_i C[i, a]``: costs (k, m) for all rows, or (batch, k, m) per row."""
    if len(costs.shape) == len(proba.shape) + 1:
        return ops.einsum("ni,nia->na", proba, costs)
    return ops.matmul(proba, costs)


def first_argmin(values):
    """The position of the first minimum along the last axis, as int32.

    ``ops.argmin`` would do, but TensorFlow's exporter writes it with a
    ``Bitcast`` node that ONNX Runtime refuses (``../shared/NOTES.md``, section
    7); ``min``, ``equal`` and ``where`` export everywhere. Ties go to the
    lower position, as with :func:`numpy.argmin`.
    """
    m = values.shape[-1]
    is_min = ops.equal(values, ops.min(values, axis=-1, keepdims=True))
    positions = ops.arange(m, dtype="int32")
    return ops.min(ops.where(is_min, positions, ops.convert_to_tensor(m, "int32")), axis=-1)


def decide(proba, costs=None):
    """Bayes's decision ``argmin_a sum_i p_i C[i, a]``; without costs, the most probable class."""
    if costs is None:
        return first_argmin(-proba)
    return first_argmin(expected_costs(proba, costs))


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
