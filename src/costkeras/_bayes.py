"""The one Bayes minimum-risk decision of costkeras, in NumPy.

Every decision from probabilities and costs goes through here:
:class:`~costkeras.MinimumCostClassifier`, :func:`costkeras.decisions.predict_min_cost`,
the NumPy path of :func:`costkeras.decisions.bayes_decision` and
:func:`costkeras.decisions.expected_costs`, and ``CostSensitiveKerasClassifier``'s
``predict``/``predict_expected_cost``.

This module imports NumPy only (no Keras, no scikit-learn), so that importing the
meta-estimator stays light.

Conventions (``../shared/NOTES.md``, section 1): a cost matrix is ``C[true, predicted]``,
rows and columns in the order of the probabilities' columns (``classes_``); the Bayes
decision (Elkan, IJCAI 2001) is ``argmin_j sum_i p_i C[i, j]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_sample_cost

__all__ = ["decide", "decision_costs", "decision_positions", "expected_costs"]


def _check_shapes(proba: np.ndarray, costs: np.ndarray) -> None:
    if proba.ndim != 2:
        raise ValueError(f"proba must have shape (n_samples, k); got shape {proba.shape}.")
    for name, values in (("proba", proba), ("the costs", costs)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must contain only finite values (no NaN or inf).")
    n, k = proba.shape
    if costs.shape not in ((k, k), (n, k, k)):
        raise ValueError(
            f"the costs must have shape ({k}, {k}) or ({n}, {k}, {k}) for probabilities of "
            f"shape {proba.shape}; got shape {costs.shape}."
        )


def expected_costs(proba: Any, costs: Any = None) -> np.ndarray:
    """Expected cost of each decision: ``R[n, j] = sum_i proba[n, i] C[i, j]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in ``classes_`` order.
    costs : array-like of shape (k, k) or (n_samples, k, k), or None
        ``C[true, predicted]``: one matrix for all rows, or one per row
        (``C_n``, giving ``R[n, j] = sum_i proba[n, i] C_n[i, j]``). None means
        the 0/1 cost (every error costs 1), so ``R[n, j] = sum_{i != j} proba[n, i]``.

    Returns
    -------
    ndarray of shape (n_samples, k), float64
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
        return np.einsum("ni,nij->nj", proba, costs)
    return proba @ costs


def decision_positions(proba: Any, costs: Any = None) -> np.ndarray:
    """Positions (column indices) of the Bayes decisions: ``argmin_j R[n, j]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    costs : array-like of shape (k, k) or (n_samples, k, k), or None
        As in :func:`expected_costs`. None decides by ``argmax_j proba[n, j]``
        (the Bayes decision under 0/1 costs, computed without rounding).

    Returns
    -------
    ndarray of shape (n_samples,), int
        Ties go to the lower position, as with :func:`numpy.argmin`.

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
    return np.argmin(expected_costs(proba, costs), axis=1)


def decide(proba: Any, classes: Any, costs: Any = None) -> np.ndarray:
    """Bayes minimum-risk labels: ``classes[argmin_j sum_i proba[n, i] C[i, j]]``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in the order of ``classes``.
    classes : array-like of shape (k,)
        The labels of the columns (``classes_``).
    costs : array-like of shape (k, k) or (n_samples, k, k), or None
        ``C[true, predicted]`` in the order of ``classes``, one matrix or one per
        row. None: the most probable class (0/1 costs).

    Returns
    -------
    ndarray of shape (n_samples,)
        Labels taken from ``classes`` (their dtype kept); ties go to the class
        that comes first in ``classes``.

    Examples
    --------
    >>> from costkeras._bayes import decide
    >>> decide([[0.8, 0.2], [0.95, 0.05]], ["ok", "fraud"], [[0, 1], [10, 0]]).tolist()
    ['fraud', 'ok']
    """
    classes = np.asarray(classes)
    proba_shape = np.shape(proba)
    if len(proba_shape) == 2 and proba_shape[1] != len(classes):
        raise ValueError(
            f"proba has {proba_shape[1]} columns but there are {len(classes)} classes."
        )
    return classes[decision_positions(proba, costs)]


def decision_costs(
    sample_cost: Any,
    n_samples: int,
    n_classes: int,
    default: Any = None,
    *,
    param: str = "sample_cost",
) -> np.ndarray | None:
    """The costs to decide ``n_samples`` rows with at predict time.

    Per-example costs at predict time must be whole matrices: the true class is
    unknown, so a (n, k) cost row (the format ``fit`` also takes) cannot be
    chosen.

    Parameters
    ----------
    sample_cost : array-like of shape (n_samples, k, k) or None
        One ``C_n[true, predicted]`` per row, columns in ``classes_`` order.
    n_samples, n_classes : int
        The rows to decide and the number of classes ``k``.
    default : ndarray of shape (k, k) or None
        Returned when ``sample_cost`` is None (the fitted ``cost_matrix_``).
    param : str, default="sample_cost"
        The name error messages give the costs.

    Returns
    -------
    ndarray of shape (n_samples, k, k), float64 (a copy), or ``default``

    Raises
    ------
    ValueError
        Naming ``sample_cost``: a wrong shape, (n, k) rows, or values that are not
        finite.
    TypeError
        If ``sample_cost`` is not numeric.
    """
    if sample_cost is None:
        return default
    costs = check_sample_cost(sample_cost, n_samples, n_classes, param=param)
    if costs.ndim != 3:
        raise ValueError(
            f"{param} at predict time must have shape (n_samples, k, k), a cost "
            "matrix per example: the true class is unknown, so an (n, k) cost row "
            f"cannot be chosen; got shape {costs.shape}."
        )
    return costs
