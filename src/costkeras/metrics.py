"""Misclassification-cost metrics and scorers.

This module needs only NumPy and scikit-learn, imports scikit-learn only when
a scorer is made (so ``import costkeras.metrics`` is fast and never loads a
deep-learning backend), and works with predictions of any classifier.

A cost matrix ``C`` is indexed ``C[true, predicted]``, the orientation of
:func:`sklearn.metrics.confusion_matrix`: the total cost of predictions is
``(confusion_matrix(y_true, y_pred, labels=labels) * C).sum()``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ._validation import check_cost_matrix

__all__ = ["make_cost_scorer", "mean_cost", "savings_score", "total_cost"]


def _labels_for(
    cost_matrix: Any, labels: Any, y_true: np.ndarray, y_pred: np.ndarray
) -> np.ndarray:
    if labels is not None:
        return np.asarray(labels)
    if hasattr(cost_matrix, "index") and hasattr(cost_matrix, "columns"):
        return np.asarray(cost_matrix.index)
    if isinstance(cost_matrix, dict):
        return np.asarray(list(cost_matrix))
    seen = np.unique(np.concatenate([y_true, y_pred]))
    k = np.shape(cost_matrix)[0] if np.ndim(cost_matrix) == 2 else None
    if k is not None and len(seen) != k:
        raise ValueError(
            f"cost_matrix has {k} rows but y_true and y_pred hold {len(seen)} labels "
            f"{seen.tolist()!r}; pass labels=... (the classes in the matrix's order)."
        )
    return seen


def _positions(values: np.ndarray, labels: np.ndarray, name: str) -> np.ndarray:
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    found = np.searchsorted(sorted_labels, values)
    found = np.clip(found, 0, len(labels) - 1)
    unknown = sorted_labels[found] != values
    if np.any(unknown):
        raise ValueError(
            f"{name} holds labels {np.unique(values[unknown]).tolist()!r} that are not in "
            f"the cost matrix's labels {labels.tolist()!r}."
        )
    return order[found]


def _as_1d(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    return array


def _costs_per_sample(y_true, y_pred, cost_matrix, labels, sample_weight):
    y_true = _as_1d(y_true, "y_true")
    y_pred = _as_1d(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length; got {len(y_true)} and {len(y_pred)}."
        )
    labels = _labels_for(cost_matrix, labels, y_true, y_pred)
    matrix = check_cost_matrix(cost_matrix, labels)
    costs = matrix[_positions(y_true, labels, "y_true"), _positions(y_pred, labels, "y_pred")]
    weights = (
        np.ones(len(costs)) if sample_weight is None else _as_1d(sample_weight, "sample_weight")
    )
    if len(weights) != len(costs):
        raise ValueError(
            f"sample_weight has {len(weights)} entries but there are {len(costs)} samples."
        )
    return costs, weights, matrix, labels, y_true


def total_cost(
    y_true: Any, y_pred: Any, cost_matrix: Any, *, labels: Any = None, sample_weight: Any = None
) -> float:
    """Total misclassification cost of predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    cost_matrix : array-like of shape (k, k), DataFrame or dict of dicts
        ``C[true, predicted]``. An array follows ``labels``; a DataFrame
        (index true, columns predicted) or ``{true: {predicted: cost}}`` names
        its labels itself.
    labels : array-like of shape (k,), default=None
        The labels of the matrix's rows and columns. Defaults to the sorted
        labels found in ``y_true`` and ``y_pred``, which must then number k.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample's cost.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import total_cost
    >>> total_cost(["a", "b", "b"], ["a", "a", "b"], [[0, 1], [5, 0]])
    5.0
    """
    costs, weights, *_ = _costs_per_sample(y_true, y_pred, cost_matrix, labels, sample_weight)
    return float(np.dot(costs, weights))


def mean_cost(
    y_true: Any, y_pred: Any, cost_matrix: Any, *, labels: Any = None, sample_weight: Any = None
) -> float:
    """Mean misclassification cost per sample (weighted by ``sample_weight``).

    Parameters are those of :func:`total_cost`.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import mean_cost
    >>> mean_cost([0, 1, 1, 0], [0, 0, 1, 1], [[0, 1], [5, 0]])
    1.5
    """
    costs, weights, *_ = _costs_per_sample(y_true, y_pred, cost_matrix, labels, sample_weight)
    return float(np.dot(costs, weights) / weights.sum())


def savings_score(
    y_true: Any, y_pred: Any, cost_matrix: Any, *, labels: Any = None, sample_weight: Any = None
) -> float:
    """Savings: ``1 - cost / cost of the best constant prediction``.

    1 means no cost at all, 0 means no better than always predicting the
    cheapest single class, negative means worse than that.

    Parameters are those of :func:`total_cost`.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import savings_score
    >>> savings_score([0, 1, 1, 0], [0, 1, 1, 1], [[0, 1], [5, 0]])
    0.5
    """
    costs, weights, matrix, labels, y_true = _costs_per_sample(
        y_true, y_pred, cost_matrix, labels, sample_weight
    )
    true_pos = _positions(y_true, labels, "y_true")
    # constant[j]: the total cost of predicting class j for every sample
    constant = np.bincount(true_pos, weights=weights, minlength=len(labels)) @ matrix
    best = constant.min()
    if best == 0:
        raise ValueError("savings_score is undefined: a constant prediction already costs 0.")
    return float(1.0 - np.dot(costs, weights) / best)


_SCORES = {
    "mean": (mean_cost, False),
    "total": (total_cost, False),
    "savings": (savings_score, True),
}


def make_cost_scorer(
    cost_matrix: Any,
    *,
    labels: Any = None,
    kind: Literal["mean", "total", "savings"] = "mean",
):
    """Make a scikit-learn scorer from a cost matrix.

    Scorers are maximised, so ``"mean"`` and ``"total"`` return the negated
    cost; ``"savings"`` returns :func:`savings_score`. The scorer calls the
    estimator's ``predict``, so it judges the decisions a model makes, whatever
    the model is. Use one fixed scorer to compare models trained with
    different cost matrices: each model's own ``score`` would not be
    comparable.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), DataFrame or dict of dicts
        ``C[true, predicted]``, as in :func:`total_cost`.
    labels : array-like of shape (k,), default=None
        Labels of the matrix's rows and columns, as in :func:`total_cost`.
    kind : {"mean", "total", "savings"}, default="mean"
        Negated mean cost per sample, negated total cost, or savings.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from costkeras.metrics import make_cost_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> scorer = make_cost_scorer([[0, 1], [10, 0]])
    >>> scores = cross_val_score(LogisticRegression(max_iter=5000), X, y, scoring=scorer)
    >>> bool((scores <= 0).all())
    True
    """
    from sklearn.metrics import make_scorer

    if kind not in _SCORES:
        raise ValueError(f"kind must be one of {sorted(_SCORES)}; got {kind!r}.")
    func, greater_is_better = _SCORES[kind]
    return make_scorer(
        func,
        greater_is_better=greater_is_better,
        cost_matrix=cost_matrix,
        labels=labels,
    )
