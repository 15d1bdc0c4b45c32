"""Adversarial inputs (issue #11): no silent surprises.

Every bad input must raise a ``ValueError`` or ``TypeError`` (``NotFittedError``
before fit) whose message names the parameter, before ``keras.Model.fit`` runs,
without modifying the caller's arrays and, for a fitted estimator, without
changing its model. Every legal edge input must be honoured.

The cases are data: ``FIT_CASES`` (``fit`` on a fresh estimator and on a fitted
one), ``CALL_CASES`` (predict, score, partial/warm fits of fitted estimators,
methods of unfitted ones, the metrics, decisions and costs functions) and
``LEGAL_CASES`` (legal edge inputs and what honouring them means). ``CASES``
holds them all. A case with ``bug`` set shows a defect of the library and is a
strict xfail: it passes once the library is fixed, and the xfail must then go.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.exceptions import DataConversionWarning, NotFittedError

from costkeras.costs import binary_sample_cost
from costkeras.decisions import bayes_decision, binary_threshold, expected_costs, predict_min_cost
from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost
from tests._helpers import make_small

# ---------------------------------------------------------------------------- data
N = 60
_Y_IDX = np.arange(N) % 3
X0 = np.random.default_rng(11).normal(size=(N, 3)) + 2.0 * np.eye(3)[_Y_IDX]
Y0 = np.array(["A", "B", "C"])[_Y_IDX]
Y_INT = _Y_IDX.copy()
Y2 = np.column_stack([Y0, np.where(np.arange(N) % 2, "x", "y")])  # two outputs
AB = Y0 != "C"  # a CV fold lacking class "C"
C3 = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]
S3 = np.tile(np.array(C3, dtype=float), (N, 1, 1))
# Predicting "B" costs nothing whatever the truth: Bayes with these costs always says "B".
ALWAYS_B = np.tile(np.array([[0.0, 0.0, 50.0], [50.0, 0.0, 50.0], [50.0, 0.0, 0.0]]), (N, 1, 1))
BASE = "<base data>"  # a Fit case's X or y left at the base data
# numpy reprs in a message: labels and values must print as plain Python values
NUMPY_REPR = re.compile(r"\bnp\.\w+\(|(?<![\w.])array\(|dtype=")


def est(**params):
    """A tiny estimator: 4 hidden units, one epoch, trained eagerly.

    Eager training skips tracing a ``tf.function`` for each new model (a second
    or more per fit on a loaded machine); the legal cases that train for real
    behaviour also train in graph mode (``run_eagerly=False``).
    """
    return make_small(**{"hidden_layer_sizes": (4,), "epochs": 1, "run_eagerly": True, **params})


def bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=f"BUG: {reason}")


class Counter(keras.callbacks.Callback):
    """Counts training batches, validation batches and epochs."""

    def __init__(self):
        super().__init__()
        self.batches = self.test_batches = self.epochs = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_test_batch_end(self, batch, logs=None):
        self.test_batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


class ClassCounter(keras.callbacks.Callback):
    """A callback class (not an instance): scikeras instantiates it."""

    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        type(self).epochs += 1


class FailAtSecondBatch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            raise RuntimeError("failed in the middle of training")


def builds_nothing():
    return None


@functools.cache
def _logreg():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(X0, Y_INT % 2)


def _min_cost(*args):
    return predict_min_cost(_logreg(), *args)


# ----------------------------------------------------------------- the case kinds
@dataclass
class Fit:
    """``est(**params).fit(X, y, **kwargs)`` must raise ``error`` matching ``match``.

    Run on a fresh estimator and (``refit``) on a fitted one given the same
    parameters with ``set_params``.
    """

    id: str
    error: type | tuple
    match: str
    params: dict = field(default_factory=dict)
    X: Any = BASE
    y: Any = BASE
    kwargs: dict = field(default_factory=dict)
    refit: bool = True
    plain: bool = True  # the message must print values plainly
    bug: str | None = None


@dataclass
class Call:
    """``target(*args, **kwargs)`` must raise ``error`` matching ``match``.

    ``target`` is ``"<estimator>.<method>"`` for one of the shared fitted
    estimators (see ``_Fitted``) or ``"unfitted.<method>"``, or any function.
    """

    id: str
    error: type | tuple
    match: str
    target: str | Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    plain: bool = True
    bug: str | None = None


@dataclass
class Legal:
    """A legal edge input: ``check(fitted)`` asserts that it is honoured."""

    id: str
    check: Callable[[dict], None]
    bug: str | None = None


V = ValueError
T = TypeError
VT = (ValueError, TypeError)

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
    Fit("cost_matrix_dict_missing_pairs", V, r"cost_matrix given as a dict of dicts lacks",
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
    Fit("cost_loss_unknown", V, r"'cost_loss' parameter", {"cost_loss": "focal"}),
    Fit("cost_loss_none", V, r"'cost_loss' parameter", {"cost_loss": None}),
    Fit("cost_loss_without_costs", V, r"cost_loss='expected_cost' needs a cost_matrix",
        {"cost_loss": "expected_cost"}),
    Fit("cost_loss_weight_negative", V, r"'cost_loss_weight' parameter", {"cost_loss_weight": -1}),
    Fit("cost_loss_weight_text", V, r"'cost_loss_weight' parameter",
        {"cost_loss_weight": "heavy"}),
    Fit("cost_loss_weight_nan", V, r"'cost_loss_weight' parameter", {"cost_loss_weight": np.nan}),
    # --------------------------------------------------------------------- decision
    Fit("decision_unknown", V, r"'decision' parameter", {"decision": "threshold"}),
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


# ------------------------------------------------------------- legal edge inputs
LEGAL_CASES: list[Legal] = []


def legal(case_id: str, bug: str | None = None):
    def register(check):
        LEGAL_CASES.append(Legal(case_id, check, bug))
        return check

    return register


@legal("predict_costs_after_fit_without_costs_decide_by_bayes")
def _(fitted):
    clf = fitted["plain"]
    costs = ALWAYS_B.copy()
    labels = clf.predict(X0, sample_cost=costs)
    risk = clf.predict_expected_cost(X0, sample_cost=costs)
    np.testing.assert_array_equal(labels, clf.classes_[np.argmin(risk, axis=1)])
    np.testing.assert_allclose(risk, np.einsum("ni,nij->nj", clf.predict_proba(X0), costs))
    assert set(labels) == {"B"} and set(clf.predict(X0)) != {"B"}  # the costs decided
    np.testing.assert_array_equal(costs, ALWAYS_B)


@legal("decision_bayes_without_cost_matrix_uses_predict_costs")
def _(fitted):
    clf = est(decision="bayes").fit(X0, Y0)
    assert clf.decision_ == "bayes" and clf.cost_matrix_ is None
    assert set(clf.predict(X0, sample_cost=ALWAYS_B)) == {"B"}
    np.testing.assert_array_equal(
        clf.predict(X0), clf.classes_[np.argmax(clf.predict_proba(X0), axis=1)]
    )


@legal("reweighting_loss_still_decides_by_predict_costs")
def _(fitted):
    clf = est(cost_loss="class_weighted", cost_matrix=C3).fit(X0, Y0)
    assert clf.decision_ == "argmax"
    assert set(clf.predict(X0, sample_cost=ALWAYS_B)) == {"B"}


@legal("sample_cost_matrices_at_fit_become_cost_matrix")
def _(fitted):
    clf = est(run_eagerly=False).fit(X0, Y0, sample_cost=ALWAYS_B)
    np.testing.assert_allclose(clf.cost_matrix_, ALWAYS_B.mean(axis=0))
    assert clf.decision_ == "bayes" and set(clf.predict(X0)) == {"B"}


@legal("argmax_decision_still_trains_with_fit_costs")
def _(fitted):
    clf = est(decision="argmax", cost_loss="expected_cost").fit(X0, Y0, sample_cost=ALWAYS_B)
    proba = clf.predict_proba(X0)
    assert clf.decision_ == "argmax"
    assert not np.array_equal(proba, fitted["plain"].predict_proba(X0))  # the costs trained
    np.testing.assert_array_equal(clf.predict(X0), clf.classes_[np.argmax(proba, axis=1)])


@legal("sample_cost_rows_at_fit_become_class_mean_rows")
def _(fitted):
    rows = np.random.default_rng(0).uniform(0, 5, size=(N, 3))
    clf = est().fit(X0, Y0, sample_cost=rows)
    for i, label in enumerate("ABC"):
        np.testing.assert_allclose(clf.cost_matrix_[i], rows[Y0 == label].mean(axis=0))


@legal("negative_sample_cost_is_a_benefit_with_expected_cost_loss")
def _(fitted):
    benefit = S3 - 2 * np.eye(3)  # a correct decision earns 2
    clf = est(cost_loss="expected_cost", run_eagerly=False).fit(X0, Y0, sample_cost=benefit)
    assert np.isfinite(clf.predict_proba(X0)).all()
    np.testing.assert_allclose(clf.cost_matrix_, np.array(C3) - 2 * np.eye(3))


@legal("negative_cost_matrix_is_a_benefit_with_cross_entropy")
def _(fitted):
    benefit = [[-1, 1, 1], [1, 0, 5], [1, 1, 0]]
    clf = est(cost_matrix=benefit).fit(X0, Y0)
    expected = clf.classes_[bayes_decision(clf.predict_proba(X0), np.array(benefit, float))]
    np.testing.assert_array_equal(clf.predict(X0), expected)


@legal("batch_size_minus_one_is_the_whole_data")
def _(fitted):
    counter = Counter()
    est(batch_size=-1, epochs=2).fit(X0, Y0, callbacks=[counter])
    assert (counter.batches, counter.epochs) == (2, 2)


@legal("batch_size_honoured")
def _(fitted):
    counter = Counter()
    est(batch_size=7, callbacks=[counter]).fit(X0, Y0)
    assert counter.batches == -(-N // 7)


@legal("validation_split_metrics_and_whole_validation_batch")
def _(fitted):
    counter = Counter()
    clf = est(
        metrics=["accuracy"], validation_split=0.25, validation_batch_size=-1, callbacks=[counter]
    ).fit(X0, Y0)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(clf.history_)
    assert counter.test_batches == 1


@legal("fit_keyword_callbacks_run")
def _(fitted):
    counter, single = Counter(), Counter()
    est(epochs=2).fit(X0, Y0, callbacks=[counter])
    est().fit(X0, Y0, callbacks=single)
    assert (counter.epochs, single.epochs) == (2, 1)


@legal("callback_class_is_instantiated_and_runs")
def _(fitted):
    ClassCounter.epochs = 0
    est(callbacks=[ClassCounter], epochs=2).fit(X0, Y0)
    assert ClassCounter.epochs == 2


@legal(
    "set_params_routed_callback_parameter",
)
def _(fitted):
    clf = est(
        callbacks=[keras.callbacks.EarlyStopping], callbacks__patience=7, callbacks__monitor="loss"
    )
    clf.set_params(callbacks__patience=2)
    clf.fit(X0, Y0)
    assert [cb.patience for cb in clf._fit_callbacks] == [2]


@legal("set_params_callbacks_before_warm_refit_honoured")
def _(fitted):
    clf = est(warm_start=True).fit(X0, Y0)
    counter = Counter()
    clf.set_params(callbacks=[counter])
    clf.fit(X0, Y0)
    assert counter.epochs == 1


@legal("warm_fit_failing_mid_training_leaves_the_model_unchanged")
def _(fitted):
    clf = est(warm_start=True, batch_size=8, run_eagerly=False).fit(X0, Y0)
    weights = [w.copy() for w in clf.model_.get_weights()]
    proba, history = clf.predict_proba(X0), copy.deepcopy(clf.history_)
    iterations = int(clf.model_.optimizer.iterations.numpy())
    with pytest.raises(RuntimeError, match="failed in the middle of training"):
        clf.fit(X0, Y0, callbacks=[FailAtSecondBatch()])
    for before, after in zip(weights, clf.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(clf.predict_proba(X0), proba)
    assert clf.history_ == history
    assert int(clf.model_.optimizer.iterations.numpy()) == iterations


@legal("fold_lacking_a_class_with_frame_cost_matrix")
def _(fitted):
    frame = pd.DataFrame(C3, index=list("ABC"), columns=list("ABC"))
    clf = est(cost_matrix=frame).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(clf.classes_, ["A", "B"])
    np.testing.assert_array_equal(clf.cost_matrix_, [[0, 1], [1, 0]])


@legal("fold_lacking_a_class_with_dict_cost_matrix")
def _(fitted):
    costs = {"A": {"B": 1, "C": 1}, "B": {"A": 2, "C": 5}, "C": {"A": 1, "B": 1}}
    clf = est(cost_matrix=costs).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(clf.cost_matrix_, [[0, 1], [2, 0]])


@legal("fold_lacking_a_class_with_class_weight_naming_every_class")
def _(fitted):
    every = est(class_weight={"A": 1, "B": 2, "C": 3}).fit(X0[AB], Y0[AB])
    present = est(class_weight={"A": 1, "B": 2}).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(every.predict_proba(X0), present.predict_proba(X0))


@legal("frame_cost_matrix_in_another_order_is_reordered")
def _(fitted):
    frame = pd.DataFrame(C3, index=list("ABC"), columns=list("ABC")).loc[list("CAB"), list("BCA")]
    np.testing.assert_array_equal(est(cost_matrix=frame).initialize(X0, Y0).cost_matrix_, C3)


@legal("boolean_cost_matrix")
def _(fitted):
    clf = est(cost_matrix=~np.eye(3, dtype=bool)).initialize(X0, Y0)
    np.testing.assert_array_equal(clf.cost_matrix_, 1 - np.eye(3))


@legal("decision_argmax_ignores_cost_matrix_in_predict")
def _(fitted):
    clf = fitted["argmax"]
    np.testing.assert_array_equal(
        clf.predict(X0), clf.classes_[np.argmax(clf.predict_proba(X0), axis=1)]
    )


@legal("class_weight_numpy_keys_equal_python_keys")
def _(fitted):
    numpy_keys = est(class_weight={np.int64(0): 3.0}).fit(X0, Y_INT)
    python_keys = est(class_weight={0: 3.0}).fit(X0, Y_INT)
    np.testing.assert_array_equal(numpy_keys.predict_proba(X0), python_keys.predict_proba(X0))


@legal("class_weight_balanced")
def _(fitted):
    clf = est(class_weight="balanced").fit(X0[:45], Y0[:45])
    assert np.isfinite(clf.predict_proba(X0)).all()


@legal("int_sample_weight_with_class_weight_left_unmodified")
def _(fitted):
    weights = np.arange(N) % 4 + 1
    before = weights.copy()
    est(class_weight={"B": 3}).fit(X0, Y0, sample_weight=weights)
    assert weights.dtype == before.dtype
    np.testing.assert_array_equal(weights, before)


@legal("sample_weight_zero_for_a_whole_class")
def _(fitted):
    clf = est().fit(X0, Y0, sample_weight=(Y0 != "C").astype(float))
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])


def _dense_units(clf):
    return [layer.units for layer in clf.model_.layers if isinstance(layer, keras.layers.Dense)]


@legal("hidden_layer_sizes_empty_is_a_linear_model")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=()).initialize(X0, Y0)) == [3]


@legal("hidden_layer_sizes_numpy_array")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=np.array([3, 2])).initialize(X0, Y0)) == [3, 2, 3]


@legal("hidden_layer_sizes_single_numpy_int")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=np.int64(5)).initialize(X0, Y0)) == [5, 3]


@legal("optimizer_routed_learning_rate")
def _(fitted):
    clf = est(optimizer="sgd", optimizer__learning_rate=0.5).fit(X0, Y0)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.5)


@legal("fit_keyword_epochs_overrides_epochs")
def _(fitted):
    assert len(est(epochs=2).fit(X0, Y0, epochs=3).history_["loss"]) == 3


@legal("verbose_one_prints_progress")
def _(fitted):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        est(verbose=1).fit(X0, Y0)
    assert "loss" in out.getvalue()


@legal("run_eagerly_false_trains_in_graph_mode")
def _(fitted):
    assert est(run_eagerly=False).fit(X0, Y0).model_.run_eagerly is False


@legal("random_state_instance")
def _(fitted):
    clf = est(random_state=np.random.RandomState(0)).fit(X0, Y0)
    assert np.isfinite(clf.predict_proba(X0)).all()


@legal("X_and_y_as_lists_equal_arrays")
def _(fitted):
    from_lists = est().fit(X0.tolist(), Y0.tolist())  # the "plain" estimator's seed and data
    np.testing.assert_array_equal(from_lists.predict_proba(X0), fitted["plain"].predict_proba(X0))


@legal("X_frame_keeps_feature_names")
def _(fitted):
    clf = fitted["frame"]
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c"])
    assert len(clf.predict(pd.DataFrame(X0[:2], columns=["a", "b", "c"]))) == 2


@legal("y_column_vector_is_one_output")
def _(fitted):
    with pytest.warns(DataConversionWarning):
        clf = est().fit(X0, Y0[:, None])
    assert clf.predict(X0[:3]).shape == (3,)


@legal("y_one_hot_predicts_one_hot")
def _(fitted):
    clf = est().fit(X0, np.eye(3, dtype=int)[Y_INT])
    prediction = clf.predict(X0[:4])
    assert prediction.shape == (4, 3) and (prediction.sum(axis=1) == 1).all()


@legal("y_bool_labels")
def _(fitted):
    clf = est().fit(X0, Y_INT == 0)
    np.testing.assert_array_equal(clf.classes_, [False, True])
    assert clf.predict(X0[:2]).dtype == bool


@legal("y_pandas_categorical")
def _(fitted):
    clf = est().initialize(X0, pd.Series(pd.Categorical(Y0)))
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])


@legal("y_frame_with_int_and_str_columns_keeps_types")
def _(fitted):
    frame = pd.DataFrame({"i": Y_INT % 2, "s": Y0})
    clf = est().fit(X0, frame)
    assert clf.output_names_ == ["i", "s"]
    row = clf.predict(X0[:1])[0]
    assert isinstance(row[0], (int, np.integer)) and isinstance(row[1], str)


@legal("partial_fit_batch_lacking_a_class")
def _(fitted):
    clf = est().partial_fit(X0[AB], Y0[AB], classes=["A", "B", "C"])
    clf.partial_fit(X0[~AB], Y0[~AB])
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])
    assert clf.current_epoch == 2


@legal("cost_scorer_judges_with_the_costs_it_decided_with")
def _(fitted):
    clf = fitted["plain"]
    score = make_cost_scorer()(clf, X0, Y0, sample_cost=ALWAYS_B)
    labels = clf.predict(X0, sample_cost=ALWAYS_B)
    assert score == pytest.approx(-mean_cost(Y0, labels, sample_cost=ALWAYS_B))


@legal("predict_min_cost_agrees_with_predict")
def _(fitted):
    clf = fitted["bayes"]
    np.testing.assert_array_equal(predict_min_cost(clf, X0, C3), clf.predict(X0))


@legal("multi_output_predict_costs_per_output")
def _(fitted):
    labels = fitted["multi"].predict(X0, sample_cost={"output1": ALWAYS_B})
    assert set(labels[:, 0]) == {"B"}


@legal("score_is_accuracy")
def _(fitted):
    clf = fitted["plain"]
    assert clf.score(X0, Y0) == pytest.approx(np.mean(clf.predict(X0) == Y0))


# ------------------------------------------------------------------- every case
CASES: list = [*FIT_CASES, *CALL_CASES, *LEGAL_CASES]


def test_enough_distinct_cases():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(CASES) >= 80


# ----------------------------------------------------------------------- helpers
class _Fitted(dict):
    """The shared fitted estimators, each trained on first use, used read-only."""

    recipes: dict[str, Callable] = {
        "plain": lambda: est().fit(X0, Y0),
        "bayes": lambda: est(cost_matrix=C3).fit(X0, Y0),
        "argmax": lambda: est(decision="argmax", cost_matrix=C3).fit(X0, Y0),
        "frame": lambda: est().fit(pd.DataFrame(X0, columns=["a", "b", "c"]), Y0),
        "warm": lambda: est(warm_start=True).fit(X0, Y0),
        "multi": lambda: est(cost_matrix={"output1": C3}).fit(X0, Y2),
    }

    def __missing__(self, name):
        self[name] = self.recipes[name]()
        return self[name]


@pytest.fixture(scope="module")
def fitted():
    return _Fitted()


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


def _copy_data(value):
    """A copy of the arrays, frames, lists and dicts in ``value``; other objects as they are."""
    if isinstance(value, (np.ndarray, pd.DataFrame, pd.Series)) or sparse.issparse(value):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_data(item) for item in value)
    return value


def _assert_unchanged(after, before):
    """The caller's inputs after the call equal the copies taken before it."""
    assert type(after) is type(before)
    if isinstance(before, np.ndarray):
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before)
    elif sparse.issparse(before):
        assert (after != before).nnz == 0
    elif isinstance(before, dict):
        assert list(after) == list(before)
        for key in before:
            _assert_unchanged(after[key], before[key])
    elif isinstance(before, (list, tuple)):
        assert len(after) == len(before)
        for a, b in zip(after, before, strict=True):
            _assert_unchanged(a, b)
    else:
        assert after is before or after == before


def _probe(clf):
    """X0 as the estimator was fitted: with its feature names, if it has any."""
    names = clf.__dict__.get("feature_names_in_")
    return X0 if names is None else pd.DataFrame(X0, columns=names)


def _state(clf):
    """What a failed call must leave as it was: weights, probabilities, attributes."""
    weights = [w.copy() for w in clf.model_.get_weights()]
    return weights, clf.predict_proba(_probe(clf)), set(vars(clf))


def _assert_same_state(clf, state):
    weights, proba, names = state
    after = clf.model_.get_weights()
    assert len(after) == len(weights)
    for before, now in zip(weights, after, strict=True):
        np.testing.assert_array_equal(now, before)
    probas = clf.predict_proba(_probe(clf))
    for before, now in zip(
        proba if isinstance(proba, list) else [proba],
        probas if isinstance(probas, list) else [probas],
        strict=True,
    ):
        np.testing.assert_array_equal(now, before)
    assert set(vars(clf)) == names


def _assert_plain(message: str, case):
    if case.plain:
        assert not NUMPY_REPR.search(message), f"numpy repr in the message: {message}"


def _params(cases, variants=("",)):
    params = []
    for case in cases:
        for variant in variants:
            if variant == "fitted" and not getattr(case, "refit", True):
                continue
            marks = [bug(case.bug)] if case.bug else []
            case_id = f"{case.id}-{variant}" if variant else case.id
            params.append(pytest.param(case, variant, id=case_id, marks=marks))
    return params


# ------------------------------------------------------------------------- tests
@pytest.mark.parametrize(("case", "variant"), _params(FIT_CASES, ("fresh", "fitted")))
def test_bad_fit_input(case, variant, fitted, keras_fit_calls):
    params, kwargs = _copy_data(case.params), _copy_data(case.kwargs)
    X = _copy_data(X0 if isinstance(case.X, str) and case.X == BASE else case.X)
    y = _copy_data(Y0 if isinstance(case.y, str) and case.y == BASE else case.y)
    inputs = (params, X, y, kwargs)
    before = _copy_data(inputs)
    if variant == "fresh":
        clf = est(**params)
    else:
        clf = copy.deepcopy(fitted["plain"])
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
def test_bad_call(case, variant, fitted, keras_fit_calls):
    clf = None
    target = case.target
    if isinstance(target, str):
        name, method = target.split(".")
        clf = est() if name == "unfitted" else fitted[name]
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


@pytest.mark.parametrize(("case", "variant"), _params(LEGAL_CASES))
def test_legal_edge_input(case, variant, fitted):
    case.check(fitted)
