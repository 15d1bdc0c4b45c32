"""Per-example weights and costs: class_weight's forms agree, sample_cost a float copy."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.utils.class_weight import compute_class_weight

from costkeras._weights import check_sample_cost, check_sample_weight, class_weight_vector
from tests.core._strategies import FAST, garbage, raises_only_allowed


@FAST
@given(st.integers(2, 5), st.data())
def test_class_weight_forms_agree(k, data):
    classes = np.arange(k) * 10
    y_idx = data.draw(
        arrays(np.int64, data.draw(st.integers(k, 20)), elements=st.integers(0, k - 1))
    )
    weights = data.draw(arrays(np.float64, k, elements=st.floats(0.0, 10.0)))
    if not weights.any():
        weights[0] = 1.0
    named = {int(c): w for c, w in zip(classes, weights, strict=True)}
    np.testing.assert_array_equal(class_weight_vector(named, classes, y_idx), weights)
    np.testing.assert_array_equal(class_weight_vector(list(weights), classes, y_idx), weights)
    with_extra = {**named, 12345: 7.0}  # a label of another fold
    np.testing.assert_array_equal(class_weight_vector(with_extra, classes, y_idx), weights)
    partial = {int(classes[0]): float(weights[0]) or 1.0}
    expected = np.ones(k)
    expected[0] = partial[int(classes[0])]
    np.testing.assert_array_equal(class_weight_vector(partial, classes, y_idx), expected)
    if len(np.unique(y_idx)) == k:
        balanced = compute_class_weight("balanced", classes=classes, y=classes[y_idx])
        np.testing.assert_allclose(class_weight_vector("balanced", classes, y_idx), balanced)


@FAST
@given(st.integers(1, 6), st.integers(2, 4), st.booleans(), st.data())
def test_sample_cost_is_a_float_copy(n, k, matrices, data):
    shape = (n, k, k) if matrices else (n, k)
    costs = data.draw(arrays(np.int64, shape, elements=st.integers(-100, 100)))
    original = costs.copy()
    checked = check_sample_cost(costs, n, k)
    assert checked.dtype == np.float64 and checked.shape == shape
    np.testing.assert_array_equal(checked, costs)
    checked += 1
    np.testing.assert_array_equal(costs, original)


@FAST
@given(garbage, st.integers(2, 4))
def test_class_weight_vector_refuses_garbage_clearly(value, k):
    result = raises_only_allowed(class_weight_vector, value, np.arange(k), np.arange(k))
    if result is not None:
        assert result.shape == (k,) and np.isfinite(result).all() and (result >= 0).all()


@FAST
@given(garbage, st.integers(1, 4), st.integers(2, 3))
def test_check_sample_cost_refuses_garbage_clearly(value, n, k):
    result = raises_only_allowed(check_sample_cost, value, n, k)
    if result is not None:
        assert result.shape in ((n, k), (n, k, k)) and np.isfinite(result).all()


@FAST
@given(garbage, st.integers(1, 4))
def test_check_sample_weight_refuses_garbage_clearly(value, n):
    result = raises_only_allowed(check_sample_weight, value, n)
    if result is not None:
        assert result.shape == (n,) and np.isfinite(result).all() and (result >= 0).all()
