"""Bad inputs to the Keras-free functions (issue #11): metrics, decisions and costs.

Each must raise a ``ValueError`` or ``TypeError`` whose message names the parameter and
prints values plainly, without modifying the caller's arrays (``tests/_adversarial.py``
holds the case kinds and checks; ``estimator/test_bad_input.py`` the estimator's cases).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from costkeras.costs import binary_sample_cost
from costkeras.decisions import bayes_decision, binary_threshold, expected_costs, predict_min_cost
from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost
from tests._adversarial import (
    C3,
    VT,
    X0,
    Y0,
    Y_INT,
    Call,
    T,
    V,
    _assert_plain,
    _assert_unchanged,
    _copy_data,
    _params,
)


@functools.cache
def _logreg():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(X0, Y_INT % 2)


def _min_cost(*args):
    return predict_min_cost(_logreg(), *args)


# fmt: off
CALL_CASES = [
    # --------------------------------------------------------------------- metrics
    Call("total_cost_lengths_differ", V, r"y_true and y_pred must have the same length",
         total_cost, ([0, 1], [0]), {"cost_matrix": [[0, 1], [5, 0]]}),
    Call("total_cost_no_costs", V, r"pass a cost_matrix or per-example sample_cost", total_cost,
         ([0, 1], [0, 1])),
    Call("total_cost_matrix_too_big", V, r"the costs cover 3 classes", total_cost,
         ([0, 1], [0, 1], C3)),
    Call("total_cost_label_not_in_labels", V, r"y_true holds labels \[2\]", total_cost,
         ([0, 2], [0, 1], [[0, 1], [5, 0]]), {"labels": [0, 1]}),
    Call("total_cost_matrix_nan", V, r"cost_matrix must contain only finite", total_cost,
         ([0, 1], [0, 1], [[0, np.nan], [1, 0]])),
    Call("total_cost_matrix_text", T, r"cost_matrix must be a numeric", total_cost,
         ([0, 1], [0, 1], [["a", "b"], ["c", "d"]])),
    Call("total_cost_matrix_scalar", VT, r"cost_matrix", total_cost, ([0, 1], [0, 1], 5)),
    Call("total_cost_matrix_one_dimensional", VT, r"cost_matrix", total_cost,
         ([0, 1], [0, 1], [0, 1])),
    Call("total_cost_sample_weight_wrong_length", V, r"sample_weight has 1 entries", total_cost,
         ([0, 1], [0, 1], [[0, 1], [5, 0]]), {"sample_weight": [1]}),
    Call("total_cost_sample_weight_nan", V, r"sample_weight", total_cost,
         ([0, 1], [1, 0], [[0, 1], [5, 0]]), {"sample_weight": [np.nan, 1]}),
    Call("total_cost_sample_weight_text", VT, r"sample_weight", total_cost,
         ([0, 1], [1, 0], [[0, 1], [5, 0]]), {"sample_weight": ["a", "b"]}),
    Call("total_cost_sample_cost_wrong_rows", V, r"sample_cost must have shape", total_cost,
         ([0, 1], [1, 0]), {"sample_cost": np.ones((3, 2, 2))}),
    Call("total_cost_sample_cost_nan", V, r"sample_cost must contain only finite", total_cost,
         ([0, 1], [1, 0]), {"sample_cost": np.full((2, 2), np.nan)}),
    Call("total_cost_sample_cost_one_dimensional", VT, r"sample_cost", total_cost,
         ([0, 1], [1, 0]), {"sample_cost": np.ones(2)}),
    Call("total_cost_labels_scalar", VT, r"labels", total_cost,
         ([0, 1], [1, 0], [[0, 1], [5, 0]]), {"labels": 0}),
    Call("total_cost_labels_repeated", V, r"labels", total_cost,
         ([0, 1], [1, 0], C3), {"labels": [0, 0, 1]}),
    Call("total_cost_mixed_object_labels", VT, r"y_true|labels", total_cost,
         (np.array([0, "a"], dtype=object), np.array([0, "a"], dtype=object), [[0, 1], [5, 0]])),
    Call("total_cost_multioutput_unknown", V, r"multioutput must be 'sum' or 'raw_values'",
         total_cost, ([0, 1], [0, 1], [[0, 1], [5, 0]]), {"multioutput": "mean"}),
    Call("total_cost_two_outputs_shapes_differ", V, r"y_true and y_pred must have the same shape",
         total_cost, (np.zeros((2, 2)), np.zeros((2, 3)), [C3, C3])),
    Call("total_cost_two_outputs_no_matrix", V, r"cost_matrix", total_cost,
         (np.eye(2, dtype=int), np.eye(2, dtype=int), [None, None])),
    # one-hot rows with one (2, 2) matrix read as one output's labels; these are not one-hot
    Call("total_cost_two_outputs_one_matrix", VT, r"read as 2 outputs \(one per column\)",
         total_cost, (np.array([[0, 1], [1, 1]]), np.eye(2, dtype=int), [[0, 1], [5, 0]])),
    Call("mean_cost_empty", V, r"(?i)empty|no sample|0 sample", mean_cost, ([], []),
         {"cost_matrix": [[0, 1], [5, 0]], "labels": [0, 1]}),
    Call("savings_score_zero_costs", V, r"savings_score is undefined", savings_score,
         ([0, 0], [0, 1], [[0, 1], [5, 0]]), {"labels": [0, 1]}),
    Call("mean_cost_all_zero_matrix", V, r"cost_matrix gives every decision the same cost",
         mean_cost, ([0, 1], [0, 1], [[0, 0], [0, 0]])),
    Call("mean_cost_ragged_matrix", T, r"cost_matrix must be a numeric", mean_cost,
         ([0, 1], [0, 1], [[0, 1], [5]])),
    Call("mean_cost_ragged_sample_cost", T, r"sample_cost must be a numeric", mean_cost,
         ([0, 1], [0, 1]), {"sample_cost": [[0, 1], [5]]}),
    Call("make_cost_scorer_all_zero_matrix", V, r"cost_matrix gives every decision the same",
         make_cost_scorer, (np.zeros((2, 2)),)),
    Call("make_cost_scorer_kind_unknown", V, r"kind must be one of", make_cost_scorer,
         (C3,), {"kind": "median"}),
    Call("cost_scorer_without_costs", V, r"this cost scorer has no cost_matrix",
         make_cost_scorer(), (None, X0, Y0)),
    # ------------------------------------------------------------ decisions, costs
    Call("bayes_decision_classes_differ", V, r"cost_matrix must have shape \(3, m\)",
         bayes_decision, (np.full((2, 3), 1 / 3), np.eye(2))),
    Call("bayes_decision_one_dimensional_proba", V, r"proba must have shape", bayes_decision,
         (np.full(3, 1 / 3), np.eye(3))),
    Call("expected_costs_four_dimensional", V, r"cost_matrix must have shape", expected_costs,
         (np.full((2, 2), 0.5), np.ones((2, 2, 2, 2)))),
    Call("bayes_decision_nan_costs", V, r"cost", bayes_decision,
         ([[0.5, 0.5]], [[np.nan, 1], [1, 0]])),
    Call("bayes_decision_nan_proba", V, r"proba", bayes_decision,
         ([[np.nan, 0.5]], [[0, 1], [1, 0]])),
    Call("binary_threshold_three_classes", V, r"cost_matrix", binary_threshold, (np.eye(3),)),
    Call("binary_threshold_nan", V, r"cost_matrix", binary_threshold, ([[0, np.nan], [1, 0]],)),
    Call("binary_threshold_no_threshold", V, r"cost_matrix gives no threshold", binary_threshold,
         ([[1, 0], [0, 1]],)),
    Call("binary_threshold_all_zero", V, r"cost_matrix gives every decision the same cost",
         binary_threshold, ([[0, 0], [0, 0]],)),
    Call("predict_min_cost_wrong_shape", V,
         r"cost_matrix has shape \(3, 3\) but there are 2 classes", _min_cost, (X0, np.eye(3))),
    Call("predict_min_cost_per_example_wrong_rows", V, r"cost_matrix must have shape",
         _min_cost, (X0, np.ones((3, 2, 2)))),
    Call("predict_min_cost_constant_rows", V, r"cost_matrix", _min_cost, (X0, np.zeros((2, 2)))),
    Call("binary_sample_cost_two_dimensional", V,
         r"fp_cost must be a scalar or one-dimensional", binary_sample_cost, ([[1.0]], [1.0])),
    Call("binary_sample_cost_lengths_differ", V, r"same length", binary_sample_cost,
         ([1.0, 2.0], [1.0, 2.0, 3.0])),
    Call("binary_sample_cost_scalars_without_n", V, r"n_samples is needed", binary_sample_cost,
         (1.0, 5.0)),
    Call("binary_sample_cost_text", VT, r"fp_cost", binary_sample_cost, (["a"], [1.0])),
    Call("binary_sample_cost_none", VT, r"fp_cost", binary_sample_cost, (None, [1.0])),
    Call("binary_sample_cost_n_samples_conflict", V, r"n_samples", binary_sample_cost,
         ([1.0, 2.0], [1.0, 2.0]), {"n_samples": 5}),
]
# fmt: on


@pytest.mark.parametrize(("case", "variant"), _params(CALL_CASES))
def test_bad_call(case, variant):
    args, kwargs = _copy_data(case.args), _copy_data(case.kwargs)
    before = _copy_data((args, kwargs))
    with pytest.raises(case.error, match=case.match) as error:
        case.target(*args, **kwargs)
    _assert_unchanged((args, kwargs), before)
    _assert_plain(str(error.value), case)
