"""Decisions from class probabilities and costs.

NumPy inputs (what ``predict_proba`` returns) are computed in NumPy, in float64,
and come back as NumPy arrays, by ``costkeras._bayes``: the one NumPy
implementation of the decision, which ``MinimumCostClassifier`` and
``CostSensitiveKerasClassifier`` use too. Backend tensors (inside a Keras
model) go through ``keras.ops``, the arithmetic of
:class:`costkeras.keras.layers.BayesDecision`. This module imports Keras only
when handed a tensor, so deciding for a scikit-learn classifier needs no
deep-learning backend.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _bayes
from ._cost_matrix import MATRIX_EXPECTED, check_actions, check_costs, check_decidable
from ._labels import is_frame, plain
from ._numbers import float_array, ndim
from ._weights import check_sample_cost

__all__ = ["bayes_decision", "binary_threshold", "expected_costs", "predict_min_cost"]


def _is_tensor(values: Any) -> bool:
    """Whether ``values`` is a Keras backend tensor (none can exist before Keras is imported)."""
    return "keras" in sys.modules and sys.modules["keras"].ops.is_tensor(values)


def _ndim(cost_matrix: Any) -> int | None:
    """The dimensions of an array-like cost matrix; None for a DataFrame, a dict, or what
    does not read as an array (its check says what is wrong with it)."""
    if is_frame(cost_matrix) or isinstance(cost_matrix, Mapping):
        return None
    return ndim(cost_matrix)


def _positional_costs(proba: Any, cost_matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """``proba`` and the costs of :func:`expected_costs` and :func:`bayes_decision`, checked.

    Their columns have no labels, so the costs come as an array in the order of
    ``proba``'s columns: (k, m) by :func:`~costkeras._cost_matrix.check_costs`, the
    check of every entry point that takes a cost matrix, or (n, k, m) by the check
    of per-example costs.
    """
    if is_frame(cost_matrix) or isinstance(cost_matrix, Mapping):
        raise TypeError(
            "cost_matrix must be an array here, rows and columns in the order of proba's "
            f"columns; got a {type(cost_matrix).__name__}, whose labels proba's columns do "
            "not have. Decide with predict_min_cost(estimator, X, cost_matrix), which "
            "orders it by estimator.classes_, or pass it as an array in that order."
        )
    proba = float_array(proba, "proba", "a numeric array of shape (n_samples, k)")
    if proba.ndim != 2:
        raise ValueError(f"proba must have shape (n_samples, k); got shape {proba.shape}.")
    n, k = proba.shape
    if _ndim(cost_matrix) == 3:
        costs = float_array(cost_matrix, "cost_matrix", "a numeric array of shape (n, k, m)")
        costs = check_sample_cost(
            costs, n, k, param="cost_matrix", n_actions=costs.shape[-1], rows=False
        )
        check_decidable(costs, "cost_matrix")
        return proba, costs
    matrix = float_array(cost_matrix, "cost_matrix", MATRIX_EXPECTED)
    if matrix.ndim != 2 or matrix.shape[0] != k:
        raise ValueError(
            f"cost_matrix must have shape ({k}, m) or ({n}, {k}, m), a row per class and a "
            f"column per decision, for probabilities of shape {proba.shape}; got shape "
            f"{matrix.shape}."
        )
    m = matrix.shape[1]
    costs, _ = check_costs(matrix, range(k), actions=None if m == k else range(m))
    return proba, costs


def expected_costs(proba: Any, cost_matrix: Any):
    """Expected cost of each possible decision: ``R[n, a] = sum_i p[n, i] C[i, a]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in class order.
    cost_matrix : array-like of shape (k, m) or (n_samples, k, m)
        ``C[true, decision]``, one matrix for all samples or one per sample;
        rows the k classes, columns the m decisions: the classes themselves
        (``m = k``) or actions such as approve, review, decline. An array in the
        order of ``proba``'s columns: a DataFrame or dict of dicts, whose labels
        ``proba`` lacks, is refused (:func:`predict_min_cost` orders one by
        ``classes_``).

    Returns
    -------
    array of shape (n_samples, m)

    Raises
    ------
    ValueError, TypeError
        The check of every entry point that takes a cost matrix: numbers only
        (no text, NaN or inf), at least two columns, not every row constant.

    Examples
    --------
    >>> from costkeras.decisions import expected_costs
    >>> expected_costs([[0.8, 0.2]], [[0, 1], [10, 0]]).tolist()
    [[2.0, 0.8]]
    >>> approve_review_decline = [[0, 1, 5],    # true good payer
    ...                           [10, 2, 0]]   # true defaulter
    >>> expected_costs([[0.8, 0.2]], approve_review_decline).round(2).tolist()
    [[2.0, 1.2, 4.0]]
    """
    if not _is_tensor(proba):
        return _bayes.expected_costs(*_positional_costs(proba, cost_matrix))
    from keras import ops

    from .keras import _decide

    return _decide.expected_costs(proba, ops.convert_to_tensor(cost_matrix, dtype=proba.dtype))


def bayes_decision(proba: Any, cost_matrix: Any):
    """Bayes minimum-risk decision: ``argmin_a sum_i p_i C[i, a]`` (Elkan, 2001).

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in class order.
    cost_matrix : array-like of shape (k, m) or (n_samples, k, m)
        ``C[true, decision]``: rows the classes, columns the m decisions (the
        classes, or actions), in the order of ``proba``'s columns; checked as
        in :func:`expected_costs`.

    Returns
    -------
    array of shape (n_samples,)
        Column positions of the decisions (ties go to the lower position).

    Examples
    --------
    >>> from costkeras.decisions import bayes_decision
    >>> bayes_decision([[0.8, 0.2], [0.95, 0.05]], [[0, 1], [10, 0]]).tolist()
    [1, 0]
    >>> bayes_decision([[0.8, 0.2]], [[0, 1, 5], [10, 2, 0]]).tolist()  # the middle action
    [1]
    """
    if not _is_tensor(proba):
        return _bayes.decision_positions(*_positional_costs(proba, cost_matrix))
    from keras import ops

    from .keras import _decide

    # the layer's decision, near-ties and rows that are not finite included
    return _decide.decision_positions(proba, ops.convert_to_tensor(cost_matrix, dtype=proba.dtype))


def binary_threshold(cost_matrix: Any) -> float:
    """The probability of class 1 above which Bayes predicts class 1.

    ``p* = (C_FP - C_TN) / (C_FP - C_TN + C_FN - C_TP)`` with
    ``C = [[C_TN, C_FP], [C_FN, C_TP]]``.

    Parameters
    ----------
    cost_matrix : array-like of shape (2, 2), DataFrame or dict of dicts
        ``C[true, predicted]`` over the classes 0 and 1; an error must cost
        more than the right decision.

    Returns
    -------
    float
        The threshold on ``p(1)``: Bayes predicts 1 where ``p(1)`` exceeds it.

    Examples
    --------
    >>> from costkeras.decisions import binary_threshold
    >>> round(binary_threshold([[0, 1], [10, 0]]), 4)
    0.0909
    """
    # every entry point's check; a threshold is between the two classes: no actions
    costs, actions = check_costs(cost_matrix, [0, 1], actions_param=None)
    if actions is not None:
        raise ValueError(
            f"cost_matrix names actions {plain(actions)!r}; a threshold takes the square "
            "2 x 2 matrix over the two classes."
        )
    (c_tn, c_fp), (c_fn, c_tp) = costs
    denominator = c_fp - c_tn + c_fn - c_tp
    if denominator <= 0:
        raise ValueError(
            "cost_matrix gives no threshold: an error must cost more than a correct decision."
        )
    return float((c_fp - c_tn) / denominator)


def predict_min_cost(
    estimator: Any, X: Any, cost_matrix: Any, *, actions: Any = None
) -> np.ndarray:
    """Bayes decisions from any fitted classifier's ``predict_proba``.

    For classifiers whose ``predict`` is the argmax of their probabilities:
    ``CalibratedClassifierCV`` around a costkeras estimator (its calibrated
    probabilities, decided with the costs), ``LogisticRegression``, and so on.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba`` and ``classes_``
        Any scikit-learn classifier (or pipeline) whose ``predict_proba``
        gives the probabilities to decide with.
    X : array-like of shape (n_samples, n_features)
        The rows to decide, as ``estimator.predict_proba`` takes them.
    cost_matrix : array-like of shape (k, m) or (n_samples, k, m), DataFrame or dict of dicts
        ``C[true, decision]``, rows in the order of ``estimator.classes_`` (a
        DataFrame or a dict of dicts names its labels), or one matrix per row.
        The m columns are the classes (``m = k``) or actions, named by a
        DataFrame's columns, a dict of dicts ``{true: {action: cost}}`` or
        ``actions``.
    actions : array-like of shape (m,), default=None
        The labels of the columns of an array ``cost_matrix`` that are not the
        classes (an array with ``m != k`` needs them).

    Returns
    -------
    ndarray of shape (n_samples,)
        Labels from ``estimator.classes_``, or from the actions.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from costkeras.decisions import predict_min_cost
    >>> X, y = load_breast_cancer(return_X_y=True)  # class 0 is malignant
    >>> model = LogisticRegression(max_iter=5000).fit(X, y)
    >>> missed_malignant_costs_10 = [[0, 10], [1, 0]]
    >>> bool((predict_min_cost(model, X, missed_malignant_costs_10) == 0).sum()
    ...      >= (model.predict(X) == 0).sum())
    True
    """
    proba = estimator.predict_proba(X)
    if isinstance(proba, list):
        raise ValueError(
            "predict_min_cost takes a single-output classifier; for several outputs, "
            "apply bayes_decision to each output's probabilities with its cost matrix."
        )
    classes = np.asarray(estimator.classes_)
    if _ndim(cost_matrix) == 3:
        labels = classes if actions is None else check_actions(actions)
        costs = check_sample_cost(
            cost_matrix,
            len(proba),
            len(classes),
            param="cost_matrix",
            n_actions=len(labels),
            rows=False,
        )
        if costs.ndim != 3:
            raise ValueError(
                f"cost_matrix must be one (k, m) matrix or one per row, shape "
                f"({len(proba)}, {len(classes)}, m); got shape {costs.shape}."
            )
        check_decidable(costs, "cost_matrix")
    else:
        costs, named = check_costs(cost_matrix, classes, actions=actions)
        labels = classes if named is None else named
    return _bayes.decision_labels(proba, labels, costs)
