"""Validation of cost matrices, class weights and targets.

Everything here is plain NumPy so that :mod:`costkeras.metrics` can use it
without importing a deep-learning backend; scikit-learn is imported only
where needed, because importing it costs about a second.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def _label_positions(labels: Sequence[Any]) -> dict[Any, int]:
    # NumPy scalars hash like their Python counterparts (np.int64(1) == 1,
    # np.str_("a") == "a"), so a plain dict maps user labels to positions.
    return {label: i for i, label in enumerate(labels)}


def _plain(labels) -> list:
    """Labels as Python values, so messages read ['a', 1] rather than [np.str_('a'), ...]."""
    return [label.item() if isinstance(label, np.generic) else label for label in labels]


def _unknown_labels_error(param: str, unknown: list, labels: Sequence[Any]) -> ValueError:
    return ValueError(
        f"{param} refers to labels {_plain(unknown)!r} that are not classes; "
        f"the classes are {_plain(labels)!r}."
    )


def _float_array(value: Any, param: str, expected: str) -> np.ndarray:
    """A float copy of ``value``; a ``TypeError`` naming ``param`` if it is not real numbers.

    Complex numbers (whose imaginary part NumPy would drop), dates and text (NumPy would
    read ``"5"`` as 5) are refused, and so are numbers beyond the float range (Python ints
    can be that large).
    """
    kind = getattr(value, "dtype", np.dtype(float)).kind
    if kind in "cmM":
        raise TypeError(f"{param} must be {expected} of real numbers; got dtype {value.dtype}.")
    try:
        array = np.array(value, dtype=float)
    except OverflowError as exc:
        raise ValueError(f"{param} holds a number beyond the float range.") from exc
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{param} must be {expected}; got {type(value).__name__}.") from exc
    if array.dtype.kind != "f":
        raise TypeError(f"{param} must be {expected} of real numbers.")
    text = _first_text(value)
    if text is not None:
        raise TypeError(f"{param} must be {expected}; got the text {text!r}.")
    return array


def _first_text(value: Any) -> str | bytes | None:
    """The first string in ``value`` (an array-like that converted to floats), or None."""
    if isinstance(value, (str, bytes)):
        return value
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    if array.dtype.kind in "US":
        return array.flat[0].item() if array.size else None
    if array.dtype.kind == "O":
        return next((v for v in array.flat if isinstance(v, (str, bytes))), None)
    return None


def _matrix_from_dataframe(frame, labels, param: str) -> np.ndarray:
    # Labels that are no classes are ignored when every class is covered, as
    # scikit-learn's classifiers treat class_weight: a CV fold may lack a class.
    positions = _label_positions(labels)
    unknown = [lab for lab in (*frame.index, *frame.columns) if lab not in positions]
    missing = [
        lab for lab in labels if lab not in set(frame.index) or lab not in set(frame.columns)
    ]
    if missing and unknown:
        raise _unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    if missing:
        raise ValueError(
            f"{param} must have a row and a column for every class; missing {_plain(missing)!r}."
        )
    return _float_array(frame.loc[list(labels), list(labels)].to_numpy(), param, _NUMBERS)


# what the values of a DataFrame or of a dict of dicts must be
_NUMBERS = "a numeric DataFrame"
# what an unnamed cost matrix must be
MATRIX_EXPECTED = "a numeric (k, k) array-like, a pandas DataFrame or a dict of dicts"


def _matrix_from_mapping(mapping: Mapping, labels, param: str) -> np.ndarray:
    positions = _label_positions(labels)
    k = len(labels)
    matrix = np.full((k, k), np.nan)
    np.fill_diagonal(matrix, 0.0)  # a correct prediction costs nothing unless stated
    unknown = []
    for true, row in mapping.items():
        if not isinstance(row, Mapping):
            raise TypeError(
                f"{param} given as a dict must be a dict of dicts "
                f"{{true_label: {{predicted_label: cost}}}}; the entry for {true!r} "
                f"is a {type(row).__name__}."
            )
        unknown += [lab for lab in (true, *row) if lab not in positions]
        for pred, cost in row.items():
            if true in positions and pred in positions:
                matrix[positions[true], positions[pred]] = _number(
                    cost, f"{param}[{true!r}][{pred!r}]"
                )
    missing = [(labels[i], labels[j]) for i, j in zip(*np.nonzero(np.isnan(matrix)), strict=True)]
    if missing and unknown:
        raise _unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    if missing:
        missing = [tuple(_plain(pair)) for pair in missing]
        raise ValueError(
            f"{param} given as a dict of dicts lacks the cost of these "
            f"(true, predicted) pairs: {missing!r}."
        )
    return matrix


def _number(value: Any, where: str) -> float:
    if isinstance(value, complex) or np.iscomplexobj(value):
        raise TypeError(f"{where} must be a real number; got {value!r}.")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{where} is a number beyond the float range.") from None
    except (TypeError, ValueError):
        raise TypeError(f"{where} must be a number; got {value!r}.") from None


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
    if hasattr(cost_matrix, "loc") and hasattr(cost_matrix, "columns"):
        matrix = _matrix_from_dataframe(cost_matrix, labels, param)
    elif isinstance(cost_matrix, Mapping):
        matrix = _matrix_from_mapping(cost_matrix, labels, param)
    else:
        matrix = _float_array(cost_matrix, param, MATRIX_EXPECTED)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"{param} must be a square (k, k) matrix; got shape {matrix.shape}.")
        if matrix.shape[0] != len(labels):
            raise ValueError(
                f"{param} has shape {matrix.shape} but there are {len(labels)} "
                f"classes {_plain(labels)!r}; expected shape "
                f"({len(labels)}, {len(labels)})."
            )
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{param} must contain only finite values (no NaN or inf).")
    return matrix


def _is_frame(value: Any) -> bool:
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
        raise ValueError(f"{param} repeats the labels {_plain(repeated)!r}; each names one column.")
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
    if _is_frame(cost_matrix):
        rows, columns = list(cost_matrix.index), list(cost_matrix.columns)
    elif isinstance(cost_matrix, Mapping):
        rows, columns = list(cost_matrix), _inner_keys(cost_matrix)
    else:
        return None
    known = {*rows, *_label_positions(labels)}
    if all(column in known for column in columns):
        return None
    if isinstance(cost_matrix, Mapping):  # no column order to keep: the classes first
        columns = [row for row in rows if row in set(columns)] + [
            column for column in columns if column not in set(rows)
        ]
    return columns


def _rows_cover(rows: Sequence[Any], labels, param: str) -> None:
    """Every class has a row; rows that are no classes only when every class has one."""
    positions = _label_positions(labels)
    unknown = [label for label in rows if label not in positions]
    missing = [label for label in labels if label not in set(rows)]
    if missing and unknown:
        raise _unknown_labels_error(param, list(dict.fromkeys(unknown)), labels)
    if missing:
        raise ValueError(
            f"{param} must have a row (true class) for every class; missing {_plain(missing)!r}."
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
            f"{param}'s columns are {_plain(columns)!r}, {actions_param} is "
            f"{_plain(actions)!r}."
        )
    _rows_cover(list(frame.index), labels, param)
    return _float_array(frame.loc[list(labels), list(actions)].to_numpy(), param, _NUMBERS)


def _action_matrix_from_mapping(mapping, labels, actions, param, actions_param) -> np.ndarray:
    rows = _label_positions(labels)
    columns = _label_positions(actions)
    matrix = np.full((len(labels), len(actions)), np.nan)
    for label, i in rows.items():  # an action that is the true class itself costs 0 unless stated
        if label in columns:
            matrix[i, columns[label]] = 0.0
    unknown_actions = []
    for true, row in mapping.items():
        if not isinstance(row, Mapping):
            raise TypeError(
                f"{param} given as a dict must be a dict of dicts {{true_label: {{action: "
                f"cost}}}}; the entry for {true!r} is a {type(row).__name__}."
            )
        unknown_actions += [action for action in row if action not in columns]
        if true in rows:
            for action, cost in row.items():
                if action in columns:
                    matrix[rows[true], columns[action]] = _number(
                        cost, f"{param}[{true!r}][{action!r}]"
                    )
    if unknown_actions:
        raise ValueError(
            f"{param} names actions {_plain(list(dict.fromkeys(unknown_actions)))!r} that "
            f"{actions_param}={_plain(actions)!r} lacks."
        )
    _rows_cover(list(mapping), labels, param)
    missing = [(labels[i], actions[j]) for i, j in zip(*np.nonzero(np.isnan(matrix)), strict=True)]
    if missing:
        missing = [tuple(_plain(pair)) for pair in missing]
        raise ValueError(
            f"{param} given as a dict of dicts lacks the cost of these (true, action) pairs: "
            f"{missing!r}."
        )
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
    named = _is_frame(cost_matrix) or isinstance(cost_matrix, Mapping)
    if actions is None and named:
        found = action_names(cost_matrix, labels)
        if found is not None:
            actions = check_actions(found, param=f"{param}'s columns")
    positions = _label_positions(labels)
    if actions is not None and len(actions) == len(positions):
        if all(action in positions for action in actions.tolist()):
            # the classes, in some order: today's square matrix, columns in classes_ order
            if named:
                return check_cost_matrix(cost_matrix, labels, param=param), None
            matrix = _checked_actions_array(cost_matrix, labels, actions, param, actions_param)
            order = [actions.tolist().index(label) for label in _label_positions(labels)]
            return matrix[:, order], None
    if actions is None:
        if not named:
            matrix = _float_array(cost_matrix, param, MATRIX_EXPECTED)
            if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
                how = (
                    "a pandas DataFrame's columns or a dict of dicts {true: {action: cost}}"
                    if actions_param is None
                    else f"{actions_param}=[...], a pandas DataFrame's columns or a dict of dicts"
                )
                raise ValueError(
                    f"{param} must be a square (k, k) matrix over the classes, or a (k, m) "
                    f"matrix whose m actions are named by {how}; got shape {matrix.shape}."
                )
        return check_cost_matrix(cost_matrix, labels, param=param), None
    if _is_frame(cost_matrix):
        matrix = _action_matrix_from_dataframe(
            cost_matrix, labels, actions, param, actions_param or "actions"
        )
    elif isinstance(cost_matrix, Mapping):
        matrix = _action_matrix_from_mapping(
            cost_matrix, labels, actions, param, actions_param or "actions"
        )
    else:
        matrix = _checked_actions_array(cost_matrix, labels, actions, param, actions_param)
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{param} must contain only finite values (no NaN or inf).")
    return matrix, actions


def _checked_actions_array(cost_matrix, labels, actions, param, actions_param) -> np.ndarray:
    matrix = _float_array(cost_matrix, param, "a numeric (k, m) array-like")
    expected = (len(labels), len(actions))
    if matrix.shape != expected:
        raise ValueError(
            f"{param} must have shape {expected}, a row per class {_plain(labels)!r} and a "
            f"column per action of {actions_param}={_plain(actions)!r}; got shape "
            f"{matrix.shape}."
        )
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{param} must contain only finite values (no NaN or inf).")
    return matrix


def check_nonnegative(matrix: np.ndarray, *, param: str, reason: str) -> None:
    """Raise a ``ValueError`` naming ``param`` if ``matrix`` has negative entries."""
    if np.any(matrix < 0):
        raise ValueError(f"{param} must have no negative entries {reason}; got {matrix.min()}.")


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
        positions = _label_positions(classes)
        unknown = [label for label in class_weight if label not in positions]
        if unknown and len(class_weight) - len(unknown) < k:
            raise _unknown_labels_error(param, unknown, classes)
        weights = np.ones(k)
        for label, weight in class_weight.items():
            if label in positions:
                weights[positions[label]] = _number(weight, f"{param}[{label!r}]")
    elif isinstance(class_weight, (list, tuple, np.ndarray)):
        weights = _float_array(class_weight, param, "a list of numeric weights, one per class")
        if weights.shape != (k,):
            raise ValueError(
                f"{param} has {weights.size} weights but there are {k} classes "
                f"{_plain(classes)!r}; give one weight per class, in that order."
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
            f"{param} has one class only ({_plain(np.unique(y))!r}); a classifier needs at "
            "least two."
        )


def check_one_label_type(values, param: str, *, any_mix: bool = False) -> None:
    """Refuse labels of several types: strings beside others (NumPy would turn ``[1, "a"]``
    into strings, or fail to sort them), or, with ``any_mix``, any two types."""
    values = list(values)
    kinds = {type(v).__name__ for v in values}
    if len(kinds) > 1 and (any_mix or any(isinstance(v, str) for v in values)):
        raise TypeError(
            f"{param} mixes labels of types {sorted(kinds)}; use one type for every label."
        )


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
    _check_one_kind(labels, f"{param}'s classes (rows)")
    check_decidable(matrix, param)
    return matrix, named


def _label_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Number):  # 1 and 1.0 compare, hash and sort alike
        return "number"
    return type(value).__name__


def _check_one_kind(values: Any, subject: str) -> None:
    """Refuse labels of several kinds (``[1, "r", 0]``): NumPy would turn them into
    strings or fail to sort them, and predictions of them mix types no metric reads."""
    values = list(values)
    if len({_label_kind(value) for value in values}) > 1:
        kinds = sorted({type(value).__name__ for value in values})
        raise TypeError(
            f"{subject} mix labels of types {kinds}: {_plain(values)!r}; name them "
            "with one type (all strings, or all numbers)."
        )


def _is_one_matrix(value: Any) -> bool:
    """Whether ``value`` reads as one 2-D numeric matrix (not one entry per output)."""
    try:
        return np.asarray(value, dtype=float).ndim == 2
    except (TypeError, ValueError):
        return False


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray:
    """A float copy of ``sample_weight``: shape (n,), finite, non-negative, not all zero."""
    weights = _float_array(sample_weight, "sample_weight", "a numeric array of shape (n_samples,)")
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; got shape "
            f"{weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight must contain only finite values (no NaN or inf).")
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
    weights = _float_array(sample_weight, "sample_weight", "a numeric array of shape (n_samples,)")
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
    costs = _float_array(
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
    if not np.all(np.isfinite(costs)):
        raise ValueError(f"{param} must contain only finite values (no NaN or inf).")
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
