"""Building the network and its heads: the default MLP or the user's model, seeded.

``BuildMixin`` overrides scikeras's ``_initialize`` (y read once, the model built
only once the rows it learns its input scaling from are known) and its model
building (the default network seeded and given its input statistics as an argument).
"""

from __future__ import annotations

import functools
import inspect

import keras
import numpy as np
from scikeras.utils.random_state import tensorflow_random_state
from scikeras.wrappers import BaseWrapper

from .constraints import check_extra_params, check_hidden_layer_sizes
from .fixes import torch_random_state
from .heads import build_heads
from .network import EMBEDDING_BINS, EMBEDDING_DIM, build_mlp, input_statistics
from .plan import FitCall, FitPlan, make_plan
from .targets import TargetEncoder, read_target


def scikeras_seed(random_state) -> int | None:
    """scikeras's int seed of ``random_state``: a RandomState's draw is taken from a copy."""
    if isinstance(random_state, np.random.RandomState):
        copy = np.random.RandomState()
        copy.set_state(random_state.get_state())
        return copy.randint(low=1)
    return random_state


class BuildMixin:
    """scikeras's build hooks, for output heads and the default network."""

    def _own_target_encoding(self) -> bool:
        return type(self).target_encoder is BuildMixin.target_encoder

    @property
    def target_encoder(self) -> TargetEncoder:
        return TargetEncoder(
            classes=self.__dict__.get("classes_"), names=self.__dict__.get("_y_columns")
        )

    def _initialize(self, X, y=None, *, build: bool = True):
        """scikeras's: the seed, X and y checked, the encoders fitted, the callbacks read.

        y is read once, into the heads' ``Target``, before scikeras's checks (its own
        errors first). ``build=False``: the model is built later, by ``_build``,
        once the fit knows which rows the input scaling learns from.
        """
        self._random_state = scikeras_seed(self.random_state)
        target = None
        if self._own_target_encoding():
            target = read_target(y, self.__dict__.get("classes_"), self.__dict__.get("_y_columns"))
        X, y = self._validate_data(X, y, reset=True)
        if target is None:
            self.target_encoder_ = self.target_encoder.fit(y)
        else:
            self.target_encoder_ = self.target_encoder
            self.target_encoder_.target_ = target
        vars(self).update(getattr(self.target_encoder_, "get_metadata", dict)())
        self.feature_encoder_ = self.feature_encoder.fit(X)
        vars(self).update(getattr(self.feature_encoder, "get_metadata", dict)())
        self._initialize_callbacks()
        if self.initialized_:  # a build function's meta must not list it
            del self.model_
        if build:
            plan = None
            if target is not None:  # initialize(X, y): the heads of a fit from scratch
                plan = make_plan(
                    self.get_params(),
                    FitCall(),
                    labels=target.columns[0],
                    n_outputs=target.n_outputs,
                    seed=self._random_state,
                )
            self._build(X, plan)
        return X, y

    def _build(self, X, plan: FitPlan | None) -> None:
        """Build the model and its heads; the default network's input statistics come from X."""
        stats = None
        if self.input_scaling is not None and self._default_network() and np.ndim(X) == 2:
            features = np.asarray(self.feature_encoder_.transform(X), dtype=np.float64)
            method = "robust" if self.input_scaling == "embedding" else self.input_scaling
            stats = input_statistics(features, method)
        self.model_ = self._build_keras_model(input_stats=stats)
        self.heads_ = None
        if plan is not None:
            self.heads_ = build_heads(
                self.target_encoder_.target_,
                self.model_,
                plan=plan,
                user_loss=self._get_compile_kwargs()["loss"],
            )

    def _default_network(self) -> bool:
        return self.model is None and self.build_fn is None and not hasattr(self, "_keras_build_fn")

    def _default_builder(self, input_stats: dict | None = None):
        """``build_mlp`` with the estimator's settings, taking scikeras's ``meta``."""
        if len(self.X_shape_) != 2:
            raise ValueError(
                f"the default network (model=None) takes 2-D X; got X of shape "
                f"{self.X_shape_}. Pass a model built for it."
            )
        target = getattr(self.__dict__.get("target_encoder_"), "target_", None)
        return functools.partial(
            build_mlp,
            hidden_layer_sizes=check_hidden_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            output_names=target.output_names() if target is not None else None,
            seed=self.__dict__.get("_random_state"),  # scikeras's int seed from random_state
            input_stats=input_stats,
            dropout=self.dropout,
            embedding_bins=EMBEDDING_BINS if self.input_scaling == "embedding" else 0,
            embedding_dim=EMBEDDING_DIM,
        )

    def _check_model_param(self):
        if self._default_network():
            return self._default_builder()
        return super()._check_model_param()

    def _build_keras_model(self, input_stats: dict | None = None) -> keras.Model:
        """The model, built under the seed; the default network with ``input_stats``."""
        default = self._default_network()
        build = self._default_builder(input_stats) if default else self._check_model_param()
        extra = [name for name in getattr(self, "_user_params", ()) if "__" not in name]
        if extra:
            known = set(inspect.signature(type(self).__init__).parameters) - {"self", "kwargs"}
            # predict's `steps` would cut predictions short; sample_weight is fit's argument
            known |= BaseWrapper._fit_kwargs | self._compile_kwargs | BaseWrapper._predict_kwargs
            known -= {"steps", "sample_weight"}
            # the default network takes its meta only
            check_extra_params(extra, build_fn=None if default else build, known=known)
        # Fix 9; the build too: a build function may make torch modules
        # (keras.layers.TorchModuleWrapper), initialised from torch's generator
        with torch_random_state(self._random_state):
            if not default:
                return super()._build_keras_model()
            # the default network takes its meta only: scikeras would hand it every extra
            # keyword
            if self._random_state is None:
                return build(meta=self._get_metadata())
            with tensorflow_random_state(self._random_state):
                return build(meta=self._get_metadata())
