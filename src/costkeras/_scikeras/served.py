"""Fits served in this process from a network trained before: no network built per fit.

In a search over cost matrices with ``memory``, every candidate of a fold trains
the same network. :mod:`.memory` stores it once, but each candidate would still
build and compile its own Keras model and restore the stored weights and
optimizer state into it, which costs more than scoring it. Here, the first fit
of a training in this process leaves the trained network behind, shared and
never trained again; a later fit whose whole Keras part would be identical (the
same parameters but the decision-only ones, the same data, the same ``memory``)
takes the fitted attributes of a fit (heads, losses, history) and predicts with
the shared network. ``model_`` is its own: built, compiled and given the stored
weights and optimizer state when something first reads it (a warm fit, an export,
pickling), exactly as a fit served by :mod:`.memory` would have it.

Served only: the default network (``model=None``) of costkeras's own estimator,
with its own target encoding, a seed, no callbacks, no distribution, and
parameters that are plain values (a function or an object could change without
changing its pickle). Any other fit goes through :mod:`.memory`'s training key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import joblib
import keras
import numpy as np
from scikeras.utils.random_state import tensorflow_random_state
from sklearn.exceptions import NotFittedError

from .compiling import compile_model
from .memory import TrainedNetwork, training_versions

if TYPE_CHECKING:
    from .plan import FitCall, FitPlan

__all__ = ["ServedModelMixin", "ServedNetwork", "served_networks", "serving_key"]

# Where a served fit keeps what builds its own model on demand (see ServedModelMixin).
_LAZY = "_served_model"
# Trained networks kept per process; a search holds one per fold it runs here.
MAX_SERVED = 16


class ServedNetwork:
    """One training's network, uncompiled and never trained again, and what it stored.

    The shared copy is made when a fit first asks for it: a fit nothing later
    matches (``cross_val_score``'s) pays nothing for it.
    """

    def __init__(self, model: keras.Model, trained: TrainedNetwork, seed: int, batch: tuple):
        self.trained = trained
        self.batch = batch  # the training data's first rows (memory.first_rows)
        self._source: keras.Model | None = model  # only its architecture is read
        self._seed = seed
        self._template: keras.Model | None = None
        self._lock = threading.Lock()

    @property
    def template(self) -> keras.Model:
        """The trained network, shared by the fits it serves: it only predicts."""
        with self._lock:
            if self._template is None:
                self._template = _copy_of(self._source, self.trained, self._seed)
                self._source = None
            return self._template


def _copy_of(model: keras.Model, trained: TrainedNetwork, seed: int) -> keras.Model:
    """A new model of ``model``'s architecture holding the trained variables."""
    # the build draws initial weights: under the seed, as the fit's own build, so that
    # the random state outside is left as a fit leaves it
    with tensorflow_random_state(seed):
        copy = keras.models.clone_model(model)
    for variable, value in zip(copy.variables, trained.variables, strict=True):
        variable.assign(value)
    return copy


class ServedNetworks:
    """The trained networks of this process by serving key, the least recently used dropped."""

    def __init__(self, size: int = MAX_SERVED):
        self.size = size
        self._networks: OrderedDict[str, ServedNetwork] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str | None) -> ServedNetwork | None:
        if key is None:
            return None
        with self._lock:
            network = self._networks.get(key)
            if network is not None:
                self._networks.move_to_end(key)
            return network

    def add(self, key: str, network: ServedNetwork) -> None:
        with self._lock:
            self._networks[key] = network
            self._networks.move_to_end(key)
            while len(self._networks) > self.size:
                self._networks.popitem(last=False)


served_networks = ServedNetworks()


def serving_key(
    estimator, params: dict, plan: FitPlan, call: FitCall, arrays: dict, location: str
) -> str | None:
    """The key of a fit's whole Keras part, known before anything is built; None: not served.

    Everything the network, its compiling and its training depend on: the
    parameters (a cost matrix and ``decision`` only where the cost loss does not
    train), the data, the call's arguments, the versions and ``memory``'s folder.
    """
    if (
        not type(estimator).__module__.startswith("costkeras.")
        or not estimator._default_network()
        or plan.seed is None
        or plan.distributed
        or plan.continuing
        or params["callbacks"] is not None
        or any(name.startswith("callbacks__") for name in params)
        or any(name.startswith("callbacks") for name in call.fit_kwargs)
    ):
        return None
    decision_only = set() if plan.cost_loss.trains else {"cost_matrix", "decision"}
    settings = {
        name: value
        for name, value in params.items()
        if name not in decision_only and name != "memory"
    }
    described = {**settings, "fit_kwargs": dict(call.fit_kwargs), "classes": call.classes}
    if not all(_plain(value) for value in described.values()):
        return None
    return joblib.hash(
        {
            "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
            "versions": training_versions(),
            "memory": location,
            "params": described,
            "arrays": arrays,
            "sample_weight": plan.sample_weight,
            "sample_cost": plan.sample_cost,
        }
    )


_SCALARS = (type(None), bool, int, float, str, np.bool_, np.integer, np.floating, np.str_)


def _plain(value: Any) -> bool:
    """Whether ``value`` is data whose hash says all it does (no function, no object)."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(key) and _plain(item) for key, item in value.items())
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufUS"
    if type(value).__name__ in ("DataFrame", "Series") and hasattr(value, "to_numpy"):
        return _plain(value.to_numpy()) and _plain(list(getattr(value, "index", [])))
    return False


@dataclass
class _LazyModel:
    """A served fit's own model, built when first read: what the fit would have compiled."""

    network: ServedNetwork
    compile_kwargs: dict
    plan: FitPlan
    lock: threading.Lock = field(default_factory=threading.Lock)

    def build(self, heads: list) -> tuple[keras.Model, Any]:
        model = _copy_of(self.network.template, self.network.trained, self.plan.seed)
        kwargs = dict(self.compile_kwargs)
        optimizer = kwargs.get("optimizer")
        if isinstance(optimizer, keras.optimizers.Optimizer):
            # a model built before (a failed warm fit rolled back) may have bound it
            kwargs["optimizer"] = type(optimizer).from_config(optimizer.get_config())
        losses = compile_model(model, heads, kwargs, self.plan, default_network=True)
        if not self.network.trained.restore(model, self.network.batch):
            raise RuntimeError("the served network's stored state does not fit its copy")
        return model, losses


class ServedModelMixin:
    """``model_`` built on demand for a served fit; predictions use the shared network."""

    @property
    def model_(self) -> keras.Model:
        """The fitted Keras model (a served fit builds its own when it is first read)."""
        state = self.__dict__
        if "model_" not in state:
            lazy = state.get(_LAZY)
            if lazy is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute 'model_'")
            with lazy.lock:
                if "model_" not in state:
                    model, losses = lazy.build(self.heads_)
                    state["model_"], self.loss_ = model, losses
                    state.pop(_LAZY, None)
        return state["model_"]

    @model_.setter
    def model_(self, model: keras.Model) -> None:
        self.__dict__.pop(_LAZY, None)
        self.__dict__["model_"] = model

    @model_.deleter
    def model_(self) -> None:
        if self.__dict__.pop(_LAZY, None) is None:
            del self.__dict__["model_"]

    @property
    def initialized_(self) -> bool:
        """Whether the estimator holds a fitted model (scikeras's ``initialized_``)."""
        return "model_" in self.__dict__ or _LAZY in self.__dict__

    def _prediction_model(self) -> keras.Model:
        """The model predictions run: the own model, or a served fit's shared network."""
        lazy = self.__dict__.get(_LAZY)
        return self.model_ if lazy is None else lazy.network.template

    def _check_model_fitted(self) -> None:
        """``check_is_fitted(self, "model_")`` without building a served fit's model."""
        if not self.initialized_:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _serve(self, network: ServedNetwork, plan: FitPlan, compile_kwargs: dict) -> None:
        """Take a fit's Keras results from ``network``; ``model_`` is built when read."""
        self.__dict__.pop("model_", None)
        self.history_ = defaultdict(list, {k: list(v) for k, v in network.trained.history.items()})
        self.__dict__[_LAZY] = _LazyModel(network, compile_kwargs, plan)

    def __getstate__(self) -> dict:
        """The state of a fit: a served fit's model is built first, and travels as any."""
        if _LAZY in self.__dict__:
            self.model_  # noqa: B018 - the property builds it
        return super().__getstate__()
