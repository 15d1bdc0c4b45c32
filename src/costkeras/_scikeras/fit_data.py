"""What one call of ``fit`` or ``partial_fit`` hands to ``keras.Model.fit``, head by head.

Class weights, sample weights and per-example costs become, for every head,
the Keras target (with the example's cost row appended where the loss
takes one) and the sample weights. The caller's arrays are never modified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._cost_matrix import check_decidable
from .._labels import per_output
from .._weights import check_sample_cost, class_weight_vector, cost_rows
from ..costs import per_output_costs
from .heads import Head
from .targets import Target

if TYPE_CHECKING:
    from .cost_losses import CostLoss
    from .plan import FitPlan


def fit_arrays(
    heads: list[Head],
    target: Target,
    plan: FitPlan,
) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Keras targets and sample weights, one per head, in the order of ``heads``.

    ``plan`` holds the estimator's ``class_weight``, ``cost_matrix`` and
    ``cost_loss``, and the fit's checked ``sample_weight`` and ``sample_cost``.
    Per-example costs without a ``cost_matrix`` update each head's mean cost
    matrix (a fit that is not warm starts it anew).
    """
    names = [head.name for head in heads]
    single = len(heads) == 1
    first_call, sample_weight, strategy = not plan.warm, plan.sample_weight, plan.cost_loss
    class_weights = (
        [plan.class_weight]
        if single
        else (per_output(plan.class_weight, names, param="class_weight"))
    )
    costs = per_output_costs(plan.sample_cost, names)
    targets, weights = [], []
    for j, head in enumerate(heads):
        where = "" if single else f"[{head.name!r}]"
        positions = head.positions(target.columns[j])
        weight = class_weight_vector(
            class_weights[j], head.classes, positions, param=f"class_weight{where}"
        )[positions]
        if sample_weight is not None:
            weight = weight * sample_weight
        rows = _cost_rows(head, positions, costs[j], plan, where)
        target_rows, example_weights = _training_rows(head, strategy, rows, first_call)
        if target_rows is not None and not getattr(head, "per_example", False):
            # the head's loss was built at the first fit to take cost_matrix's rows, and
            # reads no cost rows in its targets
            raise ValueError(
                f"sample_cost{where} cannot join training that began without it: "
                f"cost_loss={strategy.name!r} was set up by the first fit to train with "
                "cost_matrix's rows. Fit anew with fit(X, y, sample_cost=...) to train with "
                "per-example costs, or pass them to predict to decide with them."
            )
        if example_weights is not None:
            weight = weight * example_weights
        targets.append(head.encode(positions, target_rows))
        weights.append(weight)
    if (
        sample_weight is None
        and all(cw is None for cw in class_weights)
        and all(np.all(w == 1.0) for w in weights)
    ):
        return targets, None
    return targets, weights


def _cost_rows(head: Head, positions, sample_cost, plan: FitPlan, where: str):
    """Each example's cost row ``C[true, :]``: its own costs, the head's matrix, or None.

    Per-example costs given to a head without a ``cost_matrix`` also update its mean
    cost matrix (a fit that is not warm starts it anew) and the decision it implies.
    """
    n = len(positions)
    if sample_cost is None:
        if getattr(head, "per_example", False):
            return cost_rows(positions, cost_matrix=head.cost_matrix)
        return None
    head_costs = check_sample_cost(sample_cost, n, head.n_classes, param=f"sample_cost{where}")
    check_decidable(head_costs, f"sample_cost{where}")
    derives = head.costs_from_examples
    if not plan.cost_loss.trains and not derives:
        raise ValueError(
            f"sample_cost{where} given to fit would change nothing: "
            "cost_loss='cross_entropy' trains without costs and cost_matrix decides. "
            "Pass the costs to predict, drop cost_matrix (their mean then decides), or "
            "choose a cost_loss that trains with them."
        )
    if derives:
        if not plan.warm:
            head.cost_sums = head.cost_counts = None
        head.add_sample_costs(head_costs, positions)
        head.decision = plan.cost_loss.decision(plan.decision, head.cost_matrix)
    return cost_rows(positions, sample_cost=head_costs)


def _training_rows(head: Head, strategy: CostLoss, rows, first_call: bool):
    """The cost rows appended to the targets, and weights per example, for ``strategy``."""
    if rows is None or not strategy.trains:
        return None, None
    if strategy.scales and first_call:  # the first call's largest cost, kept for later calls
        head.cost_scale = float(np.abs(rows).max()) or 1.0
    return strategy.example_rows(rows, head.cost_scale)


def model_arrays(heads: list[Head], target: Target, targets: list, weights: list | None):
    """Targets and sample weights in the model's output order: lists, one per model output.

    Heads sharing one output of sigmoid units (a multilabel y) give it one
    (n, m) target, y's own columns as scikeras passes them when they are 0/1.
    """
    outputs = sorted({head.output_index for head in heads})
    y_keras, w_keras = [], []
    for output in outputs:
        members = [j for j, head in enumerate(heads) if head.output_index == output]
        if len(members) == 1:
            y_keras.append(targets[members[0]])
        elif all(np.array_equal(heads[j].classes, [0, 1]) for j in members):
            y_keras.append(np.column_stack([target.columns[j] for j in members]))
        else:
            y_keras.append(np.hstack([targets[j] for j in members]))
        if weights is not None:
            shared = [weights[j] for j in members]
            if any(not np.array_equal(shared[0], w) for w in shared[1:]):
                raise ValueError(
                    "class_weight differs between columns of y that share one model output; "
                    "give the model one output per column to weight them apart."
                )
            w_keras.append(shared[0])
    return y_keras, None if weights is None else w_keras
