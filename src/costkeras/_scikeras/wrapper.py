"""scikeras's ``KerasClassifier`` wired to costkeras's output heads: the fit's course.

``HeadsKerasWrapper`` is scikeras's ``KerasClassifier`` with its fixes, its fast
predictions, the build hooks of :mod:`.building` and the read-out of :mod:`.fitted`.
A fit checks its parameters once, reads y once into the heads' ``Target``, makes the
frozen :class:`~.plan.FitPlan`, and hands Keras the heads' targets and weights. A
subclass that overrides ``target_encoder`` keeps scikeras's own semantics (no costs),
as scikeras documents that hook.
"""

from __future__ import annotations

import math
from collections import defaultdict

import keras
import numpy as np
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.utils.class_weight import compute_sample_weight

from .. import _compat
from .building import BuildMixin, scikeras_seed
from .compiling import CompileMixin, build_optimizer, head_losses
from .constraints import check_fit_arguments
from .early_stopping import early_stopper
from .epoch_data import one_iterator_steps, repeated_batches
from .fast_predict import FastPredictMixin
from .fit_data import fit_arrays, model_arrays
from .fitted import FittedMixin
from .fixes import EndOfTagsChain, ScikerasFixesMixin, drop_weightless, torch_random_state
from .heads import build_heads
from .memory import (
    TrainedNetwork,
    cached_training,
    first_rows,
    fit_training_key,
    resolve_memory,
    warn_not_cached,
)
from .persistence import PicklingMixin
from .plan import FitCall, FitPlan, make_plan
from .rollback import Snapshot
from .schedule import n_rows, statistics_rows
from .served import ServedModelMixin, ServedNetwork, served_networks, serving_key
from .targets import read_target
from .threads import follow_omp_num_threads

# In a joblib worker this module is imported (to unpickle the estimator) before any
# TensorFlow op runs: the last moment its thread pools can still be sized.
follow_omp_num_threads()


class HeadsKerasWrapper(
    ServedModelMixin,
    PicklingMixin,
    FittedMixin,
    BuildMixin,
    CompileMixin,
    ScikerasFixesMixin,
    FastPredictMixin,
    KerasClassifier,
    EndOfTagsChain,
):
    """The scikeras side of ``CostSensitiveKerasClassifier``."""

    # callbacks__ parameters are routed too (scikeras forgets them in set_params)
    _routing_prefixes = {*KerasClassifier._routing_prefixes, "callbacks"}

    def _validate_params(self) -> None:
        """The parameters' constraints, ``model`` and ``build_fn`` first in scikeras's words."""
        for name in ("model", "build_fn"):  # scikeras's users match these messages
            value = getattr(self, name)
            if value is not None and not (callable(value) or isinstance(value, keras.Model)):
                raise TypeError(
                    f"``{name}`` must be a callable, a Keras Model instance or None; got "
                    f"{type(value).__name__}."
                )
        super()._validate_params()

    @_compat.fit_context(prefer_skip_nested_validation=False)
    def _train(self, X, y, call: FitCall):
        """One call of ``fit`` or ``partial_fit``; a failure leaves the estimator as it was.

        ``_fit_context`` has validated the parameters (``_parameter_constraints``).
        """
        if X is None:
            raise ValueError("X is None; fit needs the training samples.")
        params = self.get_params()  # the only read of the parameters in a fit
        extra = {"epochs": call.epochs, "initial_epoch": call.initial_epoch}
        check_fit_arguments(params, {**call.fit_kwargs, **extra})
        snapshot = Snapshot(self)
        try:
            y, names = self._keras_layout(X, y, fitted=call.warm)
            if not call.warm:
                self.classes_ = call.classes  # what the target encoder extends y's labels with
                # scikeras makes y an array before the target encoder sees it
                self._y_columns = names or (list(y.columns) if hasattr(y, "columns") else None)
            if self._own_target_encoding():
                self._train_heads(X, y, call, params)
            else:
                self._train_with_custom_encoder(X, y, call, params)
        except BaseException:
            snapshot.restore(self)
            raise
        return self

    def _train_heads(self, X, y, call: FitCall, params: dict) -> None:
        """costkeras's own fit: y read into heads, the plan made, the network trained.

        With early stopping, a stratified validation share of the rows is held out
        before anything trains (the default network's input scaling included); the
        targets and weights are built on all rows (class weights and the mean cost
        matrix see every row, as HistGradientBoosting's class weights do) and cut after.
        """
        if call.warm:
            X, _ = self._validate_data(X, y)
            target = read_target(y, [h.classes for h in self.heads_], fitted=True)
        else:
            X, _ = self._initialize(X, y, build=False)
            target = self.target_encoder_.target_
        plan = make_plan(
            params,
            call,
            labels=target.columns[0],
            n_outputs=target.n_outputs,
            seed=self._random_state,
            fit_args=self._routed_fit_args(params, call.fit_kwargs),
        )
        location = None if call.warm else _memory_location(self.memory)
        serving = None
        if location is not None:
            arrays = {"X": X, "y": target.columns, "y_columns": self._y_columns}
            serving = serving_key(self, params, plan, call, arrays, location)
        served = served_networks.get(serving)
        n_train = n_rows(X) if plan.train is None else len(plan.train)
        callbacks = self.fit_callbacks(call.fit_kwargs.get("callbacks"))
        steps = math.ceil(n_train / plan.rows_per_batch(n_train))
        if served is not None:
            self._serve_heads(served, target, plan, callbacks, steps)
            return
        if not call.warm:  # the default network learns its input scaling from the training rows
            self._build(X[statistics_rows(plan, len(X), plan.sample_weight)], plan)
        self._ensure_compiled_model(callbacks, steps, plan)
        targets, weights = fit_arrays(self.heads_, target, plan)
        targets, weights = model_arrays(self.heads_, target, targets, weights)
        stopper = None
        if plan.validation is not None:  # held out: never trained on
            rows = plan.validation
            stopper = early_stopper(
                plan,
                self.heads_[0],
                self.feature_encoder_.transform(X[rows]),
                target.columns[0][rows],
                None if weights is None else weights[0][rows],
                optimizer=self.model_.optimizer,
                callbacks=callbacks,
            )
            X, targets = X[plan.train], [t[plan.train] for t in targets]
            weights = None if weights is None else [w[plan.train] for w in weights]
        if weights is not None:
            X, targets, weights = drop_weightless(X, targets, weights)
        single = len(targets) == 1  # Keras takes one array, not a list of one, for one output
        self._fit_keras_model(
            self.feature_encoder_.transform(X),
            targets[0] if single else targets,
            weights[0] if single and weights is not None else weights,
            plan.warm,
            plan.epochs,
            plan.initial_epoch,
            stopper=stopper,
            plan=plan,
            resolved=callbacks,
            serving=serving,
            **{k: v for k, v in call.fit_kwargs.items() if k != "callbacks"},
        )

    def _serve_heads(self, served, target, plan: FitPlan, callbacks: list, steps: int) -> None:
        """A fit served by a network trained before in this process (:mod:`.served`).

        The heads are made, and their targets and weights checked, as a fit does
        them (their decisions and mean costs are this fit's own); nothing is built.
        """
        kwargs = self._fit_compile_kwargs(callbacks, steps, plan)
        self.heads_ = build_heads(target, served.template, plan=plan, user_loss=kwargs["loss"])
        targets, weights = fit_arrays(self.heads_, target, plan)
        model_arrays(self.heads_, target, targets, weights)
        self.loss_ = head_losses(self.heads_)
        self._serve(served, plan, kwargs)

    def _train_with_custom_encoder(self, X, y, call: FitCall, params: dict) -> None:
        """A user's ``target_encoder``: scikeras's own semantics, and no costs."""
        if call.sample_cost is not None or params["cost_matrix"] is not None:
            what = "sample_cost" if call.sample_cost is not None else "cost_matrix"
            raise ValueError(
                f"{what} needs costkeras's own target encoding, which a custom target_encoder "
                "replaces; decide with costkeras.decisions on predict_proba instead."
            )
        plan = make_plan(
            params,
            call,
            labels=np.zeros(len(np.asarray(y))),  # early stopping needs costkeras's heads
            n_outputs=None,
            seed=scikeras_seed(self.random_state),
            fit_args=self._routed_fit_args(params, call.fit_kwargs),
        )
        sample_weight = plan.sample_weight
        if params["class_weight"] is not None:
            weights = compute_sample_weight(class_weight=params["class_weight"], y=y)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        BaseWrapper._fit(
            self,
            X,
            y,
            sample_weight=sample_weight,
            warm_start=call.warm,
            epochs=plan.epochs,
            initial_epoch=call.initial_epoch,
            plan=plan,
            **call.fit_kwargs,
        )

    @property
    def _fit_kwargs(self) -> set:
        # batch_size="auto" is resolved by the plan, never handed to Keras as it is
        kwargs = KerasClassifier._fit_kwargs.fget(self)
        return kwargs - {"batch_size"} if isinstance(self.batch_size, str) else kwargs

    @property
    def _predict_kwargs(self) -> set:
        # batch_size="auto" sizes training batches; predict keeps Keras's own
        kwargs = KerasClassifier._predict_kwargs
        return kwargs - {"batch_size"} if isinstance(self.batch_size, str) else kwargs

    def _routed_fit_args(self, params: dict, fit_kwargs) -> dict:
        """``keras.Model.fit``'s keyword arguments as scikeras routes them, and this fit's."""
        args = _compat.route_params(params, destination="fit", pass_filter=self._fit_kwargs)
        args.update(fit_kwargs)
        return args

    def _fit_keras_model(
        self,
        X,
        y,
        sample_weight,
        warm_start,
        epochs,
        initial_epoch,
        *,
        stopper=None,
        plan: FitPlan,
        resolved: list | None = None,
        serving: str | None = None,
        **kw,
    ):
        """scikeras's, with the plan's batch size, an early ``stopper`` and ``memory``.

        The stopper is one fit's only: it is not kept with the estimator's callbacks.
        ``resolved``: this fit's callbacks, already read (``fit_callbacks``).
        A fit from scratch with ``memory`` set takes a training identical to one done
        before from ``memory`` instead of running it again; with a ``serving`` key
        (:func:`.served.serving_key`), its network then serves later identical fits
        of this process.
        """
        callbacks = self.fit_callbacks(kw.pop("callbacks", None)) if resolved is None else resolved
        self._fit_callbacks = callbacks if stopper is None else [*callbacks, stopper]
        if plan.batch_size == "auto":
            kw["batch_size"] = plan.rows_per_batch(n_rows(X))

        def train():
            data, fit_kw = self._epoch_data(X, y, sample_weight, kw, plan)
            if plan.continuing and self.model_.compiled:
                # a model loaded or taken from memory, not yet through Keras's fit: its
                # loss and metrics built without the batch Keras would draw for them,
                # so that it shuffles as the model that trained does
                _compat.build_for_training(self.model_, first_rows(X, y, sample_weight))
            build_optimizer(self.model_)
            with torch_random_state(self._random_state):  # Fix 9
                super(HeadsKerasWrapper, self)._fit_keras_model(
                    *data, warm_start, epochs, initial_epoch, **fit_kw
                )
            return TrainedNetwork.of(self.model_, self.history_)

        memory = resolve_memory(self.memory)
        custom = self.__dict__.get("heads_") is None
        try:
            if memory is None or custom or plan.continuing:
                if memory is not None and custom:
                    warn_not_cached("a custom target_encoder trains by scikeras's rules")
                train()
                return
            arrays = {"x": X, "y": y, "sample_weight": sample_weight}
            key, reason = fit_training_key(self.model_, plan, arrays, self._fit_callbacks)
            if key is None:
                warn_not_cached(reason)
                train()
                return
            ran = []
            trained = cached_training(memory, key, lambda: ran.append(1) or train())
            if not ran and not trained.restore(self.model_, first_rows(X, y, sample_weight)):
                train()  # a stored result that does not fit this model: train it anew
                return
            self.history_ = defaultdict(list, trained.history)
        finally:
            self._fit_callbacks = callbacks
        if serving is not None:
            batch = first_rows(X, y, sample_weight)
            served_networks.add(serving, ServedNetwork(self.model_, trained, plan.seed, batch))

    def _epoch_data(
        self, X, y, sample_weight, fit_kwargs: dict, plan: FitPlan
    ) -> tuple[tuple, dict]:
        """What Keras's fit reads: the arrays, or one repeated pipeline of their batches.

        On TensorFlow with ``steps_per_execution="auto"``, every epoch reads one
        iterator (``epoch_data``): the same batches in another shuffled order than
        Keras's own loop draws, without an iterator made twice per epoch.
        """
        args = {**plan.fit_args, **fit_kwargs}
        size = plan.rows_per_batch(n_rows(X))
        steps = one_iterator_steps(self.model_, X, args, size, plan.steps_per_execution)
        if steps is None:
            return (X, y, sample_weight), fit_kwargs
        dataset = repeated_batches(
            X,
            y,
            sample_weight,
            batch_size=size,
            shuffle=args.get("shuffle", True),
            seed=plan.seed,
        )
        fit_kwargs = {**fit_kwargs, "steps_per_epoch": steps, "shuffle": False, "batch_size": None}
        return (dataset, None, None), fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _memory_location(memory) -> str | None:
    """The folder of ``memory`` (validated), None when it stores nothing."""
    resolved = resolve_memory(memory)
    return None if resolved is None else str(resolved.location)
