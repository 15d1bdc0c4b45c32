"""Saving and loading: skops, pickle, joblib, cloudpickle and deepcopy give back the same model."""

import copy
import pickle

import cloudpickle
import joblib
import keras
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import costkeras
from costkeras import MinimumCostClassifier
from tests._helpers import ABC_COSTS

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.backend


def skops_round_trip(estimator, tmp_path):
    """Dump with skops; load trusting the untrusted types only if all are costkeras's."""
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(costkeras.SKOPS_TRUSTED_TYPES), untrusted
    return sio.load(path, trusted=costkeras.SKOPS_TRUSTED_TYPES)


def test_trusted_types_name_costkeras_classes():
    import importlib

    for name in costkeras.SKOPS_TRUSTED_TYPES:
        module, _, cls = name.rpartition(".")
        assert module.split(".")[0] == "costkeras"
        assert isinstance(getattr(importlib.import_module(module), cls), type)


def two_heads(X):
    rng = np.random.default_rng(3)
    return np.column_stack(
        [(X[:, 0] > 0).astype(int), np.digitize(X[:, 1] + rng.normal(0, 0.3, len(X)), [-1, 1])]
    )


@pytest.mark.parametrize(
    "params",
    [
        {"cost_matrix": ABC_COSTS},
        {"cost_matrix": ABC_COSTS, "cost_loss": "expected_cost"},
        {"cost_matrix": ABC_COSTS, "cost_loss": "argmax_weighted", "class_weight": "balanced"},
    ],
    ids=["bayes", "expected_cost", "argmax_weighted"],
)
def test_skops_round_trip_gives_identical_probabilities(abc_data, params, tmp_path, small):
    X, y = abc_data
    clf = small(epochs=2, **params).fit(X, y)
    restored = skops_round_trip(clf, tmp_path)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    assert restored.get_params()["cost_matrix"] == ABC_COSTS
    assert type(restored.model_.loss) is type(clf.model_.loss)
    assert restored.loss_ is restored.model_.loss  # the heads train with the model's own loss


def test_skops_round_trip_of_several_outputs_and_per_example_costs(abc_data, tmp_path, small):
    X, _ = abc_data
    Y = two_heads(X)
    rng = np.random.default_rng(0)
    costs = rng.uniform(1, 5, size=(len(X), 3, 3)) * (1 - np.eye(3))
    clf = small(epochs=2, cost_matrix={"output1": [[0, 1], [4, 0]]})
    clf.fit(X, Y, sample_cost={"output2": costs})
    restored = skops_round_trip(clf, tmp_path)
    for got, expected in zip(restored.predict_proba(X), clf.predict_proba(X), strict=True):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(
        restored.predict(X, sample_cost={"output2": costs}),
        clf.predict(X, sample_cost={"output2": costs}),
    )
    assert restored.output_names_ == clf.output_names_


def test_skops_round_trip_of_a_pipeline_and_a_decision_wrapper(binary_data, tmp_path, small):
    X, y = binary_data
    C = [[0, 1], [10, 0]]
    model = make_pipeline(StandardScaler(), MinimumCostClassifier(small(epochs=2), cost_matrix=C))
    model.fit(X, y)
    restored = skops_round_trip(model, tmp_path)
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_a_loaded_model_trains_on_from_its_optimizer_state(abc_data, tmp_path, small):
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS).fit(X, y)
    steps = int(clf.model_.optimizer.iterations)
    restored = skops_round_trip(clf, tmp_path)
    assert int(restored.model_.optimizer.iterations) == steps
    twin = pickle.loads(pickle.dumps(clf))
    restored.partial_fit(X, y)
    twin.partial_fit(X, y)
    assert int(restored.model_.optimizer.iterations) > steps
    np.testing.assert_allclose(restored.predict_proba(X), twin.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("saved", ["skops", "pickle"])
def test_a_loaded_model_trains_on_as_the_saved_one(abc_data, tmp_path, small, saved):
    """Dropout's random state travels too, and the next fit shuffles as the saved model's:
    the same weights after one more epoch, on every backend."""
    X, y = abc_data
    clf = small(epochs=2, dropout=0.5).fit(X, y)
    if saved == "skops":
        loaded = skops_round_trip(clf, tmp_path)
    else:
        loaded = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for mine, theirs in zip(loaded.model_.get_weights(), clf.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_skops_round_trip_of_an_unfitted_estimator_and_a_model_instance(abc_data, tmp_path, small):
    X, y = abc_data
    unfitted = small(cost_matrix=ABC_COSTS)
    assert skops_round_trip(unfitted, tmp_path).get_params() == unfitted.get_params()

    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(8)(inputs))
    given = small(model=keras.Model(inputs, outputs), epochs=2, cost_matrix=ABC_COSTS).fit(X, y)
    restored = skops_round_trip(given, tmp_path)
    assert isinstance(restored.model, keras.Model)
    np.testing.assert_array_equal(restored.predict_proba(X), given.predict_proba(X))


@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est: pickle.loads(pickle.dumps(est)),
        lambda est: cloudpickle.loads(cloudpickle.dumps(est)),
        copy.deepcopy,
    ],
    ids=["pickle", "cloudpickle", "deepcopy"],
)
def test_pickle_cloudpickle_and_deepcopy_keep_working(abc_data, round_trip, small):
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS, cost_loss="expected_cost").fit(X, y)
    restored = round_trip(clf)
    assert restored.model_ is not clf.model_
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.X_dtype_ == clf.X_dtype_ and isinstance(restored.X_dtype_, np.dtype)
    # the original is untouched by being saved
    assert isinstance(clf.model_, keras.Model) and clf.loss_ is clf.model_.loss
    assert clf.heads_[0].loss is not None


def test_joblib_dump_of_a_fitted_estimator(abc_data, tmp_path, small):
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS).fit(X, y)
    joblib.dump(clf, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_mlflow_default_format_round_trip(abc_data, tmp_path, small):
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS).fit(X, y)
    path = str(tmp_path / "model")
    # mlflow's default format is skops; it asks which types to trust when saving
    mlflow_sklearn.save_model(clf, path, skops_trusted_types=costkeras.SKOPS_TRUSTED_TYPES)
    assert "serialization_format: skops" in (tmp_path / "model" / "MLmodel").read_text()
    restored = mlflow_sklearn.load_model(path)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_keras_objects_given_as_parameters_save_in_keras_formats(abc_data, tmp_path, small):
    X, y = abc_data
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=3)
    clf = small(
        epochs=3,
        cost_matrix=ABC_COSTS,
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        callbacks=[stopper],
    ).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    extra = set(sio.get_untrusted_types(file=path)) - set(costkeras.SKOPS_TRUSTED_TYPES)
    # the optimizer travels as its Keras config; the callback is the user's own object
    assert {name for name in extra if "EarlyStopping" in name} and not {
        name for name in extra if "optimizers" in name
    }
    restored = sio.load(path, trusted=[*costkeras.SKOPS_TRUSTED_TYPES, *extra])
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert float(restored.optimizer.learning_rate) == pytest.approx(0.01)
    assert stopper.model is clf.model_  # saving left the user's callback as it was
    assert restored.callbacks[0].patience == 3
    restored.fit(X, y)  # the loaded callback serves the next fit
    assert restored.callbacks[0].model is restored.model_
