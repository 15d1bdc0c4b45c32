"""Decisions that are not classes (issue #20): cost matrices ``C[true, action]`` of shape (k, m).

The classes say what is true, the actions what is done (approve, review, decline; defer to a
person). Bayes's rule is unchanged, ``argmin_a sum_i p_i C[i, a]``; these tests hold every
place that decides or judges to it, and to the orientation: the probabilities multiply the
matrix from the left, ``proba @ C``, never ``proba @ C.T`` (``../shared/NOTES.md``, section 7).
"""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.multioutput import MultiOutputClassifier

from costkeras import MinimumCostClassifier
from costkeras.costs import with_reject_option
from costkeras.decisions import bayes_decision, expected_costs, predict_min_cost
from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost
from costkeras.plotting import CostConfusionMatrixDisplay

FAST = settings(max_examples=60, deadline=None, database=None, derandomize=True)

ACTIONS = ["approve", "review", "decline"]
# C[true, action] for a lender: a review costs 1 and catches most defaults
CLASSES = np.array(["bad", "good"])  # sorted, as classes_
C_SORTED = np.array([[10.0, 2.0, 0.0], [0.0, 1.0, 5.0]])  # rows in CLASSES order
C_FRAME = pd.DataFrame(C_SORTED[::-1], index=["good", "bad"], columns=ACTIONS)
C_DICT = {
    "good": {"approve": 0, "review": 1, "decline": 5},
    "bad": {"approve": 10, "review": 2, "decline": 0},
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def credit():
    """300 applicants, 3 features; about a third default ("bad")."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    bad = X[:, 0] + 0.8 * rng.normal(size=300) > 0.5
    return X, np.where(bad, "bad", "good")


def lr():
    return LogisticRegression()


# ------------------------------------------------------------------ the rule itself


def test_expected_costs_and_decisions_hand_computed():
    proba = np.array([[0.9, 0.1], [0.5, 0.5], [0.05, 0.95]])  # p(good), p(bad)
    C = np.array([[0, 1, 5], [10, 2, 0]])  # rows good, bad; columns approve, review, decline
    # R[n, a] = sum_i p_i C[i, a]
    expected = [[1.0, 1.1, 4.5], [5.0, 1.5, 2.5], [9.5, 1.95, 0.25]]
    np.testing.assert_allclose(expected_costs(proba, C), expected)
    np.testing.assert_array_equal(bayes_decision(proba, C), [0, 1, 2])
    per_row = np.stack([C, C * [1, 10, 1], C])  # the second row's review costs 10x
    np.testing.assert_array_equal(bayes_decision(proba, per_row), [0, 2, 2])


def test_orientation_a_transposed_matrix_would_decide_otherwise():
    # The trap of optimal-classification-cutoffs' PR #15 and of proba @ C.T: with a square
    # matrix both orientations run, so only the numbers can tell them apart.
    proba = np.array([[0.7, 0.3]])
    C = np.array([[0.0, 1.0], [10.0, 0.0]])  # a missed class 1 costs 10
    assert bayes_decision(proba, C).tolist() == [1]  # R = [3.0, 0.7]
    assert bayes_decision(proba, C.T).tolist() == [0]  # what the transposed reading gives
    # with actions, a transposed array does not fit the classes, and says so
    clf = MinimumCostClassifier(lr(), cost_matrix=C_SORTED.T, actions=ACTIONS)
    with pytest.raises(ValueError, match=r"cost_matrix must have shape \(2, 3\)"):
        clf.fit(*_tiny())
    # a transposed DataFrame (index: actions) names no classes in its index
    with pytest.raises(ValueError, match=r"cost_matrix refers to labels .*approve"):
        MinimumCostClassifier(lr(), cost_matrix=C_FRAME.T).fit(*_tiny())


def _tiny():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    return X, np.array(["good", "good", "bad", "bad"])


@FAST
@given(
    st.integers(2, 4),
    st.integers(2, 4),
    st.integers(1, 5),
    st.randoms(use_true_random=False),
)
def test_orientation_expected_cost_is_the_sum_over_true_classes(k, m, n, random):
    rng = np.random.default_rng(random.randint(0, 2**32 - 1))
    proba = rng.dirichlet(np.ones(k), size=n)
    C = rng.integers(-5, 20, size=(k, m)).astype(float)
    C[0, 1] += 1 if np.all(C == C[:, :1]) else 0  # constant rows are refused
    by_hand = np.array([[sum(p[i] * C[i, a] for i in range(k)) for a in range(m)] for p in proba])
    np.testing.assert_allclose(expected_costs(proba, C), by_hand, atol=1e-12)
    per_row = rng.integers(0, 9, size=(n, k, m)).astype(float)
    by_hand = np.array(
        [
            [sum(proba[r, i] * per_row[r, i, a] for i in range(k)) for a in range(m)]
            for r in range(n)
        ]
    )
    np.testing.assert_allclose(expected_costs(proba, per_row), by_hand, atol=1e-12)


@st.composite
def problems(draw, extra=1):
    """Dyadic probabilities (n, k) and an integer (k, m) cost matrix: exact arithmetic."""
    k = draw(st.integers(2, 4))
    m = draw(st.integers(2, 4))  # one decision, or every row constant, decides nothing
    n = draw(st.integers(1, 6))
    rows = []
    for _ in range(n):
        cuts = sorted(draw(st.lists(st.integers(0, 64), min_size=k - 1, max_size=k - 1)))
        rows.append(np.diff([0, *cuts, 64]) / 64)
    entries = st.lists(st.integers(-10, 30), min_size=k * (m + extra), max_size=k * (m + extra))
    costs = np.array(draw(entries), dtype=float).reshape(k, m + extra)
    costs[0, 1] += 1 if np.all(costs[:, :m] == costs[:, :1]) else 0
    return np.array(rows), costs


@FAST
@given(problems())
def test_adding_an_action_never_raises_the_optimal_expected_cost(problem):
    proba, costs = problem
    without = expected_costs(proba, costs[:, :-1]).min(axis=1)
    with_it = expected_costs(proba, costs).min(axis=1)
    assert np.all(with_it <= without)
    # and the decision's expected cost is the optimum
    chosen = bayes_decision(proba, costs)
    np.testing.assert_array_equal(
        expected_costs(proba, costs)[np.arange(len(proba)), chosen], with_it
    )


@FAST
@given(problems(extra=0), st.integers(0, 5))
def test_a_reject_costing_more_than_every_error_is_never_chosen(problem, margin):
    proba, costs = problem
    cost = costs.max() + margin  # at least every entry: ties go to the earlier columns
    C = with_reject_option(costs, cost=cost, name="defer")
    assert C.shape == (costs.shape[0], costs.shape[1] + 1)
    decisions = bayes_decision(proba, C)
    assert np.all(decisions < costs.shape[1])
    np.testing.assert_array_equal(decisions, bayes_decision(proba, costs))


@FAST
@given(problems(extra=0))
def test_actions_that_are_the_classes_are_todays_square_case(problem):
    proba, costs = problem
    k = proba.shape[1]
    costs = costs[:, :1].repeat(k, axis=1) if costs.shape[1] < k else costs[:, :k]
    costs[0, -1] += 1 if np.all(costs == costs[:, :1]) else 0  # constant rows are refused
    classes = np.array(list("ABCD"[:k]))

    class Fitted:  # a fitted classifier that returns these probabilities
        classes_ = classes

        def predict_proba(self, X):
            return proba

    today = predict_min_cost(Fitted(), None, costs)
    same_order = predict_min_cost(Fitted(), None, costs, actions=classes)
    np.testing.assert_array_equal(same_order, today)
    # the classes as actions in another order: the columns follow the actions
    order = np.arange(k)[::-1]
    reordered = predict_min_cost(Fitted(), None, costs[:, order], actions=classes[order])
    np.testing.assert_array_equal(reordered, today)
    frame = pd.DataFrame(costs, index=classes, columns=classes).iloc[:, order]
    np.testing.assert_array_equal(predict_min_cost(Fitted(), None, frame), today)
    y_true = classes[np.arange(len(today)) % k]
    assert total_cost(y_true, today, frame, labels=classes) == total_cost(
        y_true, today, costs, labels=classes
    )


@FAST
@given(st.integers(2, 5), st.floats(0.01, 0.99), st.randoms(use_true_random=False))
def test_chows_rule_reject_when_the_top_probability_is_below_one_minus_the_cost(k, cost, random):
    rng = np.random.default_rng(random.randint(0, 2**32 - 1))
    proba = rng.dirichlet(np.ones(k) * 0.7, size=40)
    C = with_reject_option(1.0 - np.eye(k), cost=cost, name="defer")
    rejected = bayes_decision(proba, C) == k
    top = proba.max(axis=1)
    clear = np.abs(top - (1 - cost)) > 1e-9  # rounding decides a tie at the threshold
    np.testing.assert_array_equal(rejected[clear], (top < 1 - cost)[clear])
    np.testing.assert_array_equal(bayes_decision(proba, C)[~rejected], proba[~rejected].argmax(1))


# --------------------------------------------------------------- with_reject_option


# ------------------------------------------------------------- MinimumCostClassifier


@pytest.mark.parametrize(
    "params",
    [
        {"cost_matrix": C_FRAME},
        {"cost_matrix": C_DICT},
        {"cost_matrix": C_SORTED, "actions": ACTIONS},
        {"cost_matrix": C_SORTED.tolist(), "actions": tuple(ACTIONS)},
    ],
    ids=["dataframe", "dict", "array", "list"],
)
def test_minimum_cost_classifier_predicts_actions(credit, params):
    X, y = credit
    clf = MinimumCostClassifier(lr(), **params).fit(X, y)
    assert clf.actions_.tolist() == ACTIONS
    np.testing.assert_array_equal(clf.classes_, CLASSES)
    np.testing.assert_array_equal(clf.cost_matrix_, C_SORTED)
    risk = clf.predict_expected_cost(X)
    assert risk.shape == (len(X), 3)
    np.testing.assert_allclose(risk, clf.predict_proba(X) @ C_SORTED)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred, np.array(ACTIONS)[risk.argmin(axis=1)])
    assert set(pred) == set(ACTIONS), "every action should be chosen on these data"
    with pytest.raises(ValueError, match="make_cost_scorer"):
        clf.score(X, y)


def test_minimum_cost_classifier_per_example_action_costs_and_the_scorer(credit):
    X, y = credit
    rng = np.random.default_rng(1)
    S = C_SORTED * rng.uniform(0.2, 3.0, size=(len(y), 1, 3))  # each action's price varies
    clf = MinimumCostClassifier(lr(), cost_matrix=C_FRAME).fit(X, y)
    pred = clf.predict(X, sample_cost=S)
    np.testing.assert_array_equal(
        pred, np.array(ACTIONS)[np.einsum("ni,nia->na", clf.predict_proba(X), S).argmin(axis=1)]
    )
    assert (pred != clf.predict(X)).any()
    np.testing.assert_allclose(
        clf.predict_expected_cost(X, sample_cost=S),
        np.einsum("ni,nia->na", clf.predict_proba(X), S),
    )
    with pytest.raises(ValueError, match=r"sample_cost has shape .* 2 classes and 3 actions"):
        clf.predict(X, sample_cost=S[:, :, :2])

    # the scorer hands the (n, k, m) costs to predict and judges with them, actions_ naming
    # the columns
    scorer = make_cost_scorer()
    assert scorer(clf, X, y, sample_cost=S) == pytest.approx(
        -mean_cost(y, pred, sample_cost=S, actions=ACTIONS)
    )
    with config_context(enable_metadata_routing=True):
        routed = make_cost_scorer(kind="savings").set_score_request(sample_cost=True)
        scores = cross_val_score(
            MinimumCostClassifier(lr(), cost_matrix=C_FRAME),
            X,
            y,
            scoring=routed,
            cv=3,
            params={"sample_cost": S},
        )
    assert scores.shape == (3,) and np.all(scores > 0)


def test_minimum_cost_classifier_with_calibration_decides_calibrated_probabilities(credit):
    X, y = credit
    clf = MinimumCostClassifier(lr(), cost_matrix=C_DICT, calibration="sigmoid", cv=3)
    clf.fit(X, y)
    np.testing.assert_array_equal(
        clf.predict(X), np.array(ACTIONS)[(clf.predict_proba(X) @ C_SORTED).argmin(axis=1)]
    )


def test_minimum_cost_classifier_actions_per_output(credit):
    X, y = credit
    Y = np.column_stack([y, np.where(X[:, 1] > 0, "x", "z")])
    clf = MinimumCostClassifier(MultiOutputClassifier(lr()), cost_matrix={"output1": C_FRAME}).fit(
        X, Y
    )
    assert clf.actions_[0].tolist() == ACTIONS
    assert clf.actions_[1].tolist() == ["x", "z"]
    pred = clf.predict(X)
    assert set(pred[:, 0]) <= set(ACTIONS) and set(pred[:, 1]) <= {"x", "z"}
    risks = clf.predict_expected_cost(X)
    assert [r.shape for r in risks] == [(len(X), 3), (len(X), 2)]
    assert total_cost(Y, pred, {"output1": C_FRAME}) == total_cost(y, pred[:, 0], C_FRAME)


X_NAN = np.full((4, 1), np.nan)  # the inner fit would fail on it: the errors must come first


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"cost_matrix": C_SORTED}, ValueError, r"cost_matrix must be a square .*actions="),
        (
            {"cost_matrix": C_SORTED, "actions": ["approve", "decline"]},
            ValueError,
            r"cost_matrix must have shape \(2, 2\).*actions=\['approve', 'decline'\]",
        ),
        (
            {"cost_matrix": C_SORTED, "actions": ["a", "a", "b"]},
            ValueError,
            r"actions repeats the labels \['a'\]",
        ),
        ({"cost_matrix": C_SORTED, "actions": "review"}, TypeError, "actions must be a list"),
        ({"actions": ACTIONS}, ValueError, "actions names the columns of cost_matrix, which"),
        (
            {"cost_matrix": C_SORTED * [[1, np.nan, 1]], "actions": ACTIONS},
            ValueError,
            "cost_matrix must contain only finite",
        ),
        (
            {"cost_matrix": {"good": {"approve": 0, "review": 1}, "bad": {"approve": 9}}},
            ValueError,
            r"lacks the cost of these \(true, action\) pairs: \[\('bad', 'review'\)\]",
        ),
        (
            {"cost_matrix": C_FRAME.loc[["good"]]},
            ValueError,
            r"cost_matrix must have a row \(true class\) for every class; missing \['bad'\]",
        ),
        (
            {"cost_matrix": C_FRAME, "actions": ["approve", "decline"]},
            ValueError,
            "actions must name each column",
        ),
        (
            {"cost_matrix": C_DICT, "actions": ["approve", "decline", "call"]},
            ValueError,
            r"names actions \['review'\] that actions=",
        ),
    ],
)
def test_bad_action_matrices_are_refused_before_fitting(params, error, match):
    _, y = _tiny()
    clf = MinimumCostClassifier(lr(), **params)
    with pytest.raises(error, match=match):
        clf.fit(X_NAN, y)
    assert not hasattr(clf, "estimator_")


def test_user_costs_are_never_modified(credit):
    X, y = credit
    S = np.broadcast_to(C_SORTED, (len(y), 2, 3)).copy()
    given = {"frame": C_FRAME.copy(), "dict": copy.deepcopy(C_DICT), "array": C_SORTED.copy()}
    kept = copy.deepcopy(given)
    S_kept = S.copy()
    clf = MinimumCostClassifier(lr(), cost_matrix=given["array"], actions=ACTIONS).fit(X, y)
    clf.predict(X, sample_cost=S)
    clf.cost_matrix_[0, 0] = 99.0  # the fitted copy is the estimator's own
    for name in ("frame", "dict"):
        pred = MinimumCostClassifier(lr(), cost_matrix=given[name]).fit(X, y).predict(X)
        total_cost(y, pred, given[name])
        CostConfusionMatrixDisplay.from_predictions(y, pred, given[name], sample_cost=S)
    with_reject_option(given["frame"], 1.0)
    savings_score(y, pred, sample_cost=S, actions=ACTIONS)
    pd.testing.assert_frame_equal(given["frame"], kept["frame"])
    assert given["dict"] == kept["dict"]
    np.testing.assert_array_equal(given["array"], kept["array"])
    np.testing.assert_array_equal(S, S_kept)


# ------------------------------------------------------------------------ decisions


def test_predict_min_cost_returns_actions(credit):
    X, y = credit
    model = lr().fit(X, y)
    expected = np.array(ACTIONS)[(model.predict_proba(X) @ C_SORTED).argmin(axis=1)]
    np.testing.assert_array_equal(predict_min_cost(model, X, C_FRAME), expected)
    np.testing.assert_array_equal(predict_min_cost(model, X, C_SORTED, actions=ACTIONS), expected)
    per_row = np.broadcast_to(C_SORTED, (len(X), 2, 3))
    np.testing.assert_array_equal(predict_min_cost(model, X, per_row, actions=ACTIONS), expected)
    with pytest.raises(ValueError, match=r"cost_matrix must be a square .*actions="):
        predict_min_cost(model, X, C_SORTED)


# -------------------------------------------------------------------------- metrics


def test_metrics_judge_actions_against_true_classes():
    y_true = np.array(["good", "bad", "bad", "good", "bad"])
    y_pred = np.array(["approve", "review", "approve", "review", "decline"])
    # good-approve 0, bad-review 2, bad-approve 10, good-review 1, bad-decline 0
    for costs, kwargs in [
        (C_FRAME, {}),
        (C_DICT, {}),
        (C_SORTED, {"actions": ACTIONS}),
        (C_SORTED, {"actions": ACTIONS, "labels": CLASSES}),
    ]:
        assert total_cost(y_true, y_pred, costs, **kwargs) == 13.0
        assert mean_cost(y_true, y_pred, costs, **kwargs) == pytest.approx(13 / 5)
    # savings against the best single action for everyone: approve all 30, review all
    # 2 * 1 + 3 * 2 = 8, decline all 10; the best is review, 8
    assert savings_score(y_true, y_pred, C_FRAME) == pytest.approx(1 - 13 / 8)
    assert savings_score(y_true, ["review"] * 5, C_FRAME) == 0.0
    S = np.broadcast_to(C_SORTED, (5, 2, 3))
    assert total_cost(y_true, y_pred, sample_cost=S, actions=ACTIONS) == 13.0
    rows = S[np.arange(5), (y_true == "good").astype(int)]  # (n, m): each action's cost
    assert total_cost(y_true, y_pred, sample_cost=rows, actions=ACTIONS) == 13.0
    # a named matrix names the actions of per-example costs (and, as ever, their rows' order)
    assert total_cost(y_true, y_pred, C_FRAME, labels=CLASSES, sample_cost=2 * S) == 26.0

    with pytest.raises(
        ValueError,
        match=r"y_pred holds decisions \['good'\] that are not in the cost matrix's actions",
    ):
        total_cost(y_true, ["good"] * 5, C_FRAME)
    with pytest.raises(ValueError, match=r"cost_matrix must be a square .*actions="):
        total_cost(y_true, y_pred, C_SORTED, labels=CLASSES)
    with pytest.raises(ValueError, match=r"y_true and y_pred hold 5 labels .*actions="):
        total_cost(y_true, y_pred, sample_cost=S)  # without the actions' names


def test_scorer_takes_the_actions_from_the_estimator_or_its_own(credit):
    X, y = credit
    clf = MinimumCostClassifier(lr(), cost_matrix=C_SORTED, actions=ACTIONS).fit(X, y)
    pred = clf.predict(X)
    expected = -mean_cost(y, pred, C_SORTED, actions=ACTIONS)
    assert make_cost_scorer(C_SORTED)(clf, X, y) == pytest.approx(expected)
    assert make_cost_scorer(C_FRAME)(clf, X, y) == pytest.approx(expected)
    model = lr().fit(X, y)  # any classifier's classes, judged with their own square matrix
    assert make_cost_scorer(C_SORTED[:, [2, 0]])(model, X, y) <= 0


APPROVE_DECLINE = C_FRAME[["approve", "decline"]]


def test_grid_search_compares_three_and_two_actions_with_one_scorer(credit):
    """The actions guide's comparison as a search: both candidates get a finite score."""
    X, y = credit
    scorer = make_cost_scorer(C_FRAME)
    search = GridSearchCV(
        MinimumCostClassifier(lr()),
        {"cost_matrix": [APPROVE_DECLINE, C_FRAME]},
        scoring=scorer,
        cv=3,
        error_score="raise",
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    # the right winner: a review at 1 that catches most defaults beats approve/decline
    assert scores[1] > scores[0]
    assert list(search.best_params_["cost_matrix"].columns) == ACTIONS
    two = MinimumCostClassifier(lr(), cost_matrix=APPROVE_DECLINE).fit(X, y)
    assert set(two.predict(X)) == {"approve", "decline"}
    expected = -mean_cost(y, two.predict(X), C_FRAME)
    assert scorer(two, X, y) == pytest.approx(expected)
    # the scorer's own actions decide its columns, for an array matrix as for a DataFrame
    own = make_cost_scorer(C_SORTED, actions=ACTIONS)
    assert own(two, X, y) == pytest.approx(expected)


def test_grid_search_with_routed_per_example_costs_over_three_actions(credit):
    X, y = credit
    fee = np.random.default_rng(1).uniform(0.5, 2.0, len(y))  # each file's review fee
    S = np.broadcast_to(C_SORTED, (len(y), 2, 3)).copy()
    S[:, :, 1] *= fee[:, None]
    with config_context(enable_metadata_routing=True):
        scorer = make_cost_scorer(actions=ACTIONS).set_score_request(sample_cost=True)
        search = GridSearchCV(
            MinimumCostClassifier(lr()),
            {"cost_matrix": [APPROVE_DECLINE, C_FRAME]},
            scoring=scorer,
            cv=3,
            error_score="raise",
        ).fit(X, y, sample_cost=S)
        assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
        assert list(search.best_params_["cost_matrix"].columns) == ACTIONS
        # the approve/decline model decides with its own two columns of each file's costs
        two = MinimumCostClassifier(lr(), cost_matrix=APPROVE_DECLINE).fit(X, y)
        decided = two.predict(X, sample_cost=S[:, :, [0, 2]])
        assert scorer(two, X, y, sample_cost=S) == pytest.approx(
            -mean_cost(y, decided, sample_cost=S, actions=ACTIONS)
        )


def test_a_decision_the_scorer_has_no_column_for_is_named(credit):
    X, y = credit
    hold = MinimumCostClassifier(lr(), cost_matrix=C_FRAME.rename(columns={"review": "hold"}))
    hold.fit(X, y)
    assert "hold" in set(hold.predict(X))
    outside = r"y_pred holds decisions \['hold'\] that are not in the cost matrix's actions"
    with pytest.raises(ValueError, match=outside + r" \['approve', 'review', 'decline'\]"):
        make_cost_scorer(C_FRAME)(hold, X, y)
    three = MinimumCostClassifier(lr(), cost_matrix=C_FRAME).fit(X, y)
    with pytest.raises(ValueError, match=r"y_pred holds decisions \['review'\]"):
        make_cost_scorer(C_SORTED[:, [0, 2]], actions=["approve", "decline"])(three, X, y)
    # a model predicting classes, judged on a matrix of actions
    with pytest.raises(ValueError, match=r"y_pred holds decisions \['bad', 'good'\]"):
        make_cost_scorer(C_FRAME)(lr().fit(X, y), X, y)


def test_keras_classifier_of_two_actions_scored_on_three(credit, small):
    X, y = credit
    clf = small(cost_matrix=APPROVE_DECLINE, epochs=3).fit(X, y)
    assert clf.actions_.tolist() == ["approve", "decline"]
    assert make_cost_scorer(C_FRAME)(clf, X, y) == pytest.approx(
        -mean_cost(y, clf.predict(X), C_FRAME)
    )


# ------------------------------------------------------------------------- plotting


def test_display_shows_classes_by_actions():
    y_true = ["good", "bad", "bad", "good", "bad"]
    y_pred = ["approve", "review", "approve", "review", "review"]
    display = CostConfusionMatrixDisplay.from_predictions(y_true, y_pred, C_DICT)
    np.testing.assert_array_equal(display.confusion_matrix, [[1, 2, 0], [1, 1, 0]])
    np.testing.assert_array_equal(display.cell_costs_, [[10, 4, 0], [0, 1, 0]])
    assert display.total_cost_ == 15 == total_cost(y_true, y_pred, C_DICT)
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ACTIONS
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["bad", "good"]
    assert display.ax_.get_xlabel() == "Action"
    assert display.text_.shape == (2, 3)
    same = CostConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, C_SORTED, actions=ACTIONS, colorbar=False
    )
    np.testing.assert_array_equal(same.cell_costs_, display.cell_costs_)

    # per-example costs: a cell costs what its examples cost
    S = np.broadcast_to(C_SORTED, (5, 2, 3)) * np.arange(1, 6)[:, None, None]
    per_example = CostConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, actions=ACTIONS, sample_cost=S
    )
    assert per_example.total_cost_ == pytest.approx(
        total_cost(y_true, y_pred, sample_cost=S, actions=ACTIONS)
    )
    # the (bad, approve) cell holds the third example alone: 3 x 10
    assert per_example.cell_costs_[0, 0] == pytest.approx(30.0)


def test_display_from_an_estimator_with_actions(credit):
    X, y = credit
    clf = MinimumCostClassifier(lr(), cost_matrix=C_FRAME).fit(X, y)
    display = CostConfusionMatrixDisplay.from_estimator(clf, X, y)
    assert display.confusion_matrix.shape == (2, 3)
    assert display.total_cost_ == total_cost(y, clf.predict(X), C_FRAME)
    assert display.confusion_matrix[:, 1].sum() == (clf.predict(X) == "review").sum()


# ---------------------------------------------------------------------------- Keras


def test_keras_classifier_learns_classes_and_decides_actions(credit, small):
    X, y = credit
    clf = small(cost_matrix=C_FRAME, epochs=3).fit(X, y)
    assert clf.actions_.tolist() == ACTIONS
    assert clf.decision_ == "bayes"
    np.testing.assert_array_equal(clf.cost_matrix_, C_SORTED)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)  # the network's outputs are the classes
    risk = clf.predict_expected_cost(X)
    np.testing.assert_allclose(risk, proba @ C_SORTED)
    np.testing.assert_array_equal(clf.predict(X), np.array(ACTIONS)[risk.argmin(axis=1)])
    S = np.broadcast_to(C_SORTED, (len(X), 2, 3)) * [1.0, 5.0, 1.0]  # review costs 5x
    np.testing.assert_array_equal(
        clf.predict(X, sample_cost=S),
        np.array(ACTIONS)[np.einsum("ni,nia->na", proba, S).argmin(axis=1)],
    )
    assert make_cost_scorer(C_FRAME)(clf, X, y) == pytest.approx(
        -mean_cost(y, clf.predict(X), C_FRAME)
    )
    display = CostConfusionMatrixDisplay.from_estimator(clf, X, y)
    assert display.confusion_matrix.shape == (2, 3)
    with pytest.raises(ValueError, match="make_cost_scorer"):
        clf.score(X, y)


def test_keras_classifier_actions_per_output(credit, small):
    X, y = credit
    Y = np.column_stack([y, np.where(X[:, 1] > 0, "x", "z")])
    clf = small(cost_matrix={"output1": C_DICT}, epochs=3).fit(X, Y)
    assert clf.actions_[0].tolist() == ACTIONS and clf.actions_[1].tolist() == ["x", "z"]
    pred = clf.predict(X)
    assert set(pred[:, 0]) <= set(ACTIONS) and set(pred[:, 1]) <= {"x", "z"}
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(
        pred[:, 0], np.array(ACTIONS)[(proba[0] @ C_SORTED).argmin(axis=1)]
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"cost_matrix": C_FRAME, "cost_loss": "expected_cost"},
            r"cost_matrix has actions .* but cost_loss='expected_cost' trains with a square",
        ),
        (
            {"cost_matrix": {"output1": C_DICT}, "cost_loss": "argmax_weighted"},
            r"cost_matrix\['output1'\] has actions .* cost_loss='argmax_weighted'",
        ),
        (
            {"cost_matrix": C_DICT, "decision": "argmax"},
            r"cost_matrix has actions .* decision='argmax' predicts the most probable class",
        ),
        (
            {"cost_matrix": C_SORTED},
            r"cost_matrix must be a square .* named by a pandas DataFrame's columns or a dict",
        ),
        (
            {"cost_matrix": C_FRAME.loc[["good"]]},
            r"cost_matrix must have a row \(true class\) for every class",
        ),
    ],
)
def test_keras_classifier_refuses_before_training(credit, params, match, small):
    X, y = credit
    if isinstance(params["cost_matrix"], dict) and "output1" in params["cost_matrix"]:
        y = np.column_stack([y, np.where(X[:, 1] > 0, "x", "z")])
    clf = small(**params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_"), "a model was built: the check came too late"


def test_an_action_matrix_handed_to_a_keras_loss_is_refused():
    from costkeras.keras.losses import ExpectedCostCrossEntropy

    with pytest.raises(ValueError, match=r"must be a square \(k, k\) matrix; got shape \(2, 3\)"):
        ExpectedCostCrossEntropy(C_SORTED)


@pytest.mark.backend
def test_bayes_decision_layer_decides_among_actions():
    from keras import ops

    from costkeras.keras.layers import BayesDecision

    p1 = np.arange(65) / 64  # dyadic: float32 and float64 give the same expected costs
    proba = np.column_stack([1 - p1, p1]).astype("float32")
    layer = BayesDecision(C_SORTED)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(proba)), bayes_decision(proba, C_SORTED)
    )
    one_sigmoid = proba[:, 1:]  # p(class 1) alone, as a sigmoid unit gives it
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(one_sigmoid)), bayes_decision(proba, C_SORTED)
    )
    per_row = np.broadcast_to(C_SORTED * [1, 4, 1], (65, 2, 3)).astype("float32")
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(proba, sample_cost=per_row)), bayes_decision(proba, per_row)
    )
    assert set(ops.convert_to_numpy(layer(proba)).tolist()) == {0, 1, 2}


def test_actions_named_by_a_frame_judge_a_class_the_training_fold_lacked():
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.digitize(X[:, 0], [-0.4, 0.4])
    y[:2] = 3  # only in the first test fold
    costs = pd.DataFrame(
        [[0, 1, 5], [2, 1, 3], [6, 1, 0], [9, 2, 0]],
        index=[0, 1, 2, 3],
        columns=["approve", "review", "decline"],
    )
    train, test = next(iter(KFold(3).split(X)))
    model = MinimumCostClassifier(LogisticRegression(), cost_matrix=costs).fit(X[train], y[train])
    decided = model.predict(X[test])
    expected = -mean_cost(y[test], decided, costs)
    assert make_cost_scorer(costs)(model, X[test], y[test]) == pytest.approx(expected)
    as_dict = {t: dict(costs.loc[t]) for t in costs.index}
    assert make_cost_scorer(as_dict)(model, X[test], y[test]) == pytest.approx(expected)
    scores = cross_val_score(
        MinimumCostClassifier(LogisticRegression(), cost_matrix=costs),
        X,
        y,
        cv=KFold(3),
        scoring=make_cost_scorer(costs),
        error_score="raise",
    )
    assert np.all(np.isfinite(scores))


def test_actions_of_mixed_types_are_decided_and_scored_everywhere(small):
    """Actions may mix types (integer classes and a "review", Chow's reject option): every
    entry point takes them, and a model's own decisions are scored with its own matrix."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    mixed = pd.DataFrame([[0, 1, 5], [10, 2, 0]], index=[0, 1], columns=[1, "r", 0])
    as_dict = {t: dict(mixed.loc[t]) for t in mixed.index}
    for costs in (mixed, as_dict):
        fitted = MinimumCostClassifier(lr(), cost_matrix=costs).fit(X, y)
        decided = fitted.predict(X)
        assert set(decided.tolist()) <= {1, "r", 0}
        cost = mean_cost(y, decided, costs)
        assert np.isfinite(cost)
        assert make_cost_scorer(costs)(fitted, X, y) == pytest.approx(-cost)
        np.testing.assert_array_equal(predict_min_cost(fitted.estimator_, X, costs), decided)
        # the costs of the actions taken: a true 0 decided "r" costs 1, decided 0 costs 5
        positions = {1: 0, "r": 1, 0: 2}
        expected = [mixed.iloc[t, positions[d]] for t, d in zip(y, decided.tolist(), strict=True)]
        assert total_cost(y, decided, costs) == pytest.approx(sum(expected))
    network = small(cost_matrix=mixed, hidden_layer_sizes=(4,), epochs=1).fit(X, y)
    assert set(network.predict(X).tolist()) <= {1, "r", 0}
    assert np.isfinite(make_cost_scorer(mixed)(network, X, y))
    # an unnamed matrix names its actions with actions=
    assert np.isfinite(mean_cost(y, decided, mixed.to_numpy(), actions=[1, "r", 0]))
    # classes of mixed types stay refused, as scikit-learn refuses such y
    with pytest.raises(TypeError, match=r"y_true mixes labels of types"):
        mean_cost(np.array([0, "b"] * 20, dtype=object), decided, mixed)


def test_with_reject_option_keeps_the_kind_and_names_and_leaves_the_input():
    square = 1.0 - np.eye(2)
    frame = pd.DataFrame(square, index=["bad", "good"], columns=["bad", "good"])
    as_dict = {"bad": {"good": 1.0}, "good": {"bad": 1.0}}
    before = [square.copy(), frame.copy(), copy.deepcopy(as_dict)]

    array_out = with_reject_option(square, cost=0.3, name="defer")
    assert isinstance(array_out, np.ndarray)
    np.testing.assert_array_equal(array_out, [[0, 1, 0.3], [1, 0, 0.3]])
    frame_out = with_reject_option(frame, cost=0.3, name="defer")
    assert list(frame_out.columns) == ["bad", "good", "defer"]
    dict_out = with_reject_option(as_dict, cost=0.3, name="defer")
    assert dict_out == {"bad": {"good": 1.0, "defer": 0.3}, "good": {"bad": 1.0, "defer": 0.3}}

    np.testing.assert_array_equal(square, before[0])
    pd.testing.assert_frame_equal(frame, before[1])
    assert as_dict == before[2]

    # the three read as the same matrix of actions, classes first
    X, y = _tiny()
    y = np.where(y == "good", "good", "bad")
    fits = [
        MinimumCostClassifier(lr(), cost_matrix=array_out, actions=["bad", "good", "defer"]),
        MinimumCostClassifier(lr(), cost_matrix=frame_out),
        MinimumCostClassifier(lr(), cost_matrix=dict_out),
    ]
    for clf in fits:
        clf.fit(X, y)
        assert clf.actions_.tolist() == ["bad", "good", "defer"]
        np.testing.assert_array_equal(clf.cost_matrix_, array_out)
