"""The one Bayes minimum-risk decision of costkeras, in NumPy.

Every decision from probabilities and costs goes through here: the decision layer
both estimators share (``_decision_mixin.CostDecisionMixin``),
:func:`costkeras.decisions.predict_min_cost`, and the NumPy path of
:func:`costkeras.decisions.bayes_decision` and :func:`costkeras.decisions.expected_costs`.

This module imports NumPy only (no Keras, no scikit-learn), so that importing the
meta-estimator stays light.

Conventions: a cost matrix is
``C[true, decision]`` of shape (k, m), rows in the order of the probabilities' columns
(``classes_``), columns the m possible decisions: the classes themselves (``m = k``, the
square matrix of ``confusion_matrix``'s orientation) or actions of their own (approve,
review, decline). The Bayes decision (Elkan, IJCAI 2001) is ``argmin_a sum_i p_i C[i, a]``:
the probabilities multiply the matrix from the left, ``proba @ C``, never ``proba @ C.T``
(which would read the matrix transposed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._cost_matrix import check_decidable
from ._numbers import check_finite
from ._weights import check_sample_cost

__all__ = ["decision_costs", "decision_labels", "decision_positions", "expected_costs"]


def _check_shapes(proba: np.ndarray, costs: np.ndarray) -> None:
    if proba.ndim != 2:
        raise ValueError(f"proba must have shape (n_samples, k); got shape {proba.shape}.")
    check_finite(proba, "proba")
    check_finite(costs, "the costs")
    n, k = proba.shape
    m = costs.shape[-1] if costs.ndim else 0
    if m == 0 or costs.shape not in ((k, m), (n, k, m)):
        raise ValueError(
            f"the costs must have shape ({k}, m) or ({n}, {k}, m), a row per class and a "
            f"column per decision, for probabilities of shape {proba.shape}; got shape "
            f"{costs.shape}."
        )


def expected_costs(proba: Any, costs: Any = None) -> np.ndarray:
    """Expected cost of each decision: ``R[n, a] = sum_i proba[n, i] C[i, a]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in ``classes_`` order.
    costs : array-like of shape (k, m) or (n_samples, k, m), or None
        ``C[true, decision]``: one matrix for all rows, or one per row
        (``C_n``, giving ``R[n, a] = sum_i proba[n, i] C_n[i, a]``); the m
        decisions are the classes (``m = k``) or actions. None means the 0/1
        cost (every error costs 1), so ``R[n, j] = sum_{i != j} proba[n, i]``.

    Returns
    -------
    ndarray of shape (n_samples, m), float64
        A new array; the inputs are not modified.

    Raises
    ------
    ValueError
        If the shapes do not match.

    Examples
    --------
    >>> from costkeras._bayes import expected_costs
    >>> expected_costs([[0.8, 0.2]], [[0, 1], [10, 0]]).tolist()
    [[2.0, 0.8]]
    """
    proba = np.asarray(proba, dtype=np.float64)
    if costs is None:
        k = proba.shape[-1] if proba.ndim == 2 else 0
        costs = 1.0 - np.eye(k)
    costs = np.asarray(costs, dtype=np.float64)
    _check_shapes(proba, costs)
    if costs.ndim == 3:
        return np.einsum("ni,nia->na", proba, costs)
    return proba @ costs


def decision_positions(proba: Any, costs: Any = None) -> np.ndarray:
    """Positions (column indices) of the Bayes decisions: ``argmin_a R[n, a]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    costs : array-like of shape (k, m) or (n_samples, k, m), or None
        As in :func:`expected_costs`. None decides by ``argmax_j proba[n, j]``
        (the Bayes decision under 0/1 costs, computed without rounding).

    Returns
    -------
    ndarray of shape (n_samples,), int
        Ties go to the lower position, as with :func:`numpy.argmin`, and so do
        expected costs closer than a rounding error (:func:`tie_tolerance`).

    Examples
    --------
    >>> from costkeras._bayes import decision_positions
    >>> decision_positions([[0.8, 0.2], [0.95, 0.05]], [[0, 1], [10, 0]]).tolist()
    [1, 0]
    """
    if costs is None:
        proba = np.asarray(proba, dtype=np.float64)
        if proba.ndim != 2:
            raise ValueError(f"proba must have shape (n_samples, k); got shape {proba.shape}.")
        return np.argmax(proba, axis=1)
    risks = expected_costs(proba, costs)
    costs = np.asarray(costs, dtype=np.float64)
    near_tie = (risks - risks.min(axis=1, keepdims=True)) <= tie_tolerance(costs)
    first = np.argmax(near_tie, axis=1)
    # a row that is not finite has no minimum: numpy's argmin, as before
    return np.where(np.all(np.isfinite(risks), axis=1), first, np.argmin(risks, axis=1))


def tie_tolerance(costs: np.ndarray, eps: float = float(np.finfo(np.float64).eps)):
    """How far apart two expected costs may be and still tie: ``2 k eps max|C|``.

    A sum of k products carries a rounding error of at most ``k eps max|C|``,
    whatever the order of its additions: within twice that, two decisions are
    the same to the arithmetic, and the lower position wins. ``predict`` (NumPy)
    and the served model (``keras.ops``, in another order of additions) then
    decide near-ties alike. One value for a (k, m) matrix; (n, 1) for (n, k, m).
    """
    k = costs.shape[-2]
    if costs.ndim == 3:
        return 2 * k * eps * np.abs(costs).max(axis=(1, 2))[:, None]
    return 2 * k * eps * float(np.abs(costs).max())


def decision_labels(proba: Any, labels: Any, costs: Any = None) -> np.ndarray:
    """Bayes minimum-risk labels: ``labels[argmin_a sum_i proba[n, i] C[i, a]]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in ``classes_`` order.
    labels : array-like of shape (m,)
        The labels of the decisions, the costs' columns: ``classes_`` for a
        square matrix (and for None), the actions otherwise.
    costs : array-like of shape (k, m) or (n_samples, k, m), or None
        ``C[true, decision]``, rows in ``classes_`` order, one matrix or one per
        row. None: the most probable class (0/1 costs).

    Returns
    -------
    ndarray of shape (n_samples,)
        Labels taken from ``labels`` (their dtype kept); ties go to the decision
        that comes first in ``labels``.

    Examples
    --------
    >>> from costkeras._bayes import decision_labels
    >>> decision_labels([[0.8, 0.2], [0.95, 0.05]], ["ok", "fraud"], [[0, 1], [10, 0]]).tolist()
    ['fraud', 'ok']
    >>> decision_labels([[0.8, 0.2]], ["pay", "check", "block"], [[0, 1, 5], [10, 2, 0]]).tolist()
    ['check']
    """
    labels = np.asarray(labels)
    proba_shape = np.shape(proba)
    m = np.shape(costs)[-1] if costs is not None and np.ndim(costs) >= 2 else None
    k = proba_shape[1] if len(proba_shape) == 2 else None
    if m in (None, k) and k is not None and k != len(labels):
        raise ValueError(f"proba has {k} columns but there are {len(labels)} classes.")
    if m is not None and m != len(labels):
        raise ValueError(
            f"the costs have {m} columns (decisions) but there are {len(labels)} labels."
        )
    return labels[decision_positions(proba, costs)]


def decision_costs(
    sample_cost: Any,
    n_samples: int,
    n_classes: int,
    default: Any = None,
    *,
    param: str = "sample_cost",
    n_actions: int | None = None,
) -> np.ndarray | None:
    """The costs to decide ``n_samples`` rows with at predict time.

    Per-example costs at predict time must be whole matrices: the true class is
    unknown, so a (n, m) cost row (the format ``fit`` also takes) cannot be
    chosen.

    Parameters
    ----------
    sample_cost : array-like of shape (n_samples, k, m) or None
        One ``C_n[true, decision]`` per row, rows in ``classes_`` order, columns
        the decisions (the classes, or the fitted actions).
    n_samples, n_classes : int
        The rows to decide and the number of classes ``k``.
    default : ndarray of shape (k, m) or None
        Returned when ``sample_cost`` is None (the fitted ``cost_matrix_``).
    param : str, default="sample_cost"
        The name error messages give the costs.
    n_actions : int, default=None
        The number m of decisions when they are actions; None: the k classes.

    Returns
    -------
    ndarray of shape (n_samples, k, m), float64 (a copy), or ``default``

    Raises
    ------
    ValueError
        Naming ``sample_cost``: a wrong shape, (n, k) rows, values that are not
        finite, or costs that decide nothing (every row constant).
    TypeError
        If ``sample_cost`` is not numeric.
    """
    if sample_cost is None:
        return default
    costs = check_sample_cost(
        sample_cost, n_samples, n_classes, param=param, n_actions=n_actions, rows=False
    )
    if costs.ndim != 3:
        shape = "(n_samples, k, k)" if n_actions in (None, n_classes) else "(n_samples, k, m)"
        raise ValueError(
            f"{param} at predict time must have shape {shape}, a cost "
            "matrix per example: the true class is unknown, so an (n, k) cost row "
            f"cannot be chosen; got shape {costs.shape}."
        )
    check_decidable(costs, param)
    return costs
