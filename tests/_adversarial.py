"""The tables of bad and legal edge inputs: their data, case kinds and checks.

Every bad input must raise a ``ValueError`` or ``TypeError`` (``NotFittedError``
before fit) whose message names the parameter, before ``keras.Model.fit`` runs,
without modifying the caller's arrays and, for a fitted estimator, without
changing its model. Every legal edge input must be honoured.

The cases are data: ``Fit`` (``fit`` on a fresh estimator and on a fitted one),
``Call`` (predict, score, partial/warm fits of fitted estimators, methods of
unfitted ones, the metrics, decisions and costs functions) and ``Legal`` (legal
edge inputs and what honouring them means). A case with ``bug`` set shows a
defect of the library and is a strict xfail: it passes once the library is
fixed, and the xfail must then go. The tables: ``estimator/test_bad_input.py``,
``estimator/test_edge_input.py`` and ``core/test_bad_input.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from tests._helpers import make_small

# ---------------------------------------------------------------------------- data
N = 60
_Y_IDX = np.arange(N) % 3
X0 = np.random.default_rng(11).normal(size=(N, 3)) + 2.0 * np.eye(3)[_Y_IDX]
Y0 = np.array(["A", "B", "C"])[_Y_IDX]
Y_INT = _Y_IDX.copy()
Y2 = np.column_stack([Y0, np.where(np.arange(N) % 2, "x", "y")])  # two outputs
AB = Y0 != "C"  # a CV fold lacking class "C"
C3 = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]
S3 = np.tile(np.array(C3, dtype=float), (N, 1, 1))
# Predicting "B" costs nothing whatever the truth: Bayes with these costs always says "B".
ALWAYS_B = np.tile(np.array([[0.0, 0.0, 50.0], [50.0, 0.0, 50.0], [50.0, 0.0, 0.0]]), (N, 1, 1))
BASE = "<base data>"  # a Fit case's X or y left at the base data
# numpy reprs in a message: labels and values must print as plain Python values
NUMPY_REPR = re.compile(r"\bnp\.\w+\(|(?<![\w.])array\(|dtype=")


def est(**params):
    """A tiny estimator: 4 hidden units, one epoch, trained eagerly.

    Eager training skips tracing a ``tf.function`` for each new model (a second
    or more per fit on a loaded machine); the legal cases that train for real
    behaviour also train in graph mode (``run_eagerly=False``).
    """
    return make_small(**{"hidden_layer_sizes": (4,), "epochs": 1, "run_eagerly": True, **params})


def bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=f"BUG: {reason}")


# ----------------------------------------------------------------- the case kinds
@dataclass
class Fit:
    """``est(**params).fit(X, y, **kwargs)`` must raise ``error`` matching ``match``.

    Run on a fresh estimator and (``refit``) on a fitted one given the same
    parameters with ``set_params``.
    """

    id: str
    error: type | tuple
    match: str
    params: dict = field(default_factory=dict)
    X: Any = BASE
    y: Any = BASE
    kwargs: dict = field(default_factory=dict)
    refit: bool = True
    plain: bool = True  # the message must print values plainly
    bug: str | None = None


@dataclass
class Call:
    """``target(*args, **kwargs)`` must raise ``error`` matching ``match``.

    ``target`` is ``"<estimator>.<method>"`` for one of the shared fitted
    estimators (see ``_Fitted``) or ``"unfitted.<method>"``, or any function.
    """

    id: str
    error: type | tuple
    match: str
    target: str | Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    plain: bool = True
    bug: str | None = None


@dataclass
class Legal:
    """A legal edge input: ``check(fitted)`` asserts that it is honoured."""

    id: str
    check: Callable[[dict], None]
    bug: str | None = None


V = ValueError
T = TypeError
VT = (ValueError, TypeError)


# ----------------------------------------------------------------------- helpers
class _Fitted(dict):
    """The shared fitted estimators, each trained on first use, used read-only."""

    recipes: dict[str, Callable] = {
        "plain": lambda: est().fit(X0, Y0),
        "bayes": lambda: est(cost_matrix=C3).fit(X0, Y0),
        "argmax": lambda: est(decision="argmax", cost_matrix=C3).fit(X0, Y0),
        "frame": lambda: est().fit(pd.DataFrame(X0, columns=["a", "b", "c"]), Y0),
        "warm": lambda: est(warm_start=True).fit(X0, Y0),
        "multi": lambda: est(cost_matrix={"output1": C3}).fit(X0, Y2),
    }

    def __missing__(self, name):
        self[name] = self.recipes[name]()
        return self[name]


def _copy_data(value):
    """A copy of the arrays, frames, lists and dicts in ``value``; other objects as they are."""
    if isinstance(value, (np.ndarray, pd.DataFrame, pd.Series)) or sparse.issparse(value):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_data(item) for item in value)
    return value


def _assert_unchanged(after, before):
    """The caller's inputs after the call equal the copies taken before it."""
    assert type(after) is type(before)
    if isinstance(before, np.ndarray):
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before)
    elif sparse.issparse(before):
        assert (after != before).nnz == 0
    elif isinstance(before, dict):
        assert list(after) == list(before)
        for key in before:
            _assert_unchanged(after[key], before[key])
    elif isinstance(before, (list, tuple)):
        assert len(after) == len(before)
        for a, b in zip(after, before, strict=True):
            _assert_unchanged(a, b)
    else:
        assert after is before or after == before


def _probe(clf):
    """X0 as the estimator was fitted: with its feature names, if it has any."""
    names = clf.__dict__.get("feature_names_in_")
    return X0 if names is None else pd.DataFrame(X0, columns=names)


def _state(clf):
    """What a failed call must leave as it was: weights, probabilities, attributes."""
    weights = [w.copy() for w in clf.model_.get_weights()]
    return weights, clf.predict_proba(_probe(clf)), set(vars(clf))


def _assert_same_state(clf, state):
    weights, proba, names = state
    after = clf.model_.get_weights()
    assert len(after) == len(weights)
    for before, now in zip(weights, after, strict=True):
        np.testing.assert_array_equal(now, before)
    probas = clf.predict_proba(_probe(clf))
    for before, now in zip(
        proba if isinstance(proba, list) else [proba],
        probas if isinstance(probas, list) else [probas],
        strict=True,
    ):
        np.testing.assert_array_equal(now, before)
    assert set(vars(clf)) == names


def _assert_plain(message: str, case):
    if case.plain:
        assert not NUMPY_REPR.search(message), f"numpy repr in the message: {message}"


def _params(cases, variants=("",)):
    params = []
    for case in cases:
        for variant in variants:
            if variant == "fitted" and not getattr(case, "refit", True):
                continue
            marks = [bug(case.bug)] if case.bug else []
            case_id = f"{case.id}-{variant}" if variant else case.id
            params.append(pytest.param(case, variant, id=case_id, marks=marks))
    return params
