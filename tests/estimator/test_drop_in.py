"""What a scikeras user relies on keeps working after swapping in CostSensitiveKerasClassifier.

Each test would fail if the behaviour broke: scikeras's ``loss=``, sigmoid binary heads,
compiled models' optimizers, warm starts, ``partial_fit``, one-hot y and scikeras's hooks.
"""

import keras
import numpy as np
import pytest

from costkeras import CostSensitiveKerasClassifier
from costkeras.decisions import bayes_decision
from costkeras.losses import ExpectedCostCrossEntropy
from tests._helpers import ABC_COSTS

BINARY_COSTS = [[0, 1], [8, 0]]


def softmax_model(meta):
    return keras.Sequential(
        [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(meta["n_classes_"], "softmax")]
    )


def sigmoid_model(meta):
    return keras.Sequential(
        [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1, activation="sigmoid")]
    )


@pytest.mark.parametrize(
    "loss", ["sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy]
)
def test_loss_parameter_is_used_as_given_without_costs(abc_data, loss, small):
    X, y = abc_data
    clf = small(model=softmax_model, loss=loss, epochs=2).fit(X, y)
    assert clf.heads_[0].target_format == "sparse"  # class positions, as the loss expects
    name = getattr(clf.model_.loss, "name", getattr(clf.model_.loss, "__name__", ""))
    assert "sparse_categorical_crossentropy" in name
    assert clf.predict(X).shape == y.shape and set(clf.predict(X)) <= {"A", "B", "C"}


def test_loss_parameter_gives_way_to_the_cost_loss_only_when_costs_train(abc_data, small):
    X, y = abc_data
    kept = small(loss="categorical_crossentropy", cost_matrix=ABC_COSTS, epochs=1).fit(X, y)
    assert kept.loss_ is keras.losses.categorical_crossentropy  # as scikeras resolves the name
    assert kept.model_.loss is kept.loss_ and kept.decision_ == "bayes"
    replaced = small(
        loss="categorical_crossentropy", cost_matrix=ABC_COSTS, cost_loss="expected_cost", epochs=1
    ).fit(X, y)
    assert isinstance(replaced.model_.loss, ExpectedCostCrossEntropy)
    with pytest.raises(ValueError, match=r"cost_loss='expected_cost'.*loss='mse'"):
        small(loss="mse", cost_matrix=ABC_COSTS, cost_loss="expected_cost").fit(X, y)


@pytest.mark.backend
@pytest.mark.parametrize(
    "cost_loss", ["cross_entropy", "argmax_weighted", "class_weighted", "expected_cost"]
)
def test_sigmoid_head_trains_with_every_cost_loss_and_decides_by_bayes(
    binary_data, cost_loss, small
):
    X, y = binary_data
    clf = small(model=sigmoid_model, cost_matrix=BINARY_COSTS, cost_loss=cost_loss, epochs=3)
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    raw = clf.model_.predict(X, verbose=0).ravel()
    np.testing.assert_allclose(proba[:, 1], raw, rtol=1e-5, atol=1e-6)
    expected = clf.classes_[bayes_decision(proba, np.array(BINARY_COSTS, float))]
    if clf.decision_ == "bayes":
        np.testing.assert_array_equal(clf.predict(X), expected)
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


@pytest.mark.backend
def test_sigmoid_head_with_per_example_costs(binary_data, small):
    X, y = binary_data
    costs = np.zeros((len(y), 2, 2))
    costs[:, 0, 1], costs[:, 1, 0] = 1.0, np.linspace(1, 20, len(y))
    clf = small(model=sigmoid_model, cost_loss="expected_cost", epochs=2).fit(
        X, y, sample_cost=costs
    )
    decided = clf.predict(X, sample_cost=costs)
    np.testing.assert_array_equal(decided, bayes_decision(clf.predict_proba(X), costs))


def test_user_compiled_model_keeps_optimizer_loss_and_metrics(abc_data, small):
    X, y = abc_data

    def compiled(meta):
        model = softmax_model(meta)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=0.05),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    clf = small(model=compiled, cost_matrix=ABC_COSTS, epochs=2).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)
    assert clf.model_.loss == "sparse_categorical_crossentropy"
    assert "accuracy" in clf.history_
    # the cost loss must train: recompiled with the user's own optimizer and metrics
    clf = small(model=compiled, cost_matrix=ABC_COSTS, cost_loss="expected_cost", epochs=2)
    clf.fit(X, y)
    assert isinstance(clf.model_.loss, ExpectedCostCrossEntropy)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)
    assert "accuracy" in clf.history_
    # a parameter the user sets wins
    clf = small(model=compiled, optimizer="adam", optimizer__learning_rate=0.01, epochs=1)
    clf.fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.01)


def test_default_optimizer_is_adam_with_routed_parameters(abc_data, small):
    X, y = abc_data
    clf = small(optimizer__learning_rate=0.003, epochs=1).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.003)


@pytest.mark.backend
def test_failed_warm_fit_restores_weights_and_optimizer(abc_data, small):
    X, y = abc_data
    clf = small(epochs=1, warm_start=True).fit(X, y)
    weights = [w.copy() for w in clf.model_.get_weights()]
    optimizer = [keras.ops.convert_to_numpy(v).copy() for v in clf.model_.optimizer.variables]
    proba = clf.predict_proba(X)

    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 3:
                raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        clf.fit(X, y, callbacks=[Boom()])
    for before, after in zip(weights, clf.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(optimizer, clf.model_.optimizer.variables, strict=True):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(after))
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_one_hot_y_is_one_softmax_over_its_columns(abc_data, small):
    X, y = abc_data
    Y = (y[:, None] == np.array(["A", "B", "C"])).astype(int)
    clf = small(cost_matrix=ABC_COSTS, epochs=5).fit(X, Y)
    assert len(clf.heads_) == 1 and clf.model_.outputs[0].shape[-1] == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    predicted = clf.predict(X)
    assert predicted.shape == Y.shape and (predicted.sum(axis=1) == 1).all()
    labels = small(cost_matrix=ABC_COSTS, epochs=5).fit(X, np.argmax(Y, axis=1)).predict(X)
    np.testing.assert_array_equal(np.argmax(predicted, axis=1), labels)
    assert clf.predict_proba(X).shape == (len(y), 3)
    assert clf.score(X, Y) == pytest.approx(np.mean((predicted == Y).all(axis=1)))


def test_scikeras_hooks(abc_data, small):
    X, y = abc_data

    class WithBuildMethod(CostSensitiveKerasClassifier):
        def _keras_build_fn(self, meta):
            return softmax_model(meta)

    clf = WithBuildMethod(epochs=1, hidden_layer_sizes=(7,)).fit(X, y)
    assert len(clf.model_.layers) == 1, "the method built the model, not the default network"
    with pytest.warns(UserWarning, match="build_fn"):
        CostSensitiveKerasClassifier(build_fn=softmax_model, epochs=1).fit(X, y)
    with pytest.raises(
        TypeError, match=r"must build and return a keras\.Model; it returned NoneType"
    ):
        small(model=lambda: None).fit(X, y)
    initialized = small(model=softmax_model).initialize(X, y)
    assert initialized.predict_proba(X).shape == (len(y), 3)


def test_routed_parameters_reach_their_destinations(abc_data, small):
    X, y = abc_data
    seen = {}

    def build(meta, units):
        seen["units"] = units
        return softmax_model(meta)

    class Count(keras.callbacks.Callback):
        def __init__(self, step=1):
            super().__init__()
            self.step = step

        def on_epoch_end(self, epoch, logs=None):
            seen["epochs"] = seen.get("epochs", 0) + self.step

    clf = small(
        model=build, model__units=5, fit__epochs=3, callbacks=Count, callbacks__step=10
    ).fit(X, y)
    assert seen == {"units": 5, "epochs": 30}
    assert clf.current_epoch == 3
    assert small(predict__batch_size=7).fit(X, y).predict(X).shape == y.shape


def test_fit_callbacks_and_set_params_callbacks_run(abc_data, small):
    X, y = abc_data
    ran = []

    class Record(keras.callbacks.Callback):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def on_epoch_end(self, epoch, logs=None):
            ran.append(self.name)

    clf = small(epochs=1, warm_start=True).fit(X, y, callbacks=[Record("fit")])
    assert ran == ["fit"]
    clf.set_params(callbacks=[Record("param")])
    clf.fit(X, y)
    assert ran == ["fit", "param"]
    with pytest.raises(TypeError, match="callbacks passed to fit"):
        clf.fit(X, y, callbacks=["not a callback"])


@pytest.mark.backend
def test_partial_fit_under_dask_ml_incremental(binary_data, small):
    da = pytest.importorskip("dask.array")
    incremental = pytest.importorskip("dask_ml.wrappers").Incremental
    X, y = binary_data
    chunks = 50
    search = incremental(small(cost_matrix=BINARY_COSTS), scoring="accuracy")
    search.fit(da.from_array(X, chunks=chunks), da.from_array(y, chunks=chunks), classes=[0, 1])
    fitted = search.estimator_
    assert fitted.current_epoch == len(y) // chunks, "one partial_fit call per block"
    np.testing.assert_array_equal(fitted.classes_, [0, 1])
    expected = bayes_decision(fitted.predict_proba(X), np.array(BINARY_COSTS, float))
    np.testing.assert_array_equal(
        np.asarray(search.predict(da.from_array(X, chunks=chunks))), expected
    )


@pytest.mark.backend
def epoch_targets(dataset, steps, X):
    """The targets of one epoch of a repeated (shuffled) batch pipeline, in ``X``'s row order."""
    rows, targets = [], []
    for x, y in dataset.take(steps):
        rows.append(keras.ops.convert_to_numpy(x))
        targets.append(keras.ops.convert_to_numpy(y))
    position = {tuple(row): i for i, row in enumerate(np.asarray(X, "float32"))}
    order = [position[tuple(row)] for row in np.concatenate(rows)]
    return np.concatenate(targets)[np.argsort(order)]


def test_multilabel_y_on_one_output_of_sigmoid_units(binary_data, small):
    X, y = binary_data
    Y = np.column_stack([y, (X[:, 1] > 0).astype(np.uint8)]).astype(np.uint8)

    def two_units(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(inputs))

    seen = {}
    clf = small(
        model=two_units, loss="binary_crossentropy", epochs=30, optimizer__learning_rate=0.05
    )
    clf.initialize(X, Y)
    fit = clf.model_.fit

    def record(x, y, **kwargs):
        seen["y"] = y if y is not None else epoch_targets(x, kwargs["steps_per_epoch"], X)
        return fit(x=x, y=y, **kwargs)

    clf.model_.fit = record
    clf.set_params(warm_start=True).fit(X, Y)
    np.testing.assert_array_equal(seen["y"], Y)  # y's own 0/1 columns, as scikeras passes them
    assert len(clf.heads_) == 2 and [head.unit for head in clf.heads_] == [0, 1]
    raw = clf.model_.predict(X, verbose=0)
    for column, proba in enumerate(clf.predict_proba(X)):
        np.testing.assert_allclose(proba[:, 1], raw[:, column], rtol=1e-5, atol=1e-6)
    assert clf.predict(X).shape == Y.shape
    assert (clf.predict(X) == Y).all(axis=1).mean() > 0.6
    with pytest.raises(ValueError, match="one model output per column"):
        small(model=two_units, cost_matrix=[BINARY_COSTS, None], cost_loss="expected_cost").fit(
            X, Y
        )
