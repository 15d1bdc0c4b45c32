"""The decision rule, head by head, written once for predict, the scorer and the plots.

The arithmetic is ``_bayes``'s, which ``MinimumCostClassifier`` and
``costkeras.decisions`` use too: one implementation of the decision.

Costs given to a method always decide: ``predict(X, sample_cost=S)`` is
Bayes's decision with ``S``. Without them, a head decides by Bayes with its
``cost_matrix_`` when its ``decision_`` is ``"bayes"``, and by argmax
otherwise. ``decision="argmax"`` refuses costs given to a method rather than
ignore them.
"""

from __future__ import annotations

import numpy as np

from .. import _bayes
from ..costs import per_output_costs
from .heads import Head


def call_costs(heads: list[Head], sample_cost, n_samples: int, decision: str) -> list:
    """Per-example (n, k, m) costs given to a method, one entry (or None) per head.

    Their m columns are the head's decisions: its actions, or its k classes.
    """
    if sample_cost is None:
        return [None] * len(heads)
    if decision == "argmax":
        raise ValueError(
            "sample_cost was given, but decision='argmax' decides without costs; set "
            "decision='auto' or 'bayes' to decide with them."
        )
    single = len(heads) == 1
    given = per_output_costs(sample_cost, [head.name for head in heads])
    return [
        _bayes.decision_costs(
            value,
            n_samples,
            head.n_classes,
            param="sample_cost" if single else f"sample_cost[{head.name!r}]",
            n_actions=head.n_actions,
        )
        for head, value in zip(heads, given, strict=True)
    ]


def decide(head: Head, proba: np.ndarray, costs=None) -> np.ndarray:
    """The head's labels for ``proba``, by the rule above."""
    if costs is None and head.decision == "bayes":
        costs = head.cost_matrix
    return head.labels(_bayes.decision_positions(proba, costs))


def expected_cost(head: Head, proba: np.ndarray, costs=None) -> np.ndarray:
    """``R[n, a] = sum_i p_i C[i, a]``, with the 0/1 cost when no costs are known."""
    return _bayes.expected_costs(proba, head.cost_matrix if costs is None else costs)
