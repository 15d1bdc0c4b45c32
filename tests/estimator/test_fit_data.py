"""What one fit hands to keras.Model.fit, head by head: targets, cost rows and sample weights."""

import numpy as np
import pytest

from costkeras._scikeras.fit_data import fit_arrays
from costkeras._scikeras.heads import Head
from costkeras._scikeras.plan import FitCall, make_plan
from costkeras._scikeras.targets import read_target
from tests._helpers import make_small

Y = np.array([0, 1, 1, 0])
S = np.array([[[0, 1], [4, 0]], [[0, 3], [2, 0]]] * 2, dtype=float)  # C_n[true, predicted]


def arrays(call, head, **params):
    plan = make_plan({**make_small().get_params(), **params}, call, labels=Y, n_outputs=1)
    return fit_arrays([head], read_target(Y), plan)


def test_class_weight_times_sample_weight_and_none_when_every_weight_is_one():
    sample_weight = np.array([1.0, 2.0, 1.0, 1.0])
    given = sample_weight.copy()
    head = Head("output1", np.array([0, 1]), 2, 0)
    (target,), (weights,) = arrays(FitCall(sample_weight, epochs=1), head, class_weight={1: 3.0})
    np.testing.assert_array_equal(target, np.eye(2)[Y])
    np.testing.assert_array_equal(weights, [1.0, 6.0, 3.0, 1.0])
    np.testing.assert_array_equal(sample_weight, given)  # the caller's array is left alone
    assert arrays(FitCall(epochs=1), Head("output1", np.array([0, 1]), 2, 0))[1] is None


def test_per_example_costs_travel_after_the_one_hot_and_set_the_mean_matrix():
    head = Head("output1", np.array([0, 1]), 2, 0, per_example=True)
    (target,), _ = arrays(FitCall(sample_cost=S, epochs=1), head, cost_loss="expected_cost")
    np.testing.assert_array_equal(target[:, :2], np.eye(2)[Y])
    # each row C_n[y_n], scaled by the first fit's largest cost, which the head keeps
    assert head.cost_scale == 4.0
    np.testing.assert_array_equal(target[:, 2:] * head.cost_scale, S[np.arange(4), Y])
    np.testing.assert_array_equal(head.cost_matrix, S.mean(axis=0))  # no cost_matrix given


def test_costs_given_to_fit_that_would_change_nothing_are_refused():
    head = Head("output1", np.array([0, 1]), 2, 0, cost_matrix=np.array([[0.0, 1.0], [5.0, 0.0]]))
    with pytest.raises(ValueError, match="sample_cost given to fit would change nothing"):
        arrays(FitCall(sample_cost=S, epochs=1), head, cost_matrix=head.cost_matrix)
