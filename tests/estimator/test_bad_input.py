"""Bad inputs to the estimator (issue #11): no silent surprises.

``FIT_CASES``: ``fit`` on a fresh estimator and on a fitted one; ``CALL_CASES``:
predict, score, partial/warm fits of fitted estimators, methods of unfitted ones.
Each must raise a clear error before ``keras.Model.fit`` runs, leaving the
caller's arrays and a fitted estimator's model as they were (``tests/_adversarial.py``
holds the case kinds and checks; the legal edge inputs are in ``test_edge_input.py``,
the bad inputs of the Keras-free functions in ``core/test_bad_input.py``).
"""

from __future__ import annotations

import copy
import inspect
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning, NotFittedError

from tests._adversarial import (
    ALWAYS_B,
    BASE,
    C3,
    S3,
    VT,
    X0,
    Y0,
    Y2,
    Y_INT,
    Call,
    Fit,
    N,
    T,
    V,
    _assert_plain,
    _assert_same_state,
    _assert_unchanged,
    _copy_data,
    _params,
    _state,
    est,
)
from tests.core.test_bad_input import CALL_CASES as CORE_CALL_CASES
from tests.estimator.test_edge_input import LEGAL_CASES


def builds_nothing():
    return None


# fmt: off
# ------------------------------------------------------------ bad inputs to fit
FIT_CASES = [
    # ------------------------------------------------ constructor: model, build_fn
    Fit("model_string", T, r"``model`` must be a callable", {"model": "mlp"}),
    Fit("model_int", VT, r"model", {"model": 42}),
    Fit("model_builds_none", T, r"model=.* must build and return a keras\.Model",
        {"model": builds_nothing}),
    Fit("build_fn_string", T, r"``build_fn`` must be a callable", {"build_fn": "mlp"}),
    # ------------------------------------------------------------------ cost_matrix
    Fit("cost_matrix_too_small", V, r"cost_matrix has shape \(2, 2\) but there are 3 classes",
        {"cost_matrix": [[0, 1], [1, 0]]}),
    Fit("cost_matrix_not_square", V, r"cost_matrix must be a square",
        {"cost_matrix": [[0, 1, 1], [1, 0, 5]]}),
    Fit("cost_matrix_3d", V, r"cost_matrix must be a square", {"cost_matrix": np.ones((3, 3, 3))}),
    Fit("cost_matrix_empty_list", V, r"cost_matrix must be a square", {"cost_matrix": []}),
    # the check and messages of every entry point taking a cost matrix (test_decisions.py)
    Fit("cost_matrix_scalar", V, r"cost_matrix must be a square .*got shape \(\)",
        {"cost_matrix": 5}),
    Fit("cost_matrix_string", T, r"cost_matrix must be a numeric .*; got str",
        {"cost_matrix": "abc"}),
    Fit("cost_matrix_numeric_text", T, r"cost_matrix must be a numeric .*; got the text '0'",
        {"cost_matrix": [["0", "1", "1"], ["1", "0", "5"], ["1", "1", "0"]]}),
    Fit("cost_matrix_one_action", V, r"cost_matrix has one column, one decision only",
        {"cost_matrix": pd.DataFrame({"approve": [0, 1, 2]}, index=list("ABC"))}),
    Fit("cost_matrix_k_by_1_array", V, r"cost_matrix must be a square",
        {"cost_matrix": [[0], [1], [2]]}),
    Fit("cost_matrix_nan", V, r"cost_matrix must contain only finite",
        {"cost_matrix": [[0, 1, 1], [1, np.nan, 5], [1, 1, 0]]}),
    Fit("cost_matrix_inf", V, r"cost_matrix must contain only finite",
        {"cost_matrix": [[0, 1, 1], [1, 0, np.inf], [1, 1, 0]]}),
    Fit("cost_matrix_none_entry", V, r"cost_matrix must contain only finite",
        {"cost_matrix": [[0, None, 1], [1, 0, 5], [1, 1, 0]]}),
    Fit("cost_matrix_text", T, r"cost_matrix must be a numeric",
        {"cost_matrix": [["a", "b", "c"]] * 3}),
    Fit("cost_matrix_ragged", T, r"cost_matrix must be a numeric",
        {"cost_matrix": [[0, 1], [1, 0, 1], [1]]}),
    Fit("cost_matrix_huge_int", V, r"cost_matrix",
        {"cost_matrix": [[0, 10**400, 1], [1, 0, 5], [1, 1, 0]]}),
    Fit("cost_matrix_complex_array", VT, r"cost_matrix", {"cost_matrix": np.array(C3) + 1j}),
    Fit("cost_matrix_datetime_array", VT, r"cost_matrix",
        {"cost_matrix": np.array(C3, dtype="datetime64[D]")}),
    Fit("cost_matrix_all_zero", V, r"cost_matrix gives every decision the same cost",
        {"cost_matrix": np.zeros((3, 3))}),
    Fit("cost_matrix_constant_rows", V, r"cost_matrix gives every decision the same cost",
        {"cost_matrix": [[1, 1, 1], [2, 2, 2], [3, 3, 3]]}),
    Fit("cost_matrix_dict_missing_pairs", V, r"cost_matrix given as a dict of dicts lacks the cost",
        {"cost_matrix": {"A": {"B": 1, "C": 1}}}),
    Fit("cost_matrix_dict_unknown_label", V, r"cost_matrix refers to labels \['Z'\]",
        {"cost_matrix": {"A": {"B": 1}, "Z": {"A": 1}}}),
    Fit("cost_matrix_dict_unknown_int_label", V, r"cost_matrix refers to labels \[9\]",
        {"cost_matrix": {0: {1: 1}, 9: {0: 1}}}, y=Y_INT),
    Fit("cost_matrix_dict_not_nested", T, r"cost_matrix given as a dict must be a dict of dicts",
        {"cost_matrix": {"A": [0, 1, 1]}}),
    Fit("cost_matrix_dict_text_cost", T, r"cost_matrix\['A'\]\['B'\] must be a number",
        {"cost_matrix": {"A": {"B": "x", "C": 1}, "B": {"A": 1, "C": 1}, "C": {"A": 1, "B": 1}}}),
    Fit("cost_matrix_frame_unknown_labels", V, r"cost_matrix refers to labels \['D'\]",
        {"cost_matrix": pd.DataFrame(np.ones((3, 3)), index=list("ABD"), columns=list("ABD"))}),
    # all zero as well: the unknown label is named, not the constant costs
    Fit("cost_matrix_frame_of_zeros_unknown_labels", V,
        r"cost_matrix refers to labels \['D'\] that are not classes",
        {"cost_matrix": pd.DataFrame(np.zeros((3, 3)), index=list("ABD"), columns=list("ABD"))}),
    Fit("cost_matrix_frame_missing_class", V,
        r"cost_matrix must have a row and a column for every class; missing \['C'\]",
        {"cost_matrix": pd.DataFrame([[0, 1], [1, 0]], index=list("AB"), columns=list("AB"))}),
    Fit("cost_matrix_negative_argmax_weighted", V,
        r"cost_matrix must have no negative.*argmax_weighted",
        {"cost_matrix": [[-1, 1, 1], [1, 0, 5], [1, 1, 0]], "cost_loss": "argmax_weighted"}),
    Fit("cost_matrix_negative_class_weighted", V,
        r"cost_matrix must have no negative.*class_weighted",
        {"cost_matrix": [[-1, 1, 1], [1, 0, 5], [1, 1, 0]], "cost_loss": "class_weighted"}),
    # ----------------------------------------------------------------- class_weight
    Fit("class_weight_text_value", T, r"class_weight\[0\] must be a number",
        {"class_weight": {0: "heavy"}}, y=Y_INT),
    Fit("class_weight_none_value", T, r"class_weight\['A'\] must be a number",
        {"class_weight": {"A": None}}),
    Fit("class_weight_all_zero", V, r"class_weight gives every class weight 0",
        {"class_weight": {"A": 0, "B": 0, "C": 0}}),
    Fit("class_weight_negative", V, r"class_weight values must be finite and non-negative",
        {"class_weight": {"A": -2}}),
    Fit("class_weight_nan", V, r"class_weight values must be finite",
        {"class_weight": {"A": np.nan}}),
    Fit("class_weight_inf", V, r"class_weight values must be finite",
        {"class_weight": {"A": np.inf}}),
    Fit("class_weight_unknown_label", V, r"class_weight refers to labels \['Q'\]",
        {"class_weight": {"A": 2, "Q": 3}}),
    Fit("class_weight_unknown_int_label", V,
        r"class_weight refers to labels \[7\] that are not classes; the classes are \[0, 1, 2\]",
        {"class_weight": {np.int64(7): 2}}, y=Y_INT),
    Fit("class_weight_list_wrong_length", V, r"class_weight has 2 weights but there are 3 classes",
        {"class_weight": [1, 2]}),
    Fit("class_weight_list_text", T, r"class_weight must be a list of numeric weights",
        {"class_weight": ["a", "b", "c"]}),
    Fit("class_weight_auto", V, r"'class_weight' parameter", {"class_weight": "auto"}),
    Fit("class_weight_int", V, r"'class_weight' parameter", {"class_weight": 5}),
    Fit("class_weight_set", V, r"'class_weight' parameter", {"class_weight": {1, 2}}),
    Fit("class_weight_huge_int", V, r"class_weight", {"class_weight": {"A": 10**400}}),
    # -------------------------------------------------- cost_loss, cost_loss_weight
    Fit("cost_loss_unknown", V, r"'cost_loss' parameter .* must be a str among",
        {"cost_loss": "focal"}),
    Fit("cost_loss_none", V, r"'cost_loss' parameter", {"cost_loss": None}),
    Fit("cost_loss_without_costs", V, r"cost_loss='expected_cost' needs a cost_matrix",
        {"cost_loss": "expected_cost"}),
    Fit("cost_loss_weight_negative", V, r"'cost_loss_weight' parameter", {"cost_loss_weight": -1}),
    Fit("cost_loss_weight_text", V, r"'cost_loss_weight' parameter",
        {"cost_loss_weight": "heavy"}),
    Fit("cost_loss_weight_nan", V, r"'cost_loss_weight' parameter", {"cost_loss_weight": np.nan}),
    # --------------------------------------------------------------------- decision
    Fit("decision_unknown", V, r"'decision' parameter .* must be a str among",
        {"decision": "threshold"}),
    Fit("decision_capitalised", V, r"'decision' parameter", {"decision": "Bayes"}),
    # ----------------------------------------------------------- hidden_layer_sizes
    Fit("hidden_zero", V, r"hidden_layer_sizes", {"hidden_layer_sizes": (0,)}),
    Fit("hidden_negative", V, r"hidden_layer_sizes", {"hidden_layer_sizes": (-3,)}),
    Fit("hidden_text_element", V, r"hidden_layer_sizes", {"hidden_layer_sizes": ("a",)}),
    Fit("hidden_float_element", V, r"hidden_layer_sizes", {"hidden_layer_sizes": (2.5,)}),
    Fit("hidden_bool_element", V, r"hidden_layer_sizes", {"hidden_layer_sizes": (True,)}),
    Fit("hidden_int_zero", V, r"'hidden_layer_sizes' parameter", {"hidden_layer_sizes": 0}),
    Fit("hidden_none", V, r"'hidden_layer_sizes' parameter", {"hidden_layer_sizes": None}),
    Fit("hidden_string", V, r"'hidden_layer_sizes' parameter", {"hidden_layer_sizes": "abc"}),
    # ------------------------------------------------- activation, optimizer, loss
    Fit("activation_unknown", V, r"activation", {"activation": "nope"}),
    Fit("activation_int", V, r"'activation' parameter", {"activation": 5}),
    Fit("optimizer_unknown", V, r"optimizer", {"optimizer": "nope"}),
    Fit("optimizer_int", V, r"'optimizer' parameter", {"optimizer": 5}),
    Fit("optimizer_not_an_optimizer_class", V, r"optimizer", {"optimizer": int}),
    Fit("optimizer_unknown_argument", V, r"bogus", {"optimizer__bogus": 1}),
    Fit("loss_unknown", V, r"loss", {"loss": "nope"}),
    Fit("loss_int", V, r"'loss' parameter", {"loss": 5}),
    Fit("loss_not_cross_entropy_with_cost_loss", V, r"loss='mse'",
        {"loss": "mse", "cost_loss": "expected_cost", "cost_matrix": C3}),
    Fit("metrics_unknown", V, r"metric", {"metrics": ["nope"]}),
    Fit("metrics_int", V, r"'metrics' parameter", {"metrics": 5}),
    # ------------------------------------------------------- batch sizes and epochs
    Fit("batch_size_zero", V, r"'batch_size' parameter", {"batch_size": 0}),
    Fit("batch_size_negative", V, r"'batch_size' parameter", {"batch_size": -5}),
    Fit("batch_size_float", V, r"'batch_size' parameter", {"batch_size": 2.5}),
    Fit("batch_size_text", V, r"'batch_size' parameter", {"batch_size": "32"}),
    Fit("validation_batch_size_zero", V, r"'validation_batch_size' parameter",
        {"validation_batch_size": 0}),
    Fit("epochs_zero", V, r"'epochs' parameter", {"epochs": 0}),
    Fit("epochs_float", V, r"'epochs' parameter", {"epochs": 1.5}),
    Fit("routed_fit_batch_size_zero", V, r"batch_size", {"fit__batch_size": 0}),
    Fit("fit_keyword_epochs_zero", V, r"epochs", kwargs={"epochs": 0}),
    Fit("fit_keyword_epochs_text", VT, r"epochs", kwargs={"epochs": "2"}),
    Fit("fit_keyword_batch_size_zero", V, r"batch_size", kwargs={"batch_size": 0}),
    # ------------------------------------------------------------ verbose, callbacks
    Fit("verbose_text", V, r"'verbose' parameter", {"verbose": "loud"}),
    Fit("verbose_negative", V, r"'verbose' parameter", {"verbose": -1}),
    Fit("callbacks_text", V, r"'callbacks' parameter", {"callbacks": "early"}),
    Fit("callbacks_list_of_int", T, r"``callbacks`` must be one of", {"callbacks": [5]}),
    Fit("callbacks_not_a_callback_class", VT, r"callbacks", {"callbacks": int}),
    Fit("callbacks_routed_without_callbacks", V, r"callbacks__patience",
        {"callbacks__patience": 3}, refit=False),
    Fit("fit_keyword_callbacks_text", T, r"callbacks passed to fit must be",
        kwargs={"callbacks": "early"}),
    # ------------------------------------- validation_split and the boolean switches
    Fit("validation_split_above_one", V, r"'validation_split' parameter",
        {"validation_split": 1.5}),
    Fit("validation_split_one", V, r"'validation_split' parameter", {"validation_split": 1.0}),
    Fit("validation_split_negative", V, r"'validation_split' parameter",
        {"validation_split": -0.1}),
    Fit("shuffle_text", V, r"'shuffle' parameter", {"shuffle": "yes"}),
    Fit("run_eagerly_text", V, r"'run_eagerly' parameter", {"run_eagerly": "no"}),
    Fit("warm_start_int", V, r"'warm_start' parameter", {"warm_start": 1}),
    Fit("random_state_negative", V, r"'random_state' parameter", {"random_state": -1}),
    Fit("random_state_text", V, r"'random_state' parameter", {"random_state": "seed"}),
    # ---------------------------------------------------------------- unknown kwargs
    Fit("unknown_keyword_epoch", V,
        r"unknown parameter\(s\) \['epoch'\].*Valid parameters: .*'epochs'", {"epoch": 1},
        refit=False),
    Fit("unknown_keyword_lists_only_real_names", V,
        r"(?s)^(?!.*'self')(?!.*'kwargs').*Valid parameters", {"epoch": 1}, refit=False),
    Fit("unknown_keyword_steps", V, r"unknown parameter\(s\) \['steps'\]", {"steps": 3},
        refit=False),
    Fit("unknown_keyword_output_names", V, r"output_names", {"output_names": ["p"]},
        refit=False),
    Fit("fit_keyword_unknown", T, r"bogus", kwargs={"bogus": 1}),
    Fit("fit_keyword_class_weight", VT, r"class_weight", kwargs={"class_weight": {"A": 100}}),
    Fit("fit_keyword_validation_data", VT, r"validation_data",
        kwargs={"validation_data": (X0, Y0)}),
    # ---------------------------------------------------------------------------- X
    Fit("X_text", V, r"X must be numeric", X=np.full((N, 3), "a"), plain=False),
    Fit("X_text_column_frame", V, r"X must be numeric",
        X=pd.DataFrame({"a": ["x"] * N, "b": X0[:, 0]})),
    Fit("X_nan", V, r"Input X contains NaN", X=np.where(np.arange(N)[:, None] == 3, np.nan, X0)),
    Fit("X_inf", V, r"Input X contains infinity",
        X=np.where(np.arange(N)[:, None] == 3, np.inf, X0)),
    Fit("X_one_dimensional", V, r"Expected a 2D array X", X=X0[:, 0]),
    Fit("X_three_dimensional", V, r"the default network \(model=None\) takes 2-D X",
        X=X0[:, :, None]),
    Fit("X_no_rows", V, r"0 sample", X=X0[:0], y=Y0[:0]),
    Fit("X_no_features", V, r"0 feature", X=np.zeros((N, 0))),
    Fit("X_complex", V, r"Complex data not supported", X=X0 + 1j),
    Fit("X_rows_differ_from_y", V, r"inconsistent numbers of samples", X=X0[:-1]),
    Fit("X_none", VT, r"\bX\b", X=None),
    Fit("X_dict", VT, r"\bX\b", X={"a": 1}),
    Fit("X_beyond_float32", V, r"\bX\b", X=X0 * 1e300),
    # ---------------------------------------------------------------------------- y
    Fit("y_none", V, r"requires y to be passed", y=None),
    Fit("y_continuous", V, r"Unknown label type: continuous", y=np.linspace(0, 1, N)),
    Fit("y_one_class", V, r"y has one class only", y=np.full(N, "A"), plain=False),
    Fit("y_one_class_label_printed_plainly", V, r"y has one class only", y=np.full(N, "A")),
    Fit("y_mixed_int_str_object", T, r"y mixes labels of types \['int', 'str'\]",
        y=np.array([1, "a"] * (N // 2), dtype=object)),
    Fit("y_mixed_float_str_object", T, r"y mixes labels of types \['float', 'str'\]",
        y=np.array([1.5, "a"] * (N // 2), dtype=object)),
    Fit("y_mixed_int_str_list", T, r"y mixes labels", y=[1, "a"] * (N // 2)),
    Fit("y_mixed_str_none", T, r"y mixes labels", y=np.array(["A", None] * (N // 2), dtype=object)),
    Fit("y_pandas_string_with_missing", VT, r"\by\b",
        y=pd.Series(["A", None] + ["A", "B"] * (N // 2 - 1), dtype="string")),
    Fit("y_nan", V, r"Input y contains NaN", y=np.where(np.arange(N) == 3, np.nan, Y_INT)),
    Fit("y_complex", V, r"Complex data not supported", y=Y_INT + 1j),
    Fit("y_three_dimensional", V, r"\by\b", y=np.zeros((N, 2, 2))),
    Fit("y_no_columns", V, r"\by\b", y=np.zeros((N, 0))),
    Fit("y_scalar", VT, r"\by\b", y=5),
    Fit("y_ragged", V, r"\by\b", y=[[1, 2]] * (N - 1) + [[1]]),
    Fit("y_column_with_one_class", V, r"y\[:, 1\] has one class only",
        y=np.column_stack([Y_INT, np.zeros(N)]), plain=False),
    Fit("y_two_columns_with_nan", V, r"Input y contains NaN",
        y=np.column_stack([Y_INT, np.where(np.arange(N) == 3, np.nan, Y_INT)])),
    # ---------------------------------------------------------------- sample_weight
    Fit("sample_weight_negative", V, r"sample_weight must be non-negative",
        kwargs={"sample_weight": np.r_[-1.0, np.ones(N - 1)]}),
    Fit("sample_weight_nan", V, r"sample_weight must contain only finite",
        kwargs={"sample_weight": np.r_[np.nan, np.ones(N - 1)]}),
    Fit("sample_weight_inf", V, r"sample_weight must contain only finite",
        kwargs={"sample_weight": np.full(N, np.inf)}),
    Fit("sample_weight_wrong_length", V, rf"sample_weight must have shape \({N},\)",
        kwargs={"sample_weight": np.ones(N - 1)}),
    Fit("sample_weight_two_dimensional", V, rf"sample_weight must have shape \({N},\)",
        kwargs={"sample_weight": np.ones((N, 1))}),
    Fit("sample_weight_all_zero", V, r"sample_weight is zero for every sample",
        kwargs={"sample_weight": np.zeros(N)}),
    Fit("sample_weight_text", T, r"sample_weight must be a numeric",
        kwargs={"sample_weight": np.full(N, "a")}),
    Fit("sample_weight_times_class_weight_zero", V,
        r"sample_weight \(times class_weight\) is zero for every sample",
        {"class_weight": {"A": 0}}, kwargs={"sample_weight": (Y0 == "A").astype(float)}),
    Fit("sample_weight_complex", VT, r"sample_weight", kwargs={"sample_weight": np.ones(N) + 1j}),
    Fit("sample_weight_huge_int", V, r"sample_weight",
        kwargs={"sample_weight": [10**400] + [1] * (N - 1)}),
    # ---------------------------------------------------------- sample_cost at fit
    Fit("sample_cost_wrong_rows", V, rf"sample_cost must have shape \({N}, 3\)",
        kwargs={"sample_cost": S3[:5]}),
    Fit("sample_cost_wrong_classes", V, r"sample_cost has shape .* but there are 3 classes",
        kwargs={"sample_cost": np.ones((N, 2, 2))}),
    Fit("sample_cost_one_dimensional", V, r"sample_cost must have shape",
        kwargs={"sample_cost": np.ones(N)}),
    Fit("sample_cost_four_dimensional", V, r"sample_cost must have shape",
        kwargs={"sample_cost": np.ones((N, 3, 3, 1))}),
    Fit("sample_cost_nan", V, r"sample_cost must contain only finite",
        kwargs={"sample_cost": np.where(S3 == 5, np.nan, S3)}),
    Fit("sample_cost_inf", V, r"sample_cost must contain only finite",
        kwargs={"sample_cost": np.where(S3 == 5, np.inf, S3)}),
    Fit("sample_cost_text", T, r"sample_cost must be a numeric",
        kwargs={"sample_cost": np.full((N, 3), "a")}),
    Fit("sample_cost_dict", T, r"sample_cost must be a numeric", kwargs={"sample_cost": {"a": 1}}),
    Fit("sample_cost_negative_argmax_weighted", V,
        r"sample_cost must have no negative entries for cost_loss='argmax_weighted'",
        {"cost_loss": "argmax_weighted"},
        kwargs={"sample_cost": np.tile([0.0, -1.0, 2.0], (N, 1))}),
    Fit("sample_cost_negative_class_weighted", V,
        r"sample_cost must have no negative entries for cost_loss='class_weighted'",
        {"cost_loss": "class_weighted"}, kwargs={"sample_cost": -S3}),
    Fit("sample_cost_zero_class_weighted", V, r"sample_cost gives every decision the same cost",
        {"cost_loss": "class_weighted"}, kwargs={"sample_cost": np.zeros((N, 3))}),
    Fit("sample_cost_all_zero", V, r"sample_cost", kwargs={"sample_cost": np.zeros((N, 3, 3))}),
    Fit("sample_cost_constant_rows", V, r"sample_cost", kwargs={"sample_cost": np.ones((N, 3))}),
    Fit("sample_cost_ignored", VT, r"sample_cost", {"cost_matrix": C3},
        kwargs={"sample_cost": 100 * ALWAYS_B}),
    # ------------------------------------------------------------------ several outputs
    Fit("multi_cost_matrix_unknown_output", V, r"cost_matrix names outputs \['nope'\]",
        {"cost_matrix": {"nope": C3}}, y=Y2),
    Fit("multi_cost_matrix_single_matrix", V,
        r"cost_matrix is one matrix of shape \(3, 3\), but y's 2 columns",
        {"cost_matrix": C3}, y=Y2),
    Fit("multi_class_weight_list_too_short", V,
        r"class_weight has 1 entries but there are 2 outputs", {"class_weight": [None]}, y=Y2),
    Fit("multi_sample_cost_list_too_short", V,
        r"sample_cost has 1 entries but there are 2 outputs", y=Y2, kwargs={"sample_cost": [S3]}),
]

# ------------------------------------- bad calls on fitted and unfitted estimators
P = "plain"
CALL_CASES = [
    # --------------------------------------------------------- sample_cost at predict
    Call("predict_sample_cost_rows", V,
         r"sample_cost at predict time must have shape \(n_samples, k, k\)", f"{P}.predict",
         (X0,), {"sample_cost": np.ones((N, 3))}),
    Call("predict_expected_cost_sample_cost_rows", V, r"sample_cost at predict time",
         f"{P}.predict_expected_cost", (X0,), {"sample_cost": np.ones((N, 3))}),
    Call("predict_sample_cost_wrong_rows", V, rf"sample_cost must have shape \({N}, 3, 3\)",
         f"{P}.predict", (X0,), {"sample_cost": S3[:5]}),
    Call("predict_sample_cost_all_zero", V, r"sample_cost gives every decision the same cost",
         f"{P}.predict", (X0,), {"sample_cost": np.zeros((N, 3, 3))}),
    Call("predict_sample_cost_ragged", T, r"sample_cost must be a numeric", f"{P}.predict",
         (X0,), {"sample_cost": [[[0, 1], [1]]] * N}),
    Call("predict_sample_cost_wrong_classes", V, r"sample_cost has shape \(60, 2, 2\)",
         f"{P}.predict", (X0,), {"sample_cost": np.ones((N, 2, 2))}),
    Call("predict_sample_cost_one_matrix", V, r"sample_cost must have shape", f"{P}.predict",
         (X0,), {"sample_cost": np.array(C3)}),
    Call("predict_sample_cost_nan", V, r"sample_cost must contain only finite", f"{P}.predict",
         (X0,), {"sample_cost": np.where(S3 == 5, np.nan, S3)}),
    Call("predict_sample_cost_inf", V, r"sample_cost must contain only finite", f"{P}.predict",
         (X0,), {"sample_cost": np.where(S3 == 5, -np.inf, S3)}),
    Call("predict_sample_cost_text", T, r"sample_cost must be a numeric", f"{P}.predict", (X0,),
         {"sample_cost": np.full((N, 3, 3), "a")}),
    Call("argmax_predict_sample_cost", V, r"sample_cost was given, but decision='argmax'",
         "argmax.predict", (X0,), {"sample_cost": S3}),
    Call("argmax_predict_expected_cost_sample_cost", V,
         r"sample_cost was given, but decision='argmax'", "argmax.predict_expected_cost", (X0,),
         {"sample_cost": S3}),
    Call("multi_predict_sample_cost_unknown_output", V, r"sample_cost names outputs \['nope'\]",
         "multi.predict", (X0,), {"sample_cost": {"nope": S3}}),
    Call("multi_predict_sample_cost_list_too_short", V,
         r"sample_cost has 1 entries but there are 2 outputs", "multi.predict", (X0,),
         {"sample_cost": [S3]}),
    # ------------------------------------------------------------------- X at predict
    Call("predict_X_wrong_features", V,
         r"X has 2 features, but CostSensitiveKerasClassifier is expecting 3", f"{P}.predict",
         (X0[:, :2],)),
    Call("predict_proba_X_wrong_features", V, r"X has 4 features", f"{P}.predict_proba",
         (np.ones((2, 4)),)),
    Call("predict_expected_cost_X_wrong_features", V, r"X has 2 features",
         f"{P}.predict_expected_cost", (X0[:, :2],)),
    Call("predict_X_nan", V, r"Input X contains NaN", f"{P}.predict",
         (np.where(X0 > 2, np.nan, X0),)),
    Call("predict_X_inf", V, r"Input X contains infinity", f"{P}.predict",
         (np.full((2, 3), np.inf),)),
    Call("predict_X_beyond_float32", V, r"\bX\b", f"{P}.predict_proba",
         (np.full((2, 3), 1e300),)),
    Call("predict_X_one_dimensional", V, r"Expected a 2D array X", f"{P}.predict", (X0[0],)),
    Call("predict_X_three_dimensional", V, r"X has 3 dimensions", f"{P}.predict",
         (X0[:, :, None],)),
    Call("predict_X_no_rows", V, r"0 sample", f"{P}.predict", (X0[:0],)),
    Call("predict_X_text", V, r"X must be numeric", f"{P}.predict", (np.full((2, 3), "a"),),
         plain=False),
    Call("predict_X_none", VT, r"\bX\b", f"{P}.predict", (None,)),
    Call("predict_X_dict", VT, r"\bX\b", f"{P}.predict", ({"a": 1},)),
    Call("predict_frame_columns_renamed", V, r"feature names should match", "frame.predict",
         (pd.DataFrame(X0, columns=["a", "b", "d"]),)),
    Call("predict_frame_columns_reordered", V, r"same order", "frame.predict",
         (pd.DataFrame(X0, columns=["c", "b", "a"]),)),
    Call("predict_proba_unknown_keyword", T, r"bogus", f"{P}.predict_proba", (X0,),
         {"bogus": 1}),
    # ------------------------------------------------------------------------ score
    Call("score_sample_weight_wrong_length", V, r"sample_weight", f"{P}.score", (X0, Y0),
         {"sample_weight": np.ones(5)}),
    Call("score_y_wrong_length", V, r"inconsistent numbers of samples", f"{P}.score",
         (X0, Y0[:5])),
    # -------------------------------------------------- partial_fit and warm refits
    Call("partial_fit_classes_lacking_a_label", V,
         r"Found unknown categories \['C'\] in y: they are not among the classes \['A', 'B'\]",
         "unfitted.partial_fit", (X0, Y0), {"classes": ["A", "B"]}),
    Call("partial_fit_epochs", T, r"Invalid argument `epochs` to `partial_fit`",
         "unfitted.partial_fit", (X0, Y0), {"epochs": 3}),
    Call("warm_refit_new_label", V, r"Found unknown categories \['D'\] in y", "warm.fit",
         (X0, np.where(Y0 == "A", "D", Y0))),
    Call("warm_refit_fewer_features", V, r"X has 2 features", "warm.fit", (X0[:, :2], Y0)),
    Call("warm_refit_two_outputs", V, r"y has 2 dimensions", "warm.fit", (X0, Y2)),
    Call("warm_refit_bad_sample_cost", V, r"sample_cost must contain only finite", "warm.fit",
         (X0, Y0), {"sample_cost": np.full((N, 3), np.nan)}),
    Call("warm_partial_fit_bad_sample_weight", V, r"sample_weight must be non-negative",
         "warm.partial_fit", (X0, Y0), {"sample_weight": -np.ones(N)}),
    # ---------------------------------------------------------------- before fit
    Call("unfitted_predict", NotFittedError, r"fit", "unfitted.predict", (X0,)),
    Call("unfitted_predict_proba", NotFittedError, r"fit", "unfitted.predict_proba", (X0,)),
    Call("unfitted_score", NotFittedError, r"not fitted", "unfitted.score", (X0, Y0)),
    Call("unfitted_predict_expected_cost", NotFittedError, r"fit",
         "unfitted.predict_expected_cost", (X0,)),
]
# fmt: on


# ------------------------------------------------------------------- every case
def test_enough_distinct_cases():
    cases = [*FIT_CASES, *CALL_CASES, *CORE_CALL_CASES, *LEGAL_CASES]
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(cases) >= 80


# ----------------------------------------------------------------------- helpers
@pytest.fixture
def keras_fit_calls(monkeypatch):
    """Records every ``keras.Model.fit`` call: a bad input must be refused before one."""
    calls = []
    original = keras.Model.fit
    signature = inspect.signature(original)

    def spy(model, *args, **kwargs):
        signature.bind(model, *args, **kwargs)  # an unknown keyword fails here: no training
        calls.append(model)
        return original(model, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    return calls


# ------------------------------------------------------------------------- tests
# ------------------------------------------------------------------------- tests
@pytest.mark.parametrize(("case", "variant"), _params(FIT_CASES, ("fresh", "fitted")))
def test_bad_fit_input(case, variant, tiny_fitted, keras_fit_calls):
    params, kwargs = _copy_data(case.params), _copy_data(case.kwargs)
    X = _copy_data(X0 if isinstance(case.X, str) and case.X == BASE else case.X)
    y = _copy_data(Y0 if isinstance(case.y, str) and case.y == BASE else case.y)
    inputs = (params, X, y, kwargs)
    before = _copy_data(inputs)
    if variant == "fresh":
        clf = est(**params)
    else:
        clf = copy.deepcopy(tiny_fitted["plain"])
        clf.set_params(**params)
        state = _state(clf)
    keras_fit_calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        with pytest.raises(case.error, match=case.match) as error:
            clf.fit(X, y, **kwargs)
    assert not keras_fit_calls, "training started before the error"
    if variant == "fresh":
        assert not hasattr(clf, "history_") and not hasattr(clf, "model_")
    else:
        _assert_same_state(clf, state)
    _assert_unchanged(inputs, before)
    _assert_plain(str(error.value), case)


@pytest.mark.parametrize(("case", "variant"), _params(CALL_CASES))
def test_bad_call(case, variant, tiny_fitted, keras_fit_calls):
    clf = None
    target = case.target
    if isinstance(target, str):
        name, method = target.split(".")
        clf = est() if name == "unfitted" else tiny_fitted[name]
        target = getattr(clf, method)
    state = _state(clf) if clf is not None and hasattr(clf, "model_") else None
    names = set(vars(clf)) if clf is not None else None
    args, kwargs = _copy_data(case.args), _copy_data(case.kwargs)
    before = _copy_data((args, kwargs))
    keras_fit_calls.clear()
    with pytest.raises(case.error, match=case.match) as error:
        target(*args, **kwargs)
    assert not keras_fit_calls, "training started before the error"
    if state is not None:
        _assert_same_state(clf, state)
    elif clf is not None:
        assert set(vars(clf)) == names, "a failed call on an unfitted estimator left attributes"
    _assert_unchanged((args, kwargs), before)
    _assert_plain(str(error.value), case)
