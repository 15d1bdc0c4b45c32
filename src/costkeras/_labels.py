"""Labels and outputs: label arrays and their types, y's columns, per-output parameters.

Plain NumPy (scikit-learn is imported only by the check of a target), so that the
metrics and the decisions use it without a deep-learning backend.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def label_index(labels: Sequence[Any]) -> dict[Any, int]:
    # NumPy scalars hash like their Python counterparts (np.int64(1) == 1,
    # np.str_("a") == "a"), so a plain dict maps user labels to positions.
    return {label: i for i, label in enumerate(labels)}


def plain(labels) -> list:
    """Labels as Python values, so messages read ['a', 1] rather than [np.str_('a'), ...]."""
    return [label.item() if isinstance(label, np.generic) else label for label in labels]


def unknown_labels_error(param: str, unknown: list, labels: Sequence[Any]) -> ValueError:
    return ValueError(
        f"{param} refers to labels {plain(unknown)!r} that are not classes; "
        f"the classes are {plain(labels)!r}."
    )


def is_frame(value: Any) -> bool:
    return hasattr(value, "loc") and hasattr(value, "columns")


def label_array(values: Sequence[Any]) -> np.ndarray:
    """Labels as an array that keeps each label as it is.

    NumPy would turn ``[0, 1, "review"]`` into the strings ``"0"``, ``"1"``, ``"review"``;
    labels of several types go into an object array instead.
    """
    values = list(values)
    if len({type(value) for value in values}) > 1:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    return np.asarray(values)


def check_one_label_type(values, param: str, *, any_mix: bool = False) -> None:
    """Refuse labels of several types: strings beside others (NumPy would turn ``[1, "a"]``
    into strings, or fail to sort them), or, with ``any_mix``, any two types."""
    values = list(values)
    kinds = {type(v).__name__ for v in values}
    if len(kinds) > 1 and (any_mix or any(isinstance(v, str) for v in values)):
        raise TypeError(
            f"{param} mixes labels of types {sorted(kinds)}; use one type for every label."
        )


def _label_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Number):  # 1 and 1.0 compare, hash and sort alike
        return "number"
    return type(value).__name__


def check_one_kind(values: Any, subject: str) -> None:
    """Refuse labels of several kinds (``[1, "r", 0]``): NumPy would turn them into
    strings or fail to sort them, and predictions of them mix types no metric reads."""
    values = list(values)
    if len({_label_kind(value) for value in values}) > 1:
        kinds = sorted({type(value).__name__ for value in values})
        raise TypeError(
            f"{subject} mix labels of types {kinds}: {plain(values)!r}; name them "
            "with one type (all strings, or all numbers)."
        )


def check_classification_target(
    y: np.ndarray, *, param: str = "y", allow_single_class: bool = False
) -> None:
    """Reject continuous targets and targets with a single class (one output).

    ``partial_fit`` with ``classes`` allows a batch holding one class only.
    """
    from sklearn.utils.multiclass import check_classification_targets, type_of_target

    if y.dtype == object:
        check_one_label_type(y.tolist(), param)
    check_classification_targets(y)  # its "Unknown label type" message is the convention
    target_type = type_of_target(y, input_name="y")
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            f"{param} must hold class labels for a single-output classification "
            f"problem; its type is {target_type!r}."
        )
    if len(np.unique(y)) < 2 and not allow_single_class:
        raise ValueError(
            f"{param} has one class only ({plain(np.unique(y))!r}); a classifier needs at "
            "least two."
        )


def default_output_names(n_outputs: int) -> list[str]:
    """Names of the outputs of an array ``y``: ``output1``, ``output2``, ..."""
    return [f"output{j + 1}" for j in range(n_outputs)]


def column(y: np.ndarray, j: int) -> np.ndarray:
    """Column ``j`` of y with its own dtype.

    A DataFrame with an int and a str column becomes an object array; each
    column's labels get back their natural dtype (ints stay ints).
    """
    values = y[:, j]
    return np.asarray(values.tolist()) if values.dtype == object else values


def stack_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Stack per-output labels into (n, m), keeping each column's labels as they are."""
    if len({values.dtype for values in columns}) == 1:
        return np.column_stack(columns)
    stacked = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, values in enumerate(columns):
        stacked[:, j] = values
    return stacked


def per_output(value: Any, names: Sequence[Any], *, param: str) -> list:
    """Spread a per-output parameter over the outputs, in ``names`` order.

    Accepts a dict keyed by output name (outputs left out get None), a list
    with one entry per output, None (None for every output) or a string such
    as ``"balanced"`` (the same for every output).
    """
    m = len(names)
    if value is None or isinstance(value, str):
        return [value] * m
    if isinstance(value, Mapping):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(
                f"{param} names outputs {unknown!r} that do not exist; the outputs are "
                f"{list(names)!r}."
            )
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != m:
            if param == "cost_matrix" and _is_one_matrix(value):
                raise ValueError(
                    f"cost_matrix is one matrix of shape {np.shape(value)}, but y's {m} "
                    f"columns are read as {m} outputs {list(names)!r}; give one matrix per "
                    "output (None for one without costs) or a dict by name. Per-example "
                    "costs are no columns of y: pass them to fit(..., sample_cost=...)."
                )
            raise ValueError(
                f"{param} has {len(value)} entries but there are {m} outputs {list(names)!r}; "
                "give one entry per output (None for an unweighted one) or a dict by name."
            )
        return list(value)
    raise TypeError(
        f"{param} for a multi-output y must be a dict keyed by output name, a list with one "
        f"entry per output, or None; got {type(value).__name__}."
    )


def _is_one_matrix(value: Any) -> bool:
    """Whether ``value`` reads as one 2-D numeric matrix (not one entry per output)."""
    try:
        return np.asarray(value, dtype=float).ndim == 2
    except (TypeError, ValueError):
        return False
