"""The decision methods both estimators share, on fixed probabilities: predict, costs, score."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from costkeras._decision_mixin import CostDecisionMixin, DecisionOutput, spread_costs

PROBA = np.array([[0.8, 0.2], [0.95, 0.05], [0.1, 0.9]])
CLASSES = np.array(["ok", "fraud"])


class FixedProbabilities(CostDecisionMixin, ClassifierMixin, BaseEstimator):
    """The mixin's contract and nothing else: fixed probabilities of two classes."""

    def __init__(self, cost_matrix=None, actions=None):
        self.cost_matrix = cost_matrix
        self.actions = actions

    def _decision_outputs(self):
        ((costs, decisions),) = spread_costs(self.cost_matrix, self.actions, [CLASSES], None)
        named = None if self.actions is None else decisions
        return [
            DecisionOutput(
                "output1",
                2,
                costs.shape[1],
                costs,
                self.cost_matrix is not None,
                lambda positions: decisions[positions],
                named,
            )
        ]

    def _output_probas(self, X):
        return [PROBA[: len(X)]]


def test_the_cost_matrix_decides_and_costs_given_to_predict_decide_instead():
    clf = FixedProbabilities([[0, 1], [10, 0]])
    X = np.zeros((3, 1))
    assert clf.predict(X).tolist() == ["fraud", "ok", "fraud"]  # 0.2 * 10 > 0.8
    np.testing.assert_allclose(clf.predict_expected_cost(X), PROBA @ [[0, 1], [10, 0]])
    cheap = np.array([[[0, 1], [1, 0]]] * 3)
    assert clf.predict(X, sample_cost=cheap).tolist() == ["ok", "ok", "fraud"]
    assert FixedProbabilities().predict(X).tolist() == ["ok", "ok", "fraud"]  # most probable


def test_score_is_accuracy_and_is_refused_for_actions():
    X, y = np.zeros((3, 1)), ["ok", "ok", "ok"]
    assert FixedProbabilities([[0, 1], [10, 0]]).score(X, y) == pytest.approx(1 / 3)
    acting = FixedProbabilities([[0, 1, 3], [10, 2, 0]], actions=["pay", "check", "block"])
    assert acting.predict(X).tolist() == ["check", "pay", "block"]
    with pytest.raises(ValueError, match=r"score it with costkeras\.metrics\.make_cost_scorer"):
        acting.score(X, y)


def test_spread_costs_per_output_and_what_it_refuses():
    labels = [np.array([0, 1]), np.array(["a", "b", "c"])]
    (first, _), (second, actions) = spread_costs(
        {"y1": [[0, 1], [4, 0]]}, None, labels, ["y1", "y2"]
    )
    np.testing.assert_array_equal(first, [[0, 1], [4, 0]])
    np.testing.assert_array_equal(second, 1 - np.eye(3))  # None: the 0/1 cost
    assert actions.tolist() == ["a", "b", "c"]
    with pytest.raises(TypeError, match="cost_matrix must be a list with one matrix per output"):
        spread_costs(np.ones((2, 2)), None, labels, ["y1", "y2"])
    with pytest.raises(ValueError, match=r"actions\['y2'\] names the columns of cost_matrix"):
        spread_costs(None, {"y2": ["x", "z"]}, labels, ["y1", "y2"])
