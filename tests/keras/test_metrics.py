"""The Keras metrics MeanCost and LabelsOnly, and the targets every Keras piece takes or refuses."""

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras.keras import (
    ArgmaxWeightedCrossEntropy,
    BayesDecision,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    LabelsOnly,
    MeanCost,
)
from costkeras.metrics import mean_cost
from tests._helpers import C3_COSTS, softmax_rows, tensorflow_only, values

pytestmark = pytest.mark.backend

C3 = np.array(C3_COSTS)


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
    metric = MeanCost([[0, 1], [1, 0]], costs_in_target=True)  # decides by argmax: 0, then 1
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


# ------------------------------------------------- targets a Keras user meets
def mean_cost_value(metric, y_true, y_pred):
    metric.update_state(y_true, y_pred)
    return float(metric.result())


# each piece that reads a target, as a function of (y_true, y_pred)
PIECES = {
    "argmax_weighted": lambda: ArgmaxWeightedCrossEntropy(1.0 + C3),
    "class_weighted": lambda: ClassWeightedCrossEntropy([1.0, 2.0, 5.0]),
    "expected_cost": lambda: ExpectedCostCrossEntropy(C3),
    "mean_cost": lambda: lambda y_true, y_pred: mean_cost_value(MeanCost(C3), y_true, y_pred),
}


@settings(max_examples=20, deadline=None)
@given(
    piece=st.sampled_from(sorted(PIECES)),
    bad=st.one_of(
        st.integers(-20, -1),
        st.integers(3, 20),
        # labels reach a loss as float32 (Keras casts them), where TensorFlow flushes
        # subnormal numbers to zero
        st.floats(-1.0, 4.0, width=32, allow_subnormal=False).filter(lambda v: v != int(v)),
    ),
    row=st.integers(0, 3),
    column=st.booleans(),
)
def test_any_label_that_is_not_a_class_index_is_refused(piece, bad, row, column):
    labels = np.array([0.0, 1.0, 2.0, 1.0])
    labels[row] = bad  # a 1-based 3, a -1, a 2.5 ...
    target = labels[:, None] if column else labels
    with pytest.raises(ValueError, match=r"not class indices: .* from 0 to 2") as error:
        PIECES[piece]()(target, softmax_rows(4, 3))
    assert f"examples (first 5 at most): [{row}]" in str(error.value)


@pytest.mark.parametrize("piece", sorted(PIECES))
def test_a_one_hot_of_labels_counted_from_one_is_no_cost_row(piece):
    # to_categorical of labels 1..3 gives 4 columns: once read as "label + cost row"
    target = keras.utils.to_categorical([1, 2, 3, 1], 4)
    expected = (
        r"this loss takes no per-example cost rows"
        if piece == "class_weighted"
        else r"\(batch, 4\) .* needs costs_in_target=True.*counted from 1"
    )
    with pytest.raises(ValueError, match=r"y_true of shape \(4, 4\) for y_pred of 3 classes"):
        PIECES[piece]()(target, softmax_rows(4, 3))
    with pytest.raises(ValueError, match=expected):
        PIECES[piece]()(target, softmax_rows(4, 3))


ROW_PIECES = {
    "argmax_weighted": lambda: ArgmaxWeightedCrossEntropy(costs_in_target=True),
    "expected_cost": lambda: ExpectedCostCrossEntropy(costs_in_target=True),
    "mean_cost": lambda: (
        lambda y_true, y_pred: mean_cost_value(MeanCost(C3, costs_in_target=True), y_true, y_pred)
    ),
}


@pytest.mark.parametrize("piece", sorted(ROW_PIECES))
@pytest.mark.parametrize("shape", [(4,), (4, 1), (4, 3), (4, 5), (4, 2, 4)])
def test_costs_in_target_takes_only_the_cost_row_layouts(piece, shape):
    target = np.zeros(shape)
    with pytest.raises(
        ValueError, match=r"with costs_in_target=True, y_true must be .*\(batch, 4\)"
    ):
        ROW_PIECES[piece]()(target, softmax_rows(4, 3))


@settings(max_examples=15, deadline=None)
@given(
    costs=hnp.arrays("float64", (3, 3), elements=st.floats(0, 10)),
    labels=hnp.arrays("int64", 6, elements=st.integers(0, 2)),
    one_hot=st.booleans(),
    seed=st.integers(0, 100),
)
def test_cost_rows_equal_to_the_matrix_rows_give_the_matrix_loss(costs, labels, one_hot, seed):
    assume(not np.all(costs == costs[:, :1]))  # constant rows decide nothing: refused
    proba = softmax_rows(6, 3, seed=seed)
    head = np.eye(3)[labels] if one_hot else labels[:, None]

    def packed(matrix):
        return np.hstack([head, matrix[labels]])

    pairs = [
        (ArgmaxWeightedCrossEntropy(1.0 + costs), ArgmaxWeightedCrossEntropy, 1.0 + costs),
        (
            ExpectedCostCrossEntropy(costs, 0.5),
            lambda **kw: ExpectedCostCrossEntropy(**kw, cost_weight=0.5),
            costs,
        ),
    ]
    for by_matrix, make, matrix in pairs:
        by_rows = make(costs_in_target=True, reduction="none")
        by_matrix.reduction = "none"
        np.testing.assert_allclose(
            values(by_rows, packed(matrix), proba), values(by_matrix, labels, proba), rtol=1e-5
        )
    matrix_cost = mean_cost_value(MeanCost(costs), labels, proba)
    row_cost = mean_cost_value(MeanCost(costs, costs_in_target=True), packed(costs), proba)
    assert row_cost == pytest.approx(matrix_cost, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("piece", sorted(ROW_PIECES))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_cost_rows_are_refused(piece, bad):
    target = np.hstack([np.array([[0], [1]]), C3[[0, 1]]])
    target[1, 2] = bad
    with pytest.raises(ValueError, match=r"cost rows in y_true .* NaN or infinite.*\[1\]"):
        ROW_PIECES[piece]()(target, softmax_rows(2, 3))


def test_negative_weight_rows_are_refused_like_negative_weights():
    target = np.array([[0, 1.0, -2.0, 1.0]])
    with pytest.raises(ValueError, match=r"weight rows in y_true .* negative values"):
        ArgmaxWeightedCrossEntropy(costs_in_target=True)(target, softmax_rows(1, 3))
    # gains (negative costs) are costs all the same for the expected cost
    loss = ExpectedCostCrossEntropy(costs_in_target=True)
    assert np.isfinite(float(loss(target, softmax_rows(1, 3))))


def test_a_matrix_and_costs_in_target_together_are_refused():
    with pytest.raises(ValueError, match="weights would go unused"):
        ArgmaxWeightedCrossEntropy(1.0 + C3, costs_in_target=True)
    with pytest.raises(ValueError, match="cost_matrix would go unused"):
        ExpectedCostCrossEntropy(C3, costs_in_target=True)
    with pytest.raises(TypeError, match="costs_in_target must be True or False"):
        MeanCost(C3, costs_in_target="yes")


@pytest.mark.parametrize("piece", sorted(PIECES))
def test_wrong_ranks_and_example_counts_are_refused(piece):
    with pytest.raises(ValueError, match=r"y_true of shape \(4, 2, 3\)"):
        PIECES[piece]()(np.zeros((4, 2, 3)), softmax_rows(4, 3))
    with pytest.raises(ValueError, match=r"y_pred with a class axis.*got shape \(3,\)"):
        PIECES[piece]()(np.array([0, 1, 2]), softmax_rows(1, 3)[0])
    with pytest.raises(ValueError, match=r"their examples differ \(\(5,\) and \(4,\)\)"):
        PIECES[piece]()(np.array([0, 1, 2, 0, 1]), softmax_rows(4, 3))


@pytest.mark.parametrize("piece", sorted(PIECES))
def test_string_labels_are_refused_and_bools_are_zero_one(piece):
    with pytest.raises(TypeError, match=r"y_true as class indices .* got strings.*LabelEncoder"):
        PIECES[piece]()(np.array(["a", "b", "c", "a"]), softmax_rows(4, 3))
    with pytest.raises(TypeError, match="got objects that are not numbers"):
        PIECES[piece]()(np.array(["a", 1, 2, 0], dtype=object), softmax_rows(4, 3))
    make = {  # two-class versions: a sigmoid unit's 0/1 labels
        "argmax_weighted": lambda: ArgmaxWeightedCrossEntropy([[1, 2], [5, 1]]),
        "class_weighted": lambda: ClassWeightedCrossEntropy([1.0, 3.0]),
        "expected_cost": lambda: ExpectedCostCrossEntropy([[0, 1], [5, 0]]),
        "mean_cost": lambda: lambda t, p: mean_cost_value(MeanCost([[0, 1], [5, 0]]), t, p),
    }[piece]
    p1 = np.array([[0.2], [0.9], [0.6]], dtype="float32")
    flags = np.array([False, True, True])
    assert float(make()(flags, p1)) == pytest.approx(float(make()(flags.astype(int), p1)))


def test_an_empty_batch_adds_nothing_to_mean_cost():
    metric, accuracy = MeanCost(C3), keras.metrics.SparseCategoricalAccuracy()
    for m in (metric, accuracy):
        m.update_state(np.zeros((0,)), np.zeros((0, 3)))
    assert float(metric.result()) == float(accuracy.result()) == 0.0  # as Keras's metrics
    metric.update_state([0, 1], softmax_rows(2, 3))
    before = float(metric.result())
    metric.update_state(np.zeros((0,)), np.zeros((0, 3)), sample_weight=np.zeros((0,)))
    assert float(metric.result()) == before
    rows = MeanCost(C3, costs_in_target=True)
    rows.update_state(np.zeros((0, 4)), np.zeros((0, 3)))
    assert float(rows.result()) == 0.0


@tensorflow_only("graphs and XLA")
def test_bad_targets_raise_inside_tf_function_and_model_fit():
    import tensorflow as tf

    X, y = separable(32)
    bad = y.copy()
    bad[3] = 3  # a 1-based label
    for name, make in PIECES.items():
        if name == "mean_cost":
            continue
        traced = tf.function(
            make(), input_signature=[tf.TensorSpec((None,)), tf.TensorSpec((None, 3))]
        )
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"not class indices: .* from 0 to 2"
        ):
            traced(bad.astype("float32"), softmax_rows(32, 3))
        model = tiny_classifier(4, 3)
        model.compile(optimizer="sgd", loss=make())
        with pytest.raises(tf.errors.InvalidArgumentError, match="not class indices"):
            model.fit(X, bad, epochs=1, verbose=0)
    # as Keras's own sparse cross-entropy does in a graph
    model = tiny_classifier(4, 3)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
        model.fit(X, bad, epochs=1, verbose=0)
    metric = MeanCost(C3)
    update = tf.function(
        metric.update_state, input_signature=[tf.TensorSpec((None,)), tf.TensorSpec((None, 3))]
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="MeanCost got labels"):
        update(bad.astype("float32"), softmax_rows(32, 3))
    packed = np.hstack([y[:, None], C3[y]])
    packed[5, 2] = np.nan
    model.compile(optimizer="sgd", loss=ExpectedCostCrossEntropy(costs_in_target=True))
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or infinite"):
        model.fit(X, packed, epochs=1, verbose=0)


@tensorflow_only("XLA")
def test_under_xla_bad_labels_give_a_nan_loss_as_keras_does():
    X, y = separable(32)
    bad = y.copy()
    bad[3] = -1
    model = tiny_classifier(4, 3)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=True)
    assert np.isnan(model.evaluate(X, bad, verbose=0))  # Keras's own, under XLA
    for name, make in PIECES.items():
        if name == "mean_cost":
            model.compile(
                optimizer="sgd",
                loss=ClassWeightedCrossEntropy(),
                metrics=[MeanCost(C3)],
                jit_compile=True,
            )
            logs = model.evaluate(X, bad, verbose=0, return_dict=True)
            assert np.isnan(logs["mean_cost"])
            assert np.isfinite(model.evaluate(X, y, verbose=0, return_dict=True)["mean_cost"])
            continue
        model.compile(optimizer="sgd", loss=make(), jit_compile=True)
        assert np.isnan(model.evaluate(X, bad, verbose=0)), name
        assert np.isfinite(model.evaluate(X, y, verbose=0)), name


# ---------------------------------------------------------------- LabelsOnly
def packed_targets(X, y, rng_seed=0):
    """Each example's label and its own cost row: C3's row scaled by an amount."""
    amount = np.random.default_rng(rng_seed).uniform(0.5, 3.0, size=(len(y), 1))
    return np.hstack([y[:, None], C3[y] * amount])


def test_labels_only_keeps_keras_accuracy_right_on_cost_rows():
    X, y = separable(96, seed=2)
    packed = packed_targets(X, y)
    model = tiny_classifier(4, 3)
    model.compile(
        optimizer="adam",
        loss=ExpectedCostCrossEntropy(costs_in_target=True),
        metrics=[
            LabelsOnly("accuracy"),
            MeanCost(C3, costs_in_target=True),
            keras.metrics.CategoricalAccuracy(name="fooled"),  # reads the packed columns
        ],
    )
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5)  # max: known
    history = model.fit(
        X, packed, validation_data=(X, packed), epochs=3, callbacks=[stop], verbose=0
    ).history
    assert "accuracy" in history and "val_accuracy" in history
    proba = model.predict(X, verbose=0)
    right = np.mean(proba.argmax(axis=1) == y)
    assert history["val_accuracy"][-1] == pytest.approx(right, abs=1e-6)
    assert abs(history["val_fooled"][-1] - right) > 0.05  # what accuracy was without it
    weights = np.linspace(0, 1, len(y))
    model.compile(
        optimizer="adam",
        loss=ExpectedCostCrossEntropy(costs_in_target=True),
        weighted_metrics=[LabelsOnly("acc")],
    )
    logs = model.evaluate(X, packed, sample_weight=weights, verbose=0, return_dict=True)
    assert logs["acc"] == pytest.approx(
        np.average(proba.argmax(axis=1) == y, weights=weights), abs=1e-5
    )


def test_labels_only_hands_one_hot_rows_and_sigmoid_labels():
    proba = softmax_rows(6, 3, seed=4)
    labels = np.array([0, 1, 2, 2, 1, 0])
    one_hot_packed = np.hstack([np.eye(3)[labels], C3[labels]])
    auc = LabelsOnly(keras.metrics.AUC(multi_label=True, name="auc"))
    auc.update_state(one_hot_packed, proba)
    plain = keras.metrics.AUC(multi_label=True)
    plain.update_state(np.eye(3)[labels], proba)
    assert auc.name == "auc" and float(auc.result()) == pytest.approx(float(plain.result()))
    p1 = np.array([[0.2], [0.9], [0.6], [0.4]], dtype="float32")
    zero_one = np.array([0, 1, 0, 0])
    costs = np.array([[0.0, 1.0], [5.0, 0.0]])[zero_one]
    for target in (np.hstack([zero_one[:, None], costs]), np.hstack([np.eye(2)[zero_one], costs])):
        accuracy = LabelsOnly("accuracy")
        accuracy.update_state(target, p1)
        assert float(accuracy.result()) == pytest.approx(0.75)  # 0.6 is the wrong one
    with pytest.raises(
        ValueError, match=r"LabelsOnly got y_true of shape \(6,\).*needs no LabelsOnly"
    ):
        LabelsOnly("accuracy").update_state(labels, proba)


def test_labels_only_saves_in_a_keras_file(tmp_path):
    X, y = separable()
    packed = packed_targets(X, y)
    model = tiny_classifier(4, 3)
    model.compile(
        optimizer="adam",
        loss=ArgmaxWeightedCrossEntropy(costs_in_target=True),
        metrics=[
            LabelsOnly("accuracy"),
            LabelsOnly(keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")),
        ],
    )
    model.fit(X, packed, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.loss.costs_in_target is True
    before = model.evaluate(X, packed, verbose=0, return_dict=True)
    after = loaded.evaluate(X, packed, verbose=0, return_dict=True)
    assert set(after) == {"loss", "accuracy", "top2"}
    for name, value in before.items():
        assert after[name] == pytest.approx(value, rel=1e-6)
    clone = LabelsOnly.from_config(LabelsOnly("mse").get_config())
    assert clone.name == "mse"  # a name logs as given, as compile logs it


# ------------------------------------------------- what every entry point refuses
REFUSED = {
    "one column": ([[0.0], [1.0]], "one column, one decision only"),
    "all zeros": (np.zeros((2, 2)), "every decision the same cost"),
    "constant rows": ([[3.0, 3.0, 3.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], "same cost"),
}
# the Keras pieces that take a cost matrix, and whether they take a (k, m) one
MATRIX_PIECES = {
    "BayesDecision": (BayesDecision, True),
    "MeanCost": (MeanCost, False),
    "ExpectedCostCrossEntropy": (ExpectedCostCrossEntropy, False),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("piece", sorted(MATRIX_PIECES))
def test_the_keras_pieces_refuse_what_check_costs_refuses(piece, case):
    from costkeras._cost_matrix import check_costs

    matrix, message = REFUSED[case]
    make, takes_actions = MATRIX_PIECES[piece]
    if not takes_actions and np.shape(matrix)[0] != np.shape(matrix)[1]:
        with pytest.raises(ValueError, match="square"):
            make(matrix)
        return
    k, m = np.shape(matrix)
    with pytest.raises(ValueError) as core:
        check_costs(matrix, list(range(k)), actions=None if m == k else list(range(10, 10 + m)))
    with pytest.raises(ValueError, match=message) as keras_side:
        make(matrix)
    assert str(keras_side.value) == str(core.value)  # the same message, word for word


@settings(max_examples=20, deadline=None)
@given(
    rows=hnp.arrays("float64", st.tuples(st.integers(2, 4), st.just(1)), elements=st.floats(-9, 9)),
    m=st.integers(2, 4),
)
def test_a_matrix_of_constant_rows_is_refused_by_every_keras_piece(rows, m):
    constant = np.repeat(rows, m, axis=1)  # each row one cost for every decision
    square = np.repeat(rows, len(rows), axis=1)
    with pytest.raises(ValueError, match="every decision the same cost"):
        BayesDecision(constant)
    for make in (MeanCost, ExpectedCostCrossEntropy):
        with pytest.raises(ValueError, match="every decision the same cost"):
            make(square)


@pytest.mark.parametrize("piece", sorted(MATRIX_PIECES))
def test_costs_beyond_float32_are_refused_where_the_piece_computes_in_float32(piece):
    make, _ = MATRIX_PIECES[piece]
    with pytest.raises(ValueError, match=r"cost_matrix holds a value of magnitude 1e\+39.*float32"):
        make([[0.0, 1e39], [1.0, 0.0]])
    wide = make([[0.0, 1e39], [1.0, 0.0]], dtype="float64")  # float64 holds it
    assert wide.cost_matrix[0, 1] == 1e39
    with pytest.raises(ValueError, match=r"weights holds a value of magnitude"):
        ArgmaxWeightedCrossEntropy([[1.0, -1e39], [1.0, 1.0]])


def test_mean_cost_takes_no_actions_and_says_so():
    with pytest.raises(ValueError, match=r"MeanCost .*takes no actions.*BayesDecision"):
        MeanCost([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]])


# ------------------------------------------------ rows that cannot be decided
@settings(max_examples=20, deadline=None)
@given(
    bad=hnp.arrays(bool, 6),
    value=st.sampled_from([np.nan, np.inf, -np.inf]),
    decision=st.sampled_from(["bayes", "argmax"]),
    from_logits=st.booleans(),
)
def test_a_row_that_cannot_be_decided_costs_nan(bad, value, decision, from_logits):
    proba = softmax_rows(6, 3, seed=3)
    labels = np.array([0, 1, 2, 2, 1, 0])
    if from_logits:
        proba = np.log(proba)
    proba[bad, 1] = value
    metric = MeanCost(C3, decision, from_logits=from_logits)
    if not from_logits and np.isinf(value) and bad.any():
        # an infinite probability is no probability: refused as such
        with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
            metric.update_state(labels, proba)
        return
    metric.update_state(labels, proba)
    result = float(metric.result())
    # a logit of -inf is a probability of 0, which decides; NaN and +inf decide nothing
    undecided = bad.any() and not (from_logits and value == -np.inf)
    if undecided:
        assert np.isnan(result)  # never 0.0, the best value a diverged model would log
    else:
        probabilities = np.asarray(keras.ops.softmax(proba)) if from_logits else proba
        decided = np.asarray(BayesDecision(C3 if decision == "bayes" else None)(probabilities))
        assert result == pytest.approx(mean_cost(labels, decided, C3), rel=1e-6)


def test_a_diverged_model_logs_a_nan_mean_cost_not_the_best_one():
    X, y = separable(32)
    model = tiny_classifier(4, 3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[MeanCost(C3)])
    model.set_weights([np.full(w.shape, np.nan, "float32") for w in model.get_weights()])
    logs = model.evaluate(X, y, verbose=0, return_dict=True)
    assert np.isnan(logs["mean_cost"])


# ------------------------------------------------------- MeanCost's sample_weight
@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1.0, 2.0, 3.0], r"sample_weight of shape \(3,\) for 2 examples"),
        ([[1.0, 2.0]], r"sample_weight of shape \(2,\).*got shape \(1, 2\)"),
        (2.0, r"sample_weight of shape \(2,\).*got shape \(\)"),
        ([-1.0, 1.0], "sample_weight values that are negative, NaN or infinite"),
        ([np.nan, 1.0], "sample_weight values that are negative, NaN or infinite"),
        ([1.0, np.inf], "sample_weight values that are negative, NaN or infinite"),
    ],
)
def test_mean_cost_checks_sample_weight_as_mean_cost_does(weights, message):
    metric = MeanCost([[0, 1], [10, 0]])
    with pytest.raises(ValueError, match=message):
        metric.update_state([0, 1], [[0.9, 0.1], [0.2, 0.8]], sample_weight=weights)
    with pytest.raises(ValueError, match="sample_weight"):
        mean_cost([0, 1], [0, 1], [[0, 1], [10, 0]], sample_weight=weights)


@settings(max_examples=15, deadline=None)
# weights the metric's float32 can hold: a float64 like 1e-308 is 0 there, as in Keras's metrics
@given(
    weights=hnp.arrays("float64", 6, elements=st.one_of(st.just(0.0), st.floats(1e-3, 5))),
    column=st.booleans(),
)
def test_mean_cost_weighs_as_mean_cost_with_any_valid_weights(weights, column):
    proba = softmax_rows(6, 3, seed=5)
    labels = np.array([0, 1, 2, 2, 1, 0])
    metric = MeanCost(C3)
    metric.update_state(labels, proba, sample_weight=weights[:, None] if column else weights)
    decided = np.asarray(BayesDecision(C3)(proba))
    expected = np.sum(weights * C3[labels, decided]) / weights.sum() if weights.any() else 0.0
    assert float(metric.result()) == pytest.approx(expected, rel=1e-5, abs=1e-6)


@tensorflow_only("a batch size unknown until the graph runs")
def test_mean_cost_checks_sample_weight_inside_a_graph():
    import tensorflow as tf

    metric = MeanCost([[0, 1], [10, 0]])
    spec = [
        tf.TensorSpec([None], tf.int32),
        tf.TensorSpec([None, 2], tf.float32),
        tf.TensorSpec([None], tf.float32),
    ]

    @tf.function(input_signature=spec)
    def update(y, p, w):
        metric.update_state(y, p, sample_weight=w)
        return metric.result()

    y, p = tf.constant([0, 1]), tf.constant([[0.95, 0.05], [0.2, 0.8]])
    assert float(update(y, p, tf.constant([1.0, 1.0]))) == 0.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="sample_weight"):
        update(y, p, tf.constant([1.0, 1.0, 1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative, NaN or infinite"):
        update(y, p, tf.constant([-1.0, 1.0]))


# --------------------------------------------------------- LabelsOnly's layouts
LABELS_ONLY_METRICS = {
    "AUC": lambda: keras.metrics.AUC(),
    "auc": lambda: "auc",
    "Precision": lambda: keras.metrics.Precision(),
    "Recall": lambda: keras.metrics.Recall(),
    "accuracy": lambda: "accuracy",
    "sparse_categorical_accuracy": lambda: "sparse_categorical_accuracy",
}


def _keras_value(metric, y_true, y_pred):
    metric = keras.metrics.get(metric) if isinstance(metric, str) else metric
    metric.update_state(y_true, y_pred)
    return float(metric.result())


@pytest.mark.parametrize("layout", ["label", "one-hot"])
@pytest.mark.parametrize("name", sorted(LABELS_ONLY_METRICS))
def test_labels_only_gives_each_metric_the_target_keras_would(name, layout):
    proba = softmax_rows(12, 3, seed=6)
    labels = np.arange(12) % 3
    one_hot = np.eye(3)[labels]
    head = labels[:, None] if layout == "label" else one_hot
    wrapped = LabelsOnly(LABELS_ONLY_METRICS[name]())
    wrapped.update_state(np.hstack([head, C3[labels]]), proba)
    sparse = name.startswith("sparse")
    plain = "categorical_accuracy" if name == "accuracy" else LABELS_ONLY_METRICS[name]()
    expected = _keras_value(plain, labels[:, None] if sparse else one_hot, proba)
    assert float(wrapped.result()) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("layout", ["label", "one-hot"])
@pytest.mark.parametrize("name", sorted(LABELS_ONLY_METRICS))
def test_labels_only_gives_a_sigmoid_unit_its_zero_one_labels(name, layout):
    p1 = np.array([[0.2], [0.9], [0.6], [0.4], [0.7], [0.1]], dtype="float32")
    zero_one = np.array([0, 1, 0, 1, 1, 0])
    head = zero_one[:, None] if layout == "label" else np.eye(2)[zero_one]
    wrapped = LabelsOnly(LABELS_ONLY_METRICS[name]())
    wrapped.update_state(np.hstack([head, np.array([[0.0, 1.0], [5.0, 0.0]])[zero_one]]), p1)
    if name.endswith("accuracy"):
        expected = np.mean((p1[:, 0] > 0.5) == zero_one)  # both read p(1) > 0.5
    else:
        expected = _keras_value(LABELS_ONLY_METRICS[name](), zero_one[:, None], p1)
    assert float(wrapped.result()) == pytest.approx(expected, rel=1e-6)


def test_labels_only_auc_in_model_fit_on_label_and_cost_rows():
    X, y = separable(48)
    packed = packed_targets(X, y)
    model = tiny_classifier(4, 3)
    model.compile(
        optimizer="adam",
        loss=ExpectedCostCrossEntropy(costs_in_target=True),
        metrics=[LabelsOnly("auc"), LabelsOnly(keras.metrics.Precision(name="precision"))],
    )
    history = model.fit(X, packed, epochs=1, verbose=0).history
    logs = model.evaluate(X, packed, verbose=0, return_dict=True)
    assert "auc" in history and "precision" in history
    proba = model.predict(X, verbose=0)
    assert logs["auc"] == pytest.approx(_keras_value("auc", np.eye(3)[y], proba), abs=1e-4)


def test_mixed_precision_losses_compute_in_float32_as_keras_does():
    X, y = separable(32)
    reference = {}
    for policy in ("float32", "mixed_float16"):
        keras.mixed_precision.set_global_policy(policy)
        try:
            model = tiny_classifier(4, 3)
            proba = model(X)
            for name, make in PIECES.items():
                value = make()(y, proba)
                dtype = getattr(value, "dtype", "float32")  # MeanCost's value: a float
                assert keras.backend.standardize_dtype(dtype) == "float32"
                reference.setdefault(name, []).append(float(value))
            keras_loss = keras.losses.SparseCategoricalCrossentropy()(y, proba)
            assert keras.backend.standardize_dtype(keras_loss.dtype) == "float32"
            model.compile(
                optimizer="adam", loss=ExpectedCostCrossEntropy(C3), metrics=[MeanCost(C3)]
            )
            history = model.fit(X, y, epochs=2, verbose=0).history
            assert np.all(np.isfinite(history["loss"])) and np.all(
                np.isfinite(history["mean_cost"])
            )
        finally:
            keras.mixed_precision.set_global_policy("float32")
    for name, (full, mixed) in reference.items():
        assert mixed == pytest.approx(full, rel=1e-2, abs=1e-2), name  # float16 probabilities
