"""The wrapped classifier of MinimumCostClassifier: its fit, calibration, probabilities, routing."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from costkeras import MinimumCostClassifier

C = [[0, 1], [5, 0]]


def data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return rng.normal(size=(n, 3)) + y[:, None], y


def test_probabilities_and_decision_function_are_the_inner_estimators():
    X, y = data()
    clf = MinimumCostClassifier(LogisticRegression(), cost_matrix=C).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    np.testing.assert_array_equal(clf.predict_log_proba(X), clf.estimator_.predict_log_proba(X))
    np.testing.assert_array_equal(clf.decision_function(X), clf.estimator_.decision_function(X))
    assert clf.n_features_in_ == 3


def test_methods_the_inner_estimator_lacks_are_absent_and_calibration_wraps_it():
    X, y = data()
    assert not hasattr(MinimumCostClassifier(LinearSVC(), cost_matrix=C), "predict_proba")
    calibrated = MinimumCostClassifier(LinearSVC(), cost_matrix=C, calibration="sigmoid", cv=3)
    calibrated.fit(X, y)
    assert isinstance(calibrated.estimator_, CalibratedClassifierCV)
    assert calibrated.predict_proba(X).shape == (80, 2)


def test_routed_fit_parameters_reach_the_inner_estimator():
    import sklearn

    X, y = data()
    weights = np.where(y == 1, 50.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        weighted = MinimumCostClassifier(inner, cost_matrix=C).fit(X, y, sample_weight=weights)
    plain = MinimumCostClassifier(LogisticRegression(), cost_matrix=C).fit(X, y)
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()
    with pytest.raises(ValueError, match="sample_weight"):  # the estimator did not request it
        with sklearn.config_context(enable_metadata_routing=True):
            MinimumCostClassifier(LogisticRegression(), cost_matrix=C).fit(
                X, y, sample_weight=weights
            )
