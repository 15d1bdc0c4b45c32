"""The targets and probabilities the Keras pieces share, in ``keras.ops``.

One place reads a target the way Keras users write it (integer labels, one-hot
rows, either followed by a per-example cost row when the caller says so),
refuses what is not such a target, and turns logits and one sigmoid unit into
class probabilities, so that the losses and ``MeanCost`` agree on every backend.
The decision they share is in ``_decide``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import keras
import numpy as np
from keras import ops

# offending rows a refusal shows, at most
_SHOWN = 5


def class_logits(y_pred):
    """(..., k) logits; one logit ``z`` becomes ``[0, z]``, whose softmax is ``[1 - s, s]``.

    ``s = sigmoid(z)``, so one sigmoid unit's logit and two softmax logits give
    the same class probabilities, and the cross-entropy of ``[0, z]`` is the
    binary cross-entropy of ``z``, computed as stably.
    """
    if y_pred.shape[-1] == 1:
        return ops.concatenate([ops.zeros_like(y_pred), y_pred], axis=-1)
    return y_pred


def class_probabilities(y_pred, from_logits: bool = False):
    """(..., k) probabilities; one sigmoid unit ``p(1)`` becomes ``[1 - p, p]``.

    ``from_logits``: ``y_pred`` holds logits, as for Keras's cross-entropies:
    k logits go through a softmax, one through a sigmoid.
    """
    if from_logits:
        return ops.softmax(class_logits(y_pred), axis=-1)
    if y_pred.shape[-1] == 1:
        return ops.concatenate([1.0 - y_pred, y_pred], axis=-1)
    return y_pred


def check_prediction(y_pred, owner: str, name: str = "y_pred") -> None:
    """Raise unless ``y_pred`` has a class axis: (batch, k), or (batch, 1) for a sigmoid unit.

    A (batch,) vector would be read as the k classes of one example. ``name`` is
    the argument's name in the message.
    """
    shape = tuple(y_pred.shape)
    if len(shape) >= 2 and shape[-1] is None:
        raise ValueError(
            f"{owner} takes {name} with a class axis of known size: probabilities of shape "
            f"(batch, k), or (batch, 1) for one sigmoid unit; got shape {shape}, whose last "
            "dimension (the classes) is unknown when the function is traced. Give the "
            "tf.function an input_signature whose last dimension is the number of classes."
        )
    if len(shape) < 2:
        raise ValueError(
            f"{owner} takes {name} with a class axis: probabilities of shape (batch, k), or "
            f"(batch, 1) for one sigmoid unit; got shape {shape}, which has no class axis "
            "(a (batch,) vector would be read as the classes of one example). Give a "
            "sigmoid output its unit axis (keras.layers.Dense(1, activation='sigmoid'), or "
            "p[:, None])."
        )


def check_target_type(y_true, owner: str) -> None:
    """Refuse y_true of strings (or other non-numbers) before Keras casts it to floats."""
    dtype = getattr(y_true, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(y_true).dtype
        except (TypeError, ValueError):  # ragged lists: Keras says what it makes of them
            return
    kind = dtype.kind if isinstance(dtype, np.dtype) else None
    if kind in ("U", "S") or "string" in str(dtype):
        what = "strings"
    elif kind == "O" and not _numeric_objects(y_true):
        what = "objects that are not numbers"
    else:
        return
    raise TypeError(
        f"{owner} takes y_true as class indices 0 to k-1 (or one-hot rows of them); got "
        f"{what}. Map labels to indices first, e.g. with sklearn.preprocessing.LabelEncoder "
        "or keras.layers.StringLookup(num_oov_indices=0)."
    )


def probabilities_check(y_pred, owner: str) -> tuple:
    """The check, for :func:`enforce`, that ``y_pred`` lies in [0, 1]: logits are no probabilities.

    NaN passes (a diverged model's NaN loss is Keras's to report).
    """
    outside = ops.logical_or(ops.less(y_pred, 0), ops.greater(y_pred, 1))
    message = (
        f"{owner} got y_pred values outside [0, 1], which are no probabilities: a model "
        "whose last layer has no softmax or sigmoid gives logits; build it with "
        "from_logits=True for them."
    )
    return ops.logical_not(ops.any(outside, axis=-1)), message, None


def _numeric_objects(values) -> bool:
    try:
        np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        return False
    return True


class TargetParts(NamedTuple):
    """What :func:`split_target` reads from y_true."""

    one_hot: Any  # (..., k)
    row: Any  # (..., k) costs (or weights) of each example, or None
    checks: list  # (ok per example, message, values shown or None), for :func:`enforce`


def split_target(
    y_true, proba, *, costs_in_target: bool | None = False, owner: str = "The loss"
) -> TargetParts:
    """The one-hot target, the per-example cost row it carries, and the checks of its values.

    ``proba`` has k columns (after :func:`class_probabilities`). Without cost
    rows (``costs_in_target`` False, or None for a loss that never takes them),
    the target is one of Keras's cross-entropy targets:

    - ``(batch,)`` or ``(batch, 1)``: integer labels, as the sparse losses take
      them (0/1 for one sigmoid unit);
    - ``(batch, k)``: one-hot rows, as the categorical losses take them (soft
      rows, from label smoothing, weigh the classes as given).

    With ``costs_in_target=True`` each example's own cost row follows: a label
    and the row, ``(batch, 1 + k)``, or a one-hot row and the row, ``(batch, 2k)``.
    The layout is never guessed from the width: a target of another shape
    raises a ValueError naming ``costs_in_target``.

    Shapes that fit none of these raise a ValueError now. The values are
    checked by :func:`enforce` on the returned checks: labels must be whole
    numbers in ``[0, k)`` and every value finite.
    """
    k = proba.shape[-1]
    shape = tuple(y_true.shape)
    batch = tuple(proba.shape[:-1])
    rank = len(shape)
    is_labels = rank == len(batch)
    width = None if is_labels else shape[-1]
    if costs_in_target:
        layouts = {1 + k: "labels", 2 * k: "one-hot"}
    else:
        layouts = {1: "labels", k: "one-hot"}
    layout = "labels" if is_labels and not costs_in_target else None
    if rank == len(batch) + 1 and width in layouts:
        layout = layouts[width]
    if layout is None:
        raise ValueError(_layout_message(owner, shape, k, costs_in_target))
    leading = shape if is_labels else shape[:-1]
    if all(d is not None for d in leading + batch) and leading != batch:
        raise ValueError(
            f"{owner} got y_true of shape {shape} for y_pred of shape {tuple(proba.shape)}: "
            f"their examples differ ({leading} and {batch})."
        )
    dtype = proba.dtype
    checks = []
    if layout == "labels":
        labels = y_true if is_labels else y_true[..., 0]
        one_hot = _one_hot(labels, k, dtype)
        if keras.backend.standardize_dtype(labels.dtype) != "bool":  # bools are 0/1
            checks.append(_label_check(labels, k, owner))
    else:
        one_hot = ops.cast(y_true[..., :k], dtype)
        if _is_float(y_true):
            message = f"{owner} got one-hot rows in y_true holding NaN or infinite values."
            checks.append((ops.all(ops.isfinite(one_hot), axis=-1), message, None))
    row = None
    if costs_in_target:
        row = ops.cast(y_true[..., width - k :], dtype)
        message = (
            f"{owner} got cost rows in y_true (its last {k} columns) holding NaN or infinite "
            "values; each example's costs must be finite."
        )
        checks.append((ops.all(ops.isfinite(row), axis=-1), message, None))
    return TargetParts(one_hot, row, checks)


def _layout_message(owner: str, shape: tuple, k: int, costs_in_target: bool | None) -> str:
    got = f"{owner} got y_true of shape {shape} for y_pred of {k} classes"
    if len(shape) >= 2 and shape[-1] is None:
        got += (
            " (a last dimension unknown when the step was traced: Keras relaxes the shapes "
            "of a model fitted on targets of several widths; keep one layout per model)"
        )
    if costs_in_target:
        return (
            f"{got}: with costs_in_target=True, y_true must be each example's label followed "
            f"by its cost row, shape (batch, {1 + k}), or its one-hot row followed by its cost "
            f"row, shape (batch, {2 * k}). Labels alone or one-hot rows alone need "
            "costs_in_target=False."
        )
    message = (
        f"{got}: y_true must be integer labels of shape (batch,) or (batch, 1), or one-hot "
        f"rows of shape (batch, {k})"
    )
    if costs_in_target is None:
        return f"{message}; this loss takes no per-example cost rows."
    message += (
        f". A target that carries each example's cost row after its label (batch, {1 + k}) "
        f"or after its one-hot row (batch, {2 * k}) needs costs_in_target=True."
    )
    if len(shape) >= 2 and shape[-1] == k + 1:
        message += (
            f" (keras.utils.to_categorical of labels counted from 1 gives {k + 1} columns for "
            f"{k} classes: subtract 1 from the labels first.)"
        )
    return message


def _label_check(labels, k: int, owner: str):
    """(per-example ok, message, shown values) for labels: whole numbers in [0, k)."""
    ok = ops.logical_and(
        ops.greater_equal(labels, ops.cast(0, labels.dtype)),
        ops.less(labels, ops.cast(k, labels.dtype)),
    )
    if _is_float(labels):
        ok = ops.logical_and(ok, ops.equal(labels, ops.floor(labels)))
    message = (
        f"{owner} got labels in y_true that are not class indices: they must be whole numbers "
        f"from 0 to {k - 1} for y_pred's {k} classes, as Keras's sparse cross-entropy takes "
        "them. Labels counted from 1 need y - 1; other labels need mapping to indices "
        "(sklearn.preprocessing.LabelEncoder, keras.layers.IntegerLookup)."
    )
    return ok, message, labels


def _is_float(x) -> bool:
    return "float" in keras.backend.standardize_dtype(x.dtype)


def both(a, b):
    """Where both per-example masks hold; None stands for all True."""
    if a is None:
        return b
    if b is None:
        return a
    return ops.logical_and(a, b)


def enforce(checks: list):
    """Refuse the examples that fail ``checks``, where the backend can; their mask where not.

    Each check is ``(ok, message, shown)``: a boolean tensor per example, what
    to say, and the values to show for the failing examples (or None).
    Concrete values raise a ValueError now, with the first failing check's
    message and its first offending examples. Inside a TensorFlow graph a
    ``tf.debugging`` assertion per check raises ``InvalidArgumentError`` with
    its message when the graph runs. Elsewhere (XLA, which compiles
    assertions away; a jitted JAX function; ``torch.compile``) nothing can
    raise: the mask of the valid examples is returned, for the caller to make
    the others' values NaN (:func:`invalid_to_nan`).

    Returns None when the values were checked here and all are fine.
    """
    if not checks:
        return None
    valid = None
    for ok, _, _ in checks:
        valid = both(valid, ok)
    concrete = _concrete_numpy(valid)
    if concrete is not None:
        if not concrete.all():
            for ok, message, shown in checks:
                _raise_on_failures(_concrete_numpy(ok), message, shown)
        return None
    if keras.backend.backend() == "tensorflow" and not isinstance(valid, keras.KerasTensor):
        import tensorflow as tf

        # a constant message only: TensorFlow then adds no cond around the assertion, and
        # XLA, which compiles no string operations, compiles the assertion away
        for ok, message, _ in checks:
            tf.debugging.Assert(tf.reduce_all(ok), [message])
    return valid


def require(ok, message: str, shown=None):
    """:func:`enforce` of one check."""
    return enforce([(ok, message, shown)])


def _raise_on_failures(concrete, message: str, shown) -> None:
    if concrete.all():
        return
    where = np.argwhere(~concrete)[:_SHOWN]
    rows = [tuple(int(i) for i in index) if len(index) > 1 else int(index[0]) for index in where]
    detail = f" Offending examples (first {_SHOWN} at most): {rows}"
    values = _concrete_numpy(shown) if shown is not None else None
    if values is not None:
        detail += f", values {[values[tuple(index)].item() for index in where]}"
    raise ValueError(f"{message}{detail}.")


def _concrete_numpy(x):
    """``x`` as a NumPy array when its values exist now; None inside a traced function."""
    if isinstance(x, keras.KerasTensor):  # symbolic: a functional model being built
        return None
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if not tf.executing_eagerly() or not hasattr(x, "numpy"):
            return None
    elif backend == "jax":
        import jax

        tracer = getattr(getattr(jax, "core", None), "Tracer", None)
        if tracer is None or isinstance(x, tracer):
            return None
    elif backend == "torch":
        import torch

        compiling = getattr(getattr(torch, "compiler", None), "is_compiling", lambda: False)
        if compiling() or getattr(x, "device", None) == torch.device("meta"):
            return None
    elif backend != "numpy":
        return None
    return np.asarray(ops.convert_to_numpy(x))


def invalid_to_nan(values, valid):
    """``values`` where ``valid``, NaN elsewhere: bad targets that nothing could refuse."""
    if valid is None:
        return values
    return ops.where(valid, values, ops.full_like(values, float("nan")))


def _one_hot(labels, k: int, dtype):
    return ops.one_hot(ops.cast(labels, "int32"), k, dtype=dtype)
