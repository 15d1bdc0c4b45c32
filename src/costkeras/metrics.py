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

from ._cost_matrix import MATRIX_EXPECTED, action_names, check_actions, check_costs
from ._labels import check_one_label_type, column, default_output_names, is_frame, per_output
from ._numbers import float_array
from ._weights import check_sample_cost, check_score_weight, cost_rows
from .costs import per_output_costs

__all__ = ["make_cost_scorer", "mean_cost", "savings_score", "total_cost"]


def _labels_for(cost_matrix, labels, actions, y_true, y_pred, sample_cost) -> np.ndarray:
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or len(labels) == 0:
            raise ValueError(
                f"labels must be a non-empty 1-D list of labels; got {labels.tolist()!r}."
            )
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels must not repeat a label; got {labels.tolist()!r}.")
        return labels
    named = None
    if hasattr(cost_matrix, "index") and hasattr(cost_matrix, "columns"):
        named = np.asarray(cost_matrix.index)
    elif isinstance(cost_matrix, Mapping):
        named = np.asarray(list(cost_matrix))
    if named is not None:
        if len(named) == 0:
            raise ValueError("cost_matrix names no labels; it has no costs to measure with.")
        return named
    # with actions, y_pred holds no classes: the classes are y_true's
    seen = np.unique(y_true if actions is not None else np.concatenate([y_true, y_pred]))
    # arrays by now; a shape their checks refuse leaves the labels to them
    shape = np.shape(cost_matrix if sample_cost is None else sample_cost)
    if sample_cost is not None:  # (n, k, m), or (n, m) rows
        k = shape[1] if len(shape) == 3 or (len(shape) == 2 and actions is None) else None
    else:
        k = shape[0] if len(shape) == 2 else None  # the rows are the classes
    if k is not None and len(seen) != k:
        where = "y_true holds" if actions is not None else "y_true and y_pred hold"
        raise ValueError(
            f"the costs cover {k} classes but {where} {len(seen)} labels "
            f"{seen.tolist()!r}; pass labels=... (the classes in the costs' order)"
            + ("." if actions is not None else ", or actions=... when y_pred holds actions.")
        )
    return seen


def _positions(
    values: np.ndarray,
    labels: np.ndarray,
    name: str,
    what: str = "the cost matrix's labels",
    noun: str = "labels",
) -> np.ndarray:
    def unknown_error(missing) -> ValueError:
        return ValueError(
            f"{name} holds {noun} {missing!r} that are not in {what} {labels.tolist()!r}; "
            f"the costs price no such {'decision' if noun == 'decisions' else 'label'}."
        )

    if labels.dtype == object or values.dtype == object or labels.dtype.kind != values.dtype.kind:
        # actions may mix types ([0, 1, "review"]), which sorting refuses, and labels
        # of another kind (classes where actions were due) do not sort with them:
        # look each up
        index = {label: i for i, label in enumerate(labels.tolist())}
        found = np.array([index.get(value, -1) for value in values.tolist()], dtype=int)
        unknown = found < 0
        if np.any(unknown):
            raise unknown_error(list(dict.fromkeys(values[unknown].tolist())))
        return found
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    found = np.searchsorted(sorted_labels, values)
    found = np.clip(found, 0, len(labels) - 1)
    unknown = sorted_labels[found] != values
    if np.any(unknown):
        raise unknown_error(np.unique(values[unknown]).tolist())
    return order[found]


def _as_1d(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    return array


_weights = check_score_weight  # the name costkeras.plotting imports


def _cost_table(y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, actions=None):
    """Return (table, predicted positions, weights).

    ``table[n, a]`` is the cost of decision a (a class, or an action) for sample n.
    """
    y_true = _as_1d(y_true, "y_true")
    y_pred = _as_1d(y_pred, "y_pred")
    n = len(y_true)
    if len(y_pred) != n:
        raise ValueError(f"y_true and y_pred must have the same length; got {n} and {len(y_pred)}.")
    if sample_cost is None and cost_matrix is None:
        raise ValueError("pass a cost_matrix or per-example sample_cost.")
    if n == 0:
        raise ValueError("y_true is empty; there is no cost to measure.")
    if y_true.dtype == object:
        check_one_label_type(y_true.tolist(), "y_true", any_mix=True)
    named = is_frame(cost_matrix) or isinstance(cost_matrix, Mapping)
    # arrays before their shapes are read, refused as the checks below refuse them
    if sample_cost is not None:
        sample_cost = float_array(
            sample_cost,
            "sample_cost",
            "a numeric array of shape (n_samples, k, m) or (n_samples, m)",
        )
    elif not named:
        cost_matrix = float_array(cost_matrix, "cost_matrix", MATRIX_EXPECTED)
    if actions is not None:
        actions = check_actions(actions)
    elif named:  # a DataFrame or dict of dicts may name actions
        found = action_names(cost_matrix, () if labels is None else labels)
        actions = None if found is None else check_actions(found, param="cost_matrix's columns")
    if actions is None and y_pred.dtype == object:  # y_pred holds classes, read with y_true's
        check_one_label_type(y_pred.tolist(), "y_pred", any_mix=True)
    labels = _labels_for(cost_matrix, labels, actions, y_true, y_pred, sample_cost)
    true_pos = _positions(y_true, labels, "y_true")
    matrix = None
    if sample_cost is None or named:  # the check of every entry point
        matrix, actions = check_costs(cost_matrix, labels, actions=actions)
    if actions is None:
        pred_pos = _positions(y_pred, labels, "y_pred")
    else:
        pred_pos = _positions(y_pred, actions, "y_pred", "the cost matrix's actions", "decisions")
    if sample_cost is not None:
        n_actions = None if actions is None else len(actions)
        costs = check_sample_cost(sample_cost, n, len(labels), n_actions=n_actions)
        table = cost_rows(true_pos, sample_cost=costs)
    else:
        table = cost_rows(true_pos, cost_matrix=matrix)
    weights = np.ones(n) if sample_weight is None else check_score_weight(sample_weight, n)
    return table, pred_pos, weights


def _combine(values: np.ndarray, multioutput: str):
    if multioutput == "raw_values":
        return values
    if multioutput != "sum":
        raise ValueError(f"multioutput must be 'sum' or 'raw_values'; got {multioutput!r}.")
    return float(values.sum())


def _sample_costs(table: np.ndarray, pred_pos: np.ndarray) -> np.ndarray:
    return table[np.arange(len(pred_pos)), pred_pos]


def _output_tables(
    y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, output_names, actions=None
) -> list:
    """One ``_cost_table`` per output: y with several columns has one matrix per column.

    Outputs given neither a cost matrix nor per-example costs add nothing to the cost.
    """
    one_hot = _one_hot_labels(y_true, y_pred, cost_matrix, labels, actions, output_names)
    if one_hot is not None:
        y_true, y_pred, labels = one_hot
    if np.ndim(y_true) != 2 or np.shape(y_true)[1] == 1:
        (sample_cost,) = per_output_costs(sample_cost, output_names or ["output1"])
        return [
            _cost_table(y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, actions)
        ]
    names = output_names
    if names is None:
        names = (
            list(y_true.columns)
            if hasattr(y_true, "columns")
            else default_output_names(np.shape(y_true)[1])
        )
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got {y_true.shape} and {y_pred.shape}. "
            "A 2-D y is read as one output per column; for the labels of one output, pass 1-D "
            "arrays (y.argmax(axis=1) for one-hot rows)."
        )
    if (
        isinstance(cost_matrix, (list, tuple, np.ndarray))
        and len(cost_matrix) > 0
        and np.ndim(cost_matrix[0]) == 1
    ):
        raise ValueError(
            f"y_true has {len(names)} columns, read as {len(names)} outputs (one per column), "
            "so cost_matrix must be a dict by output name or a list with one (k, k) matrix "
            "(or None) per output; got one 2-D matrix. For the labels of one output, pass y_true "
            "and y_pred as 1-D arrays (y.argmax(axis=1) for one-hot rows); one-hot y_true "
            "and y_pred (0/1, exactly one 1 per row) with one (k, k) cost_matrix, k their "
            "columns, are read as one output's labels."
        )
    matrices = per_output(cost_matrix, names, param="cost_matrix")
    costs = per_output_costs(sample_cost, names)
    if all(matrix is None for matrix in matrices) and all(cost is None for cost in costs):
        raise ValueError(
            "neither cost_matrix nor sample_cost gives any output a cost; there is no cost to "
            "measure."
        )
    label_sets = per_output(labels, names, param="labels")
    action_sets = per_output(actions, names, param="actions")
    return [
        _cost_table(
            column(y_true, j),
            column(y_pred, j),
            matrix,
            label_sets[j],
            sample_weight,
            costs[j],
            action_sets[j],
        )
        for j, (matrix, cost) in enumerate(zip(matrices, costs, strict=True))
        if matrix is not None or cost is not None
    ]


def _is_one_hot(values: np.ndarray) -> bool:
    """0/1 numbers (or booleans), exactly one 1 per row, in two or more columns."""
    if values.ndim != 2 or values.shape[1] < 2 or values.dtype.kind not in "biuf":
        return False
    return bool(np.isin(values, (0, 1)).all() and (values.sum(axis=1) == 1).all())


def _one_hot_labels(y_true, y_pred, cost_matrix, labels, actions, output_names):
    """``(y_true, y_pred, labels)`` as one output's labels when y is one-hot rows; else None.

    CostSensitiveKerasClassifier reads a one-hot y as one output and predicts one-hot
    rows; several outputs would need one matrix each, so one (k, k) matrix over the k
    columns of one-hot y_true and y_pred has a single reading. Column j is the class
    ``labels[j]`` (j itself without labels).
    """
    if isinstance(cost_matrix, Mapping) or actions is not None or output_names is not None:
        return None
    if labels is not None and (isinstance(labels, Mapping) or _ndim(labels) != 1):
        return None
    if _ndim(cost_matrix) != 2 or (
        not is_frame(cost_matrix)
        and isinstance(cost_matrix, (list, tuple))
        and any(_ndim(row) != 1 for row in cost_matrix)
    ):
        return None
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    k = true.shape[1] if true.ndim == 2 else 0
    if np.shape(cost_matrix) != (k, k) or pred.shape != true.shape:
        return None
    if not (_is_one_hot(true) and _is_one_hot(pred)):
        return None
    names = np.arange(k) if labels is None else np.asarray(labels)
    if len(names) != k:
        return None
    return names[true.argmax(axis=1)], names[pred.argmax(axis=1)], names


def _totals(tables) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-output total costs, per-output best constant costs, and the total weight."""
    totals = np.array([np.dot(_sample_costs(t, p), w) for t, p, w in tables])
    constants = np.array([(w @ t).min() for t, _, w in tables])
    return totals, constants, float(tables[0][2].sum())


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
    totals, _, _ = _totals(
        _output_tables(
            y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, output_names, actions
        )
    )
    return _combine(totals, multioutput)


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
    totals, _, weight = _totals(
        _output_tables(
            y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, output_names, actions
        )
    )
    if weight == 0:
        raise ValueError("sample_weight is zero for every sample; a mean cost is undefined.")
    return _combine(totals / weight, multioutput)


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
    totals, constants, _ = _totals(
        _output_tables(
            y_true, y_pred, cost_matrix, labels, sample_weight, sample_cost, output_names, actions
        )
    )
    # constants: the cheapest single decision (class or action) for every sample, per output
    if multioutput == "sum":
        totals, constants = totals.sum(keepdims=True), constants.sum(keepdims=True)
    if np.any(constants == 0):
        raise ValueError("savings_score is undefined: a constant prediction already costs 0.")
    return _combine(1.0 - totals / constants, multioutput)


_SCORES = {
    "mean": (mean_cost, False),
    "total": (total_cost, False),
    "savings": (savings_score, True),
}


def _ndim(value: Any) -> int | None:
    try:
        return np.ndim(value)
    except (TypeError, ValueError):  # ragged
        return None


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
            entry is None or is_frame(entry) or isinstance(entry, Mapping) or _ndim(entry) == 2
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
