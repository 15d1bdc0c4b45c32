import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from costkeras.metrics import total_cost
from costkeras.plotting import CostConfusionMatrixDisplay
from tests._helpers import ABC_COSTS

Y_TRUE = np.array(["A", "B", "B", "C", "A", "B"])
Y_PRED = np.array(["A", "C", "C", "C", "B", "B"])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def cell_texts(display):
    return [[text.get_text() for text in row] for row in display.text_]


def test_cells_show_counts_and_costs_and_title_the_total():
    display = CostConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED, ABC_COSTS)
    assert cell_texts(display) == [
        ["1", "1\n(1)", "0"],
        ["0", "1", "2\n(10)"],
        ["0", "0", "1"],
    ]
    assert display.total_cost_ == 11 == total_cost(Y_TRUE, Y_PRED, ABC_COSTS)
    assert display.ax_.get_title() == "Total cost: 11"
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["A", "B", "C"]
    assert display.ax_.get_xlabel() == "Predicted label"
    # the colour is the cost: the (B, C) cell is the most expensive
    np.testing.assert_array_equal(display.im_.get_array(), display.cell_costs_)


def test_dataframe_and_dict_cost_matrices_and_sample_weight():
    frame = pd.DataFrame(ABC_COSTS, index=list("ABC"), columns=list("ABC")).loc[
        list("CBA"), list("BAC")
    ]
    as_dict = {"A": {"B": 1, "C": 1}, "B": {"A": 1, "C": 5}, "C": {"A": 1, "B": 1}}
    for costs in (frame, as_dict):
        assert CostConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED, costs).total_cost_ == 11
    weighted = CostConfusionMatrixDisplay.from_predictions(
        Y_TRUE, Y_PRED, ABC_COSTS, sample_weight=[1, 2, 1, 1, 1, 1]
    )
    assert weighted.total_cost_ == 16


def test_from_estimator_costkeras_and_sklearn(abc_data, small):
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS).fit(X, y)
    display = CostConfusionMatrixDisplay.from_estimator(clf, X, y)
    assert display.total_cost_ == total_cost(y, clf.predict(X), ABC_COSTS)
    assert display.ax_.get_title() == f"Total cost: {display.total_cost_:g}"
    logistic = LogisticRegression().fit(X, y)
    display = CostConfusionMatrixDisplay.from_estimator(logistic, X, y, ABC_COSTS, colorbar=False)
    assert display.total_cost_ == total_cost(y, logistic.predict(X), ABC_COSTS)
    with pytest.raises(ValueError, match="cost_matrix is needed"):
        CostConfusionMatrixDisplay.from_estimator(logistic, X, y)


def test_one_panel_per_output():
    Y_true = np.array([[0, "x"], [1, "y"], [1, "x"]], dtype=object)
    Y_pred = np.array([[1, "x"], [1, "x"], [0, "x"]], dtype=object)
    displays = CostConfusionMatrixDisplay.from_predictions(
        Y_true, Y_pred, {"output1": [[0, 2], [7, 0]], "output2": [[0, 1], [3, 0]]}
    )
    assert len(displays) == 2
    assert displays[0].figure_ is displays[1].figure_
    assert len(displays[0].figure_.axes) == 4  # two panels and their colour bars
    assert [d.ax_.get_title() for d in displays] == [
        "output1: total cost: 9",
        "output2: total cost: 3",
    ]
    assert [t.get_text() for t in displays[1].ax_.get_xticklabels()] == ["x", "y"]


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install \"costkeras\[plot\]\""):
        CostConfusionMatrixDisplay.from_predictions(Y_TRUE, Y_PRED, ABC_COSTS)
