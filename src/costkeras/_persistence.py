"""Saving a fitted estimator: its Keras models travel as ``.keras`` archives.

scikeras pickles a Keras model by patching ``keras.Model.__reduce__``, which
pickle honours but skops does not: skops walks the objects' ``__dict__`` and
recurses through Keras's tracking structures until it fails. Here the
estimator's state itself holds each model as the bytes of a ``.keras`` archive
(what ``model.save`` writes: architecture, weights, optimizer state), so
pickle, joblib, cloudpickle, ``copy.deepcopy`` and skops all see plain bytes,
and loading goes through Keras's own ``load_model`` in safe mode (no
``lambda`` code is run from the archive).

The heads' losses and ``loss_`` are the compiled model's own loss objects:
they are not stored twice but taken back from the loaded model, so the state
holds no Keras object and skops needs only costkeras's types trusted.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import keras
import numpy as np

# The attributes of the state that may hold a Keras model: the fitted model, and a
# model instance given as the ``model`` parameter (scikeras accepts one).
MODEL_ATTRIBUTES = ("model_", "model")
# List the attributes stored as ``.keras`` bytes and as dtype strings.
_ARCHIVED = "_keras_archives"
_DTYPES = "_numpy_dtypes"


def model_to_bytes(model: keras.Model) -> bytes:
    """The ``.keras`` archive of ``model`` (its config, weights and optimizer state)."""
    _register_model_class(type(model))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        keras.saving.save_model(model, path)
        with open(path, "rb") as file:
            return file.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """The model of a ``.keras`` archive, compiled as it was saved."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as file:
            file.write(data)
        return keras.saving.load_model(path, compile=True)


def _register_model_class(cls: type) -> None:
    # A Model subclass must be registered to be rebuilt from its config; scikeras
    # registers it under its qualified name when pickling, so costkeras does the same
    # for the models it pickled before (its users' subclassed models keep pickling).
    if cls.__module__.startswith("keras.") or cls in keras.saving.get_custom_objects().values():
        return
    package, _, name = cls.__qualname__.rpartition(".")
    keras.saving.register_keras_serializable(package or cls.__module__, name)(cls)


def plain_state(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with each Keras model as its ``.keras`` bytes and each dtype as its string.

    skops trusts neither a Keras model nor a NumPy dtype object (scikeras keeps
    ``X_dtype_`` and ``y_dtype_``); bytes and strings it trusts. A new dict.
    """
    state = dict(state)
    archived = [name for name in MODEL_ATTRIBUTES if isinstance(state.get(name), keras.Model)]
    for name in archived:
        state[name] = model_to_bytes(state[name])
    dtypes = [name for name, value in state.items() if isinstance(value, np.dtype)]
    for name in dtypes:
        state[name] = state[name].str
    state[_ARCHIVED], state[_DTYPES] = archived, dtypes
    return state


def rich_state(state: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``plain_state`` (a new dict)."""
    state = dict(state)
    for name in state.pop(_ARCHIVED, ()):
        state[name] = model_from_bytes(state[name])
    for name in state.pop(_DTYPES, ()):
        state[name] = np.dtype(state[name])
    return state


def losses_by_output(model: keras.Model) -> list:
    """The loss the compiled ``model`` trains each of its outputs with, in output order."""
    loss = model.loss
    n_outputs = len(model.outputs)
    if isinstance(loss, dict):
        return [loss.get(name) for name in model.output_names]
    if isinstance(loss, (list, tuple)):
        return list(loss)
    return [loss] * n_outputs
