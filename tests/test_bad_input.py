"""Every bad input gets a clear error naming the parameter, before any training."""

import numpy as np
import pandas as pd
import pytest

from tests._helpers import ABC_COSTS


def assert_rejected_before_training(clf, X, y, error, match, **fit_params):
    with pytest.raises(error, match=match):
        clf.fit(X, y, **fit_params)
    assert not hasattr(clf, "model_"), "a model was built: the check came too late"


@pytest.mark.parametrize(
    ("cost_matrix", "match"),
    [
        ([[0, 1, 1], [1, 0, 5]], r"cost_matrix must be a square"),
        ([[0, 1], [1, 0]], r"cost_matrix has shape \(2, 2\) but there are 3 classes"),
        ([[0, 1, 1], [1, np.nan, 5], [1, 1, 0]], r"cost_matrix must contain only finite"),
        ([[0, 1, 1], [1, 0, np.inf], [1, 1, 0]], r"cost_matrix must contain only finite"),
        (
            pd.DataFrame(np.zeros((3, 3)), index=["A", "B", "D"], columns=["A", "B", "D"]),
            r"cost_matrix refers to labels \['D'\] that are not classes",
        ),
        ({"A": {"B": 1}, "Z": {"A": 1}}, r"cost_matrix refers to labels \['Z'\]"),
        ({"A": {"B": 1, "C": 1}}, r"cost_matrix .* lacks the cost"),
        ([["a", "b", "c"]] * 3, r"cost_matrix must be a numeric"),
    ],
)
def test_bad_cost_matrix(abc_data, cost_matrix, match, small):
    X, y = abc_data
    error = TypeError if "numeric" in match else ValueError
    assert_rejected_before_training(small(cost_matrix=cost_matrix), X, y, error, match)


@pytest.mark.parametrize("cost_loss", ["argmax_weighted", "class_weighted"])
def test_negative_costs_rejected_where_the_loss_needs_weights(abc_data, cost_loss, small):
    X, y = abc_data
    negative = [[-1, 1, 1], [1, 0, 5], [1, 1, 0]]
    clf = small(cost_matrix=negative, cost_loss=cost_loss)
    assert_rejected_before_training(
        clf, X, y, ValueError, rf"cost_matrix must have no negative.*{cost_loss}"
    )


@pytest.mark.parametrize("cost_loss", ["cross_entropy", "expected_cost"])
def test_negative_costs_fine_for_bayes_and_expected_cost(abc_data, cost_loss, small):
    X, y = abc_data
    benefit = [[-1, 1, 1], [1, 0, 5], [1, 1, 0]]  # a correct "A" earns 1
    small(epochs=1, cost_matrix=benefit, cost_loss=cost_loss).fit(X, y)


def test_class_weight_label_not_a_class(abc_data, small):
    X, y = abc_data
    clf = small(class_weight={"A": 2, "Q": 3})
    assert_rejected_before_training(clf, X, y, ValueError, r"class_weight refers to labels \['Q'\]")


def test_negative_class_weight(abc_data, small):
    X, y = abc_data
    assert_rejected_before_training(
        small(class_weight={"A": -2}), X, y, ValueError, "class_weight values"
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"cost_loss": "focal"}, r"'cost_loss' parameter .* must be a str among"),
        ({"decision": "threshold"}, r"'decision' parameter .* must be a str among"),
        ({"class_weight": "auto"}, r"'class_weight' parameter"),
        ({"epochs": 0}, r"'epochs' parameter"),
        ({"cost_loss": "expected_cost"}, r"cost_loss='expected_cost' needs a cost_matrix"),
    ],
)
def test_bad_parameters(abc_data, params, match, small):
    X, y = abc_data
    assert_rejected_before_training(small(**params), X, y, ValueError, match)


def test_single_class_y(abc_data, small):
    X, _ = abc_data
    assert_rejected_before_training(
        small(), X, np.full(len(X), "A"), ValueError, r"y has one class only"
    )


def test_continuous_y(abc_data, small):
    X, _ = abc_data
    y = np.linspace(0, 1, len(X))
    assert_rejected_before_training(small(), X, y, ValueError, r"Unknown label type: continuous")


def test_nan_in_X(abc_data, small):
    X, y = abc_data
    X = X.copy()
    X[3, 1] = np.nan
    assert_rejected_before_training(small(), X, y, ValueError, r"Input X contains NaN")


def test_sample_weight_of_wrong_length(abc_data, small):
    X, y = abc_data
    assert_rejected_before_training(
        small(), X, y, ValueError, r"sample_weight", sample_weight=np.ones(len(y) - 1)
    )


def test_wrong_number_of_features_at_predict(abc_data, small):
    X, y = abc_data
    clf = small(epochs=1).fit(X, y)
    with pytest.raises(
        ValueError, match=r"X has 3 features, but CostSensitiveKerasClassifier is expecting 4"
    ):
        clf.predict(X[:, :3])


def test_user_arrays_are_never_modified(abc_data, small):
    X, y = abc_data
    X_copy, y_copy = X.copy(), y.copy()
    costs = np.array(ABC_COSTS, dtype=float)
    costs_copy = costs.copy()
    weights = np.linspace(0.5, 2, len(y))
    weights_copy = weights.copy()
    clf = small(epochs=1, cost_matrix=costs, class_weight={"B": 3}).fit(X, y, sample_weight=weights)
    clf.predict(X)
    for array, copy in [(X, X_copy), (y, y_copy), (costs, costs_copy), (weights, weights_copy)]:
        np.testing.assert_array_equal(array, copy)
