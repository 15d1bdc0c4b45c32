"""Hypothesis strategies and settings the property tests of the core share."""

from __future__ import annotations

import string

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

FAST = settings(max_examples=40, deadline=None, database=None, derandomize=True)


FEW = settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


ALLOWED = (ValueError, TypeError)  # what garbage may raise; NotFittedError is a ValueError


# -------------------------------------------------------------------- strategies
@st.composite
def problems(draw, max_k=5, max_n=6):
    """(proba, costs): dyadic probabilities (n, k) and an integer cost matrix (k, k)."""
    k = draw(st.integers(2, max_k))
    n = draw(st.integers(1, max_n))
    rows = []
    for _ in range(n):
        cuts = sorted(draw(st.lists(st.integers(0, 64), min_size=k - 1, max_size=k - 1)))
        rows.append(np.diff([0, *cuts, 64]) / 64)
    costs = draw(arrays(np.int64, (k, k), elements=st.integers(-20, 20))).astype(float)
    # a matrix with every row constant ties every decision, and is refused
    costs[0, 1] += 1 if np.all(costs == costs[:, :1]) else 0
    return np.array(rows), costs


def label_lists(size: int | None = None):
    """Distinct labels of one kind (ints or strings), in no particular order."""
    low, high = (2, 5) if size is None else (size, size)
    return st.one_of(
        st.lists(st.integers(-1000, 1000), min_size=low, max_size=high, unique=True),
        st.lists(
            st.text(string.ascii_letters, min_size=1, max_size=3),
            min_size=low,
            max_size=high,
            unique=True,
        ),
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.complex_numbers(max_magnitude=10),
)


garbage_arrays = arrays(
    st.sampled_from([np.float64, np.int64, np.bool_, np.dtype("U2"), np.dtype(object)]),
    array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
)


garbage = st.one_of(
    garbage_arrays,
    st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.tuples(inner, inner),
            st.dictionaries(st.one_of(st.integers(-3, 3), st.text(max_size=2)), inner, max_size=3),
        ),
        max_leaves=12,
    ),
)


def raises_only_allowed(function, *args, **kwargs):
    """Call ``function``; anything it raises must be a ValueError or a TypeError."""
    try:
        return function(*args, **kwargs)
    except ALLOWED:
        return None
