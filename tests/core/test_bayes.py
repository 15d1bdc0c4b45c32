"""The one Bayes minimum-risk decision in NumPy: expected costs, positions, labels, near-ties."""

import numpy as np
import pytest

from costkeras._bayes import decision_labels, decision_positions, expected_costs, tie_tolerance


def test_expected_costs_of_one_matrix_of_a_matrix_per_row_and_of_none():
    proba = np.array([[0.8, 0.2], [0.3, 0.7]])
    costs = np.array([[0.0, 1.0], [10.0, 0.0]])
    np.testing.assert_allclose(expected_costs(proba, costs), [[2.0, 0.8], [7.0, 0.3]])
    per_row = np.stack([costs, 2 * costs])
    np.testing.assert_allclose(expected_costs(proba, per_row), [[2.0, 0.8], [14.0, 0.6]])
    np.testing.assert_allclose(expected_costs(proba), [[0.2, 0.8], [0.7, 0.3]])  # 0/1 costs
    with pytest.raises(ValueError):
        expected_costs(proba, np.ones((3, 3)))


def test_positions_break_near_ties_towards_the_first_decision():
    costs = np.array([[0.0, 1.0], [1.0, 0.0]])
    # 0.1 + 0.2 and 0.3 differ by a rounding error only: the first column wins
    proba = np.array([[0.1 + 0.2, 0.3], [0.3, 0.1 + 0.2]])
    assert decision_positions(proba, costs).tolist() == [0, 0]
    assert tie_tolerance(costs) == pytest.approx(4 * np.finfo(float).eps)
    assert decision_positions([[0.2, 0.8]], None).tolist() == [1]  # None: argmax


def test_decision_labels_name_actions_and_refuse_a_label_count_that_does_not_fit():
    proba = [[0.8, 0.2]]
    costs = [[0, 1, 5], [10, 2, 0]]  # classes by actions pay, check, block
    assert decision_labels(proba, ["pay", "check", "block"], costs).tolist() == ["check"]
    with pytest.raises(ValueError, match=r"3 columns .* but there are 2 labels"):
        decision_labels(proba, ["pay", "check"], costs)
    with pytest.raises(ValueError, match="proba has 2 columns but there are 3 classes"):
        decision_labels(proba, ["a", "b", "c"])
