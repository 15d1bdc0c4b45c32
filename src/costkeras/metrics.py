"""Misclassification-cost metrics and scorers.

This module needs only NumPy and scikit-learn, imports scikit-learn only when
a scorer is made (so ``import costkeras.metrics`` is fast and never loads a
deep-learning backend), and works with predictions of any classifier.

A cost matrix ``C`` is indexed ``C[true, predicted]``, the orientation of
:func:`sklearn.metrics.confusion_matrix`: the total cost of predictions is
``(confusion_matrix(y_true, y_pred, labels=labels) * C).sum()``. Its columns may be
actions rather than classes, ``C[true, action]`` of shape (k, m): ``y_true`` then holds
classes and ``y_pred`` actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from ._cost_matrix import check_costs
from ._cost_tables import combine, output_tables, table_sums
from ._labels import is_frame
from ._numbers import ndim

__all__ = ["make_cost_scorer", "mean_cost", "savings_score", "total_cost"]


def _sums(y_true, y_pred, cost_matrix, *, multioutput, **options) -> tuple:
    """Per-output totals, best constant costs and total weight: a metric's arguments, summed.

    Each metric calls it first thing with ``**locals()``, its own arguments.
    """
    return table_sums(output_tables(y_true, y_pred, cost_matrix, **options))


def total_cost(
    y_true: Any,
    y_pred: Any,
    cost_matrix: Any = None,
    *,
    labels: Any = None,
    actions: Any = None,
    sample_weight: Any = None,
    sample_cost: Any = None,
    output_names: Any = None,
    multioutput: Literal["sum", "raw_values"] = "sum",
) -> float:
    """Total misclassification cost of predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True labels. A 2-D y is one output per column (see ``output_names``),
        except one-hot rows: y_true and y_pred both of 0/1 with exactly one 1
        per row, judged with one (k, k) ``cost_matrix`` (not a dict or list per
        output) where k is their number of columns, are one output's labels,
        column j the class ``labels[j]`` (j without ``labels``), as
        ``CostSensitiveKerasClassifier`` reads and predicts them.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted labels, or the actions decided; one-hot rows as ``y_true``.
    cost_matrix : array-like of shape (k, k) or (k, m), DataFrame or dict of dicts, \
default=None
        ``C[true, predicted]``. An array follows ``labels``; a DataFrame
        (index true, columns predicted) or ``{true: {predicted: cost}}`` names
        its labels itself. Not needed when ``sample_cost`` is given. Its
        columns may be m actions, ``C[true, action]``: named by a DataFrame's
        columns, a dict of dicts' inner keys, or ``actions``.
    labels : array-like of shape (k,), default=None
        The labels of the costs' rows (and columns, without actions). Defaults
        to the sorted labels found in ``y_true`` and ``y_pred`` (with actions,
        in ``y_true``), which must then number k.
    actions : array-like of shape (m,), default=None
        The labels of the costs' columns when they are actions rather than the
        classes: those ``y_pred`` holds (an array ``cost_matrix`` with ``m != k``,
        and per-example ``sample_cost`` of actions, need them).
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample's cost.
    sample_cost : array-like of shape (n_samples, k, m) or (n_samples, m), default=None
        Per-example costs: a cost matrix per sample, or the cost of each
        decision for each sample (``m = k`` without actions). Replaces
        ``cost_matrix``.
        With several outputs: a dict by output name, a list with one entry
        (or None) per output, or :class:`~costkeras.costs.OutputCosts`; an
        output's per-example costs replace its matrix.
    output_names : list, default=None
        For y with several columns (outputs): their names, the keys of a
        ``cost_matrix`` (and ``labels``, ``actions``) dict. Defaults to a DataFrame's
        columns, else ``output1``, ``output2``, ... With several outputs,
        ``cost_matrix`` is a dict by name or a list with one matrix per
        output (None: that output costs nothing, unless it has per-example
        costs) and the cost is the sum over outputs.
    multioutput : {"sum", "raw_values"}, default="sum"
        ``"raw_values"`` returns one value per costed output.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import total_cost
    >>> total_cost(["a", "b", "b"], ["a", "a", "b"], [[0, 1], [5, 0]])
    5.0
    >>> C = {"good": {"approve": 0, "review": 1, "decline": 4},   # C[true, action]
    ...      "bad": {"approve": 20, "review": 3, "decline": 0}}
    >>> total_cost(["good", "bad", "bad"], ["approve", "review", "approve"], C)
    23.0

    One-hot rows are one output's labels (here 0 and 1):

    >>> total_cost([[1, 0], [0, 1]], [[0, 1], [0, 1]], [[0, 1], [5, 0]])
    1.0
    """
    totals, _, _ = _sums(**locals())
    return combine(totals, multioutput)


def mean_cost(
    y_true: Any,
    y_pred: Any,
    cost_matrix: Any = None,
    *,
    labels: Any = None,
    actions: Any = None,
    sample_weight: Any = None,
    sample_cost: Any = None,
    output_names: Any = None,
    multioutput: Literal["sum", "raw_values"] = "sum",
) -> float:
    """Mean misclassification cost per sample (weighted by ``sample_weight``).

    Parameters are those of :func:`total_cost`; as there, one-hot y_true and
    y_pred with one (k, k) ``cost_matrix`` over their k columns are one
    output's labels.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import mean_cost
    >>> mean_cost([0, 1, 1, 0], [0, 0, 1, 1], [[0, 1], [5, 0]])
    1.5
    >>> import numpy as np
    >>> mean_cost(np.eye(2)[[0, 1, 1, 0]], np.eye(2)[[0, 0, 1, 1]], [[0, 1], [5, 0]])
    1.5
    """
    totals, _, weight = _sums(**locals())
    if weight == 0:
        raise ValueError("sample_weight is zero for every sample; a mean cost is undefined.")
    return combine(totals / weight, multioutput)


def savings_score(
    y_true: Any,
    y_pred: Any,
    cost_matrix: Any = None,
    *,
    labels: Any = None,
    actions: Any = None,
    sample_weight: Any = None,
    sample_cost: Any = None,
    output_names: Any = None,
    multioutput: Literal["sum", "raw_values"] = "sum",
) -> float:
    """Savings: ``1 - cost / cost of the best constant prediction``.

    1 means no cost at all, 0 means no better than always predicting the
    cheapest single class (with actions: taking the cheapest single action
    for everyone), negative means worse than that.

    Parameters are those of :func:`total_cost`; as there, one-hot y_true and
    y_pred with one (k, k) ``cost_matrix`` over their k columns are one
    output's labels.

    Returns
    -------
    float

    Examples
    --------
    >>> from costkeras.metrics import savings_score
    >>> savings_score([0, 1, 1, 0], [0, 1, 1, 1], [[0, 1], [5, 0]])
    0.5
    """
    totals, constants, _ = _sums(**locals())
    # constants: the cheapest single decision (class or action) for every sample, per output
    if multioutput == "sum":
        totals, constants = totals.sum(keepdims=True), constants.sum(keepdims=True)
    if np.any(constants == 0):
        raise ValueError("savings_score is undefined: a constant prediction already costs 0.")
    return combine(1.0 - totals / constants, multioutput)


_SCORES = {
    "mean": (mean_cost, False),
    "total": (total_cost, False),
    "savings": (savings_score, True),
}


def _check_scorer_matrix(cost_matrix: Any, labels: Any, actions: Any) -> None:
    """Refuse at once a single cost matrix every estimator would be refused with.

    An array's rows are the fitted classes, unknown until the scorer is called: it is
    checked with k stand-in labels (or ``labels``), so a search learns of a bad matrix
    before its first fit rather than from a score of NaN per candidate. A DataFrame or
    dict of dicts without ``labels``, and per-output matrices, are checked when called,
    against each estimator's ``classes_``, by the same check.
    """
    named = is_frame(cost_matrix) or isinstance(cost_matrix, Mapping)
    if cost_matrix is None or isinstance(actions, Mapping) or isinstance(labels, Mapping):
        return
    if labels is not None and np.ndim(labels) != 1:
        return  # per output, or refused by the metric
    if named:
        if labels is not None:
            check_costs(cost_matrix, list(labels), actions=actions)
        return
    try:
        shape = np.shape(cost_matrix)
    except ValueError:  # ragged: perhaps one matrix per output
        shape = None
    if shape is not None and len(shape) > 2:
        return  # one matrix per output
    if (
        shape is None
        and isinstance(cost_matrix, (list, tuple))
        and any(
            entry is None or is_frame(entry) or isinstance(entry, Mapping) or ndim(entry) == 2
            for entry in cost_matrix
        )
    ):
        return  # one matrix (or None) per output
    shape = shape if shape is not None and len(shape) == 2 else (0, 0)
    if labels is None and actions is None and min(shape) < 2:
        return  # not a matrix of two rows and columns: the call's check says what it is
    if labels is None:
        labels = range(shape[0])
    if actions is None and shape[0] != shape[1] and shape[0] == len(labels):
        actions = range(shape[1])  # stand-ins for the fitted estimator's actions_
    check_costs(cost_matrix, list(labels), actions=actions)


def make_cost_scorer(
    cost_matrix: Any = None,
    *,
    labels: Any = None,
    actions: Any = None,
    kind: Literal["mean", "total", "savings"] = "mean",
) -> Any:
    """Make a scikit-learn scorer from a cost matrix or routed per-example costs.

    Scorers are maximised, so ``"mean"`` and ``"total"`` return the negated
    cost; ``"savings"`` returns :func:`savings_score`. The scorer judges the
    estimator's ``predict``, so it works with any classifier. Use one fixed
    scorer to compare models trained with different cost matrices: each
    model's own ``score`` would not be comparable.

    With per-example costs, request them with
    ``scorer.set_score_request(sample_cost=True)`` and pass
    ``params={"sample_cost": costs}`` to ``cross_val_score``,
    ``cross_validate`` or ``GridSearchCV.fit`` (metadata routing enabled).
    Per-example matrices of shape (n, k, k) are also handed to the
    estimator's ``predict`` when it accepts ``sample_cost``, so the decision
    is made and judged with the same costs.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k) or (k, m), DataFrame, dict of dicts or None, \
default=None
        ``C[true, predicted]`` or ``C[true, action]``, as in :func:`total_cost`.
        None when the costs come per example through ``sample_cost``.
    labels : array-like of shape (k,), default=None
        Labels of the matrix's rows (and columns, without actions). Defaults
        to those a DataFrame (its index) or a dict of dicts (its keys) names,
        and to the fitted estimator's ``classes_`` for an array.
    actions : array-like of shape (m,), default=None
        Labels of the matrix's columns when they are actions. The scorer's
        columns are its own: ``actions``, or those a DataFrame or dict of dicts
        names, so it judges any estimator whose decisions are among them (an
        approve/decline model on approve/review/decline costs, in the same
        search as an approve/review/decline one); per-example matrices handed to
        ``predict`` are cut to the estimator's ``actions_``. Only a matrix that
        names no columns (an array, or routed costs alone) takes the fitted
        estimator's ``actions_`` when they are not its classes
        (:class:`~costkeras.MinimumCostClassifier`,
        :class:`~costkeras.CostSensitiveKerasClassifier`).
    kind : {"mean", "total", "savings"}, default="mean"
        Negated mean cost per sample, negated total cost, or savings.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None, sample_cost=None)``.

    Raises
    ------
    ValueError, TypeError
        From the check every entry point gives a cost matrix (not numbers, NaN or
        inf, a wrong shape, one column, every row constant): at once for an
        array, when called for a DataFrame or a dict of dicts (which judge with
        the labels they name, a class a training fold lacked included). When
        called, a decision of the estimator that is not among the scorer's
        columns raises a ``ValueError`` naming it.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from costkeras.metrics import make_cost_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> scorer = make_cost_scorer([[0, 10], [1, 0]])
    >>> scores = cross_val_score(LogisticRegression(max_iter=5000), X, y, scoring=scorer)
    >>> bool((scores <= 0).all())
    True
    """
    from ._scorer import CostScorer

    if kind not in _SCORES:
        raise ValueError(f"kind must be one of {sorted(_SCORES)}; got {kind!r}.")
    _check_scorer_matrix(cost_matrix, labels, actions)
    func, greater_is_better = _SCORES[kind]
    return CostScorer(func, 1 if greater_is_better else -1, cost_matrix, labels, actions)
