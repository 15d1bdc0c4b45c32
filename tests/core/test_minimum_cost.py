"""MinimumCostClassifier: Bayes minimum-risk decisions for any scikit-learn classifier."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import config_context
from sklearn.base import clone, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    GroupKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import check_estimator

from costkeras import MinimumCostClassifier, _bayes
from costkeras.costs import OutputCosts
from costkeras.decisions import predict_min_cost
from costkeras.metrics import make_cost_scorer, mean_cost, total_cost
from tests._helpers import ABC_COSTS

C = np.array(ABC_COSTS, dtype=float)  # classes "A", "B", "C": a true "B" called "C" costs 5


_SKLEARN = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def lr():
    return LogisticRegression(max_iter=1000)


def by_hand(proba, costs):
    """R[n, j] = sum_i p[n, i] C[i, j] (C or C_n), with explicit loops."""
    n, k = proba.shape
    risk = np.zeros((n, k))
    for row in range(n):
        matrix = costs if np.ndim(costs) == 2 else costs[row]
        for j in range(k):
            risk[row, j] = sum(proba[row, i] * matrix[i][j] for i in range(k))
    return risk


def per_example_costs(n, seed=0):
    """(n, 3, 3) costs: every row has one expensive confusion of its own."""
    rng = np.random.default_rng(seed)
    costs = np.ones((n, 3, 3)) - np.eye(3)
    true, shift = rng.integers(0, 3, size=n), rng.integers(1, 3, size=n)
    costs[np.arange(n), true, (true + shift) % 3] = 20.0
    return costs


# ----------------------------------------------------------------- decisions


def test_decisions_are_the_argmin_of_hand_computed_expected_costs(abc_data):
    X, y = abc_data
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    assert list(clf.classes_) == ["A", "B", "C"]
    proba = clf.predict_proba(X)
    risk = by_hand(proba, C)
    expected = np.array(["A", "B", "C"])[np.argmin(risk, axis=1)]
    np.testing.assert_array_equal(clf.predict(X), expected)
    np.testing.assert_allclose(clf.predict_expected_cost(X), risk)
    # predict_proba and classes_ are the inner estimator's
    plain = lr().fit(X, y)
    np.testing.assert_allclose(proba, plain.predict_proba(X))
    np.testing.assert_array_equal(clf.classes_, plain.classes_)
    np.testing.assert_allclose(clf.predict_log_proba(X), plain.predict_log_proba(X))
    np.testing.assert_allclose(clf.decision_function(X), plain.decision_function(X))
    # the costs changed decisions: fewer true "B" called "C"
    assert (clf.predict(X) != plain.predict(X)).any()
    assert ((y == "B") & (clf.predict(X) == "C")).sum() < (
        (y == "B") & (plain.predict(X) == "C")
    ).sum()
    assert clf.predict(X).dtype == y.dtype


def test_no_cost_matrix_is_argmax_with_zero_one_costs(abc_data):
    X, y = abc_data
    clf = MinimumCostClassifier(lr()).fit(X, y)
    np.testing.assert_array_equal(clf.cost_matrix_, 1 - np.eye(3))
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(proba, axis=1)])
    np.testing.assert_allclose(clf.predict_expected_cost(X), 1 - proba)


def test_binary_decisions_are_the_elkan_threshold(binary_data):
    """Two classes: Bayes is FixedThresholdClassifier at p* = (C_FP - C_TN) / (...)."""
    X, y = binary_data
    costs = np.array([[0.0, 1.0], [4.0, 0.0]])  # threshold 1 / 5 on p(1)
    ours = MinimumCostClassifier(lr(), cost_matrix=costs).fit(X, y)
    fixed = FixedThresholdClassifier(lr(), threshold=0.2).fit(X, y)
    p1 = ours.predict_proba(X)[:, 1]
    away = np.abs(p1 - 0.2) > 1e-9
    np.testing.assert_array_equal(ours.predict(X)[away], fixed.predict(X)[away])
    assert (ours.predict(X) != ours.estimator_.predict(X)).any()


@pytest.mark.parametrize("labels", [[0, 1, 2], ["x", "y", "z"], [-1, 0, 7]])
def test_any_labels_and_an_integer_index(abc_data, labels):
    X, y = abc_data
    mapped = np.array(labels)[np.searchsorted(["A", "B", "C"], y)]
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, mapped)
    reference = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    np.testing.assert_array_equal(
        clf.predict(X), np.array(labels)[np.searchsorted(["A", "B", "C"], reference.predict(X))]
    )
    assert clf.predict(X).dtype == mapped.dtype


def test_labelled_cost_matrices_are_reordered_to_classes(abc_data):
    X, y = abc_data
    order = ["C", "A", "B"]  # rows and columns in another order
    positions = [2, 0, 1]
    frame = pd.DataFrame(C[np.ix_(positions, positions)], index=order, columns=order)
    frame = frame[["B", "C", "A"]]  # and the columns in a third
    nested = {"B": {"A": 1, "C": 5}, "A": {"B": 1, "C": 1}, "C": {"A": 1, "B": 1}}
    reference = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    for matrix in (frame, nested):
        clf = MinimumCostClassifier(lr(), cost_matrix=matrix).fit(X, y)
        np.testing.assert_array_equal(clf.cost_matrix_, C)
        np.testing.assert_array_equal(clf.predict(X), reference.predict(X))


def test_per_example_costs_decide_each_row(abc_data):
    X, y = abc_data
    costs = per_example_costs(len(y))
    for cost_matrix in (C, None):  # per-example costs are used even without a cost_matrix
        clf = MinimumCostClassifier(lr(), cost_matrix=cost_matrix).fit(X, y)
        risk = by_hand(clf.predict_proba(X), costs)
        per_row = clf.predict(X, sample_cost=costs)
        np.testing.assert_array_equal(per_row, clf.classes_[np.argmin(risk, axis=1)])
        np.testing.assert_allclose(clf.predict_expected_cost(X, sample_cost=costs), risk)
        assert (per_row != clf.predict(X)).any(), "the rows' own costs changed no decision"
    # the same class-level matrix for every row decides as cost_matrix does
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    np.testing.assert_array_equal(
        clf.predict(X, sample_cost=np.broadcast_to(C, (len(y), 3, 3))), clf.predict(X)
    )


def test_bad_sample_cost_at_predict_is_refused(abc_data):
    X, y = abc_data
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    rows = per_example_costs(len(y))[np.arange(len(y)), 0]
    with pytest.raises(ValueError, match=r"must have shape \(n_samples, k, k\).*true class"):
        clf.predict(X, sample_cost=rows)
    # predict names the one shape it takes: (n, k, k), never the (n, k) rows of fit
    with pytest.raises(ValueError, match=r"sample_cost must have shape \(10, 3, 3\), one"):
        clf.predict(X[:10], sample_cost=per_example_costs(len(y)))
    with pytest.raises(ValueError, match=r"sample_cost has shape \(300, 2, 2\)"):
        clf.predict(X, sample_cost=np.ones((300, 2, 2)))
    with pytest.raises(ValueError, match="sample_cost must contain only finite"):
        clf.predict_expected_cost(X, sample_cost=np.full((300, 3, 3), np.nan))


def test_score_weights_are_checked_as_the_metrics_check_them(abc_data):
    X, y = abc_data
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y)
    weights = (np.arange(len(y)) % 2).astype(float)
    expected = np.average(clf.predict(X) == y, weights=weights)
    assert clf.score(X, y, sample_weight=weights) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"sample_weight has 5 entries but there are 300 samples"):
        clf.score(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative"):
        clf.score(X, y, sample_weight=np.full(len(y), np.nan))
    with pytest.raises(ValueError, match="zero for every sample; the accuracy is undefined"):
        clf.score(X, y, sample_weight=np.zeros(len(y)))


def test_score_refuses_accuracy_for_the_output_that_decides_actions(abc_data):
    """The decision layer both estimators share reads every output: here the second."""
    X, y = abc_data
    review = pd.DataFrame(
        [[0, 1, 1, 0.3], [1, 0, 1, 0.3], [1, 1, 0, 0.3]],
        index=["A", "B", "C"],
        columns=["A", "B", "C", "review"],
    )
    clf = MinimumCostClassifier(
        RandomForestClassifier(n_estimators=5, random_state=0),
        cost_matrix={"output2": review},
    ).fit(X, np.column_stack([y, y]))
    assert set(clf.predict(X)[:, 1]) <= {"A", "B", "C", "review"}
    with pytest.raises(ValueError, match=r"predicts actions \['A', 'B', 'C', 'review'\]"):
        clf.score(X, np.column_stack([y, y]))


def test_one_action_and_constant_matrices_are_refused_as_everywhere(abc_data):
    """The check of every entry point (``_cost_matrix.check_costs``): nothing to decide."""
    X, y = abc_data
    one = pd.DataFrame({"approve": [0.0, 1.0, 2.0]}, index=["A", "B", "C"])
    for matrix, match in [
        (one, "cost_matrix has one column, one decision only"),
        (np.zeros((3, 3)), "cost_matrix gives every decision the same cost"),
        ([[1, 1, 1], [2, 2, 2], [3, 3, 3]], "cost_matrix gives every decision the same cost"),
        ([["0", "1", "1"], ["1", "0", "5"], ["1", "1", "0"]], "got the text '0'"),
    ]:
        with pytest.raises((ValueError, TypeError), match=match):
            MinimumCostClassifier(lr(), cost_matrix=matrix).fit(X, y)
        with pytest.raises((ValueError, TypeError), match=match):
            predict_min_cost(lr().fit(X, y), X, matrix)
    with pytest.raises(ValueError, match="cost_matrix has one column, one decision only"):
        MinimumCostClassifier(lr(), cost_matrix=[[0], [1], [2]], actions=["approve"]).fit(X, y)


def test_user_arrays_are_not_modified(abc_data):
    X, y = abc_data
    matrix = C.copy()
    costs = per_example_costs(len(y))
    for array in (matrix, costs, X, y):
        array.flags.writeable = False
    try:
        clf = MinimumCostClassifier(lr(), cost_matrix=matrix).fit(X, y)
        clf.predict(X, sample_cost=costs)
        clf.predict_expected_cost(X, sample_cost=costs)
        assert clf.cost_matrix_ is not matrix
    finally:
        X.flags.writeable = y.flags.writeable = True
    np.testing.assert_array_equal(matrix, C)
    np.testing.assert_array_equal(costs, per_example_costs(len(y)))


# ------------------------------------------------------------------ bad input

X_NAN = np.full((300, 4), np.nan)  # the inner fit would fail on it: errors must come first


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"cost_matrix": np.ones((4, 4))}, ValueError, r"cost_matrix has shape \(4, 4\)"),
        ({"cost_matrix": np.ones((3, 2))}, ValueError, "cost_matrix must be a square"),
        ({"cost_matrix": [[0, 1, "x"]] * 3}, TypeError, "cost_matrix must be"),
        ({"cost_matrix": np.full((3, 3), np.inf)}, ValueError, "cost_matrix must contain only"),
        (
            {"cost_matrix": pd.DataFrame(np.ones((2, 2)), index=["A", "D"], columns=["A", "D"])},
            ValueError,
            r"cost_matrix refers to labels \['D'\] that are not classes",
        ),
        ({"cost_matrix": {"A": {"B": 1}}}, ValueError, "lacks the cost"),
        ({"calibration": "platt"}, ValueError, "calibration must be None, 'sigmoid'"),
        ({"calibration": "sigmoid", "ensemble": "yes"}, ValueError, "ensemble must be"),
    ],
)
def test_bad_parameters_are_refused_before_fitting(abc_data, params, error, match):
    _, y = abc_data
    clf = MinimumCostClassifier(lr(), **params)
    with pytest.raises(error, match=match):
        clf.fit(X_NAN, y)
    assert not hasattr(clf, "estimator_")


def test_bad_estimator_and_targets(abc_data, binary_data):
    X, y = abc_data
    with pytest.raises(TypeError, match="estimator must be a classifier with 'fit' and"):
        MinimumCostClassifier(LinearSVC()).fit(X, y)
    with pytest.raises(TypeError, match="estimator must be"):
        MinimumCostClassifier(StandardScaler()).fit(X, y)
    # a decision_function is enough once calibrated
    svc = MinimumCostClassifier(LinearSVC(), cost_matrix=C, calibration="sigmoid").fit(X, y)
    np.testing.assert_allclose(svc.predict_proba(X).sum(axis=1), 1.0)
    assert not hasattr(svc, "decision_function")
    with pytest.raises(ValueError, match="one class only"):
        MinimumCostClassifier(lr()).fit(X[:5], np.array(["A"] * 5))
    with pytest.raises(ValueError, match="Unknown label type"):
        MinimumCostClassifier(lr()).fit(X, np.linspace(0, 1, len(X)))
    with pytest.warns(UserWarning, match="cv, n_jobs only act with calibration"):
        MinimumCostClassifier(lr(), cv=3, n_jobs=2).fit(X, y)


def test_labels_missing_from_the_training_classes(abc_data):
    X, y = abc_data
    two = y != "C"
    frame = pd.DataFrame(C, index=["A", "B", "C"], columns=["A", "B", "C"])
    # a named matrix covering every class may name more (a CV fold lacking "C"), as
    # scikit-learn's classifiers take class_weight
    fold = MinimumCostClassifier(lr(), cost_matrix=frame).fit(X[two], y[two])
    np.testing.assert_array_equal(fold.cost_matrix_, frame.loc[["A", "B"], ["A", "B"]])
    with pytest.raises(ValueError, match=r"refers to labels \['D', 'C'\] that are not classes"):
        lacking = pd.DataFrame(C, index=["A", "D", "C"], columns=["A", "D", "C"])
        MinimumCostClassifier(lr(), cost_matrix=lacking).fit(X[two], y[two])
    with pytest.raises(ValueError, match=r"cost_matrix has shape \(3, 3\) but there are 2"):
        MinimumCostClassifier(lr(), cost_matrix=C).fit(X[two], y[two])
    # a prefit model knows all three classes, even if the rows it is wrapped on lack one
    prefit = lr().fit(X, y)
    clf = MinimumCostClassifier(FrozenEstimator(prefit), cost_matrix=frame).fit(X[two], y[two])
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])
    assert "C" in set(clf.predict(X))


# ---------------------------------------------------------------- calibration


@pytest.mark.parametrize("method", ["sigmoid", "isotonic", "temperature"])
def test_calibration_is_cross_validated_and_decides(abc_data, method):
    X, y = abc_data
    if method == "temperature" and _SKLEARN < (1, 8):
        with pytest.raises(ValueError, match=r"needs scikit-learn >= 1\.8"):
            MinimumCostClassifier(lr(), cost_matrix=C, calibration=method, cv=3).fit(X, y)
        return
    clf = MinimumCostClassifier(lr(), cost_matrix=C, calibration=method, cv=3).fit(X, y)
    assert isinstance(clf.estimator_, CalibratedClassifierCV)
    assert clf.estimator_.method == method
    assert len(clf.estimator_.calibrated_classifiers_) == 3  # one per fold (ensemble)
    reference = CalibratedClassifierCV(lr(), method=method, cv=3).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, reference.predict_proba(X))
    assert not np.allclose(proba, lr().fit(X, y).predict_proba(X))
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[np.argmin(by_hand(proba, C), axis=1)]
    )
    single = MinimumCostClassifier(lr(), calibration=method, cv=3, ensemble=False).fit(X, y)
    assert len(single.estimator_.calibrated_classifiers_) == 1


def test_temperature_needs_scikit_learn_1_8(abc_data, monkeypatch):
    X, y = abc_data
    monkeypatch.setattr(sklearn, "__version__", "1.7.2")
    with pytest.raises(ValueError, match=r"needs scikit-learn >= 1.8.*1\.7\.2"):
        MinimumCostClassifier(lr(), calibration="temperature").fit(X, y)


def test_calibration_refuses_several_outputs(abc_data):
    X, y = abc_data
    with pytest.raises(ValueError, match="single-output y only"):
        MinimumCostClassifier(RandomForestClassifier(), calibration="sigmoid").fit(
            X, np.column_stack([y, y])
        )


def test_prefit_estimator_is_used_as_it_is(abc_data):
    X, y = abc_data
    prefit = lr().fit(X[:150], y[:150])
    coef = prefit.coef_.copy()
    clf = MinimumCostClassifier(FrozenEstimator(prefit), cost_matrix=C).fit(X[150:], y[150:])
    np.testing.assert_array_equal(prefit.coef_, coef)
    np.testing.assert_array_equal(clf.predict_proba(X), prefit.predict_proba(X))
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[np.argmin(by_hand(prefit.predict_proba(X), C), axis=1)]
    )
    # calibrated on all the rows given to fit, the prefit model untouched
    calibrated = MinimumCostClassifier(
        FrozenEstimator(prefit), cost_matrix=C, calibration="sigmoid"
    ).fit(X[150:], y[150:])
    (pair,) = calibrated.estimator_.calibrated_classifiers_
    assert pair.estimator.estimator is prefit
    np.testing.assert_array_equal(prefit.coef_, coef)
    assert not np.allclose(calibrated.predict_proba(X), prefit.predict_proba(X))


# -------------------------------------------------- scikit-learn integration


def test_pipeline_and_grid_search_over_costs_and_inner_parameters(abc_data):
    X, y = abc_data
    pipe = make_pipeline(
        StandardScaler(),
        MinimumCostClassifier(HistGradientBoostingClassifier(max_iter=15, random_state=0)),
    )
    zero_one = 1 - np.eye(3)
    grid = {
        "minimumcostclassifier__cost_matrix": [C, zero_one],
        "minimumcostclassifier__estimator__max_depth": [2, None],
    }
    scorer = make_cost_scorer(C)
    search = GridSearchCV(pipe, grid, scoring=scorer, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    for i, params in enumerate(search.cv_results_["params"]):
        by_folds = cross_val_score(clone(pipe).set_params(**params), X, y, scoring=scorer, cv=3)
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(by_folds.mean())
    # deciding with the real costs is what the real costs reward
    means = search.cv_results_["mean_test_score"]
    by_matrix = search.cv_results_["param_minimumcostclassifier__cost_matrix"]
    real = [m for m, matrix in zip(means, by_matrix, strict=True) if np.array_equal(matrix, C)]
    argmax = [
        m for m, matrix in zip(means, by_matrix, strict=True) if not np.array_equal(matrix, C)
    ]
    assert max(real) > max(argmax)
    best = search.best_estimator_
    np.testing.assert_array_equal(best[-1].cost_matrix_, C)
    risk = by_hand(best.predict_proba(X), C)
    np.testing.assert_array_equal(best.predict(X), best.classes_[np.argmin(risk, axis=1)])


def test_cross_val_score_with_routed_per_example_costs(abc_data):
    X, y = abc_data
    costs = per_example_costs(len(y), seed=1)
    pipe = make_pipeline(StandardScaler(), MinimumCostClassifier(lr()))
    folds = list(StratifiedKFold(3).split(X, y))
    with config_context(enable_metadata_routing=True):
        scorer = make_cost_scorer().set_score_request(sample_cost=True)
        scores = cross_val_score(pipe, X, y, scoring=scorer, cv=3, params={"sample_cost": costs})
        search = GridSearchCV(
            pipe, {"minimumcostclassifier__cost_matrix": [None, C]}, scoring=scorer, cv=3
        ).fit(X, y, sample_cost=costs)
        # predict's request switched off: the decision ignores the rows' costs
        blind = make_pipeline(
            StandardScaler(), MinimumCostClassifier(lr()).set_predict_request(sample_cost=False)
        )
        blind_scores = cross_val_score(
            blind, X, y, scoring=scorer, cv=3, params={"sample_cost": costs}
        )
    expected, expected_blind = [], []
    for train, test in folds:
        model = clone(pipe).fit(X[train], y[train])
        decided = model.predict(X[test], sample_cost=costs[test])
        expected.append(-mean_cost(y[test], decided, sample_cost=costs[test]))
        expected_blind.append(-mean_cost(y[test], model.predict(X[test]), sample_cost=costs[test]))
    np.testing.assert_allclose(scores, expected)
    np.testing.assert_allclose(blind_scores, expected_blind)
    assert np.mean(scores) > np.mean(blind_scores)
    np.testing.assert_allclose(
        [search.cv_results_[f"split{f}_test_score"][0] for f in range(3)], expected
    )
    # without routing, a direct call hands the costs to predict as well
    fitted = clone(pipe).fit(X, y)
    direct = make_cost_scorer()(fitted, X, y, sample_cost=costs)
    assert direct == pytest.approx(
        -mean_cost(y, fitted.predict(X, sample_cost=costs), sample_cost=costs)
    )


def test_fit_parameters_reach_the_inner_estimator(abc_data):
    X, y = abc_data
    weights = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    weighted = lr().fit(X, y, sample_weight=weights)
    # without routing: passed through
    direct = MinimumCostClassifier(lr(), cost_matrix=C).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(direct.estimator_.coef_, weighted.coef_)
    assert not np.allclose(direct.estimator_.coef_, lr().fit(X, y).coef_)
    with config_context(enable_metadata_routing=True):
        routed = MinimumCostClassifier(lr().set_fit_request(sample_weight=True), cost_matrix=C)
        routed.fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(routed.estimator_.coef_, weighted.coef_)
        with pytest.raises(ValueError, match="sample_weight"):  # not requested
            MinimumCostClassifier(lr()).fit(X, y, sample_weight=weights)
        # calibrated: the routed weights train the estimator and weigh the calibration
        calibrated = MinimumCostClassifier(
            lr().set_fit_request(sample_weight=True), calibration="sigmoid", cv=3
        ).fit(X, y, sample_weight=weights)
        reference = CalibratedClassifierCV(
            lr().set_fit_request(sample_weight=True), cv=3
        ).set_fit_request(sample_weight=True)
        reference.fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(calibrated.predict_proba(X), reference.predict_proba(X))
        # groups reach the calibration's splitter
        groups = np.arange(len(y)) % 6
        grouped = MinimumCostClassifier(lr(), calibration="sigmoid", cv=GroupKFold(3))
        grouped.fit(X, y, groups=groups)
    assert len(grouped.estimator_.calibrated_classifiers_) == 3
    for pair, (train, _) in zip(
        grouped.estimator_.calibrated_classifiers_,
        GroupKFold(3).split(X, y, groups),
        strict=True,
    ):
        np.testing.assert_allclose(pair.estimator.coef_, lr().fit(X[train], y[train]).coef_)


def test_clone_pickle_tags_and_html_repr(abc_data):
    X, y = abc_data
    clf = MinimumCostClassifier(lr(), cost_matrix=C, calibration="sigmoid", cv=3)
    assert is_classifier(clf)
    copy = clone(clf)
    np.testing.assert_array_equal(copy.get_params()["cost_matrix"], C)
    assert copy.get_params()["estimator__max_iter"] == 1000
    fitted = clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(restored.cost_matrix_, C)
    html = fitted._repr_html_()
    assert "MinimumCostClassifier" in html
    assert "LogisticRegression" in html
    assert fitted.n_features_in_ == 4
    assert fitted.score(X, y) == pytest.approx(np.mean(fitted.predict(X) == y))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        clone(clf).predict(X)


def test_feature_names_come_from_the_inner_estimator(abc_data):
    X, y = abc_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MinimumCostClassifier(lr(), cost_matrix=C).fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]


def test_check_estimator_passes_without_exceptions():
    # no expected failures: every check of scikit-learn 1.9 passes
    results = check_estimator(MinimumCostClassifier(LogisticRegression()), on_fail=None)
    assert {r["check_name"] for r in results if r["status"] == "failed"} == set()


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimator",
    [
        MinimumCostClassifier(LogisticRegression(), calibration="sigmoid", cv=3),
        MinimumCostClassifier(HistGradientBoostingClassifier(max_iter=10)),
    ],
    ids=["calibrated", "gradient-boosting"],
)
def test_check_estimator_with_calibration_and_boosting(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    assert {r["check_name"] for r in results if r["status"] == "failed"} == set()


# ------------------------------------------------------------- several outputs


def test_several_outputs(abc_data):
    X, y = abc_data
    second = np.where(X[:, 0] > 1, "high", "low")
    Y = np.column_stack([y, second])
    frame = pd.DataFrame({"letter": y, "flag": second})
    forest = RandomForestClassifier(n_estimators=20, random_state=0)
    by_list = MinimumCostClassifier(forest, cost_matrix=[C, None]).fit(X, Y)
    by_name = MinimumCostClassifier(forest, cost_matrix={"letter": C}).fit(X, frame)
    assert by_name.output_names_ == ["letter", "flag"]
    assert by_list.output_names_ == ["output1", "output2"]
    proba = by_list.predict_proba(X)
    letters = by_list.classes_[0][np.argmin(by_hand(proba[0], C), axis=1)]
    flags = by_list.classes_[1][np.argmax(proba[1], axis=1)]
    for clf in (by_list, by_name):
        predicted = clf.predict(X)
        assert predicted.shape == (len(y), 2)
        np.testing.assert_array_equal(predicted[:, 0], letters)
        np.testing.assert_array_equal(predicted[:, 1], flags)
        risks = clf.predict_expected_cost(X)
        np.testing.assert_allclose(risks[0], by_hand(proba[0], C))
        np.testing.assert_allclose(risks[1], 1 - proba[1])
    assert (letters != by_list.estimator_.predict(X)[:, 0]).any()
    # the cost scorer sums the outputs' costs
    scorer = make_cost_scorer({"letter": C})
    assert scorer(by_name, X, frame) == pytest.approx(
        -total_cost(y, by_name.predict(X)[:, 0], C) / len(y)
    )
    # per-example costs per output: the costed output decides row by row, the other as before
    S = per_example_costs(len(y))
    per_row = by_list.classes_[0][np.argmin(by_hand(proba[0], S), axis=1)]
    for costs in ([S, None], {"output1": S}, OutputCosts({"output1": S})):
        predicted = by_list.predict(X, sample_cost=costs)
        np.testing.assert_array_equal(predicted[:, 0], per_row)
        np.testing.assert_array_equal(predicted[:, 1], flags)
        np.testing.assert_allclose(
            by_list.predict_expected_cost(X, sample_cost=costs)[0], by_hand(proba[0], S)
        )
    assert (per_row != letters).any()
    with pytest.raises(TypeError, match="dict keyed by output name"):
        by_list.predict(X, sample_cost=S)
    with pytest.raises(ValueError, match=r"sample_cost\['output2'\]"):
        by_list.predict(X, sample_cost=[S, S])
    with pytest.raises(TypeError, match="one matrix per output"):
        MinimumCostClassifier(forest, cost_matrix=C).fit(X, Y)
    with pytest.raises(ValueError, match=r"names outputs \['letters'\]"):
        MinimumCostClassifier(forest, cost_matrix={"letters": C}).fit(X, frame)
    with pytest.raises(ValueError, match=r"cost_matrix\['output2'\] has shape \(3, 3\)"):
        MinimumCostClassifier(forest, cost_matrix=[C, C]).fit(X, Y)


# ------------------------------------------------- one decision, light import


def test_importing_it_loads_neither_tensorflow_nor_keras():
    code = (
        "import sys; from costkeras import MinimumCostClassifier; "
        "import costkeras.minimum_cost, costkeras._bayes; "
        "print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_decision_goes_through_one_implementation(abc_data, monkeypatch, small):
    """MinimumCostClassifier, predict_min_cost, bayes_decision and the Keras estimator."""
    from costkeras.decisions import bayes_decision, expected_costs

    X, y = abc_data
    calls = []
    original = _bayes.expected_costs

    def counting(proba, costs=None):
        calls.append(np.shape(proba))
        return original(proba, costs)

    monkeypatch.setattr(_bayes, "expected_costs", counting)
    model = lr().fit(X, y)
    meta = MinimumCostClassifier(FrozenEstimator(model), cost_matrix=C).fit(X, y)
    network = small(epochs=1, cost_matrix=C).fit(X, y)
    proba = model.predict_proba(X)
    users = {
        "MinimumCostClassifier.predict": lambda: meta.predict(X),
        "MinimumCostClassifier.predict_expected_cost": lambda: meta.predict_expected_cost(X),
        "predict_min_cost": lambda: predict_min_cost(model, X, C),
        "bayes_decision": lambda: bayes_decision(proba, C),
        "expected_costs": lambda: expected_costs(proba, C),
        "CostSensitiveKerasClassifier.predict": lambda: network.predict(X),
        "CostSensitiveKerasClassifier.predict_expected_cost": (
            lambda: network.predict_expected_cost(X)
        ),
    }
    for name, use in users.items():
        calls.clear()
        use()
        assert calls == [(len(X), 3)], name
    np.testing.assert_array_equal(meta.predict(X), predict_min_cost(model, X, C))


def test_ties_go_to_the_first_class():
    proba = np.array([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]])
    costs = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float)
    np.testing.assert_array_equal(_bayes.decision_labels(proba, ["a", "b", "c"], costs), ["a", "c"])
    np.testing.assert_array_equal(_bayes.decision_labels(proba, ["a", "b", "c"]), ["a", "c"])
    with pytest.raises(ValueError, match=r"costs must have shape \(3, m\) or \(2, 3, m\)"):
        _bayes.expected_costs(proba, np.ones((2, 2)))
    with pytest.raises(ValueError, match="3 columns but there are 2 classes"):
        _bayes.decision_labels(proba, ["a", "b"], costs)


# -------------------------------------------------------------- properties

K = 4
probabilities = arrays(np.float64, (5, K), elements=st.floats(0.0, 1.0)).filter(
    lambda p: (p.sum(axis=1) > 1e-3).all()
)
cost_matrices = arrays(np.float64, (K, K), elements=st.floats(0.0, 100.0))


def assert_optimal(proba, costs, decided_positions):
    """Each decision has the least expected cost under ``costs`` (up to rounding)."""
    risk = by_hand(proba, costs)
    chosen = risk[np.arange(len(risk)), decided_positions]
    np.testing.assert_allclose(chosen, risk.min(axis=1), rtol=1e-9, atol=1e-9)


def normalised(p):
    return p / p.sum(axis=1, keepdims=True)


@settings(max_examples=200, deadline=None)
@given(probabilities, cost_matrices, st.integers(0, K - 1), st.floats(-50.0, 50.0))
def test_adding_a_constant_to_a_row_changes_no_decision(p, costs, row, constant):
    proba = normalised(p)
    shifted = costs.copy()
    shifted[row] += constant
    assert_optimal(proba, costs, _bayes.decision_positions(proba, shifted))


@settings(max_examples=200, deadline=None)
@given(probabilities, cost_matrices, st.floats(1e-3, 1e3))
def test_scaling_the_costs_changes_no_decision(p, costs, factor):
    proba = normalised(p)
    assert_optimal(proba, costs, _bayes.decision_positions(proba, costs * factor))


@settings(max_examples=200, deadline=None)
@given(probabilities, cost_matrices, st.permutations(range(K)))
def test_relabelling_permutes_the_decisions(p, costs, order):
    proba = normalised(p)
    order = np.array(order)
    classes = np.array(["a", "b", "c", "d"])
    decided = _bayes.decision_labels(proba[:, order], classes[order], costs[np.ix_(order, order)])
    assert_optimal(proba, costs, np.searchsorted(classes, decided))
    risk = by_hand(proba, costs)
    gap = np.sort(risk, axis=1)
    clear = gap[:, 1] - gap[:, 0] > 1e-6  # a unique best decision is found exactly
    np.testing.assert_array_equal(
        decided[clear], _bayes.decision_labels(proba, classes, costs)[clear]
    )
