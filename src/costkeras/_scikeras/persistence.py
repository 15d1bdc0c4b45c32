"""Saving a fitted estimator: its Keras objects travel in Keras's own formats.

scikeras pickles a Keras model by patching ``keras.Model.__reduce__``, which
pickle honours but skops does not: skops walks the objects' ``__dict__`` and
recurses through Keras's tracking structures until it fails. Here the
estimator's state itself holds every Keras model as the bytes of a ``.keras``
archive (what ``model.save`` writes: architecture, weights, optimizer state)
and every optimizer, loss and metric given as a parameter as its Keras config,
so pickle, joblib, cloudpickle, ``copy.deepcopy`` and skops all see plain
values, and loading goes through Keras's own ``load_model`` and
``deserialize_keras_object`` in safe mode (no ``lambda`` code is run).

The heads' losses and ``loss_`` are the compiled model's own loss objects:
they are not stored twice but taken back from the loaded model. Callbacks
given as parameters are stored without the model Keras attached to them
(Keras attaches the model of the next fit again).
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tempfile
from typing import Any

import keras
import numpy as np

from .compiling import head_losses, losses_by_output

# Keras objects stored as their config; scikeras pickles these three the same way.
_CONFIGURABLE = (keras.optimizers.Optimizer, keras.losses.Loss, keras.metrics.Metric)
# Lists the attributes stored as dtype strings (skops trusts no dtype object).
_DTYPES = "_numpy_dtypes"


class KerasObject:
    """A Keras model as ``.keras`` bytes, or another Keras object as its config.

    A model also keeps the states of its random generators (dropout's), which a
    ``.keras`` archive leaves out: a loaded model then goes on training with the
    same dropout masks as the model that was saved.
    """

    def __init__(self, kind: str, data: Any, random_states: list | None = None):
        self.kind = kind
        self.data = data
        self.random_states = random_states

    @classmethod
    def of(cls, value: Any) -> KerasObject:
        if isinstance(value, keras.Model):
            states = [keras.ops.convert_to_numpy(v) for v in _random_generators(value)]
            return cls("model", model_to_bytes(value), states)
        return cls("config", keras.saving.serialize_keras_object(value))

    def load(self) -> Any:
        if self.kind != "model":
            return keras.saving.deserialize_keras_object(self.data)
        model = model_from_bytes(self.data)
        generators = _random_generators(model)
        states = getattr(self, "random_states", None)  # None: saved before they were kept
        if states is not None and [v.shape for v in generators] == [s.shape for s in states]:
            for variable, state in zip(generators, states, strict=True):
                variable.assign(state)
        return model


def _random_generators(model: keras.Model) -> list:
    """The model's variables that are no weights: its random generators' states."""
    weights = {id(weight) for weight in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]


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
    # (its users' subclassed models keep pickling).
    if cls.__module__.startswith("keras.") or cls in keras.saving.get_custom_objects().values():
        return
    package, _, name = cls.__qualname__.rpartition(".")
    keras.saving.register_keras_serializable(package or cls.__module__, name)(cls)


def _plain(value: Any) -> Any:
    if isinstance(value, (keras.Model, *_CONFIGURABLE)):
        return KerasObject.of(value)
    if isinstance(value, keras.callbacks.Callback) and getattr(value, "_model", None) is not None:
        detached = copy.copy(value)  # the user's callback keeps its model
        detached._model = None
        return detached
    if type(value) in (list, tuple):
        return type(value)(_plain(item) for item in value)
    if type(value) is dict:
        return {key: _plain(item) for key, item in value.items()}
    return value


def _rich(value: Any) -> Any:
    if isinstance(value, KerasObject):
        return value.load()
    if type(value) in (list, tuple):
        return type(value)(_rich(item) for item in value)
    if type(value) is dict:
        return {key: _rich(item) for key, item in value.items()}
    return value


def plain_state(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its Keras objects in Keras's formats and its dtypes as strings.

    skops trusts neither Keras objects nor NumPy dtype objects (scikeras keeps
    ``X_dtype_`` and ``y_dtype_``); bytes, configs and strings it trusts. A new dict.
    """
    state = {name: _plain(value) for name, value in state.items()}
    dtypes = [name for name, value in state.items() if isinstance(value, np.dtype)]
    for name in dtypes:
        state[name] = state[name].str
    state[_DTYPES] = dtypes
    return state


def rich_state(state: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``plain_state`` (a new dict)."""
    state = {name: _rich(value) for name, value in state.items()}
    for name in state.pop(_DTYPES, ()):
        state[name] = np.dtype(state[name])
    return state


class PicklingMixin:
    """The estimator's pickled state in plain values (:func:`plain_state`)."""

    def __getstate__(self) -> dict:
        """The state in plain values: Keras objects in Keras's own formats (``_persistence``)."""
        state = dict(super().__getstate__())
        if state.get("heads_") is not None:  # the loaded model's own losses serve again
            state.pop("loss_", None)
            state["heads_"] = [dataclasses.replace(head, loss=None) for head in state["heads_"]]
        return plain_state(state)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(rich_state(state))
        model = self.__dict__.get("model_")
        if self.__dict__.get("heads_") is not None and getattr(model, "loss", None) is not None:
            losses = losses_by_output(model)
            for head in self.heads_:
                head.loss = losses[head.output_index]
            self.loss_ = head_losses(self.heads_)
