"""The wrapped classifier of MinimumCostClassifier: its calibrated fit, probabilities, routing.

:class:`InnerClassifierMixin` fits a clone of ``estimator`` (inside
:class:`sklearn.calibration.CalibratedClassifierCV` when ``calibration`` is set), routes
fit's metadata to it, hands its ``predict_proba``, ``predict_log_proba`` and
``decision_function`` through where it has them, and takes its tags.
"""

from __future__ import annotations

from typing import Any

import sklearn
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted


def _routing_enabled() -> bool:
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def _inner_has(attr: str):
    """For ``available_if``: the inner estimator that predicts (fitted or to be) has ``attr``."""

    def check(self) -> bool:
        if hasattr(self, "estimator_"):
            getattr(self.estimator_, attr)
        elif self.calibration is not None:
            getattr(CalibratedClassifierCV, attr)  # predict_proba only
        else:
            getattr(self.estimator, attr)
        return True

    return check


class InnerClassifierMixin:
    """Delegation to the fitted ``estimator_``; the estimator has ``estimator``, ``calibration``,
    ``cv``, ``ensemble`` and ``n_jobs``."""

    def _fit_inner(self, X, y, fit_params: dict) -> None:
        """Fit a clone of ``estimator`` (in ``CalibratedClassifierCV`` with ``calibration``)."""
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
            inner_params = dict(routed["estimator"]["fit"])
            if self.calibration is not None:
                inner_params.update(routed["splitter"]["split"])
        else:
            inner_params = fit_params

        inner = clone(self.estimator)
        if self.calibration is not None:
            inner = CalibratedClassifierCV(
                inner,
                method=self.calibration,
                cv=self.cv,
                ensemble=self.ensemble,
                n_jobs=self.n_jobs,
            )
            if _routing_enabled():
                # the weights routed to the estimator weigh its calibration too
                inner.set_fit_request(sample_weight="sample_weight" in inner_params)
        self.estimator_ = inner.fit(X, y, **inner_params)
        for attribute in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, attribute):
                setattr(self, attribute, getattr(self.estimator_, attribute))

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """Class probabilities of the (calibrated) inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, k), or a list of them for multi-output y
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """Log of the class probabilities of the (calibrated) inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, k)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """The inner estimator's decision function (not cost-sensitive).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, k)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    # ------------------------------------------------------ scikit-learn API

    def get_metadata_routing(self) -> MetadataRouter:
        """Metadata routing: fit parameters to the inner estimator, sample_cost to predict.

        Returns
        -------
        routing : MetadataRouter
        """
        router = (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )
        if self.calibration is not None:
            router.add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.categorical = inner.input_tags.categorical
        tags.input_tags.string = inner.input_tags.string
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        if inner.classifier_tags is not None:
            tags.classifier_tags.multi_class = inner.classifier_tags.multi_class
        return tags
