"""scikeras's extension points, wired to costkeras's output heads.

``HeadsKerasWrapper`` is scikeras's ``KerasClassifier`` with its fixes, its
fast predictions, and its hooks overridden so that the target encoder reads
y into outputs, the built model gets one head per output, and compiling and
training follow the heads. A subclass that overrides ``target_encoder``
keeps scikeras's own semantics (no costs), as scikeras documents that hook.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections import defaultdict

import keras
import numpy as np
from scikeras.utils.random_state import tensorflow_random_state
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.metrics import accuracy_score
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from .. import _compat
from .._validation import check_sample_weight
from .compiling import (
    build_optimizer,
    compile_model,
    head_losses,
    losses_by_output,
    steps_per_execution,
)
from .constraints import check_extra_params, check_fit_arguments, check_hidden_layer_sizes
from .epoch_data import one_iterator_steps, repeated_batches
from .fast_predict import FastPredictMixin
from .fit_data import fit_arrays, model_arrays
from .fixes import (
    EndOfTagsChain,
    ScikerasFixesMixin,
    drop_weightless,
    torch_random_state,
)
from .heads import build_heads
from .memory import (
    TrainedNetwork,
    cached_training,
    fit_training_key,
    resolve_memory,
    warn_not_cached,
)
from .network import EMBEDDING_BINS, EMBEDDING_DIM, build_mlp, input_statistics
from .persistence import plain_state, rich_state
from .rollback import Snapshot
from .targets import TargetEncoder, from_keras_layout, read_target
from .threads import follow_omp_num_threads
from .training import (
    auto_schedule,
    early_stopper,
    n_rows,
    plan_fit,
    statistics_rows,
)

# In a joblib worker this module is imported (to unpickle the estimator) before any
# TensorFlow op runs: the last moment its thread pools can still be sized.
follow_omp_num_threads()


class HeadsKerasWrapper(ScikerasFixesMixin, FastPredictMixin, KerasClassifier, EndOfTagsChain):
    """The scikeras side of ``CostSensitiveKerasClassifier``."""

    def _train(
        self,
        X,
        y,
        sample_weight,
        sample_cost,
        warm,
        epochs,
        initial_epoch,
        fit_kwargs,
        classes=None,
        incremental=False,
    ):
        """One call of ``fit`` or ``partial_fit``; a failure leaves the estimator as it was."""
        if X is None:
            raise ValueError("X is None; fit needs the training samples.")
        continuing = warm or incremental  # goes on training a model: never stops early
        self._check_arguments({**fit_kwargs, "epochs": epochs, "initial_epoch": initial_epoch})
        snapshot = Snapshot(self)
        try:
            y, names = self._keras_layout(X, y, fitted=warm)
            if not warm:
                self.classes_ = classes  # what the target encoder extends y's labels with
                # scikeras makes y an array before the target encoder sees it
                self._y_columns = names or (list(y.columns) if hasattr(y, "columns") else None)
            own = self._own_target_encoding()
            train = self._train_heads if own else self._train_with_custom_encoder
            train(
                X,
                y,
                sample_weight,
                sample_cost,
                warm,
                epochs,
                initial_epoch,
                fit_kwargs,
                continuing,
            )
        except BaseException:
            snapshot.restore(self)
            raise
        return self

    def _train_heads(
        self, X, y, sample_weight, sample_cost, warm, epochs, initial_epoch, kw, continuing
    ):
        """costkeras's own fit: y read into heads, their targets, an optional early stop.

        With early stopping, a stratified validation share of the rows is held out
        before anything trains (the default network's input scaling included); the
        targets and weights are built on all rows (class weights and the mean cost
        matrix see every row, as HistGradientBoosting's class weights do) and cut after.
        """
        per_example = sample_cost is not None
        if warm:
            X, _ = self._validate_data(X, y)
            target = read_target(y, [h.classes for h in self.heads_], fitted=True)
        else:
            read_target(y, self.__dict__.get("classes_"))  # y's own errors before scikeras's
            X, _ = self._initialize(X, y, per_example_costs=per_example, build=False)
            target = self.target_encoder_.target_
        params = self.get_params()
        plan = plan_fit(
            params,
            epochs,
            target.columns[0],
            n_outputs=target.n_outputs,
            continuing=continuing,
            fit_kwargs=kw,
            random_state=self._random_state,
        )
        if not warm:  # the default network learns its input scaling from the training rows
            weights = None if sample_weight is None else check_sample_weight(sample_weight, len(X))
            self._build(X[statistics_rows(plan, len(X), weights)], per_example)
        n_train = n_rows(X) if plan.train is None else len(plan.train)
        steps = math.ceil(n_train / self._training_batch_size(n_train, kw))
        callbacks = self.fit_callbacks(kw.get("callbacks"))
        self._ensure_compiled_model(callbacks, steps, continuing=continuing)
        targets, weights = fit_arrays(
            self.heads_,
            target,
            params=params,
            sample_weight=sample_weight,
            sample_cost=sample_cost,
            first_call=not warm,
        )
        targets, weights = model_arrays(self.heads_, target, targets, weights)
        stopper = None
        if plan.validation is not None:  # held out: never trained on
            rows = plan.validation
            stopper = early_stopper(
                params,
                self.heads_[0],
                self.feature_encoder_.transform(X[rows]),
                target.columns[0][rows],
                None if weights is None else weights[0][rows],
                optimizer=self.model_.optimizer,
                callbacks=callbacks,
                anneal_epochs=plan.epochs if plan.anneal else None,
            )
            X, targets = X[plan.train], [t[plan.train] for t in targets]
            weights = None if weights is None else [w[plan.train] for w in weights]
        if weights is not None:
            X, targets, weights = drop_weightless(X, targets, weights)
        single = len(targets) == 1  # Keras takes one array, not a list of one, for one output
        y_keras = targets[0] if single else targets
        w_keras = weights[0] if single and weights is not None else weights
        X = self.feature_encoder_.transform(X)
        self._fit_keras_model(
            X,
            y_keras,
            w_keras,
            warm_start=warm,
            epochs=plan.epochs,
            initial_epoch=initial_epoch,
            stopper=stopper,
            cache=not continuing,
            **kw,
        )

    def _train_with_custom_encoder(
        self, X, y, sample_weight, sample_cost, warm, epochs, initial_epoch, kw, continuing
    ):
        """A user's ``target_encoder``: scikeras's own semantics, and no costs."""
        if sample_cost is not None or self.cost_matrix is not None:
            what = "sample_cost" if sample_cost is not None else "cost_matrix"
            raise ValueError(
                f"{what} needs costkeras's own target encoding, which a custom target_encoder "
                "replaces; decide with costkeras.decisions on predict_proba instead."
            )
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, len(np.asarray(y)))
        if self.class_weight is not None:
            weights = compute_sample_weight(class_weight=self.class_weight, y=y)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        labels = np.zeros(len(np.asarray(y)))  # early stopping needs costkeras's heads
        plan = plan_fit(
            self.get_params(), epochs, labels, n_outputs=None, continuing=continuing, fit_kwargs=kw
        )
        BaseWrapper._fit(
            self,
            X,
            y,
            sample_weight=sample_weight,
            warm_start=warm,
            epochs=plan.epochs,
            initial_epoch=initial_epoch,
            **kw,
        )

    # callbacks__ parameters are routed too (scikeras forgets them in set_params)
    _routing_prefixes = {*KerasClassifier._routing_prefixes, "callbacks"}

    def _check_arguments(self, fit_kwargs: dict) -> None:
        """The parameters' constraints, then what scikit-learn's validation cannot see."""
        for name in ("model", "build_fn"):  # in scikeras's words, which its users match
            value = getattr(self, name)
            if value is not None and not (callable(value) or isinstance(value, keras.Model)):
                raise TypeError(
                    f"``{name}`` must be a callable, a Keras Model instance or None; got "
                    f"{type(value).__name__}."
                )
        self._validate_params()
        check_fit_arguments(self.get_params(), fit_kwargs)

    def _fitted_without_heads(self) -> bool:
        """Whether the fitted estimator has no heads (a custom target encoder's)."""
        check_is_fitted(self, "model_")
        return self.__dict__.get("heads_") is None

    def _own_target_encoding(self) -> bool:
        return type(self).target_encoder is HeadsKerasWrapper.target_encoder

    @property
    def target_encoder(self) -> TargetEncoder:
        return TargetEncoder(
            classes=self.__dict__.get("classes_"), names=self.__dict__.get("_y_columns")
        )

    def _initialize(self, X, y=None, per_example_costs=False, build=True):
        """scikeras's, with the model built after X and y are read (``build=False``: later).

        The default network's input layer learns from the training rows, which
        ``fit`` knows only once y is read (a validation share is held out).
        """
        self._defer_build = True
        try:
            X, y = super()._initialize(X, y)
        finally:
            del self._defer_build
            # scikeras set model_ = None; the build function's meta must not list it
            self.__dict__.pop("model_", None)
        if build:
            self._build(X, per_example_costs)
        return X, y

    def _build(self, X, per_example_costs=False) -> None:
        """Build the model and its heads; the default network's input statistics come from X."""
        if self.input_scaling is not None and self._default_network() and np.ndim(X) == 2:
            features = np.asarray(self.feature_encoder_.transform(X), dtype=np.float64)
            method = "robust" if self.input_scaling == "embedding" else self.input_scaling
            self._input_stats = input_statistics(features, method)
        try:
            self.model_ = self._build_keras_model()
        finally:
            self.__dict__.pop("_input_stats", None)
        self.heads_ = None
        if self._own_target_encoding():
            self.heads_ = build_heads(
                self.target_encoder_.target_,
                self.model_,
                params=self.get_params(),
                user_loss=self._get_compile_kwargs()["loss"],
                per_example_costs=per_example_costs,
            )

    def _default_network(self) -> bool:
        return self.model is None and self.build_fn is None and not hasattr(self, "_keras_build_fn")

    def _check_model_param(self):
        if self._default_network():
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
                input_stats=self.__dict__.get("_input_stats"),
                dropout=self.dropout,
                embedding_bins=EMBEDDING_BINS if self.input_scaling == "embedding" else 0,
                embedding_dim=EMBEDDING_DIM,
            )
        return super()._check_model_param()

    def _build_keras_model(self) -> keras.Model | None:
        if self.__dict__.get("_defer_build"):
            return None  # ``_initialize`` builds it
        extra = [name for name in getattr(self, "_user_params", ()) if "__" not in name]
        build = self._check_model_param()
        if extra:
            known = set(inspect.signature(type(self).__init__).parameters) - {"self", "kwargs"}
            # predict's `steps` would cut predictions short; sample_weight is fit's argument
            known |= BaseWrapper._fit_kwargs | self._compile_kwargs | BaseWrapper._predict_kwargs
            known -= {"steps", "sample_weight"}
            default = None if self._default_network() else build  # takes its meta only
            check_extra_params(extra, build_fn=default, known=known)
        # Fix 9; the build too: a build function may make torch modules
        # (keras.layers.TorchModuleWrapper), initialised from torch's generator
        with torch_random_state(self._random_state):
            if not self._default_network():
                return super()._build_keras_model()
            # the default network takes its meta only: scikeras would hand it every extra
            # keyword
            if self._random_state is None:
                return build(meta=self._get_metadata())
            with tensorflow_random_state(self._random_state):
                return build(meta=self._get_metadata())

    def _get_compile_kwargs(self) -> dict:
        if self.optimizer is not None:
            return super()._get_compile_kwargs()
        # optimizer=None means Adam for a model costkeras compiles, and scikeras's
        # routing of optimizer__ parameters needs a class to route them to
        self.optimizer = keras.optimizers.Adam
        try:
            return super()._get_compile_kwargs()
        finally:
            self.optimizer = None

    def _ensure_compiled_model(
        self, callbacks: list = (), steps_per_epoch: int = 1, continuing: bool = False
    ) -> None:
        if self.__dict__.get("heads_") is None:
            return super()._ensure_compiled_model()
        # not in _get_compile_kwargs: scikeras hands those to build functions too
        kwargs = self._get_compile_kwargs()
        current = self.model_.steps_per_execution if continuing and self.model_.compiled else None
        kwargs["steps_per_execution"] = steps_per_execution(
            self.steps_per_execution, callbacks, steps_per_epoch, current=current
        )
        self.loss_ = compile_model(
            self.model_,
            self.heads_,
            kwargs,
            self.get_params(),
            default_network=self._default_network(),
        )

    @property
    def _fit_kwargs(self) -> set:
        # batch_size="auto" is resolved in _fit_keras_model, never handed to Keras
        kwargs = KerasClassifier._fit_kwargs.fget(self)
        return kwargs - {"batch_size"} if isinstance(self.batch_size, str) else kwargs

    @property
    def _predict_kwargs(self) -> set:
        # batch_size="auto" sizes training batches; predict keeps Keras's own
        kwargs = KerasClassifier._predict_kwargs
        return kwargs - {"batch_size"} if isinstance(self.batch_size, str) else kwargs

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
        cache=False,
        **kw,
    ):
        """scikeras's, with ``batch_size="auto"`` resolved and an early ``stopper`` callback.

        The stopper is one fit's only: it is not kept with the estimator's callbacks.
        With ``cache`` (a fit from scratch) and ``memory`` set, a training identical to
        one done before is taken from ``memory`` instead of run again.
        """
        callbacks = self.fit_callbacks(kw.pop("callbacks", None))  # Fix 5
        self._fit_callbacks = callbacks if stopper is None else [*callbacks, stopper]
        if self._auto_batch_size(kw):
            kw["batch_size"] = auto_schedule(n_rows(X))[1]

        def train():
            data, fit_kw = self._epoch_data(X, y, sample_weight, kw)
            build_optimizer(self.model_)
            with torch_random_state(self._random_state):  # Fix 9
                super(HeadsKerasWrapper, self)._fit_keras_model(
                    *data, warm_start, epochs, initial_epoch, **fit_kw
                )
            return TrainedNetwork.of(self.model_, self.history_)

        try:
            memory = resolve_memory(self.memory)
            if memory is None or not cache:
                if memory is not None and not self._own_target_encoding():
                    warn_not_cached("a custom target_encoder trains by scikeras's rules")
                train()
                return
            fit_args = {
                **self._keras_fit_args(kw),
                "epochs": epochs,
                "initial_epoch": initial_epoch,
            }
            key, reason = fit_training_key(
                self, {"x": X, "y": y, "sample_weight": sample_weight}, fit_args
            )
            if key is None:
                warn_not_cached(reason)
                train()
                return
            ran = []
            trained = cached_training(memory, key, lambda: ran.append(1) or train())
            if not ran and not trained.restore(self.model_):
                train()  # a stored result that does not fit this model: train it anew
                return
            self.history_ = defaultdict(list, trained.history)
        finally:
            self._fit_callbacks = callbacks

    def _epoch_data(self, X, y, sample_weight, fit_kwargs: dict) -> tuple[tuple, dict]:
        """What Keras's fit reads: the arrays, or one repeated pipeline of their batches.

        On TensorFlow with ``steps_per_execution="auto"``, every epoch reads one
        iterator (``epoch_data``): the same batches in another shuffled order than
        Keras's own loop draws, without an iterator made twice per epoch.
        """
        args = self._keras_fit_args(fit_kwargs)
        size = self._training_batch_size(n_rows(X), fit_kwargs)
        steps = one_iterator_steps(self.model_, X, args, size, self.steps_per_execution)
        if steps is None:
            return (X, y, sample_weight), fit_kwargs
        dataset = repeated_batches(
            X,
            y,
            sample_weight,
            batch_size=size,
            shuffle=args.get("shuffle", True),
            seed=self._random_state,
        )
        fit_kwargs = {**fit_kwargs, "steps_per_epoch": steps, "shuffle": False, "batch_size": None}
        return (dataset, None, None), fit_kwargs

    def _keras_fit_args(self, fit_kwargs: dict) -> dict:
        """``keras.Model.fit``'s keyword arguments as scikeras routes them, and this fit's."""
        args = _compat.route_params(
            self.get_params(), destination="fit", pass_filter=self._fit_kwargs
        )
        args.update(fit_kwargs)
        return args

    def _auto_batch_size(self, fit_kwargs: dict) -> bool:
        """Whether this fit's batch is ``batch_size="auto"``'s (nothing overrides it)."""
        return (
            isinstance(self.batch_size, str)
            and "batch_size" not in fit_kwargs
            and "fit__batch_size" not in self.__dict__
        )

    def _training_batch_size(self, n: int, fit_kwargs: dict) -> int:
        """Rows per training batch of a fit on ``n`` rows (Keras's 32 for None; -1: all)."""
        if self._auto_batch_size(fit_kwargs):
            return auto_schedule(n)[1]
        size = fit_kwargs.get("batch_size", self.__dict__.get("fit__batch_size", self.batch_size))
        if size is None or isinstance(size, str):
            return 32
        return n if size == -1 else max(1, min(int(size), max(n, 1)))

    @staticmethod
    def scorer(y_true, y_pred, **kwargs) -> float:
        """Accuracy; for a 2-D y, the share of rows with every output right."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.ndim == 2 and y_true.shape[1] > 1:
            return float(
                np.average(np.all(y_true == y_pred, axis=1), weights=kwargs.get("sample_weight"))
            )
        return accuracy_score(y_true, y_pred, **kwargs)

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy, scikit-learn's convention; refused when ``predict`` returns actions.

        Accuracy compares decisions with classes, which actions are not: judge them
        with ``costkeras.metrics.make_cost_scorer`` instead.
        """
        check_is_fitted(self, "model_")
        named = [head.actions for head in self.heads_ or [] if head.actions is not None]
        if named:
            raise ValueError(
                "score is accuracy, which compares predictions with classes, but this "
                f"classifier predicts actions {named[0].tolist()!r}; score it with "
                "costkeras.metrics.make_cost_scorer(cost_matrix) instead."
            )
        y, _ = self._keras_layout(X, y, fitted=True)
        return super().score(X, y, sample_weight=sample_weight)

    def _keras_layout(self, X, y, *, fitted: bool):
        """y from Keras's layouts of several outputs (a list, tuple or dict) as a 2-D array."""
        try:
            n_samples = _compat.num_samples(X)
        except TypeError:
            n_samples = None  # X's own validation says what is wrong with it
        heads = self.__dict__.get("heads_") if fitted else None
        names = [head.name for head in heads] if heads and len(heads) > 1 else None
        return from_keras_layout(y, n_samples, names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _type_of_target(self, y: np.ndarray) -> str:
        from sklearn.utils.multiclass import type_of_target

        if y.ndim == 2 and y.dtype == object:
            # the columns were checked one by one; together they may mix ints and strs
            return "multiclass-multioutput"
        classes = self.__dict__.get("classes_")
        if y.ndim == 1 and classes is not None and not isinstance(classes, list):
            return type_of_target(np.asarray(classes))  # partial_fit's classes, all of them
        return type_of_target(y)

    # ------------------------------------------------------- saving
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

    # ------------------------------------------------------- fitted state
    def _per_head(self, attribute: str):
        heads = self.heads_
        values = [getattr(head, attribute) for head in heads]
        return values[0] if len(heads) == 1 else values

    cost_matrix_ = property(lambda self: self._per_head("cost_matrix"))
    decision_ = property(lambda self: self._per_head("decision"))

    @property
    def actions_(self):
        """The labels ``predict`` returns: ``classes_``, or the actions the costs name."""
        heads = self.__dict__.get("heads_")
        if heads is None:
            raise AttributeError("actions_ is set by fitting, with costkeras's target encoding.")
        actions = [head.classes if head.actions is None else head.actions for head in heads]
        return actions[0] if len(actions) == 1 else actions

    @property
    def output_names_(self) -> list:
        if len(self.heads_) == 1:
            raise AttributeError("output_names_ is set for several outputs only.")
        return [head.name for head in self.heads_]

    def _head_probas(self, X, **kwargs) -> list[np.ndarray]:
        check_is_fitted(self, "model_")
        raw = self._predict_raw(X, **kwargs)
        outputs = raw if isinstance(raw, list) else [raw]
        return [head.proba(outputs[head.output_index]) for head in self.heads_]
