"""What a fitted estimator shows: its score, per-output attributes and probabilities."""

import numpy as np
import pytest

from tests._helpers import ABC_COSTS


def test_score_is_accuracy(abc_data, small):
    X, y = abc_data
    clf = small(cost_matrix=ABC_COSTS).fit(X, y)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))


def test_one_outputs_attributes_and_probabilities(abc_data, small):
    X, y = abc_data
    clf = small(epochs=1, cost_matrix=ABC_COSTS).fit(X, y)
    np.testing.assert_array_equal(clf.cost_matrix_, ABC_COSTS)
    assert clf.decision_ == "bayes"  # costs and a loss that leaves the probabilities be
    np.testing.assert_array_equal(clf.actions_, clf.classes_)
    with pytest.raises(AttributeError, match="several outputs only"):
        clf.output_names_  # noqa: B018
    proba = clf.predict_proba(X[:5])
    assert proba.dtype == np.float64  # as scikit-learn's classifiers give them
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_the_accuracy_of_several_outputs_counts_rows_with_every_output_right():
    from costkeras import CostSensitiveKerasClassifier

    y_true = np.array([[0, 1], [1, 1], [1, 0]])
    y_pred = np.array([[0, 1], [1, 0], [1, 0]])
    assert CostSensitiveKerasClassifier.scorer(y_true, y_pred) == pytest.approx(2 / 3)
    weighted = CostSensitiveKerasClassifier.scorer(y_true, y_pred, sample_weight=[1, 2, 1])
    assert weighted == pytest.approx(2 / 4)
