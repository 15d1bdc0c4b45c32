"""The cost tables the metrics sum: each example's cost of every decision, per output.

A table row ``table[n, a]`` is the cost of decision ``a`` (a class, or an action) for
example ``n``, its true class known: row ``C[y_n, :]`` of the cost matrix, or the
example's own costs. The metrics of :mod:`costkeras.metrics` and the plots of
:mod:`costkeras.plotting` read predictions against these tables. Plain NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._cost_matrix import MATRIX_EXPECTED, action_names, check_actions, check_costs
from ._labels import check_one_label_type, column, default_output_names, is_frame, per_output
from ._numbers import float_array, ndim
from ._weights import check_sample_cost, check_score_weight, cost_rows
from .costs import per_output_costs


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


def positions(
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


def cost_table(y_true, y_pred, cost_matrix, labels, *, sample_weight, sample_cost, actions=None):
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
    true_pos = positions(y_true, labels, "y_true")
    matrix = None
    if sample_cost is None or named:  # the check of every entry point
        matrix, actions = check_costs(cost_matrix, labels, actions=actions)
    if actions is None:
        pred_pos = positions(y_pred, labels, "y_pred")
    else:
        pred_pos = positions(y_pred, actions, "y_pred", "the cost matrix's actions", "decisions")
    if sample_cost is not None:
        n_actions = None if actions is None else len(actions)
        costs = check_sample_cost(sample_cost, n, len(labels), n_actions=n_actions)
        table = cost_rows(true_pos, sample_cost=costs)
    else:
        table = cost_rows(true_pos, cost_matrix=matrix)
    weights = np.ones(n) if sample_weight is None else check_score_weight(sample_weight, n)
    return table, pred_pos, weights


def combine(values: np.ndarray, multioutput: str):
    if multioutput == "raw_values":
        return values
    if multioutput != "sum":
        raise ValueError(f"multioutput must be 'sum' or 'raw_values'; got {multioutput!r}.")
    return float(values.sum())


def _sample_costs(table: np.ndarray, pred_pos: np.ndarray) -> np.ndarray:
    return table[np.arange(len(pred_pos)), pred_pos]


def _output_names(y_true, y_pred, cost_matrix, output_names) -> list:
    """The names of a 2-D y's outputs, one per column, once y_pred and the costs fit them."""
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
    return names


def output_tables(
    y_true, y_pred, cost_matrix, *, labels, sample_weight, sample_cost, output_names, actions=None
) -> list:
    """One :func:`cost_table` per output: y with several columns has one matrix per column.

    Outputs given neither a cost matrix nor per-example costs add nothing to the cost.
    """
    one_hot = _one_hot_labels(y_true, y_pred, cost_matrix, labels, actions, output_names)
    if one_hot is not None:
        y_true, y_pred, labels = one_hot
    if np.ndim(y_true) != 2 or np.shape(y_true)[1] == 1:
        (sample_cost,) = per_output_costs(sample_cost, output_names or ["output1"])
        return [
            cost_table(
                y_true,
                y_pred,
                cost_matrix,
                labels,
                sample_weight=sample_weight,
                sample_cost=sample_cost,
                actions=actions,
            )
        ]
    names = _output_names(y_true, y_pred, cost_matrix, output_names)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
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
        cost_table(
            column(y_true, j),
            column(y_pred, j),
            matrix,
            label_sets[j],
            sample_weight=sample_weight,
            sample_cost=costs[j],
            actions=action_sets[j],
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
    if labels is not None and (isinstance(labels, Mapping) or ndim(labels) != 1):
        return None
    if ndim(cost_matrix) != 2 or (
        not is_frame(cost_matrix)
        and isinstance(cost_matrix, (list, tuple))
        and any(ndim(row) != 1 for row in cost_matrix)
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


def table_sums(tables) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-output total costs, per-output best constant costs, and the total weight."""
    totals = np.array([np.dot(_sample_costs(t, p), w) for t, p, w in tables])
    constants = np.array([(w @ t).min() for t, _, w in tables])
    return totals, constants, float(tables[0][2].sum())
