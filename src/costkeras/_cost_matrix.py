"""The one check of a cost matrix, square or of actions, as an array, a DataFrame or a dict.

Every entry point that takes a cost matrix (the two estimators, the decisions, the
metrics and scorers, the Keras losses, metric and layers) reads its numbers through
:func:`check_matrix` and, where the matrix has labelled rows, through
:func:`check_costs`, so they refuse the same matrices with the same messages.
Plain NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._labels import (
    check_one_kind,
    is_frame,
    label_array,
    label_index,
    plain,
    unknown_labels_error,
)
from ._numbers import check_finite, float_array, number

# what the values of a DataFrame or of a dict of dicts must be
_NUMBERS = "a numeric DataFrame"
# what an unnamed cost matrix must be
MATRIX_EXPECTED = "a numeric (k, k) array-like, a pandas DataFrame or a dict of dicts"


def _matrix_from_dataframe(frame, labels, param: str) -> np.ndarray:
    # Labels that are no classes are ignored when every class is covered, as
    # scikit-learn's classifiers treat class_weight: a CV fold may lack a class.
    positions = label_index(labels)
    unknown = [lab for lab in (*frame.index, *frame.columns) if lab not in positions]
    missing = [
        lab for lab in labels if lab not in set(frame.index) or lab not in set(frame.columns)
    ]
    if missing and unknown:
        raise unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    if missing:
        raise ValueError(
            f"{param} must have a row and a column for every class; missing {plain(missing)!r}."
        )
    return float_array(frame.loc[list(labels), list(labels)].to_numpy(), param, _NUMBERS)


def _matrix_from_mapping(mapping: Mapping, labels, param: str) -> np.ndarray:
    positions = label_index(labels)
    k = len(labels)
    matrix = np.full((k, k), np.nan)
    np.fill_diagonal(matrix, 0.0)  # a correct prediction costs nothing unless stated
    unknown, _ = _fill_from_mapping(matrix, mapping, positions, positions, param, "predicted_label")
    missing = _missing_pairs(matrix, labels, labels)
    if missing and unknown:
        raise unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    _refuse_missing(missing, param, "predicted")
    return matrix


def _fill_from_mapping(
    matrix, mapping: Mapping, rows: dict, columns: dict, param: str, key_name: str
):
    """Write a dict of dicts' costs into ``matrix`` (rows and columns by label).

    Returns the keys that are no row or column label, in the dict's order, and those
    of them that stand for columns.
    """
    unknown, unknown_columns = [], []
    for true, row in mapping.items():
        if not isinstance(row, Mapping):
            raise TypeError(
                f"{param} given as a dict must be a dict of dicts {{true_label: "
                f"{{{key_name}: cost}}}}; the entry for {true!r} is a {type(row).__name__}."
            )
        keys = [key for key in row if key not in columns]
        unknown += ([] if true in rows else [true]) + keys
        unknown_columns += keys
        if true in rows:
            for key, cost in row.items():
                if key in columns:
                    matrix[rows[true], columns[key]] = number(cost, f"{param}[{true!r}][{key!r}]")
    return unknown, unknown_columns


def _missing_pairs(matrix: np.ndarray, row_labels, column_labels) -> list:
    """The (row, column) labels of the entries no one gave (NaN)."""
    return [
        tuple(plain((row_labels[i], column_labels[j])))
        for i, j in zip(*np.nonzero(np.isnan(matrix)), strict=True)
    ]


def _refuse_missing(missing: list, param: str, what: str) -> None:
    if missing:
        raise ValueError(
            f"{param} given as a dict of dicts lacks the cost of these (true, {what}) pairs: "
            f"{missing!r}."
        )


def check_cost_matrix(
    cost_matrix: Any, labels: Sequence[Any], *, param: str = "cost_matrix"
) -> np.ndarray:
    """Return ``cost_matrix`` as a float array ordered like ``labels``.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), pandas DataFrame or dict of dicts
        ``C[true, predicted]``. An array is taken in the order of ``labels``;
        a DataFrame (index: true label, columns: predicted label) and a dict of
        dicts ``{true: {predicted: cost}}`` are reordered to ``labels``.
    labels : sequence of length k
        The class labels, sorted as in ``classes_``.
    param : str
        The parameter name used in error messages.

    Returns
    -------
    ndarray of shape (k, k), dtype float64
    """
    if is_frame(cost_matrix):
        matrix = _matrix_from_dataframe(cost_matrix, labels, param)
    elif isinstance(cost_matrix, Mapping):
        matrix = _matrix_from_mapping(cost_matrix, labels, param)
    else:
        matrix = check_matrix(cost_matrix, param)
        if matrix.shape[0] != len(labels):
            raise ValueError(
                f"{param} has shape {matrix.shape} but there are {len(labels)} "
                f"classes {plain(labels)!r}; expected shape "
                f"({len(labels)}, {len(labels)})."
            )
    check_finite(matrix, param)
    return matrix


def check_matrix(
    matrix: Any,
    param: str,
    *,
    square: bool = True,
    expected: str = MATRIX_EXPECTED,
    hint: str | None = None,
) -> np.ndarray:
    """The numbers of an unlabelled cost matrix: a finite 2-D float64 copy, square unless told.

    The reading of every cost matrix given as an array, the labelled ones
    (:func:`check_cost_matrix`) as the Keras losses' and layers'. Not numbers,
    text, complex numbers, NaN, inf, another shape or an empty matrix raise,
    naming ``param``; ``hint`` is added to the message of a (k, m) matrix where a
    square one was expected.
    """
    array = float_array(matrix, param, expected)
    if array.ndim != 2 or (square and array.shape[0] != array.shape[1]) or 0 in array.shape:
        message = f"{param} must be a {'square (k, k)' if square else '(k, m)'} matrix; got "
        message += f"shape {array.shape}."
        if square and hint and array.ndim == 2 and 0 not in array.shape:
            message += f" {hint}"
        raise ValueError(message)
    check_finite(array, param)
    return array


def check_actions(actions: Any, *, param: str = "actions") -> np.ndarray:
    """The labels of the decisions (the cost matrix's columns): 1-D, not empty, no repeats."""
    if isinstance(actions, (str, bytes)) or not hasattr(actions, "__len__"):
        raise TypeError(
            f"{param} must be a list of labels, one per column of the cost matrix; got {actions!r}."
        )
    values = list(actions)
    if not values or any(np.ndim(value) != 0 for value in values):
        raise ValueError(
            f"{param} must be a non-empty list of labels, one per column of the cost matrix; "
            f"got {values!r}."
        )
    if len(set(values)) != len(values):
        repeated = [value for value in dict.fromkeys(values) if values.count(value) > 1]
        raise ValueError(f"{param} repeats the labels {plain(repeated)!r}; each names one column.")
    return label_array(values)


def _inner_keys(mapping: Mapping) -> list:
    keys: dict = {}
    for row in mapping.values():
        if isinstance(row, Mapping):
            keys.update(dict.fromkeys(row))
    return list(keys)


def action_names(cost_matrix: Any, labels: Sequence[Any] = ()) -> list | None:
    """The actions a DataFrame or dict of dicts names, or None when it reads as (k, k).

    It names actions when a column (a DataFrame's column, an inner key of a dict of
    dicts) is neither a class nor one of its own row labels: the rows of a square
    matrix may name a class a cross-validation fold lacks, and so may its columns.
    """
    if is_frame(cost_matrix):
        rows, columns = list(cost_matrix.index), list(cost_matrix.columns)
    elif isinstance(cost_matrix, Mapping):
        rows, columns = list(cost_matrix), _inner_keys(cost_matrix)
    else:
        return None
    known = {*rows, *label_index(labels)}
    if all(column in known for column in columns):
        return None
    if isinstance(cost_matrix, Mapping):  # no column order to keep: the classes first
        columns = [row for row in rows if row in set(columns)] + [
            column for column in columns if column not in set(rows)
        ]
    return columns


def _rows_cover(rows: Sequence[Any], labels, param: str) -> None:
    """Every class has a row; rows that are no classes only when every class has one."""
    positions = label_index(labels)
    unknown = [label for label in rows if label not in positions]
    missing = [label for label in labels if label not in set(rows)]
    if missing and unknown:
        raise unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    if missing:
        raise ValueError(
            f"{param} must have a row (true class) for every class; missing {plain(missing)!r}."
        )


def _action_matrix_from_dataframe(frame, labels, actions, param, actions_param) -> np.ndarray:
    columns = list(frame.columns)
    if len(set(columns)) != len(columns):
        raise ValueError(f"{param} repeats a column (action); each action needs one column.")
    not_columns = [action for action in actions if action not in set(columns)]
    extra = [column for column in columns if column not in set(actions.tolist())]
    if not_columns or extra:
        raise ValueError(
            f"{actions_param} must name each column (action) of {param} once: "
            f"{param}'s columns are {plain(columns)!r}, {actions_param} is "
            f"{plain(actions)!r}."
        )
    _rows_cover(list(frame.index), labels, param)
    return float_array(frame.loc[list(labels), list(actions)].to_numpy(), param, _NUMBERS)


def _action_matrix_from_mapping(mapping, labels, actions, param, actions_param) -> np.ndarray:
    rows = label_index(labels)
    columns = label_index(actions)
    matrix = np.full((len(labels), len(actions)), np.nan)
    for label, i in rows.items():  # an action that is the true class itself costs 0 unless stated
        if label in columns:
            matrix[i, columns[label]] = 0.0
    _, unknown_actions = _fill_from_mapping(matrix, mapping, rows, columns, param, "action")
    if unknown_actions:
        raise ValueError(
            f"{param} names actions {plain(list(dict.fromkeys(unknown_actions)))!r} that "
            f"{actions_param}={plain(actions)!r} lacks."
        )
    _rows_cover(list(mapping), labels, param)
    _refuse_missing(_missing_pairs(matrix, labels, actions), param, "action")
    return matrix


def check_action_matrix(
    cost_matrix: Any,
    labels: Sequence[Any],
    *,
    actions: Any = None,
    param: str = "cost_matrix",
    actions_param: str | None = "actions",
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return ``cost_matrix`` as a (k, m) float array and the labels of its m actions.

    ``C[true, action]``: rows the k classes (reordered to ``labels``), columns the
    actions, in the order the user gave them. A DataFrame (index: true class,
    columns: action) and a dict of dicts ``{true: {action: cost}}`` name their
    actions; an array's are named by ``actions``. Without names, or when the
    actions are the classes themselves (in any order), the matrix is the square
    one of :func:`check_cost_matrix`, columns in ``labels`` order, and the actions
    returned are None.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, m), DataFrame or dict of dicts
    labels : sequence of length k
        The class labels, sorted as in ``classes_``.
    actions : sequence of length m, default=None
        The labels of the columns; for a DataFrame or dict, their order.
    param : str
        The cost matrix's name in error messages.
    actions_param : str or None
        The name of the caller's ``actions`` parameter, or None when it has none
        (the error for an unnamed non-square array then points to a DataFrame or dict).

    Returns
    -------
    matrix : ndarray of shape (k, m), float64
    actions : ndarray of shape (m,), or None for the classes
    """
    if actions is not None:
        actions = check_actions(actions, param=actions_param or "actions")
    named = is_frame(cost_matrix) or isinstance(cost_matrix, Mapping)
    if actions is None and named:
        found = action_names(cost_matrix, labels)
        if found is not None:
            actions = check_actions(found, param=f"{param}'s columns")
    positions = label_index(labels)
    if actions is not None and len(actions) == len(positions):
        if all(action in positions for action in actions.tolist()):
            # the classes, in some order: today's square matrix, columns in classes_ order
            if named:
                return check_cost_matrix(cost_matrix, labels, param=param), None
            matrix = _checked_actions_array(cost_matrix, labels, actions, param, actions_param)
            order = [actions.tolist().index(label) for label in label_index(labels)]
            return matrix[:, order], None
    if actions is None:
        if not named:
            _check_square_or_named(cost_matrix, param, actions_param)
        return check_cost_matrix(cost_matrix, labels, param=param), None
    if is_frame(cost_matrix):
        matrix = _action_matrix_from_dataframe(
            cost_matrix, labels, actions, param, actions_param or "actions"
        )
    elif isinstance(cost_matrix, Mapping):
        matrix = _action_matrix_from_mapping(
            cost_matrix, labels, actions, param, actions_param or "actions"
        )
    else:
        matrix = _checked_actions_array(cost_matrix, labels, actions, param, actions_param)
    check_finite(matrix, param)
    return matrix, actions


def _check_square_or_named(cost_matrix: Any, param: str, actions_param: str | None) -> None:
    """An array without named actions must be square: its columns are then the classes."""
    shape = float_array(cost_matrix, param, MATRIX_EXPECTED).shape
    if len(shape) != 2 or shape[0] != shape[1]:
        how = (
            "a pandas DataFrame's columns or a dict of dicts {true: {action: cost}}"
            if actions_param is None
            else f"{actions_param}=[...], a pandas DataFrame's columns or a dict of dicts"
        )
        raise ValueError(
            f"{param} must be a square (k, k) matrix over the classes, or a (k, m) "
            f"matrix whose m actions are named by {how}; got shape {shape}."
        )


def _checked_actions_array(cost_matrix, labels, actions, param, actions_param) -> np.ndarray:
    matrix = float_array(cost_matrix, param, "a numeric (k, m) array-like")
    expected = (len(labels), len(actions))
    if matrix.shape != expected:
        raise ValueError(
            f"{param} must have shape {expected}, a row per class {plain(labels)!r} and a "
            f"column per action of {actions_param}={plain(actions)!r}; got shape "
            f"{matrix.shape}."
        )
    check_finite(matrix, param)
    return matrix


def check_nonnegative(matrix: np.ndarray, *, param: str, reason: str) -> None:
    """Raise a ``ValueError`` naming ``param`` if ``matrix`` has negative entries."""
    if np.any(matrix < 0):
        raise ValueError(f"{param} must have no negative entries {reason}; got {matrix.min()}.")


def check_decidable(costs: np.ndarray, param: str) -> None:
    """Refuse costs with one decision (one column), or that give every decision the same
    cost, row by row (e.g. all zeros): there is nothing to decide."""
    if costs.shape[-1] < 2:
        what = "no column, no decision" if costs.shape[-1] == 0 else "one column, one decision"
        raise ValueError(
            f"{param} has {what} only: there is nothing to decide. Give the costs of at "
            "least two decisions (classes or actions)."
        )
    if np.all(costs == costs[..., :1]):
        raise ValueError(
            f"{param} gives every decision the same cost (every row is constant, e.g. all "
            "zeros): it cannot tell one decision from another."
        )


def check_costs(
    cost_matrix: Any,
    labels: Sequence[Any],
    *,
    actions: Any = None,
    param: str = "cost_matrix",
    actions_param: str | None = "actions",
) -> tuple[np.ndarray, np.ndarray | None]:
    """The check of a cost matrix that decides or judges, the same for every entry point.

    :class:`~costkeras.MinimumCostClassifier`, ``CostSensitiveKerasClassifier``,
    :mod:`costkeras.decisions` and :mod:`costkeras.metrics` (and so the cost scorers)
    all call it, so they refuse the same matrices with the same messages: what
    :func:`check_action_matrix` refuses (not numbers, text, NaN or inf, a wrong shape,
    labels that are no classes, a dict of dicts lacking a pair), and what
    :func:`check_decidable` refuses (one decision only, every row constant).

    Parameters
    ----------
    cost_matrix, labels, actions, param, actions_param
        As in :func:`check_action_matrix`.

    Returns
    -------
    matrix : ndarray of shape (k, m), float64
    actions : ndarray of shape (m,), or None for the classes
    """
    matrix, named = check_action_matrix(
        cost_matrix, labels, actions=actions, param=param, actions_param=actions_param
    )
    # classes of mixed types are refused, as scikit-learn refuses such y; actions may mix
    # (the classes and a "review", Chow's reject option), found by lookup, never sorted
    check_one_kind(labels, f"{param}'s classes (rows)")
    check_decidable(matrix, param)
    return matrix, named
