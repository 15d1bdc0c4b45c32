"""costkeras.keras.layers on the inputs users meet: empty batches, values that are not finite,
per-row costs of the wrong shape, units an output does not have, mixed precision."""

import contextlib

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras.keras.layers import BayesDecision, ClassProbabilities, WhereFinite
from tests._helpers import C3_COSTS, tensorflow_only

pytestmark = pytest.mark.backend

C3 = np.array(C3_COSTS)
NOT_FINITE = st.sampled_from([np.nan, np.inf, -np.inf])


@contextlib.contextmanager
def global_policy(name):
    before = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def dyadic(rows, columns, seed):
    """Probabilities in multiples of 2**-12 and integer costs: p @ C is exact in float32 (and in
    float64), and rounds in float16, whose 11 bits cannot hold it."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4097, size=(rows, columns)) / 4096


def decided(layer, *args, **kwargs):
    return np.asarray(layer(*args, **kwargs))


# ------------------------------------------------------------ decisions of finite rows
@settings(max_examples=20, deadline=None)
@given(
    proba=hnp.arrays("float64", (6, 3), elements=st.integers(0, 4096).map(lambda v: v / 4096)),
    costs=hnp.arrays("float64", (3, 4), elements=st.integers(0, 100)),
    policy=st.sampled_from(["float32", "mixed_float16", "mixed_bfloat16"]),
)
def test_finite_rows_decide_numpys_argmin_of_expected_costs_under_any_policy(proba, costs, policy):
    assume(not np.all(costs == costs[:, :1]))  # constant rows decide nothing: refused
    with global_policy(policy):
        layer = BayesDecision(costs)
        assert layer.compute_dtype == "float32"
        got = decided(layer, proba)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, np.argmin(proba @ costs, axis=1))


def test_mixed_float16_decides_as_float64_on_many_rows():
    # float16 decided 14 of 100,000 such rows otherwise; the decision runs in float32 here
    proba, costs = dyadic(100_000, 3, seed=0), np.random.default_rng(1).integers(0, 100, (3, 3))
    with global_policy("mixed_float16"):
        layer, wide = BayesDecision(costs), BayesDecision(costs, dtype="float64")
        probabilities = ClassProbabilities()
        got, got_wide = decided(layer, proba), decided(wide, proba)
    assert (layer.compute_dtype, wide.compute_dtype) == ("float32", "float64")
    assert probabilities.compute_dtype == "float32"
    np.testing.assert_array_equal(got, np.argmin(proba @ costs, axis=1))
    np.testing.assert_array_equal(got_wide, got)
    assert keras.config.dtype_policy().name == "float32"  # the policy was put back


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "mixed_float16", "int32"])
@pytest.mark.parametrize("layer", [BayesDecision, ClassProbabilities])
def test_a_narrow_dtype_given_to_the_layer_is_refused(layer, dtype):
    with pytest.raises(ValueError, match=rf"computes in float32 or float64.*dtype='{dtype}'"):
        layer(dtype=dtype)


# ------------------------------------------------------------ rows that are not finite
@settings(max_examples=25, deadline=None)
@given(
    proba=hnp.arrays("float64", (5, 3), elements=st.integers(0, 4096).map(lambda v: v / 4096)),
    costs=hnp.arrays("float64", (5, 3, 2), elements=st.integers(0, 100)),
    bad_proba=hnp.arrays(bool, (5, 3)),
    bad_costs=hnp.arrays(bool, (5, 3, 2)),
    value=NOT_FINITE,
)
def test_a_row_with_any_value_not_finite_gets_minus_one(proba, costs, bad_proba, bad_costs, value):
    expected = np.argmin(np.einsum("ni,nia->na", proba, costs), axis=1)
    undecidable = bad_proba.any(axis=1) | bad_costs.any(axis=(1, 2))
    proba_in, costs_in = np.where(bad_proba, value, proba), np.where(bad_costs, value, costs)
    got = decided(BayesDecision(), proba_in, sample_cost=costs_in)
    np.testing.assert_array_equal(got, np.where(undecidable, -1, expected))
    # the layer's own matrix, and argmax without one: the probabilities alone decide it
    bad = bad_proba.any(axis=1)
    got = decided(BayesDecision(C3), proba_in)
    np.testing.assert_array_equal(got, np.where(bad, -1, np.argmin(proba @ C3, axis=1)))
    got = decided(BayesDecision(), proba_in)
    np.testing.assert_array_equal(got, np.where(bad, -1, np.argmax(proba, axis=1)))
    # the user's arrays are left as they were
    assert np.isfinite(proba).all() and np.isfinite(costs).all()


def test_expected_costs_that_overflow_get_minus_one():
    proba = np.array([[1.0, 1.0], [0.5, 0.5]], dtype="float32")
    costs = np.array([[[3e38, 0], [3e38, 1]], [[0, 1], [1, 0]]], dtype="float32")
    # 6e38 overflows float32: the first row's costs are finite, its expected costs are not
    assert decided(BayesDecision(), proba, sample_cost=costs).tolist() == [-1, 0]
    if keras.backend.backend() == "jax" and not __import__("jax").config.jax_enable_x64:
        return  # JAX computes float64 in float32 unless told otherwise: no wider arithmetic
    assert decided(BayesDecision(dtype="float64"), proba, sample_cost=costs).tolist() == [1, 0]


# ------------------------------------------------------------ batches of no rows
@pytest.mark.parametrize("matrix", [None, C3])
def test_a_batch_of_no_rows_decides_no_rows(matrix):
    empty = np.zeros((0, 3), dtype="float32")
    for got in (
        decided(BayesDecision(matrix), empty),
        decided(BayesDecision(), empty, sample_cost=np.zeros((0, 3, 2))),
        decided(BayesDecision(), [empty, np.zeros((0, 3, 3))]),
    ):
        assert got.shape == (0,) and got.dtype == np.int32
    assert np.asarray(ClassProbabilities()(np.zeros((0, 1)))).shape == (0, 2)


@tensorflow_only("a graph whose batch size is unknown until it runs")
def test_a_graph_decides_a_batch_of_no_rows():
    import tensorflow as tf

    layer = BayesDecision(C3)
    graph = tf.function(layer, input_signature=[tf.TensorSpec((None, 3), tf.float32)])
    assert graph(np.zeros((0, 3), dtype="float32")).shape == (0,)


# ------------------------------------------------------------ per-row costs of the wrong shape
@settings(max_examples=15, deadline=None)
@given(rows=st.integers(0, 4), cost_rows=st.integers(0, 4), m=st.integers(1, 3))
def test_sample_cost_of_another_batch_size_is_refused_naming_it(rows, cost_rows, m):
    proba = np.full((rows, 2), 0.5, dtype="float32")
    costs = np.ones((cost_rows, 2, m), dtype="float32")
    if rows == cost_rows:
        assert decided(BayesDecision(), proba, sample_cost=costs).shape == (rows,)
        return
    expected = rf"sample_cost must have shape \(batch, 2, m\).*\({rows} rows\); got shape"
    with pytest.raises(ValueError, match=expected):
        BayesDecision()(proba, sample_cost=costs)


@pytest.mark.parametrize("shape", [(3, 2), (3, 2, 2, 1), (3, 3, 2), (3, 2, 0)])
def test_sample_cost_of_another_shape_is_refused_naming_it(shape):
    proba = np.full((3, 2), 0.5, dtype="float32")
    with pytest.raises(ValueError, match=r"sample_cost must have shape \(batch, 2, m\)"):
        BayesDecision()(proba, sample_cost=np.ones(shape, dtype="float32"))


@tensorflow_only("tf.debugging assertions run inside TensorFlow graphs")
def test_sample_cost_of_another_batch_size_is_refused_inside_a_graph():
    import tensorflow as tf

    graph = tf.function(
        lambda p, c: BayesDecision()(p, sample_cost=c),
        input_signature=[tf.TensorSpec((None, 2)), tf.TensorSpec((None, 2, 2))],
    )
    proba = np.full((3, 2), 0.5, dtype="float32")
    assert graph(proba, np.ones((3, 2, 2), dtype="float32")).shape == (3,)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"sample_cost must have shape"):
        graph(proba, np.ones((2, 2, 2), dtype="float32"))


# ------------------------------------------------------------ ClassProbabilities' unit
@settings(max_examples=15, deadline=None)
@given(units=st.integers(1, 4), unit=st.integers(0, 6))
def test_a_unit_the_output_lacks_is_refused_naming_unit_and_units(units, unit):
    outputs = np.full((3, units), 0.25, dtype="float32")
    layer = ClassProbabilities(unit=unit)
    if unit < units:
        np.testing.assert_allclose(np.asarray(layer(outputs)), [[0.75, 0.25]] * 3)
        return
    match = rf"unit={unit} picks a unit the output does not have: it has {units} unit"
    with pytest.raises(ValueError, match=match):
        layer(outputs)
    with pytest.raises(ValueError, match=match):  # building a functional model, too
        layer(keras.Input((units,)))


@pytest.mark.parametrize("unit", [-1, 1.0, "0", True])
def test_a_unit_that_is_no_index_is_refused(unit):
    with pytest.raises(ValueError, match="unit must be a non-negative integer or None"):
        ClassProbabilities(unit=unit)


# ------------------------------------------------------------ WhereFinite
@settings(max_examples=20, deadline=None)
@given(
    bad=hnp.arrays(bool, (6, 3)),
    value=NOT_FINITE,
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_where_finite_fills_each_row_with_a_value_not_finite(bad, value, dtype):
    features = np.where(bad, value, np.arange(18.0).reshape(6, 3)).astype(dtype)
    rows = bad.any(axis=1)
    decisions = np.arange(6, dtype="int32")
    got = np.asarray(WhereFinite(-1)(decisions, features))
    np.testing.assert_array_equal(got, np.where(rows, -1, decisions))
    assert got.dtype == np.int32
    proba = np.full((6, 2), 0.5, dtype="float32")
    got = np.asarray(WhereFinite(float("nan"))(proba, features))
    assert np.isnan(got[rows]).all() and (got[~rows] == 0.5).all()
    assert got.dtype == np.float32


def test_where_finite_is_checked_and_saved():
    decisions = np.zeros(2, dtype="int32")
    with pytest.raises(ValueError, match=r"fill=nan is not a value of int32 values"):
        WhereFinite(float("nan"))(decisions, np.zeros((2, 1)))
    with pytest.raises(TypeError, match="fill must be a number"):
        WhereFinite("nan")
    clone = WhereFinite.from_config(WhereFinite(float("nan"), name="p").get_config())
    assert np.isnan(clone.fill) and clone.name == "p"
    assert WhereFinite.from_config(WhereFinite().get_config()).fill == -1
    # integer features are always finite
    assert np.asarray(WhereFinite()(decisions, np.zeros((2, 3), dtype="int64"))).tolist() == [0, 0]


def test_where_finite_refuses_values_and_inputs_of_other_row_counts():
    with pytest.raises(ValueError, match=r"values and inputs .*values of shape \(2,\) and inputs "):
        WhereFinite(-1)(np.zeros(2, dtype="int32"), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="values and inputs"):
        WhereFinite(-1)(
            keras.Input((), batch_size=2, dtype="int32"), keras.Input((2,), batch_size=3)
        )


@tensorflow_only("a batch size unknown until the graph runs")
def test_where_finite_checks_the_rows_when_a_graph_runs():
    import tensorflow as tf

    spec = [tf.TensorSpec([None], tf.int32), tf.TensorSpec([None, 2], tf.float32)]
    where = tf.function(lambda v, x: WhereFinite(-1)(v, x), input_signature=spec)
    assert np.asarray(
        where(tf.constant([1, 0]), tf.constant([[0.0, np.nan], [1.0, 1.0]]))
    ).tolist() == [-1, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="values and inputs"):
        where(tf.constant([1, 0]), tf.zeros((3, 2)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 6), per_row=st.booleans())
def test_near_ties_decide_as_numpy_does_in_eager_and_in_a_graph(seed, k, per_row):
    """Expected costs a rounding error apart go the same way in the layer and in NumPy."""
    from costkeras._bayes import decision_positions

    rng = np.random.default_rng(seed)
    column = rng.uniform(0.1, 0.9, size=k)
    # the same column twice up to the last bits: 0.3 - 0.2 is not 0.1 in float64
    nudged = (column + 0.2) - 0.2
    matrix = np.column_stack([column, nudged, column[::-1]])
    proba = rng.dirichlet(np.ones(k), size=300)
    costs = np.broadcast_to(matrix, (300, k, 3)).copy() if per_row else None
    expected = decision_positions(proba, matrix if costs is None else costs)
    layer = BayesDecision(None if per_row else matrix, dtype="float64")
    args = (proba,) if costs is None else (proba, costs)
    np.testing.assert_array_equal(np.asarray(layer(*args)), expected)
    inputs = [keras.Input((k,), dtype="float64")]
    if per_row:
        inputs.append(keras.Input((k, 3), dtype="float64"))
    model = keras.Model(inputs, layer(*inputs))
    predicted = model.predict(list(args) if per_row else proba, verbose=0, batch_size=64)
    np.testing.assert_array_equal(predicted, expected)
