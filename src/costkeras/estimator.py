"""The cost-sensitive Keras classifier."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import joblib
import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator

from ._decision_mixin import CostDecisionMixin, DecisionOutput
from ._estimator_doc import ESTIMATOR_DOC
from ._scikeras.constraints import PARAMETER_CONSTRAINTS, XFAIL_CHECKS
from ._scikeras.distribution import distribution_scope
from ._scikeras.plan import FitCall
from ._scikeras.serving import DecisionModelMixin
from ._scikeras.wrapper import HeadsKerasWrapper

__all__ = ["CostSensitiveKerasClassifier"]


class CostSensitiveKerasClassifier(DecisionModelMixin, CostDecisionMixin, HeadsKerasWrapper):
    __doc__ = ESTIMATOR_DOC  # every parameter's description, in _estimator_doc.py

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS
    _xfail_checks = XFAIL_CHECKS
    # scikeras's legacy tags (scikit-learn 1.6 reads them) say what __sklearn_tags__ says
    _tags = {**KerasClassifier._tags, "multilabel": False, "_xfail_checks": XFAIL_CHECKS}

    def __init__(
        self,
        model: Callable[..., keras.Model] | keras.Model | None = None,
        *,
        cost_matrix: Any = None,
        class_weight: dict | str | None = None,
        cost_loss: str = "cross_entropy",
        cost_loss_weight: float = 1.0,
        decision: str = "auto",
        hidden_layer_sizes: int | tuple[int, ...] = (100,),
        activation: str = "relu",
        optimizer: Any = None,
        loss: Any = None,
        metrics: list | None = None,
        batch_size: int | str | None = "auto",
        validation_batch_size: int | None = None,
        epochs: int | str = "auto",
        early_stopping: bool | str = "auto",
        validation_fraction: float | str = "auto",
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        reduce_lr_on_plateau: bool | str = "auto",
        dropout: float = 0.2,
        input_scaling: str | None = "embedding",
        verbose: int = 0,
        callbacks: list | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        steps_per_execution: int | str = "auto",
        warm_start: bool = False,
        random_state: int | np.random.RandomState | None = None,
        memory: str | os.PathLike | joblib.Memory | None = None,
        distribution: Any = None,
        build_fn: Callable[..., keras.Model] | keras.Model | None = None,
        **kwargs: Any,
    ):
        # every parameter stored as given; scikeras's routed ones (optimizer__learning_rate=...,
        # model__x=...) too
        params = {name: value for name, value in locals().items() if name not in ("self", "kwargs")}
        vars(self).update(params, **kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    __repr__ = BaseEstimator.__repr__

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None, sample_cost=None, **kwargs):
        """Train the network; every input is checked before training starts.

        If anything fails, an estimator fitted before keeps its previous
        state, the model's weights included.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any kind; a 2-D y is one output per column, except
            a one-hot matrix, which is one output over its columns.
        sample_weight : array-like of shape (n_samples,), default=None
            Finite and non-negative; multiplied by ``class_weight``.
        sample_cost : array-like of shape (n_samples, k, k) or (n_samples, k), default=None
            Per-example costs in ``classes_`` order (for several outputs, a
            dict by output name or a list): they replace ``cost_matrix`` in
            the cost loss and, without a ``cost_matrix``, their mean becomes
            ``cost_matrix_``. Routed after ``set_fit_request(sample_cost=True)``.
        **kwargs
            Passed to ``keras.Model.fit`` (``callbacks`` join the estimator's).

        Returns
        -------
        self
        """
        epochs = kwargs.pop("epochs", getattr(self, "fit__epochs", self.epochs))
        start, warm = kwargs.pop("initial_epoch", 0), self.warm_start and self.initialized_
        call = FitCall(sample_weight, sample_cost, warm, epochs, start, fit_kwargs=kwargs)
        with distribution_scope(self.distribution):
            return self._train(X, y, call)

    def partial_fit(self, X, y, classes=None, sample_weight=None, sample_cost=None, **kwargs):
        """Train for one epoch, keeping the model, its weights and the optimizer's state.

        Parameters
        ----------
        X, y, sample_weight, sample_cost
            As in ``fit``; y's labels must be among ``classes``.
        classes : array-like, default=None
            Every label of the whole data set (a list per output for several
            outputs), needed in the first call when a batch may lack some.
        **kwargs
            Passed to ``keras.Model.fit``.

        Returns
        -------
        self
        """
        call = FitCall.partial(sample_weight, sample_cost, kwargs, classes, fitted=self)
        with distribution_scope(self.distribution):
            return self._train(X, y, call)

    # -------------------------------------------------------------- predict
    # A routed sample_cost goes to predict unless the user says otherwise, so a
    # cost scorer can judge decisions made with the same per-example costs.
    __metadata_request__predict = {"sample_cost": True}

    def predict_proba(self, X, **kwargs):
        """Class probabilities: (n_samples, k), or a list with one array per output."""
        if self._fitted_without_heads():
            return super().predict_proba(X, **kwargs)
        probas = self._head_probas(X, **kwargs)
        return probas[0] if len(probas) == 1 else probas

    def predict(self, X, sample_cost=None, **kwargs) -> np.ndarray:
        """Predict the class of lowest expected cost (or the most probable).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, m), default=None
            A cost matrix per example (a dict or list per output), columns in
            ``actions_`` order; when given, every decision is Bayes's with it.
            Otherwise ``cost_matrix_`` decides when ``decision_`` is ``"bayes"``.
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Classes, or the actions ``cost_matrix`` names.
        """
        if self._fitted_without_heads():
            if sample_cost is not None:
                raise ValueError("sample_cost needs costkeras's own target encoding.")
            return HeadsKerasWrapper.predict(self, X, **kwargs)
        return self._decision_labels(self._output_probas(X, **kwargs), sample_cost)

    def predict_expected_cost(self, X, sample_cost=None, **kwargs):
        """Expected cost ``R[n, a] = sum_i p(i | x_n) C[i, a]`` of each possible decision.

        With neither ``sample_cost`` nor ``cost_matrix_``, the 0/1 cost
        (``R = 1 - p``). Returns (n_samples, m), columns in ``actions_`` order,
        or a list per output.
        """
        if self._fitted_without_heads():
            raise ValueError("predict_expected_cost needs costkeras's own target encoding.")
        return self._expected_costs(self._output_probas(X, **kwargs), sample_cost)

    def _output_probas(self, X, **kwargs) -> list[np.ndarray]:
        return self._head_probas(X, **kwargs)

    def _decision_outputs(self) -> list[DecisionOutput]:
        """One per head: a Bayes decision when its ``decision_`` is ``"bayes"``."""
        self._check_model_fitted()
        return [
            DecisionOutput(
                name=head.name,
                n_classes=head.n_classes,
                n_decisions=head.n_actions or head.n_classes,
                cost_matrix=head.cost_matrix,
                bayes=head.decision == "bayes",
                labels=head.labels,
                actions=head.actions,
            )
            for head in self.heads_ or []
        ]

    def _check_sample_cost_allowed(self) -> None:
        if self.decision == "argmax":
            raise ValueError(
                "sample_cost was given, but decision='argmax' decides without costs; set "
                "decision='auto' or 'bayes' to decide with them."
            )
