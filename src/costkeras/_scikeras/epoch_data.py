"""Training batches on TensorFlow from one iterator for the whole fit.

Keras's fit on NumPy arrays wraps them in a ``tf.data`` pipeline and makes a new
iterator of it at the start of every epoch, and another one, never read, at its end;
making one costs about as much as an epoch's training steps on small data.
:func:`repeated_batches` builds Keras's own pipeline (the same batches, reshuffled every
pass) once, repeated, and the fit reads every epoch from one iterator,
``steps_per_epoch`` batches at a time. The compiled training step
then runs an epoch in one call where ``steps_per_execution`` equals the steps of an
epoch (or 1): a call that ran past an epoch's end would take the next epoch's first
batches.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import keras
import numpy as np

__all__ = ["one_iterator_steps", "repeated_batches"]


def one_iterator_steps(
    model: keras.Model, X: Any, fit_args: dict, batch_size: int, setting: int | str
) -> int | None:
    """Batches per epoch when this fit can read one repeated iterator; else None.

    ``fit_args`` are the arguments ``keras.Model.fit`` would get. None (Keras's own
    loop) for an int ``steps_per_execution`` (``setting``), another backend than
    TensorFlow, inputs that are not one NumPy array, Keras's ``validation_split``,
    ``class_weight`` or ``steps_per_epoch``, and a compiled ``steps_per_execution``
    that is neither 1 nor an epoch's steps.
    """
    if setting != "auto" or keras.backend.backend() != "tensorflow":
        return None
    if not isinstance(X, np.ndarray) or X.ndim == 0 or len(X) == 0:
        return None
    if fit_args.get("validation_split") or fit_args.get("class_weight") is not None:
        return None
    if fit_args.get("steps_per_epoch") is not None:
        return None
    steps = math.ceil(len(X) / batch_size)
    return steps if model.steps_per_execution in (1, steps) else None


def repeated_batches(
    X: np.ndarray, y: Any, sample_weight: Any, *, batch_size: int, shuffle: Any, seed=None
):
    """Keras's pipeline of ``(X, y, sample_weight)`` batches, repeated without end.

    Each pass draws a new order (``shuffle=True``), as each epoch of Keras's own
    loop does. ``seed``: the int ``random_state`` the fit runs under, which seeds
    the shuffle as it seeds Keras's.
    """
    from scikeras.utils.random_state import tensorflow_random_state

    from .._compat import ArrayDataAdapter

    seeded = contextlib.nullcontext() if seed is None else tensorflow_random_state(seed)
    with seeded:
        adapter = ArrayDataAdapter(X, y, sample_weight, batch_size=batch_size, shuffle=shuffle)
        return adapter.get_tf_dataset().repeat()
