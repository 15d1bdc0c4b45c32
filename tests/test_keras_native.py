"""costkeras.keras: the losses with Keras's targets, MeanCost, BayesDecision, in plain Keras."""

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras.keras import (
    ArgmaxWeightedCrossEntropy,
    BayesDecision,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    MeanCost,
)
from costkeras.metrics import mean_cost

pytestmark = pytest.mark.backend

C3 = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [8.0, 1.0, 0.0]])
LOSSES = [
    lambda: ArgmaxWeightedCrossEntropy(1.0 + C3, reduction="none"),
    lambda: ClassWeightedCrossEntropy([1.0, 2.0, 5.0], reduction="none"),
    lambda: ExpectedCostCrossEntropy(C3, cost_weight=0.5, reduction="none"),
]


def softmax_rows(n, k, seed=0):
    logits = np.random.default_rng(seed).normal(size=(n, k))
    return (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype("float32")


def values(loss, y_true, y_pred):
    return np.asarray(loss(y_true, y_pred), dtype=float)


@pytest.mark.parametrize("make_loss", LOSSES)
def test_integer_labels_give_the_one_hot_loss(make_loss):
    proba = softmax_rows(6, 3)
    labels = np.array([0, 1, 2, 2, 1, 0])
    one_hot = np.eye(3)[labels]
    expected = values(make_loss(), one_hot, proba)
    for target in (labels, labels[:, None], labels.astype("float32")):
        np.testing.assert_allclose(values(make_loss(), target, proba), expected, rtol=1e-6)


@pytest.mark.parametrize("make_loss", LOSSES[::2])  # the losses that take cost rows
def test_a_label_followed_by_its_cost_row_equals_the_one_hot_form(make_loss):
    proba = softmax_rows(4, 3, seed=1)
    labels = np.array([2, 0, 1, 2])
    rows = np.random.default_rng(2).uniform(0, 3, size=(4, 3))
    with_one_hot = values(make_loss(), np.hstack([np.eye(3)[labels], rows]), proba)
    with_label = values(make_loss(), np.hstack([labels[:, None], rows]), proba)
    np.testing.assert_allclose(with_label, with_one_hot, rtol=1e-6)
    # the rows act: they differ from the loss's own matrix rows
    assert not np.allclose(with_label, values(make_loss(), labels, proba))


@pytest.mark.parametrize("make_loss", LOSSES)
def test_a_sigmoid_unit_takes_zero_one_labels(make_loss):
    p1 = np.array([[0.2], [0.9], [0.6]], dtype="float32")
    two = np.hstack([1 - p1, p1])
    labels = np.array([0, 1, 1])
    loss = make_loss()
    matrix = getattr(loss, "weights", None)
    if matrix is None:
        matrix = getattr(loss, "cost_matrix", None)
    if matrix is not None:  # a two-class version of the loss
        loss = type(loss)(matrix[:2, :2], reduction="none")
    else:
        loss = type(loss)([1.0, 3.0], reduction="none")
    np.testing.assert_allclose(values(loss, labels, p1), values(loss, labels, two), rtol=1e-6)
    np.testing.assert_allclose(values(loss, labels[:, None], p1), values(loss, labels, two))


def test_a_target_of_another_width_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"y_true must be integer labels.*got shape \(2, 5\)"):
        ExpectedCostCrossEntropy(C3)(np.zeros((2, 5)), softmax_rows(2, 3))


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


def tiny_classifier(n_features, k, seed=0):
    keras.utils.set_random_seed(seed)
    activation = "sigmoid" if k == 1 else "softmax"
    return keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(k, activation=activation),
        ]
    )


def separable(n=64, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    X = (rng.normal(size=(n, 4)) + np.eye(k, 4)[y] * 2).astype("float32")
    return X, y


def train(loss, X, y, seed=0, **fit_params):
    model = tiny_classifier(X.shape[1], 3, seed)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    model.fit(X, y, batch_size=16, epochs=3, shuffle=False, verbose=0, **fit_params)
    return model.get_weights()


def test_class_weighted_loss_trains_what_keras_class_weight_trains():
    X, y = separable()
    weights = {0: 1.0, 1: 10.0, 2: 2.5}
    by_keras = train("sparse_categorical_crossentropy", X, y, class_weight=weights)
    by_loss = train(ClassWeightedCrossEntropy(weights), X, y)
    unweighted = train("sparse_categorical_crossentropy", X, y)
    for ours, theirs in zip(by_loss, by_keras, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert not all(np.allclose(a, b) for a, b in zip(by_loss, unweighted, strict=True))


# ------------------------------------------------------------------ MeanCost
def test_mean_cost_equals_the_numpy_metric_on_the_same_decisions():
    proba = softmax_rows(50, 3, seed=3)
    labels = np.random.default_rng(4).integers(0, 3, size=50)
    weights = np.random.default_rng(5).uniform(0.1, 2.0, size=50)
    decided = np.argmin(proba @ C3, axis=1)
    metric = MeanCost(C3)
    for rows in np.array_split(np.arange(50), 4):  # batches of unequal size
        metric.update_state(labels[rows], proba[rows], sample_weight=weights[rows])
    expected = mean_cost(labels, decided, C3, labels=[0, 1, 2], sample_weight=weights)
    assert float(metric.result()) == pytest.approx(expected, rel=1e-5)
    metric.reset_state()
    metric.update_state(np.eye(3)[labels], proba)  # one-hot targets
    assert float(metric.result()) == pytest.approx(
        mean_cost(labels, decided, C3, labels=[0, 1, 2]), rel=1e-5
    )


def test_argmax_decision_and_the_zero_one_default():
    proba = softmax_rows(40, 3, seed=6)
    labels = np.random.default_rng(7).integers(0, 3, size=40)
    argmax = proba.argmax(axis=1)
    metric = MeanCost(C3, decision="argmax")
    metric.update_state(labels, proba)
    assert float(metric.result()) == pytest.approx(mean_cost(labels, argmax, C3), rel=1e-5)
    error_rate = MeanCost()
    error_rate.update_state(labels[:, None], proba)
    assert float(error_rate.result()) == pytest.approx(np.mean(argmax != labels), rel=1e-6)


def test_per_example_cost_rows_price_each_decision():
    proba = np.array([[0.7, 0.3], [0.2, 0.8]], dtype="float32")
    labels = np.array([1, 0])
    rows = np.array([[25.0, 0.0], [0.0, 3.0]])  # C_n[true, :]: the first a missed 1 of 25
    metric = MeanCost([[0, 1], [1, 0]])  # decides by argmax here: 0, then 1
    metric.update_state(np.hstack([labels[:, None], rows]), proba)
    assert float(metric.result()) == pytest.approx((25.0 + 3.0) / 2)


def test_a_sigmoid_unit_is_decided_by_the_cost_threshold():
    C = [[0, 1], [10, 0]]  # predict 1 from p(1) > 1/11
    metric = MeanCost(C)
    metric.update_state([0, 1, 1], np.array([[0.1], [0.05], [0.5]]))
    assert float(metric.result()) == pytest.approx((1 + 10 + 0) / 3)


def test_mean_cost_logs_per_epoch_and_drives_early_stopping():
    X, y = separable(96, seed=1)
    model = tiny_classifier(4, 3)
    model.compile(optimizer="adam", loss=ClassWeightedCrossEntropy(), metrics=[MeanCost(C3)])
    stop = keras.callbacks.EarlyStopping(monitor="val_mean_cost", patience=1)  # min: known
    history = model.fit(
        X[:64], y[:64], validation_data=(X[64:], y[64:]), epochs=30, callbacks=[stop], verbose=0
    )
    logged = history.history["val_mean_cost"]
    assert len(logged) < 30  # stopped by the metric
    decided = np.argmin(model.predict(X[64:], verbose=0) @ C3, axis=1)
    assert logged[-1] == pytest.approx(mean_cost(y[64:], decided, C3, labels=[0, 1, 2]), rel=1e-5)


def test_mean_cost_refuses_what_it_cannot_use():
    with pytest.raises(ValueError, match="decision must be one of"):
        MeanCost(C3, decision="threshold")
    with pytest.raises(ValueError, match="square"):
        MeanCost([[0, 1, 2]])
    with pytest.raises(ValueError, match="cost_matrix has 3 rows"):
        MeanCost(C3).update_state([0], [[0.5, 0.5]])


# ------------------------------------------------------------- BayesDecision
@settings(max_examples=25, deadline=None)
@given(
    counts=hnp.arrays("float64", (5, 3), elements=st.integers(0, 5)),
    costs=hnp.arrays("float64", (3, 4), elements=st.integers(0, 10)),
)
def test_bayes_decision_layer_is_numpy_argmin_of_expected_costs(counts, costs):
    # Unnormalised probabilities (counts) decide the same and keep the sums exact, so
    # ties are real ties: the first column of least expected cost wins, as np.argmin.
    decided = np.asarray(BayesDecision(costs, dtype="float64")(counts))
    np.testing.assert_array_equal(decided, np.argmin(counts @ costs, axis=1))


def test_per_example_matrices_decide_instead_of_the_layer_matrix():
    proba = np.array([[0.6, 0.4], [0.6, 0.4]], dtype="float32")
    per_row = np.array([[[0, 1], [1, 0]], [[0, 1], [5, 0]]], dtype="float32")
    layer = BayesDecision([[0, 100], [1, 0]])
    assert np.asarray(layer(proba)).tolist() == [0, 0]
    assert np.asarray(layer(proba, sample_cost=per_row)).tolist() == [0, 1]
    assert np.asarray(layer([proba, per_row])).tolist() == [0, 1]  # the pair convention
    with pytest.raises(ValueError, match=r"a pair \[probabilities, sample_cost\]"):
        layer([proba, per_row, per_row])


def test_a_model_ending_in_the_decision_saves_and_loads(tmp_path):
    inputs = keras.Input((4,))
    costs = keras.Input((3, 3))
    proba = keras.layers.Dense(3, activation="softmax")(inputs)
    model = keras.Model(
        [inputs, costs],
        [
            BayesDecision(C3, name="decided")(proba),
            BayesDecision()(proba, sample_cost=costs),
            BayesDecision()([proba, costs]),
        ],
    )
    X = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    S = np.random.default_rng(1).uniform(0, 5, size=(20, 3, 3)).astype("float32")
    before = [np.asarray(v) for v in model.predict([X, S], verbose=0)]
    model.save(tmp_path / "decide.keras")
    loaded = keras.saving.load_model(tmp_path / "decide.keras")
    after = [np.asarray(v) for v in loaded.predict([X, S], verbose=0)]
    for b, a in zip(before, after, strict=True):
        np.testing.assert_array_equal(b, a)
    assert after[0].dtype == np.int32 and after[0].shape == (20,)
    proba_values = keras.Model(inputs, proba).predict(X, verbose=0)
    np.testing.assert_array_equal(after[0], np.argmin(proba_values @ C3, axis=1))
    np.testing.assert_array_equal(
        after[1], np.argmin(np.einsum("ni,nij->nj", proba_values, S), axis=1)
    )
    np.testing.assert_array_equal(after[2], after[1])


def test_losses_and_metric_survive_a_keras_file(tmp_path):
    X, y = separable()
    model = tiny_classifier(4, 3)
    model.compile(
        optimizer="adam",
        loss=ClassWeightedCrossEntropy({1: 3.0}),
        metrics=[MeanCost(C3, decision="argmax", name="cost")],
    )
    model.fit(X, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.loss.class_weights == {1: 3.0}
    np.testing.assert_allclose(
        loaded.evaluate(X, y, verbose=0, return_dict=True)["loss"],
        model.evaluate(X, y, verbose=0, return_dict=True)["loss"],
        rtol=1e-6,
    )
    for make in (lambda: MeanCost(C3, decision="argmax"), lambda: BayesDecision(C3)):
        obj = make()
        clone = type(obj).from_config(obj.get_config())
        np.testing.assert_array_equal(clone.cost_matrix, obj.cost_matrix)


def test_the_old_import_path_gives_the_same_classes():
    from costkeras import losses

    assert losses.ClassWeightedCrossEntropy is ClassWeightedCrossEntropy
    assert losses.ExpectedCostCrossEntropy is ExpectedCostCrossEntropy
