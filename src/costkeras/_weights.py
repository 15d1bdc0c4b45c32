"""Per-example weights and costs: sample_weight, class_weight and sample_cost.

Plain NumPy, as the metrics need it without a deep-learning backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._labels import label_index, plain, unknown_labels_error
from ._numbers import check_finite, float_array, number


def class_weight_vector(
    class_weight: Any, classes: np.ndarray, y_indices: np.ndarray, *, param: str = "class_weight"
) -> np.ndarray:
    """Return one weight per class from a ``class_weight`` parameter.

    Parameters
    ----------
    class_weight : dict, list of float, "balanced" or None
        ``{label: weight}`` (classes not named weigh 1), weights in class
        order, ``"balanced"`` for ``n_samples / (n_classes * count)``, or None
        for all ones.
    classes : ndarray of shape (k,)
    y_indices : ndarray of shape (n_samples,)
        Class positions of the training targets (needed by "balanced").
    param : str
        The parameter name used in error messages.
    """
    k = len(classes)
    if class_weight is None:
        return np.ones(k)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{param} must be a dict, 'balanced' or None; got {class_weight!r}.")
        counts = np.bincount(y_indices, minlength=k).astype(float)
        return len(y_indices) / (k * np.maximum(counts, 1.0))
    if isinstance(class_weight, Mapping):
        # scikit-learn's rule: labels that are no classes are ignored when every class is
        # named (a CV fold may lack a class), and an error when some class is not
        positions = label_index(classes)
        unknown = [label for label in class_weight if label not in positions]
        if unknown and len(class_weight) - len(unknown) < k:
            raise unknown_labels_error(param, unknown, classes)
        weights = np.ones(k)
        for label, weight in class_weight.items():
            if label in positions:
                weights[positions[label]] = number(weight, f"{param}[{label!r}]")
    elif isinstance(class_weight, (list, tuple, np.ndarray)):
        weights = float_array(class_weight, param, "a list of numeric weights, one per class")
        if weights.shape != (k,):
            raise ValueError(
                f"{param} has {weights.size} weights but there are {k} classes "
                f"{plain(classes)!r}; give one weight per class, in that order."
            )
    else:
        raise TypeError(
            f"{param} must be a dict {{label: weight}}, a list of weights, 'balanced' or None; "
            f"got {type(class_weight).__name__}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(f"{param} values must be finite and non-negative; got {class_weight!r}.")
    if not weights.any():
        raise ValueError(f"{param} gives every class weight 0; there is nothing to train on.")
    return weights


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray:
    """A float copy of ``sample_weight``: shape (n,), finite, non-negative, not all zero."""
    weights = float_array(sample_weight, "sample_weight", "a numeric array of shape (n_samples,)")
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; got shape "
            f"{weights.shape}."
        )
    check_finite(weights, "sample_weight")
    if np.any(weights < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got {weights.min()} (a negative weight would "
            "turn training into gradient ascent on that sample)."
        )
    if not weights.any():
        raise ValueError("sample_weight is zero for every sample; there is nothing to train on.")
    return weights


def check_score_weight(
    sample_weight: Any, n_samples: int, *, undefined: str | None = None
) -> np.ndarray:
    """A float copy of the ``sample_weight`` of a score or a metric: shape (n,), finite and
    non-negative.

    ``undefined`` says what weights that are all zero leave undefined (``"a mean cost is
    undefined"``) and refuses them; None accepts them (a total is then 0).
    """
    weights = float_array(sample_weight, "sample_weight", "a numeric array of shape (n_samples,)")
    if weights.ndim != 1:
        raise ValueError(f"sample_weight must be one-dimensional; got shape {weights.shape}.")
    if len(weights) != n_samples:
        raise ValueError(
            f"sample_weight has {len(weights)} entries but there are {n_samples} samples."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if undefined is not None and not weights.any():
        raise ValueError(f"sample_weight is zero for every sample; {undefined}.")
    return weights


def check_sample_cost(
    sample_cost: Any,
    n_samples: int,
    n_classes: int,
    *,
    param: str = "sample_cost",
    n_actions: int | None = None,
    rows: bool = True,
) -> np.ndarray:
    """Return per-example costs as a float array of shape (n, m) or (n, k, m).

    (n, k, m) holds one cost matrix ``C_n[true, action]`` per example; (n, m)
    holds the cost of each action for each example (its true class being
    known), the format of the ``costsensitive`` package. The actions are the
    k classes unless ``n_actions`` says there are m others. ``rows=False``:
    where the true class is unknown (at predict time) and only (n, k, m) can
    serve, the messages name that shape alone.
    """
    k = n_classes
    m = k if n_actions is None else n_actions
    expected = (
        f"({n_samples}, {m}) or ({n_samples}, {k}, {m})" if rows else f"({n_samples}, {k}, {m})"
    )
    costs = float_array(
        sample_cost,
        param,
        "a numeric array of shape (n_samples, k) or (n_samples, k, k)"
        if m == k and rows
        else f"a numeric array of shape {expected}",
    )
    if costs.ndim not in (2, 3) or costs.shape[0] != n_samples:
        # a dict of per-output costs is one value to scikit-learn's splitters
        routed = (
            " Routed through a cross-validation split? Wrap the per-output costs in "
            "costkeras.costs.OutputCosts so that each fold gets its own rows."
            if "[" in param and costs.ndim in (2, 3)
            else ""
        )
        raise ValueError(
            f"{param} must have shape {expected}, one entry per sample; got shape "
            f"{costs.shape}.{routed}"
        )
    if costs.shape[1:] not in ((m,), (k, m)):
        what = f"{k} classes" if m == k else f"{k} classes and {m} actions"
        raise ValueError(
            f"{param} has shape {costs.shape} but there are {what}; expected {expected}."
        )
    check_finite(costs, param)
    return costs


def cost_rows(
    y_positions: np.ndarray,
    *,
    cost_matrix: np.ndarray | None = None,
    sample_cost: np.ndarray | None = None,
) -> np.ndarray:
    """The (n, m) cost of each decision for each example, its truth known.

    From per-example costs when given (row ``C_n[y_n, :]`` of an (n, k, m)
    array, or an (n, m) array as is), otherwise row ``C[y_n, :]`` of the
    cost matrix.
    """
    if sample_cost is None:
        return cost_matrix[y_positions]
    if sample_cost.ndim == 3:
        return sample_cost[np.arange(len(y_positions)), y_positions]
    return sample_cost
