import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras.keras import MeanCost
from costkeras.losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    forum_weights_from_costs,
)
from tests._helpers import C3_COSTS, softmax_rows, values

pytestmark = pytest.mark.backend

C3 = np.array(C3_COSTS)

TRUE_B = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
# The forum question: softmax 0.1/0.4/0.5 (argmax "C") vs 0.5/0.4/0.1 (argmax "A").
PRED = np.array([[0.1, 0.4, 0.5], [0.5, 0.4, 0.1]])


def per_sample(loss, y_true, y_pred):
    return np.asarray(loss(y_true, y_pred), dtype=float)


def test_forum_loss_penalises_b_as_c_by_the_table_weight():
    # The question's weight table: ones, and 1.2 for a true "B" predicted "C".
    W = np.ones((3, 3))
    W[1, 2] = 1.2
    values = per_sample(ArgmaxWeightedCrossEntropy(W, reduction="none"), TRUE_B, PRED)
    assert values[0] / values[1] == pytest.approx(1.2, rel=1e-5)
    # Both rows give the true class 0.4, so the cross-entropy is the same: only W differs.
    assert values[1] == pytest.approx(-np.log(0.4), rel=1e-5)


def test_forum_loss_adds_weights_of_tied_maxima_like_the_forum_mask():
    W = np.array([[1.0, 2.0], [3.0, 1.0]])
    values = per_sample(
        ArgmaxWeightedCrossEntropy(W, reduction="none"),
        np.array([[1.0, 0.0]]),
        np.array([[0.5, 0.5]]),
    )
    assert values[0] == pytest.approx(-np.log(0.5) * (1.0 + 2.0), rel=1e-5)


def test_class_weighted_loss_value():
    loss = ClassWeightedCrossEntropy([1.0, 2.0, 4.0], reduction="none")
    values = per_sample(loss, np.eye(3), np.full((3, 3), 0.25) + np.eye(3) * 0.25)
    assert values == pytest.approx(-np.log(0.5) * np.array([1.0, 2.0, 4.0]), rel=1e-5)


def test_expected_cost_loss_value():
    C = np.array([[0, 1, 1], [1, 0, 5], [1, 1, 0]], dtype=float)
    loss = ExpectedCostCrossEntropy(C, cost_weight=0.5, reduction="none")
    values = per_sample(loss, TRUE_B, PRED)
    expected = -np.log(0.4) + 0.5 * np.array([0.1 * 1 + 0.5 * 5, 0.5 * 1 + 0.1 * 5])
    assert values == pytest.approx(expected, rel=1e-5)


def test_expected_cost_tells_wrong_classes_apart_where_forum_loss_cannot():
    """Moving mass from the expensive wrong class to the cheap one lowers only the expected cost."""
    C = np.array([[0, 1, 1], [1, 0, 5], [1, 1, 0]], dtype=float)
    toward_c = np.array([[0.2, 0.6, 0.2]]), np.array([[0.1, 0.6, 0.3]])
    truth = TRUE_B[:1]
    ec = ExpectedCostCrossEntropy(C, reduction="none")
    forum = ArgmaxWeightedCrossEntropy(forum_weights_from_costs(C), reduction="none")
    assert per_sample(ec, truth, toward_c[1]) > per_sample(ec, truth, toward_c[0])
    assert per_sample(forum, truth, toward_c[1]) == pytest.approx(
        per_sample(forum, truth, toward_c[0])
    )


def test_sample_weight_and_default_reduction():
    C = np.array([[0, 1], [3, 0]], dtype=float)
    loss = ExpectedCostCrossEntropy(C)
    y_true, y_pred = np.eye(2), np.array([[0.7, 0.3], [0.4, 0.6]])
    unreduced = per_sample(ExpectedCostCrossEntropy(C, reduction="none"), y_true, y_pred)
    assert float(loss(y_true, y_pred)) == pytest.approx(unreduced.mean(), rel=1e-5)
    weighted = float(loss(y_true, y_pred, sample_weight=np.array([1.0, 0.0])))
    assert weighted == pytest.approx(unreduced[0] / 2, rel=1e-5)


@pytest.mark.parametrize(
    ("loss", "y_true", "y_pred"),
    [
        (ArgmaxWeightedCrossEntropy([[1, 2], [3, 1]]), np.eye(2), [[0.7, 0.3], [0.4, 0.6]]),
        (ClassWeightedCrossEntropy([1, 3]), np.eye(2), [[0.7, 0.3], [0.4, 0.6]]),
        (
            ExpectedCostCrossEntropy([[0, 1], [3, 0]], cost_weight=0.7),
            np.eye(2),
            [[0.7, 0.3], [0.4, 0.6]],
        ),
        (ClassWeightedCrossEntropy([1, 3], from_logits=True), [0, 1], [[2.0, -1.0], [0.5, 1.5]]),
        (
            ArgmaxWeightedCrossEntropy(from_logits=True, costs_in_target=True),
            [[0, 1, 2], [1, 3, 1]],
            [[2.0, -1.0], [0.5, 1.5]],
        ),
        (
            ExpectedCostCrossEntropy(cost_weight=0.7, from_logits=True, costs_in_target=True),
            [[0, 0, 1], [1, 3, 0]],
            [[-0.3], [1.2]],  # one sigmoid unit's logit
        ),
    ],
)
def test_config_round_trip_and_keras_serialization(loss, y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred)
    rebuilt = type(loss).from_config(loss.get_config())
    for flag in ("from_logits", "costs_in_target"):
        assert getattr(rebuilt, flag, None) == getattr(loss, flag, None)
    assert float(rebuilt(y_true, y_pred)) == pytest.approx(float(loss(y_true, y_pred)))
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(restored) is type(loss)
    assert float(restored(y_true, y_pred)) == pytest.approx(float(loss(y_true, y_pred)))


@pytest.mark.parametrize(
    "cls", [ArgmaxWeightedCrossEntropy, ClassWeightedCrossEntropy, ExpectedCostCrossEntropy]
)
def test_constructible_without_arguments_is_cross_entropy(cls):
    y_true, y_pred = np.eye(2), np.array([[0.7, 0.3], [0.4, 0.6]])
    expected = np.mean(-np.log([0.7, 0.6]))
    assert float(cls()(y_true, y_pred)) == pytest.approx(expected, rel=1e-5)


def test_usable_in_plain_keras_and_saved_model(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype("float32")
    y = keras.utils.to_categorical((X[:, 0] > 0).astype(int), 2)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss=ExpectedCostCrossEntropy([[0, 1], [5, 0]]))
    history = model.fit(X, y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.loss, ExpectedCostCrossEntropy)
    np.testing.assert_allclose(loaded.predict_on_batch(X), model.predict_on_batch(X), rtol=1e-6)


def test_invalid_matrices_are_rejected():
    with pytest.raises(ValueError, match="square"):
        ExpectedCostCrossEntropy([[0, 1, 2], [1, 0, 2]])
    with pytest.raises(ValueError, match="non-negative"):
        ArgmaxWeightedCrossEntropy([[1, -1], [1, 1]])
    with pytest.raises(ValueError, match="finite"):
        ClassWeightedCrossEntropy([1, np.nan])
    with pytest.raises(ValueError, match="cost_weight"):
        ExpectedCostCrossEntropy([[0, 1], [1, 0]], cost_weight=-1)


def test_forum_weights_from_costs():
    np.testing.assert_array_equal(forum_weights_from_costs([[0, 4], [1, 0]]), [[1, 5], [2, 1]])
    with pytest.raises(ValueError, match="non-negative"):
        forum_weights_from_costs([[0, -1], [1, 0]])


# ---------------------------------------------------------------- from_logits
LOGIT_LOSSES = [
    lambda **kw: ArgmaxWeightedCrossEntropy(
        [[1.0, 2.0, 3.0], [4.0, 1.0, 1.5], [2.0, 1.0, 1.0]], **kw
    ),
    lambda **kw: ClassWeightedCrossEntropy([1.0, 2.0, 5.0], **kw),
    lambda **kw: ExpectedCostCrossEntropy([[0, 1, 4], [2, 0, 1], [8, 1, 0]], **kw),
]


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@settings(max_examples=20, deadline=None)
@given(
    logits=hnp.arrays("float32", (5, 3), elements=st.floats(-6, 6, width=32)),
    labels=hnp.arrays("int64", 5, elements=st.integers(0, 2)),
    which=st.integers(0, 2),
)
def test_from_logits_on_logits_equals_probabilities_on_their_softmax(logits, labels, which):
    make = LOGIT_LOSSES[which]
    on_logits = per_sample(make(from_logits=True, reduction="none"), labels, logits)
    on_proba = per_sample(make(reduction="none"), labels, softmax(logits))
    np.testing.assert_allclose(on_logits, on_proba, rtol=1e-4, atol=1e-5)
    metric, reference = MeanCost(C3_LOGITS, from_logits=True), MeanCost(C3_LOGITS)
    metric.update_state(labels, logits)
    reference.update_state(labels, softmax(logits))
    assert float(metric.result()) == pytest.approx(float(reference.result()), abs=1e-6)


C3_LOGITS = [[0, 1, 4], [2, 0, 1], [8, 1, 0]]


@settings(max_examples=15, deadline=None)
@given(
    z=hnp.arrays("float32", (4, 1), elements=st.floats(-8, 8, width=32)),
    labels=hnp.arrays("int64", 4, elements=st.integers(0, 1)),
)
def test_one_sigmoid_logit_is_the_binary_cross_entropy_of_its_sigmoid(z, labels):
    p1 = 1.0 / (1.0 + np.exp(-z.astype("float64")))
    weighted = per_sample(ClassWeightedCrossEntropy(from_logits=True, reduction="none"), labels, z)
    binary = keras.losses.BinaryCrossentropy(from_logits=True, reduction="none")
    np.testing.assert_allclose(
        weighted, per_sample(binary, labels[:, None], z), rtol=1e-4, atol=1e-5
    )
    costs = [[0.0, 1.0], [5.0, 0.0]]
    on_logit = ExpectedCostCrossEntropy(costs, from_logits=True, reduction="none")
    on_proba = ExpectedCostCrossEntropy(costs, reduction="none")
    np.testing.assert_allclose(
        per_sample(on_logit, labels, z),
        per_sample(on_proba, labels, np.clip(p1, 1e-7, 1 - 1e-7).astype("float32")),
        rtol=1e-3,
        atol=1e-4,
    )


def test_logits_given_as_probabilities_are_refused():
    logits = np.array([[2.0, -1.0, 0.5]], dtype="float32")
    for make in LOGIT_LOSSES:
        with pytest.raises(ValueError, match=r"outside \[0, 1\].*from_logits=True"):
            make()(np.array([0]), logits)
    with pytest.raises(ValueError, match=r"MeanCost got y_pred values outside \[0, 1\]"):
        MeanCost(C3_LOGITS).update_state([0], logits)


def test_a_model_without_softmax_trains_with_from_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=96)
    X = (rng.normal(size=(96, 4)) + np.eye(3, 4)[y] * 2).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])  # logits out
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=ExpectedCostCrossEntropy(C3_LOGITS, from_logits=True),
        metrics=[MeanCost(C3_LOGITS, from_logits=True)],
    )
    history = model.fit(X, y, epochs=5, verbose=0).history
    assert min(history["loss"]) > 0 and history["loss"][-1] < history["loss"][0]
    decided = np.argmin(softmax(model.predict(X, verbose=0)) @ np.array(C3_LOGITS), axis=1)
    cost = np.mean(np.array(C3_LOGITS)[y, decided])
    assert model.evaluate(X, y, verbose=0, return_dict=True)["mean_cost"] == pytest.approx(cost)


def test_class_weights_as_a_dict_weigh_missing_classes_one():
    proba = softmax_rows(3, 3)
    labels = np.array([0, 1, 2])
    by_dict = values(ClassWeightedCrossEntropy({2: 4.0}, reduction="none"), labels, proba)
    by_list = values(ClassWeightedCrossEntropy([1.0, 1.0, 4.0], reduction="none"), labels, proba)
    np.testing.assert_allclose(by_dict, by_list)
    np.testing.assert_allclose(by_dict[:2], -np.log(proba[[0, 1], [0, 1]]), rtol=1e-5)


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [
        ({"a": 1.0}, ValueError, "class indices"),
        ({-1: 1.0}, ValueError, "class indices"),
        ({0: -2.0}, ValueError, "finite and non-negative"),
        ({0: np.nan}, ValueError, "finite and non-negative"),
        ({0: "x"}, TypeError, "must hold numbers"),
        ([[1.0, 2.0]], ValueError, "one weight per class"),
    ],
)
def test_bad_class_weights_are_refused_at_construction(weights, error, match):
    with pytest.raises(error, match=match):
        ClassWeightedCrossEntropy(weights)


def test_class_weights_naming_a_class_the_output_lacks_are_refused():
    with pytest.raises(ValueError, match=r"names classes \[5\] but the output has 3"):
        ClassWeightedCrossEntropy({5: 2.0})(np.array([0]), softmax_rows(1, 3))
    with pytest.raises(ValueError, match="has 2 weights but the output has 3"):
        ClassWeightedCrossEntropy([1.0, 2.0])(np.array([0]), softmax_rows(1, 3))


def test_a_matrix_of_the_wrong_size_names_itself():
    with pytest.raises(ValueError, match=r"cost_matrix has 3 rows .* 2 columns"):
        ExpectedCostCrossEntropy(C3)(np.array([0]), softmax_rows(1, 2))
