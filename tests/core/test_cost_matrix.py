"""The one check of a cost matrix: its forms agree; garbage gets a ValueError or a TypeError."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from costkeras._cost_matrix import check_cost_matrix
from tests.core._strategies import FAST, garbage, label_lists, problems, raises_only_allowed


# ----------------------------------------------------------- validation forms
@FAST
@given(problems(max_k=4), st.data())
def test_cost_matrix_forms_agree(problem, data):
    _, costs = problem
    k = len(costs)
    labels = sorted(data.draw(label_lists(k)))
    order = np.array(data.draw(st.permutations(range(k))))
    frame = pd.DataFrame(costs, index=labels, columns=labels).iloc[order, order]
    as_dict = {
        t: {p: costs[i, j] for j, p in enumerate(labels) if i != j or costs[i, j] != 0}
        for i, t in enumerate(labels)
    }
    original = costs.copy()
    np.testing.assert_array_equal(check_cost_matrix(costs, labels), costs)
    np.testing.assert_array_equal(check_cost_matrix(costs.tolist(), labels), costs)
    np.testing.assert_array_equal(check_cost_matrix(frame, labels), costs)
    np.testing.assert_array_equal(check_cost_matrix(as_dict, labels), costs)
    np.testing.assert_array_equal(costs, original)
    # a CV fold lacking the last class: the labelled forms drop it, as class_weight does
    np.testing.assert_array_equal(check_cost_matrix(frame, labels[:-1]), costs[:-1, :-1])
    np.testing.assert_array_equal(check_cost_matrix(as_dict, labels[:-1]), costs[:-1, :-1])


# ------------------------------------------------- garbage: only Value/TypeError
@FAST
@given(garbage, label_lists())
def test_check_cost_matrix_refuses_garbage_clearly(value, labels):
    labels = sorted(labels)
    result = raises_only_allowed(check_cost_matrix, value, labels)
    if result is not None:
        assert result.shape == (len(labels), len(labels)) and np.isfinite(result).all()
