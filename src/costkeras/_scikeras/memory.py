"""Reusing a trained network: what makes two fits' training identical, and its cache.

A fit's Keras training is fully determined by what ``keras.Model.fit`` receives
and by the model it trains: the model's architecture and starting weights, its
compile configuration (optimizer, loss, metrics), the arrays (features, targets
with any per-example cost rows, sample weights, early stopping's held-out rows),
the fit's arguments and the seed, on given versions of costkeras, Keras and the
backend. The key is computed from exactly those, so a parameter that acts only
in the decision (a cost matrix with the default cross-entropy) leaves it as it
is, and anything that trains (a cost loss, class weights, another seed) changes
it: no parameter list can go stale.

What training produces is stored: the trained weights, the optimizer's state
and the history. A fit that finds its key puts them into the model it has just
built and compiled, exactly as the training would have left it.

Not cached, with a warning saying why: fits without a seed (two unseeded fits
are two draws), fits with callbacks of the user's (their side effects would not
happen) and models whose architecture or compile configuration Keras cannot
serialize (their training cannot be keyed).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import socket
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import joblib
import keras
import numpy as np
from sklearn.utils.validation import check_memory

from .. import _compat
from .._compat import compile_arguments
from .early_stopping import LogLossEarlyStopping
from .schedule import n_rows

if TYPE_CHECKING:
    from .plan import FitPlan

__all__ = [
    "TrainedNetwork",
    "cached_training",
    "first_rows",
    "fit_training_key",
    "resolve_memory",
    "training_key",
    "training_versions",
]


@dataclass
class TrainedNetwork:
    """What one training leaves behind in a model, and the history it logged.

    The model's variables (weights, and the state of its random generators, which
    dropout advanced), the optimizer's (its step, moments and learning rate) and
    the compiled metrics' (the last epoch's running means).
    """

    variables: list[np.ndarray]
    optimizer_state: list[np.ndarray]
    metrics_state: list[np.ndarray]
    history: dict[str, list]

    @classmethod
    def of(cls, model: keras.Model, history: dict) -> TrainedNetwork:
        optimizer = getattr(model, "optimizer", None)
        return cls(
            [_numpy(v) for v in model.variables],
            [] if optimizer is None else [_numpy(v) for v in optimizer.variables],
            [_numpy(v) for v in model.metrics_variables],
            {name: list(values) for name, values in history.items()},
        )

    def restore(self, model: keras.Model, batch: tuple | None = None) -> bool:
        """Put the trained state into ``model``; False (nothing changed) if it does not fit.

        ``batch``: the first rows of what the training took (x, y, sample_weight); a
        compiled model's loss, metrics and optimizer are then built from their
        shapes, as the training built them, so that its next fit starts as the
        trained model's would.
        """
        optimizer = getattr(model, "optimizer", None)
        if batch is not None and getattr(model, "compiled", False):
            _compat.build_for_training(model, batch)
        if optimizer is not None and self.optimizer_state and not optimizer.built:
            optimizer.build(model.trainable_variables)
        pairs = [
            (list(model.variables), self.variables),
            ([] if optimizer is None else list(optimizer.variables), self.optimizer_state),
        ]
        if not all(_same_shapes(*pair) for pair in pairs):
            return False
        if _same_shapes(list(model.metrics_variables), self.metrics_state):
            pairs.append((list(model.metrics_variables), self.metrics_state))
        for variables, values in pairs:
            for variable, value in zip(variables, values, strict=True):
                variable.assign(value)
        return True


def _same_shapes(variables: list, values: list[np.ndarray]) -> bool:
    return [tuple(v.shape) for v in variables] == [value.shape for value in values]


def resolve_memory(memory: Any) -> joblib.Memory | None:
    """``memory`` as a ``joblib.Memory`` (scikit-learn's ``Pipeline(memory=...)``); None: off."""
    if memory is None:
        return None
    if isinstance(memory, os.PathLike):
        memory = os.fspath(memory)
    # joblib would fail later with a bare NotADirectoryError, naming no parameter
    if isinstance(memory, str) and os.path.exists(memory) and not os.path.isdir(memory):
        raise ValueError(
            f"memory must be a folder to cache trainings in (or a joblib.Memory, or None); "
            f"{memory!r} exists and is not a folder."
        )
    checked = check_memory(memory)
    return None if getattr(checked, "location", None) is None else checked


def training_key(
    model: keras.Model, fit_args: dict, arrays: dict, extra: dict
) -> tuple[str | None, str]:
    """The key of a Keras training, or ``(None, why)`` when it cannot be keyed.

    ``fit_args`` are ``keras.Model.fit``'s keyword arguments other than the arrays
    and callbacks; ``arrays`` the arrays it trains and validates on; ``extra`` what
    else decides the training (the seed, the early-stopping callback's settings).
    """
    try:
        architecture = model.get_config()
        compiled = model.get_compile_config()
        described = _canonical_json({"model": architecture, "compile": compiled})
        functions = _function_code(compile_arguments(model))
    except Exception as error:  # any failure means: it cannot be keyed
        return None, (
            f"Keras cannot serialize the model or its compile configuration ({error}), so "
            "its training cannot be keyed"
        )
    key = joblib.hash(
        {
            "versions": training_versions(),
            "model": described,
            "functions": functions,
            # every variable, the random generators' states (dropout's) with the weights
            "variables": [_numpy(variable) for variable in model.variables],
            "fit": fit_args,
            "arrays": arrays,
            "extra": extra,
        }
    )
    return key, ""


def fit_training_key(
    model: keras.Model, plan: FitPlan, arrays: dict, callbacks: list
) -> tuple[str | None, str]:
    """The key of the Keras training about to run, or ``(None, why not)``.

    ``arrays`` are what ``keras.Model.fit`` trains on (x, y, sample_weight), whose
    rows set the batch size of ``batch_size="auto"``; the rest comes from the
    plan's training settings (:meth:`FitPlan.training_settings`) and the early
    stopper among ``callbacks``, the fit's only callback a key can describe.
    """
    if plan.seed is None:
        return None, "random_state=None makes every fit a new draw; set an int"
    if plan.distributed:
        # replicas sum their gradients in another order: not the stored network
        return None, "a distribution trains its replicas in parallel"
    stoppers = [cb for cb in callbacks if isinstance(cb, LogLossEarlyStopping)]
    if len(stoppers) != len(callbacks):
        return None, "callbacks of the user's would not run"
    settings = plan.training_settings(n_rows(arrays["x"]))
    extra = {**settings, "early_stopping": [stopper.settings() for stopper in stoppers]}
    return training_key(model, extra.pop("fit"), arrays, extra)


def cached_training(
    memory: joblib.Memory, key: str, train: Callable[[], TrainedNetwork]
) -> TrainedNetwork:
    """``train()``'s result, stored under ``key`` in ``memory``, or the one stored before.

    Processes sharing the folder (a parallel search) would all train a network none
    of them has stored yet: the first takes a lock on the key and the others wait for
    its result instead of training the same network again.
    """
    cached = memory.cache(_trained_network, ignore=["train"])
    if cached.check_call_in_cache(key, train):
        return cached(key, train)
    with TrainingLock(memory, key):
        return cached(key, train)


class TrainingLock:
    """A lock file per key in the memory's folder, held while one process trains.

    Created with ``O_EXCL``, which is atomic on local and network file systems. Its
    holder rewrites its time every ``HEARTBEAT`` seconds; a lock whose holder has
    died (a process of this host that is gone, or a lock not rewritten for
    ``STALE`` seconds) is broken. Memory backends without a local folder are not
    locked.
    """

    HEARTBEAT, STALE, POLL = 5.0, 60.0, 0.2

    def __init__(self, memory: joblib.Memory, key: str):
        location = getattr(memory, "location", None)
        self.path = None
        if isinstance(location, (str, os.PathLike)):
            self.path = os.path.join(location, "costkeras-locks", f"{key}.lock")
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __enter__(self) -> TrainingLock:
        if self.path is None:
            return self
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        while True:
            try:
                handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if self._stale():
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self.path)
                else:
                    time.sleep(self.POLL)
                continue
            with os.fdopen(handle, "w") as file:
                file.write(f"{socket.gethostname()} {os.getpid()}")
            self._beat = threading.Thread(target=self._heartbeat, daemon=True)
            self._beat.start()
            return self

    def __exit__(self, *exc) -> None:
        if self._beat is not None:
            self._stop.set()
            self._beat.join()
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.HEARTBEAT):
            with contextlib.suppress(FileNotFoundError):
                os.utime(self.path)

    def _stale(self) -> bool:
        try:
            with open(self.path) as file:
                host, _, pid = file.read().partition(" ")
            age = time.time() - os.path.getmtime(self.path)
        except (FileNotFoundError, ValueError):
            return False  # released, or being written: look again
        if host == socket.gethostname() and pid.isdigit():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                pass  # alive, another user's
        return age > self.STALE


def _trained_network(key: str, train: Callable[[], TrainedNetwork]) -> TrainedNetwork:
    """joblib.Memory's cached function: its output is stored under the hash of ``key``."""
    return train()


def training_versions() -> dict:
    """The versions and global Keras settings a training's result depends on."""
    from .. import __version__

    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    backend_version = getattr(sys.modules.get(module), "__version__", None) if module else None
    return {
        "costkeras": __version__,
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": backend_version,
        "floatx": keras.backend.floatx(),
        "policy": keras.config.dtype_policy().name,
        "numpy": np.__version__,
    }


def _canonical_json(config: dict) -> str:
    """The config as JSON with every object name replaced by its order of appearance.

    Keras names layers and optimizers from process-wide counters (``dense_3``,
    ``adam_7``): the same network built twice differs in names only, which decide
    nothing in training. Each name is replaced wherever it appears (layer
    references included) by its position among the names, so the structure stays.
    """
    names: dict[str, str] = {}

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "name" and isinstance(item, str) and item not in names:
                    names[item] = f"#{len(names)}"
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [rename(item) for item in value]
        if isinstance(value, str):
            return names.get(value, value)
        return value

    collect(config)
    return json.dumps(rename(config), sort_keys=True, default=repr)


def _function_code(value: Any) -> list:
    """The code of every plain Python function among the compile arguments.

    Keras serializes a function (a loss or metric of the user's) by its name only;
    its code decides the training too, so an edited function trains anew.
    """
    found = []

    def visit(item: Any) -> None:
        if isinstance(item, types.FunctionType):
            code = item.__code__
            found.append((item.__module__, item.__qualname__, marshal.dumps(code)))
        elif isinstance(item, dict):
            for name in sorted(item, key=str):
                visit(item[name])
        elif isinstance(item, (list, tuple)):
            for element in item:
                visit(element)

    visit(value)
    return found


def _numpy(variable: Any) -> np.ndarray:
    return np.array(keras.ops.convert_to_numpy(variable))


def warn_not_cached(reason: str) -> None:
    """Say why ``memory`` did not serve this fit (it trains as without ``memory``)."""
    warnings.warn(
        f"memory is set but this fit's training is not cached: {reason}. It trains as it "
        "would without memory.",
        UserWarning,
        stacklevel=4,
    )


def first_rows(x, y, sample_weight) -> tuple:
    """The first row of each array of a training's data, for :meth:`TrainedNetwork.restore`."""
    return keras.tree.map_structure(
        lambda array: None if array is None else array[:1], (x, y, sample_weight)
    )
