"""The decision rule, head by head, written once for predict, the scorer and the plots.

Costs given to a method always decide: ``predict(X, sample_cost=S)`` is
Bayes's decision with ``S``. Without them, a head decides by Bayes with its
``cost_matrix_`` when its ``decision_`` is ``"bayes"``, and by argmax
otherwise. ``decision="argmax"`` refuses costs given to a method rather than
ignore them.
"""

from __future__ import annotations

import numpy as np

from . import decisions
from ._heads import Head
from ._validation import check_sample_cost, per_output


def call_costs(heads: list[Head], sample_cost, n_samples: int, decision: str) -> list:
    """Per-example (n, k, k) costs given to a method, one entry (or None) per head."""
    if sample_cost is None:
        return [None] * len(heads)
    if decision == "argmax":
        raise ValueError(
            "sample_cost was given, but decision='argmax' decides without costs; set "
            "decision='auto' or 'bayes' to decide with them."
        )
    single = len(heads) == 1
    given = (
        [sample_cost]
        if single
        else per_output(sample_cost, [head.name for head in heads], param="sample_cost")
    )
    costs = []
    for head, value in zip(heads, given, strict=True):
        param = "sample_cost" if single else f"sample_cost[{head.name!r}]"
        if value is not None:
            value = check_sample_cost(value, n_samples, head.n_classes, param=param)
            if value.ndim != 3:
                raise ValueError(
                    f"{param} at predict time must have shape (n_samples, k, k), a cost matrix "
                    "per example: the true class is unknown, so an (n, k) cost row cannot be "
                    f"chosen; got shape {value.shape}."
                )
        costs.append(value)
    return costs


def decide(head: Head, proba: np.ndarray, costs=None) -> np.ndarray:
    """The head's labels for ``proba``, by the rule above."""
    if costs is None and head.decision == "bayes":
        costs = head.cost_matrix
    if costs is None:
        return head.labels(np.argmax(proba, axis=1))
    return head.labels(decisions.bayes_decision(proba, costs))


def expected_cost(head: Head, proba: np.ndarray, costs=None) -> np.ndarray:
    """``R[n, j] = sum_i p_i C[i, j]``, with the 0/1 cost when no costs are known."""
    if costs is None:
        costs = head.cost_matrix
    if costs is None:
        costs = 1.0 - np.eye(head.n_classes)
    return decisions.expected_costs(proba, costs)


def stack_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Stack per-output labels into (n, m), keeping each column's labels as they are."""
    if len({column.dtype for column in columns}) == 1:
        return np.column_stack(columns)
    stacked = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, values in enumerate(columns):
        stacked[:, j] = values
    return stacked
