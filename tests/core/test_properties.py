"""Property-based tests (issue #11): invariances of the decision and the metrics, and
garbage in, only ``ValueError`` or ``TypeError`` out.

The arithmetic is exact where it can be: probabilities are multiples of 1/64
summing to 1 and costs are small integers, so a shifted or rescaled (by a power
of two) cost matrix gives bit-identical expected costs up to the shift, and the
decisions, ties included, must be identical. Other rescalings and relabellings
are checked up to rounding: each decision must be a least-cost one under the
original costs. Examples are derandomized (a fixed seed per test) and nothing
is stored between runs, so an xfail here fails or passes the same way every time.
"""

from __future__ import annotations

import re
import string
from unittest import mock

import keras
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import confusion_matrix

from costkeras._cost_matrix import check_cost_matrix
from costkeras._weights import check_sample_cost, check_sample_weight, class_weight_vector
from costkeras.decisions import bayes_decision, binary_threshold, expected_costs, predict_min_cost
from costkeras.metrics import mean_cost, savings_score, total_cost
from tests.core._strategies import (
    ALLOWED,
    FAST,
    FEW,
    garbage,
    label_lists,
    problems,
    raises_only_allowed,
)


def optimal(proba, costs, positions) -> bool:
    """Whether each decision has the least expected cost under ``costs`` (exact)."""
    risk = expected_costs(proba, costs)
    return bool(np.all(risk[np.arange(len(risk)), positions] == risk.min(axis=1)))


def nearly_optimal(proba, costs, positions) -> bool:
    risk = expected_costs(proba, costs)
    chosen = risk[np.arange(len(risk)), positions]
    scale = np.abs(costs).max() + 1.0
    return bool(np.all(chosen <= risk.min(axis=1) + 1e-9 * scale))


# ------------------------------------------------------- decision invariances
@FAST
@given(problems(), st.data())
def test_adding_a_constant_to_a_row_changes_no_decision(problem, data):
    proba, costs = problem
    row = data.draw(st.integers(0, len(costs) - 1))
    shifted = costs.copy()
    shifted[row] += data.draw(st.integers(-50, 50))
    np.testing.assert_array_equal(bayes_decision(proba, shifted), bayes_decision(proba, costs))


@FAST
@given(problems(), st.data())
def test_per_example_row_shifts_change_no_decision(problem, data):
    """Each example's own matrix may get its own constants on every row."""
    proba, costs = problem
    n, k = proba.shape
    per_example = np.tile(costs, (n, 1, 1))
    shifts = data.draw(arrays(np.int64, (n, k, 1), elements=st.integers(-30, 30)))
    decided = bayes_decision(proba, per_example + shifts)
    np.testing.assert_array_equal(decided, bayes_decision(proba, costs))
    np.testing.assert_array_equal(bayes_decision(proba, per_example), bayes_decision(proba, costs))


@FAST
@given(problems(), st.integers(-8, 8), st.floats(1e-3, 1e3))
def test_positive_scaling_changes_no_decision(problem, exponent, factor):
    proba, costs = problem
    decided = bayes_decision(proba, costs)
    np.testing.assert_array_equal(bayes_decision(proba, costs * 2.0**exponent), decided)
    assert nearly_optimal(proba, costs, bayes_decision(proba, costs * factor))


@FAST
@given(problems(), st.data())
def test_permuting_the_classes_permutes_the_decisions(problem, data):
    proba, costs = problem
    k = len(costs)
    order = np.array(data.draw(st.permutations(range(k))))
    decided = bayes_decision(proba[:, order], costs[np.ix_(order, order)])
    assert optimal(proba, costs, order[decided])  # ties may go another way
    risk = expected_costs(proba, costs)
    unique = (risk == risk.min(axis=1, keepdims=True)).sum(axis=1) == 1
    np.testing.assert_array_equal(order[decided][unique], bayes_decision(proba, costs)[unique])


class _Fixed:
    """A fitted classifier stand-in: ``classes_`` and fixed probabilities."""

    def __init__(self, classes, proba):
        self.classes_ = np.asarray(classes)
        self._proba = proba

    def predict_proba(self, X):
        return self._proba


@FAST
@given(problems(max_k=4), st.sampled_from(["frame", "dict"]), st.data())
def test_renaming_the_labels_renames_the_decisions(problem, form, data):
    """Decisions of labelled cost matrices follow the labels, whatever their sort order."""
    proba, costs = problem
    k = len(costs)
    names = data.draw(label_lists(k))
    old = np.arange(k)  # classes 0..k-1, in order
    rename = dict(zip(old.tolist(), names, strict=True))
    new_classes = np.array(sorted(names))
    order = np.array([names.index(label) for label in new_classes])  # new column -> old class

    def labelled(labels):
        if form == "frame":
            return pd.DataFrame(costs, index=labels, columns=labels)
        return {t: {p: costs[i, j] for j, p in enumerate(labels)} for i, t in enumerate(labels)}

    before = predict_min_cost(_Fixed(old, proba), None, labelled(old.tolist()))
    after = predict_min_cost(_Fixed(new_classes, proba[:, order]), None, labelled(names))
    risk = expected_costs(proba, costs)
    after_old = np.array([names.index(label) for label in after])
    assert optimal(proba, costs, after_old)
    unique = (risk == risk.min(axis=1, keepdims=True)).sum(axis=1) == 1
    np.testing.assert_array_equal(
        np.array([rename[b] for b in before.tolist()])[unique], after[unique]
    )


@FAST
@given(problems())
def test_expected_costs_are_the_definition(problem):
    proba, costs = problem
    n, k = proba.shape
    by_hand = np.array(
        [[sum(proba[m, i] * costs[i, j] for i in range(k)) for j in range(k)] for m in range(n)]
    )
    np.testing.assert_array_equal(expected_costs(proba, costs), by_hand)
    np.testing.assert_array_equal(expected_costs(proba, np.tile(costs, (n, 1, 1))), by_hand)
    np.testing.assert_array_equal(bayes_decision(proba, costs), np.argmin(by_hand, axis=1))


# ------------------------------------------------------------ metric identities
@st.composite
def predictions(draw):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, 12))
    y_true = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    y_pred = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    costs = draw(arrays(np.int64, (k, k), elements=st.integers(0, 20))).astype(float)
    costs[0, 1] += 1 if np.all(costs == costs[:, :1]) else 0  # constant rows are refused
    weights = draw(arrays(np.int64, n, elements=st.integers(0, 5))).astype(float)
    return y_true, y_pred, costs, weights


@FAST
@given(predictions())
def test_total_cost_is_the_confusion_matrix_times_the_costs(case):
    y_true, y_pred, costs, weights = case
    labels = np.arange(len(costs))
    confusion = confusion_matrix(y_true, y_pred, labels=labels)
    assert total_cost(y_true, y_pred, costs, labels=labels) == (confusion * costs).sum()
    total = total_cost(y_true, y_pred, costs, labels=labels, sample_weight=weights)
    if weights.sum() == 0:  # scikit-learn's confusion_matrix refuses all-zero weights
        assert total == 0
    else:
        weighted = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weights)
        assert total == pytest.approx((weighted * costs).sum())
        mean = mean_cost(y_true, y_pred, costs, labels=labels, sample_weight=weights)
        assert mean == pytest.approx(total / weights.sum())
    # per-example costs: the same matrix for every row, or each row's true-class costs
    tiled = np.tile(costs, (len(y_true), 1, 1))
    assert total_cost(y_true, y_pred, labels=labels, sample_cost=tiled) == total_cost(
        y_true, y_pred, costs, labels=labels
    )
    rows = costs[y_true]
    assert total_cost(y_true, y_pred, labels=labels, sample_cost=rows) == total_cost(
        y_true, y_pred, costs, labels=labels
    )


@FAST
@given(predictions(), st.data())
def test_total_cost_follows_renamed_labels(case, data):
    y_true, y_pred, costs, _ = case
    k = len(costs)
    names = np.array(
        data.draw(
            st.lists(
                st.text(string.ascii_lowercase, min_size=1, max_size=3),
                min_size=k,
                max_size=k,
                unique=True,
            )
        )
    )
    expected = total_cost(y_true, y_pred, costs, labels=np.arange(k))
    order = np.array(data.draw(st.permutations(range(k))))
    # the same costs, rows and columns listed in another order under the new names
    assert (
        total_cost(names[y_true], names[y_pred], costs[np.ix_(order, order)], labels=names[order])
        == expected
    )
    frame = pd.DataFrame(costs, index=names, columns=names)
    assert total_cost(names[y_true], names[y_pred], frame.iloc[order, order]) == expected


@FAST
@given(predictions())
def test_savings_is_relative_to_the_best_constant_prediction(case):
    y_true, y_pred, costs, _ = case
    labels = np.arange(len(costs))
    constants = costs[y_true].sum(axis=0)  # cost of predicting each class for every row
    total = total_cost(y_true, y_pred, costs, labels=labels)
    if constants.min() == 0:
        with pytest.raises(ValueError, match="savings_score is undefined"):
            savings_score(y_true, y_pred, costs, labels=labels)
    else:
        savings = savings_score(y_true, y_pred, costs, labels=labels)
        assert savings == pytest.approx(1 - total / constants.min())


@FAST
@given(garbage, garbage)
def test_decisions_refuse_garbage_clearly(proba, costs):
    raises_only_allowed(bayes_decision, proba, costs)
    raises_only_allowed(bayes_decision, proba, [[0, 1], [1, 0]])
    raises_only_allowed(bayes_decision, [[0.5, 0.5]], costs)
    raises_only_allowed(expected_costs, proba, costs)
    raises_only_allowed(binary_threshold, costs)


@FAST
@example(value=5)
@given(garbage)
def test_metrics_refuse_garbage_costs_clearly(value):
    y = [0, 1, 1]
    raises_only_allowed(total_cost, y, y, value)
    raises_only_allowed(total_cost, y, y, sample_cost=value)
    raises_only_allowed(mean_cost, y, y, [[0, 1], [1, 0]], labels=value)
    raises_only_allowed(savings_score, y, y, [[0, 1], [1, 0]], sample_weight=value)


@FAST
@given(garbage, garbage)
def test_metrics_refuse_garbage_labels_clearly(y_true, y_pred):
    raises_only_allowed(total_cost, y_true, y_pred, [[0, 1], [1, 0]])
    raises_only_allowed(total_cost, y_true, [0, 1], [[0, 1], [1, 0]], labels=[0, 1])


@settings(max_examples=5, deadline=None, database=None, derandomize=True)
@given(st.integers(min_value=2**1024, max_value=2**2000))
def test_huge_numbers_are_refused_clearly(huge):
    raises_only_allowed(check_cost_matrix, [[0, huge], [1, 0]], [0, 1])
    raises_only_allowed(check_cost_matrix, {0: {1: huge}, 1: {0: 1}}, [0, 1])
    raises_only_allowed(class_weight_vector, {0: huge}, np.arange(2), np.arange(2))
    raises_only_allowed(check_sample_cost, [[0, huge]], 1, 2)
    raises_only_allowed(check_sample_weight, [huge], 1)


# ------------------------------------------------------------- the estimator
X_FIT = np.random.default_rng(5).normal(size=(60, 3)) + 2.0 * np.eye(3)[np.arange(60) % 3]
Y_FIT = np.array(["ant", "bee", "cat"])[np.arange(60) % 3]


@pytest.fixture(scope="module")
def fitted_once(small):
    """One small estimator fitted without costs, shared by the examples."""
    return small(hidden_layer_sizes=(4,), epochs=1, run_eagerly=True).fit(X_FIT, Y_FIT)


@FEW
@given(rows=st.lists(st.integers(0, 59), min_size=1, max_size=8), data=st.data())
def test_predict_with_per_example_costs_is_their_bayes_decision(fitted_once, rows, data):
    clf = fitted_once
    X = X_FIT[rows]
    costs = data.draw(arrays(np.float64, (len(rows), 3, 3), elements=st.floats(-50.0, 50.0)))
    costs[0, 0, 1] += 1 if np.all(costs == costs[..., :1]) else 0  # constant rows are refused
    original = costs.copy()
    labels = clf.predict(X, sample_cost=costs)
    risk = clf.predict_expected_cost(X, sample_cost=costs)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(risk, np.einsum("ni,nij->nj", proba, costs), rtol=1e-6, atol=1e-6)
    positions = np.searchsorted(clf.classes_, labels)
    # predict is the argmin of predict_expected_cost, except where two decisions tie to
    # rounding (then either is a least-cost decision)
    ordered = np.sort(risk, axis=1)
    clear = ordered[:, 1] - ordered[:, 0] > 1e-9 * (np.abs(costs).max() + 1)
    np.testing.assert_array_equal(positions[clear], np.argmin(risk, axis=1)[clear])
    assert nearly_optimal_rows(proba, costs, positions)
    np.testing.assert_array_equal(costs, original)
    # a constant added to each row of each example's matrix changes no decision
    shifts = data.draw(arrays(np.float64, (len(rows), 3, 1), elements=st.floats(-9.0, 9.0)))
    shifted = np.searchsorted(clf.classes_, clf.predict(X, sample_cost=costs + shifts))
    assert nearly_optimal_rows(proba, costs, shifted)


def nearly_optimal_rows(proba, per_example, positions) -> bool:
    risk = np.einsum("ni,nij->nj", proba, per_example)
    chosen = risk[np.arange(len(risk)), positions]
    return bool(np.all(chosen <= risk.min(axis=1) + 1e-4 * (np.abs(per_example).max() + 1)))


# ------------------------------------- one check of a cost matrix, every entry point
# Every entry point that takes a cost matrix calls _cost_matrix.check_costs: the same
# matrices are refused, with the same error and message. The estimator is fitted on
# Y_FIT's classes; the other entry points judge a logistic regression fitted on them.
CLASSES = ["ant", "bee", "cat"]


@st.composite
def invalid_matrices(draw):
    """(kind, a cost matrix every entry point must refuse) for the classes ant, bee, cat."""
    base = draw(arrays(np.int64, (3, 3), elements=st.integers(0, 9))).astype(float)
    base[0, 1] += 1 if np.all(base == base[:, :1]) else 0  # decidable until broken below
    kind = draw(
        st.sampled_from(
            [
                "not finite",
                "constant rows",
                "one action",
                "wrong square shape",
                "not square",
                "ragged",
                "text",
                "complex",
                "frame with unknown labels",
                "dict lacking entries",
                "empty",
                "scalar",
            ]
        )
    )
    i, j = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    if kind == "not finite":
        base[i, j] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return kind, draw(st.sampled_from([base, base.tolist(), _frame(base)]))
    if kind == "constant rows":
        rows = draw(arrays(np.int64, (3, 1), elements=st.integers(-5, 5))).astype(float)
        return kind, draw(st.sampled_from([np.repeat(rows, 3, axis=1), _frame(rows.repeat(3, 1))]))
    if kind == "one action":
        column = draw(st.sampled_from(["approve", "ant"]))
        frame = pd.DataFrame({column: base[:, 0]}, index=CLASSES)
        as_dict = {label: {column: float(base[r, 0])} for r, label in enumerate(CLASSES)}
        return kind, draw(st.sampled_from([frame, as_dict]))
    if kind == "wrong square shape":
        size = draw(st.sampled_from([1, 2, 4, 5]))
        return kind, np.ones((size, size)) - np.eye(size)
    if kind == "not square":
        columns = draw(st.sampled_from([1, 2, 4]))
        values = draw(arrays(np.int64, (3, columns), elements=st.integers(0, 9)))
        values[0, -1] += 1 if columns > 1 and np.all(values == values[:, :1]) else 0
        return kind, values.tolist()  # one thing wrong at a time: its shape
    if kind == "ragged":
        rows = base.tolist()
        rows[i] = rows[i][: draw(st.integers(0, 2))]
        return kind, rows
    if kind == "text":
        text = base.astype(int).astype(str)
        return kind, draw(st.sampled_from([text, text.tolist(), [["a", "b", "c"]] * 3]))
    if kind == "complex":
        return kind, base + 1j
    if kind == "frame with unknown labels":
        labels = list(CLASSES)
        labels[i] = draw(st.sampled_from(["dog", "eel"]))
        return kind, pd.DataFrame(base, index=labels, columns=labels)
    if kind == "dict lacking entries":
        as_dict = {
            t: {p: float(base[r, c]) for c, p in enumerate(CLASSES)} for r, t in enumerate(CLASSES)
        }
        off_diagonal = [(t, p) for t in CLASSES for p in CLASSES if t != p]
        for t, p in draw(st.lists(st.sampled_from(off_diagonal), min_size=1, unique=True)):
            del as_dict[t][p]
        return kind, as_dict
    if kind == "empty":
        return kind, draw(st.sampled_from([[], np.zeros((0, 0)), np.zeros((3, 0))]))
    return kind, draw(st.sampled_from([5, 0.5, True]))


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame(values, index=CLASSES, columns=CLASSES)


def _refusal(function) -> tuple[type, str]:
    """What ``function()`` raises: its type and message (it must raise one of ALLOWED)."""
    with pytest.raises(ALLOWED) as error:
        function()
    return type(error.value), str(error.value)


@pytest.fixture(scope="module")
def judged():
    """A classifier fitted on the estimator's classes, its predictions and probabilities."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(X_FIT, Y_FIT)
    return model, model.predict(X_FIT)


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(case=invalid_matrices())
def test_every_entry_point_refuses_the_same_matrices_with_the_same_message(judged, case, small):
    from sklearn.frozen import FrozenEstimator

    from costkeras import MinimumCostClassifier
    from costkeras.metrics import make_cost_scorer

    _, matrix = case
    model, predictions = judged
    network = small(cost_matrix=matrix, hidden_layer_sizes=(4,), epochs=1)
    refusals = {
        "MinimumCostClassifier": lambda: MinimumCostClassifier(
            FrozenEstimator(model), cost_matrix=matrix
        ).fit(X_FIT, Y_FIT),
        "predict_min_cost": lambda: predict_min_cost(model, X_FIT, matrix),
        "make_cost_scorer": lambda: make_cost_scorer(matrix)(model, X_FIT, Y_FIT),
        "mean_cost": lambda: mean_cost(Y_FIT, predictions, matrix, labels=CLASSES),
        "savings_score": lambda: savings_score(Y_FIT, predictions, matrix, labels=CLASSES),
    }
    found = {name: _refusal(refuse) for name, refuse in refusals.items()}
    with mock.patch.object(keras.Model, "fit", side_effect=AssertionError("it trained")):
        error, message = _refusal(lambda: network.fit(X_FIT, Y_FIT))
    assert "model_" not in vars(network)
    square = "cost_matrix must be a square (k, k) matrix over the classes"
    if message.startswith(square):  # the estimator has no actions parameter to name columns
        other = found["MinimumCostClassifier"][1]
        assert other.startswith(square) and other.split("; got")[1] == message.split("; got")[1]
        message = other
    found["CostSensitiveKerasClassifier"] = (error, message)
    assert len(set(found.values())) == 1, found
    assert message.startswith("cost_matrix"), message


@FAST
@given(
    base=arrays(np.int64, (3, 3), elements=st.integers(0, 9)),
    broken=st.sampled_from(["nan", "inf", "constant", "text", "complex", "ragged", "one"]),
)
def test_the_decisions_of_probabilities_refuse_what_the_others_refuse(judged, base, broken):
    """bayes_decision and expected_costs take positional arrays: the same content checks."""
    model, _ = judged
    proba = model.predict_proba(X_FIT[:4])
    costs = base.astype(float)
    costs[0, 1] += 1 if np.all(costs == costs[:, :1]) else 0
    matrix = {
        "nan": np.where(costs == costs[0, 0], np.nan, costs),
        "inf": np.where(costs == costs[0, 0], np.inf, costs),
        "constant": np.repeat(costs[:, :1], 3, axis=1),
        "text": costs.astype(int).astype(str).tolist(),
        "complex": costs + 1j,
        "ragged": [costs[0].tolist(), costs[1, :2].tolist(), costs[2].tolist()],
        "one": costs[:, :1],
    }[broken]
    expected = _refusal(lambda: predict_min_cost(model, X_FIT[:4], matrix, actions=None))
    if broken == "one":  # an unnamed (3, 1) array is refused for want of its actions' names;
        # positionally it is one decision, refused as a one-action matrix is elsewhere
        expected = _refusal(lambda: predict_min_cost(model, X_FIT[:4], matrix, actions=["approve"]))
    for decide in (bayes_decision, expected_costs):
        assert _refusal(lambda: decide(proba, matrix)) == expected, decide.__name__  # noqa: B023


# ------------------------------------------------------- one-hot rows are one output's labels
@FAST
@given(
    k=st.integers(2, 5),
    n=st.integers(1, 12),
    data=st.data(),
    named=st.booleans(),
    as_bool=st.booleans(),
)
def test_one_hot_rows_cost_what_their_labels_cost(k, n, data, named, as_bool):
    """CostSensitiveKerasClassifier reads a one-hot y as one output and predicts one-hot rows;
    the metrics read them so too, with one (k, k) matrix over their k columns."""
    positions = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    true, pred = np.array(data.draw(positions)), np.array(data.draw(positions))
    matrix = data.draw(arrays(np.int64, (k, k), elements=st.integers(0, 9))).astype(float)
    matrix[0, 1] += 1 if np.all(matrix == matrix[:, :1]) else 0
    matrix[0, 0] += 1 if not np.any(matrix @ np.ones(k)) else 0  # a constant costs something
    labels = list(string.ascii_lowercase[:k]) if named else None
    names = np.array(labels) if named else np.arange(k)
    rows = np.eye(k, dtype=bool if as_bool else int)
    Y_true, Y_pred = rows[true], rows[pred]
    kept = (Y_true.copy(), Y_pred.copy())
    for metric in (total_cost, mean_cost):
        on_labels = metric(names[true], names[pred], matrix, labels=list(names))
        assert metric(Y_true, Y_pred, matrix, labels=labels) == on_labels
    try:
        expected = savings_score(names[true], names[pred], matrix, labels=list(names))
    except ValueError as error:
        with pytest.raises(ValueError, match=re.escape(str(error))):
            savings_score(Y_true, Y_pred, matrix, labels=labels)
    else:
        assert savings_score(Y_true, Y_pred, matrix, labels=labels) == expected
    np.testing.assert_array_equal(Y_true, kept[0])
    np.testing.assert_array_equal(Y_pred, kept[1])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "costs"),
    [
        (np.eye(3)[[0, 1, 2, 1]], np.eye(3)[[0, 1, 2, 1]], [[0, 1], [1, 0]]),  # k is not 3
        (np.eye(2)[[0, 1, 1]] * 2, np.eye(2)[[0, 1, 1]], [[0, 1], [1, 0]]),  # not 0/1
        (np.ones((3, 2), int), np.ones((3, 2), int), [[0, 1], [1, 0]]),  # two 1s a row
        (np.eye(2)[[0, 1, 1]], np.array([[0, 1], [1, 1], [0, 1]]), [[0, 1], [1, 0]]),
    ],
    ids=["k differs", "not 0/1", "two ones", "y_pred not one-hot"],
)
def test_a_2d_y_that_is_not_one_hot_says_how_to_pass_labels(y_true, y_pred, costs):
    message = r"read as .* outputs \(one per column\).*y\.argmax\(axis=1\) for one-hot rows"
    with pytest.raises(ValueError, match=message):
        mean_cost(y_true, y_pred, costs)
