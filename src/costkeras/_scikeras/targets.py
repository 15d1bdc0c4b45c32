"""Reading y: one output, a one-hot matrix, or one output per column.

A 1-D y is one output. A 2-D y is read as scikit-learn reads a multi-output
target, one output per column with its own labels, except a one-hot matrix
(0/1 entries, exactly one 1 per row), which is read as scikeras reads it: a
single output over the columns, ``classes_ = [0, ..., k-1]``, predicted back
as a one-hot matrix. ``README.md`` ("Coming from scikeras") says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import keras
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import column_or_1d
from sklearn.utils.validation import check_array

from .._labels import (
    check_classification_target,
    check_one_label_type,
    column,
    default_output_names,
)


def label_positions(y: np.ndarray, classes: np.ndarray, *, param: str = "y") -> np.ndarray:
    """Positions of ``y`` in the sorted ``classes``; unknown labels raise."""
    positions = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
    unknown = classes[positions] != y
    if np.any(unknown):
        raise ValueError(
            f"Found unknown categories {np.unique(y[unknown]).tolist()!r} in {param}: they are "
            f"not among the classes {classes.tolist()!r}."
        )
    return positions


def is_one_hot(y: np.ndarray) -> bool:
    """Whether a 2-D y is a one-hot matrix: 0/1 entries, exactly one 1 per row."""
    if y.ndim != 2 or y.shape[1] < 2 or y.dtype.kind not in "biuf":
        return False
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


@dataclass
class Target:
    """y, read: one label array per output, and how predictions go back."""

    columns: list[np.ndarray]
    names: list | None = None  # a DataFrame's column names
    one_hot: bool = False
    classes: list[np.ndarray] = field(default_factory=list)

    @property
    def n_outputs(self) -> int:
        return len(self.columns)

    def output_names(self) -> list:
        return self.names if self.names is not None else default_output_names(self.n_outputs)


def read_target(y, classes=None, names=None, *, fitted: bool = False) -> Target:
    """Check y and split it into outputs.

    ``classes`` (``partial_fit``, warm fits) may extend its labels; ``names``
    are the columns of the DataFrame y was before scikeras made it an array.
    """
    if y is None:
        raise ValueError("this classifier requires y to be passed, but the target y is None.")
    if hasattr(y, "columns"):
        names = list(y.columns)
    if hasattr(y, "isna") and np.asarray(y.isna()).any():
        raise ValueError("y holds missing labels (NaN or NA); every sample needs one.")
    if not isinstance(y, (list, tuple)) and np.asarray(y).ndim == 0:
        raise TypeError(f"y must be a 1-D or 2-D array of labels; got the scalar {y!r}.")
    if isinstance(y, (list, tuple)):
        # NumPy would turn [1, "a"] into the strings "1" and "a"
        check_one_label_type(np.asarray(y, dtype=object).ravel().tolist(), "y")
    try:
        y_array = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    except (TypeError, ValueError) as error:
        raise type(error)(f"y must be a 1-D or 2-D array of labels: {error}") from error
    if y_array.ndim == 2 and y_array.shape[1] == 1:
        y_array, names = column_or_1d(y_array, warn=True), None
    if y_array.ndim == 1:
        check_classification_target(y_array, allow_single_class=classes is not None)
        columns, one_hot = [y_array], False
    elif is_one_hot(y_array):
        columns, one_hot, names = [np.argmax(y_array, axis=1)], True, None
    else:
        columns = [column(y_array, j) for j in range(y_array.shape[1])]
        for j, values in enumerate(columns):
            check_classification_target(values, param=f"y[:, {j}]")
        one_hot = False
    if fitted and len(columns) != len(classes):
        raise ValueError(
            f"y has {len(columns)} output column(s) (target features) but the estimator was "
            f"fitted on {len(classes)}; refit with warm_start=False."
        )
    if classes is not None:
        known = [np.unique(np.asarray(classes))] if len(columns) == 1 and not fitted else classes
        labels = [np.unique(np.asarray(c)) for c in known]
        for values, found in zip(columns, labels, strict=True):
            label_positions(values, found)
    elif one_hot:
        labels = [np.arange(y_array.shape[1])]
    else:
        labels = [np.unique(values) for values in columns]
    return Target(columns, names, one_hot, labels)


def from_keras_layout(y, n_samples: int | None, fitted_names: list | None = None):
    """y as scikit-learn lays it out, from Keras's layouts of several outputs.

    Keras takes the labels of several outputs as a list or tuple of per-output
    arrays, or a dict keyed by output name; scikit-learn as one 2-D array with a
    column per output. Either Keras layout becomes that array (numeric when every
    output's labels are of one numeric dtype, else of objects, each column keeping
    its labels), and a dict gives the output names. ``fitted_names``: the names a
    fitted estimator's outputs have, which a dict given later must match (its
    order then does not matter).

    Returns ``(y, names)``; anything else comes back as it is, with no names.
    A list of plain lists as long as the number of samples, each as long too,
    reads both ways and is refused.
    """
    if isinstance(y, Mapping):
        return _from_dict(y, n_samples, fitted_names)
    if not isinstance(y, (list, tuple)) or n_samples is None or not _is_keras_list(y, n_samples):
        return y, None
    columns = [_output_labels(values, n_samples, f"y[{j}]") for j, values in enumerate(y)]
    return _join_outputs(columns), None


def _from_dict(y: Mapping, n_samples: int | None, fitted_names: list | None):
    names = list(y)
    if not names:
        raise ValueError("y is an empty dict; give one array of labels per output name.")
    if fitted_names is not None and set(names) != set(fitted_names):
        raise ValueError(
            f"y is a dict with the keys {names!r}, but the estimator was fitted on the outputs "
            f"{list(fitted_names)!r}; give one array of labels for each of them."
        )
    names = list(fitted_names) if fitted_names is not None else names
    if n_samples is None:  # X's own error comes first
        n_samples = len(np.asarray(y[names[0]]))
    columns = [_output_labels(y[name], n_samples, f"y[{name!r}]") for name in names]
    return _join_outputs(columns), names if len(names) > 1 else None


def _is_keras_list(y, n_samples: int) -> bool:
    """Whether a list or tuple holds one array of labels per output (Keras) rather than rows."""
    if len(y) == 0 or any(np.ndim(values) == 0 for values in y):
        return False  # labels, one per sample
    arrays = isinstance(y, tuple) or any(hasattr(values, "shape") for values in y)
    lengths = {len(values) for values in y}
    if arrays:
        return len(y) != n_samples or lengths == {n_samples}
    if lengths == {n_samples} and len(y) == n_samples:
        raise ValueError(
            f"y is a list of {len(y)} lists of {n_samples} labels with {n_samples} samples: it "
            "reads as one row per sample (scikit-learn) and as one list per output (Keras). "
            "Pass np.asarray(y) for rows, or a tuple (or a dict by output name) of per-output "
            "labels."
        )
    return len(y) != n_samples and lengths == {n_samples}


def _output_labels(values, n_samples: int, param: str) -> np.ndarray:
    labels = np.asarray(values)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"{param} has shape {labels.shape}: each output takes a 1-D array of labels. For "
            f"one-hot rows, pass np.argmax({param}, axis=1)."
        )
    if len(labels) != n_samples:
        raise ValueError(f"{param} has {len(labels)} labels but X has {n_samples} samples.")
    return labels


def _join_outputs(columns: list[np.ndarray]) -> np.ndarray:
    if len(columns) == 1:
        return columns[0]
    dtypes = {labels.dtype for labels in columns}
    if len(dtypes) == 1 and dtypes.pop().kind in "biuf":
        return np.column_stack(columns)
    joined = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, labels in enumerate(columns):
        joined[:, j] = labels
    return joined


class TargetEncoder(TransformerMixin, BaseEstimator):
    """scikeras's ``target_encoder``: reads y and hands ``classes_`` to the model builder.

    ``get_metadata`` gives ``classes_`` and ``n_classes_`` (lists with one
    entry per output when y has several), ``n_outputs_`` and
    ``n_outputs_expected_``. The Keras targets themselves come from the
    output heads (``heads``), which know each output's loss.
    """

    def __init__(self, classes=None, names=None):
        self.classes = classes
        self.names = names

    def fit(self, y) -> TargetEncoder:
        self.target_ = read_target(y, self.classes, self.names)
        return self

    def transform(self, y):
        return y

    def get_metadata(self) -> dict:
        target = self.target_
        classes = target.classes if target.n_outputs > 1 else target.classes[0]
        return {
            "classes_": classes,
            "n_classes_": [len(c) for c in classes] if target.n_outputs > 1 else len(classes),
            "n_outputs_": target.n_outputs,
            "n_outputs_expected_": target.n_outputs,
        }


def keras_float(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=keras.backend.floatx())
