import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import cross_val_score

from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost

C = np.array([[0, 1, 1], [1, 0, 5], [1, 1, 0]], dtype=float)
Y_TRUE = np.array(["A", "B", "B", "C", "A"])
Y_PRED = np.array(["A", "C", "A", "C", "B"])  # costs 0, 5, 1, 0, 1


def test_total_cost_hand_computed_and_matches_confusion_matrix():
    assert total_cost(Y_TRUE, Y_PRED, C) == 7.0
    labels = ["A", "B", "C"]
    assert (
        total_cost(Y_TRUE, Y_PRED, C) == (confusion_matrix(Y_TRUE, Y_PRED, labels=labels) * C).sum()
    )


def test_mean_cost_and_sample_weight():
    assert mean_cost(Y_TRUE, Y_PRED, C) == pytest.approx(7 / 5)
    weights = [1, 2, 1, 1, 0]
    assert total_cost(Y_TRUE, Y_PRED, C, sample_weight=weights) == 11.0
    assert mean_cost(Y_TRUE, Y_PRED, C, sample_weight=weights) == pytest.approx(11 / 5)


def test_labels_set_the_matrix_order():
    # The same matrix written with the labels in another order gives the same cost.
    order = ["C", "A", "B"]
    pos = [2, 0, 1]
    reordered = C[np.ix_(pos, pos)]
    assert total_cost(Y_TRUE, Y_PRED, reordered, labels=order) == 7.0


def test_dataframe_and_dict_forms():
    frame = pd.DataFrame(C, index=["A", "B", "C"], columns=["A", "B", "C"]).loc[
        ["C", "B", "A"], ["B", "A", "C"]
    ]
    assert total_cost(Y_TRUE, Y_PRED, frame) == 7.0
    as_dict = {"A": {"B": 1, "C": 1}, "B": {"A": 1, "C": 5}, "C": {"A": 1, "B": 1}}
    assert total_cost(Y_TRUE, Y_PRED, as_dict) == 7.0


def test_missing_labels_need_the_labels_argument():
    with pytest.raises(ValueError, match="labels="):
        total_cost(["A", "B"], ["A", "B"], C)
    assert total_cost(["A", "B"], ["A", "C"], C, labels=["A", "B", "C"]) == 5.0


def test_unknown_label_is_named():
    with pytest.raises(ValueError, match=r"\['D'\]"):
        total_cost(["A", "D"], ["A", "B"], C, labels=["A", "B", "C"])


def test_savings_against_best_constant_prediction():
    y_true = np.array([0, 1, 1, 0])
    costs = [[0, 1], [5, 0]]
    # Always predicting 1 costs 2 (two false alarms); always predicting 0 costs 10.
    assert savings_score(y_true, [1, 1, 1, 1], costs) == 0.0
    assert savings_score(y_true, y_true, costs) == 1.0
    assert savings_score(y_true, [0, 1, 1, 1], costs) == 0.5
    assert savings_score(y_true, [0, 0, 0, 0], costs) == pytest.approx(1 - 10 / 2)


def test_import_does_not_load_tensorflow_or_keras():
    code = (
        "import sys, costkeras.metrics; "
        "print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _fold_lacking_class_3():
    """Four classes; the first KFold(3) training fold lacks class 3, its test fold holds it."""
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.digitize(X[:, 0], [-0.4, 0.4])
    y[:2] = 3
    return X, y, KFold(3)


@pytest.mark.parametrize("form", ["frame", "dict"])
def test_a_named_matrix_judges_with_the_labels_it_names(form):
    from costkeras import MinimumCostClassifier

    X, y, folds = _fold_lacking_class_3()
    costs = 1 - np.eye(4)
    costs[1, 2] = costs[3, 0] = 5
    frame = pd.DataFrame(costs, index=range(4), columns=range(4))
    named = frame if form == "frame" else {t: dict(frame.loc[t]) for t in frame.index}
    train, test = next(iter(folds.split(X)))
    model = MinimumCostClassifier(LogisticRegression(), cost_matrix=named).fit(X[train], y[train])
    assert model.classes_.tolist() == [0, 1, 2]  # the fold lacks class 3
    expected = -mean_cost(y[test], model.predict(X[test]), costs, labels=[0, 1, 2, 3])
    assert make_cost_scorer(named)(model, X[test], y[test]) == pytest.approx(expected)
    # the same routed per-example matrices decide (cut to the fitted classes) and judge
    per_example = np.repeat(costs[None], len(test), axis=0)
    assert make_cost_scorer(named)(
        model, X[test], y[test], sample_cost=per_example
    ) == pytest.approx(expected)
    scores = cross_val_score(
        MinimumCostClassifier(LogisticRegression(), cost_matrix=named),
        X,
        y,
        cv=folds,
        scoring=make_cost_scorer(named),
        error_score="raise",
    )
    assert np.all(np.isfinite(scores))
    # an array names no labels: the fitted classes_ judge, and a class they lack is named
    with pytest.raises(ValueError, match=r"y_true holds labels \[3\]"):
        make_cost_scorer(costs[:3, :3])(model, X[test], y[test])
