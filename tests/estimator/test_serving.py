"""decision_model: the fitted decision as one Keras model, exported and served without Python's
scikit-learn or costkeras, deciding as ``predict`` does on 1,000 held-out rows."""

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras._scikeras.serving import decision_dtype
from costkeras.datasets import make_credit_scoring
from tests._helpers import tensorflow_only

N_TRAIN, N_SERVED = 300, 1000
SCRIPT = Path(__file__).parents[1] / "serving_roundtrip.py"


def sigmoid_model(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))


@pytest.fixture(scope="module")
def credit():
    X, y, costs = make_credit_scoring(N_TRAIN + N_SERVED, random_state=0)
    return X.astype("float32"), y, costs


@pytest.fixture(scope="module")
def two_outputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_TRAIN + N_SERVED, 5)).astype("float32")
    risk = np.where(X[:, 0] + 0.5 * rng.normal(size=len(X)) > 0.5, "bad", "good")
    grade = np.digitize(X[:, 1] + 0.5 * rng.normal(size=len(X)), [-0.5, 0.5])
    costs = rng.uniform(0, 6, size=(len(X), 3, 3)) * (1 - np.eye(3))
    return X, {"risk": risk, "grade": grade}, costs


# C[true, action] of the classes 0 (repays) and 1 (defaults) by three actions
REVIEW = {
    0: {"approve": 0.0, "review": 0.3, "decline": 1.0},
    1: {"approve": 8.0, "review": 1.5, "decline": 0.0},
}


def review_costs(sample_cost):
    """Each applicant's (2, 2) costs with a review column: a fixed fee and a fifth of a loss."""
    approve, decline = sample_cost[:, :, 0], sample_cost[:, :, 1]
    review = 0.3 + 0.2 * approve
    return np.stack([approve, review, decline], axis=2)


def fitted_cases(credit, two_outputs, small):
    """name -> (estimator, held-out inputs by input name, predict's keyword arguments)."""
    X, y, S = credit
    train, held = slice(0, N_TRAIN), slice(N_TRAIN, None)
    Z, Y, S3 = two_outputs
    Y_train = {name: labels[train] for name, labels in Y.items()}
    grade_costs = [[0, 1, 4], [1, 0, 1], [9, 1, 0]]
    return {
        "matrix": (
            small(cost_matrix=[[0, 1], [8, 0]], epochs=3).fit(X[train], y[train]),
            {"features": X[held]},
            {},
        ),
        "per_example": (  # the default input layer: every column embedded
            small(epochs=3, input_scaling="embedding").fit(
                X[train], y[train], sample_cost=S[train]
            ),
            {"features": X[held], "sample_cost": S[held]},
            {"sample_cost": S[held]},
        ),
        "sigmoid": (
            small(model=sigmoid_model, cost_matrix=[[0, 1], [8, 0]], epochs=3).fit(
                X[train], y[train]
            ),
            {"features": X[held]},
            {},
        ),
        "actions": (  # approve, send to a manual review at 0.3, or decline
            small(cost_matrix=REVIEW, epochs=3).fit(X[train], y[train]),
            {"features": X[held], "sample_cost": review_costs(S[held])},
            {"sample_cost": review_costs(S[held])},
        ),
        "two_outputs": (
            small(cost_matrix={"grade": grade_costs}, epochs=3, input_scaling="embedding").fit(
                Z[train], Y_train
            ),
            {"features": Z[held]},
            {},
        ),
        "two_outputs_per_example": (
            small(cost_matrix={"grade": grade_costs}, epochs=3).fit(Z[train], Y_train),
            {
                "features": Z[held],
                "risk_sample_cost": np.tile([[0.0, 1.0], [5.0, 0.0]], (N_SERVED, 1, 1)),
                "grade_sample_cost": S3[held],
            },
            {
                "sample_cost": {
                    "risk": np.tile([[0.0, 1.0], [5.0, 0.0]], (N_SERVED, 1, 1)),
                    "grade": S3[held],
                }
            },
        ),
    }


def rows(value, index):
    """``value`` (an array, or a dict of them) at rows ``index``."""
    if isinstance(value, dict):
        return {name: rows(v, index) for name, v in value.items()}
    return value[index]


def poisoned(inputs):
    """The first 20 held-out rows, rows 0-2 with a NaN, an inf and a -inf feature."""
    batch = rows(inputs, slice(0, 20))
    features = batch["features"].copy()
    features[0, 0], features[1, -1], features[2, 1] = np.nan, np.inf, -np.inf
    return {**batch, "features": features}


def prefixes(clf) -> list:
    """The served model's output prefixes: none for one output, ``<output>_`` for several."""
    return [""] if len(clf.heads_) == 1 else [f"{name}_" for name in clf.output_names_]


def expected(clf, inputs, predict_kwargs):
    """predict's labels and predict_proba's values, by the served model's output prefixes."""
    labels = clf.predict(inputs["features"], **predict_kwargs)
    probas = clf.predict_proba(inputs["features"])
    if len(clf.heads_) == 1:
        return {"": (clf.actions_, labels, probas)}
    return {
        f"{name}_": (actions, labels[:, j], probas[j])
        for j, (name, actions) in enumerate(zip(clf.output_names_, clf.actions_, strict=True))
    }


def assert_serves_like_predict(outputs, clf, inputs, predict_kwargs):
    for prefix, (actions, labels, probas) in expected(clf, inputs, predict_kwargs).items():
        decided = np.asarray(outputs[f"{prefix}decision"])
        assert decided.shape == (len(inputs["features"]),)
        np.testing.assert_array_equal(np.asarray(actions)[decided], labels)
        served = np.asarray(outputs[f"{prefix}probabilities"])
        assert served.dtype == np.float32
        np.testing.assert_allclose(served, probas, rtol=0, atol=2e-7)  # float32 rounding


def assert_serves_edge_batches(outputs, clf, inputs, predict_kwargs):
    """No rows in, no rows out; rows with features not finite get -1 and NaN, the rest predict's."""
    for prefix in prefixes(clf):
        decided = np.asarray(outputs["empty"][f"{prefix}decision"])
        assert decided.shape == (0,) and decided.dtype == np.int32
        proba = np.asarray(outputs["empty"][f"{prefix}probabilities"])
        assert proba.shape[0] == 0 and proba.ndim == 2 and proba.dtype == np.float32
        decided = np.asarray(outputs["nonfinite"][f"{prefix}decision"])
        np.testing.assert_array_equal(decided[:3], -1)
        assert np.isnan(outputs["nonfinite"][f"{prefix}probabilities"][:3]).all()
    rest = slice(3, 20)
    assert_serves_like_predict(
        {name: value[3:] for name, value in outputs["nonfinite"].items()},
        clf,
        rows(inputs, rest),
        rows(predict_kwargs, rest),
    )


# every order of the three formats, one per case, each straight after decision_model()
ORDERS = list(itertools.permutations(("onnx", "savedmodel", "keras")))


def export(model, fmt, folder, name):
    if fmt == "keras":
        model.save(folder / f"{name}.keras")
    elif fmt == "savedmodel":
        model.export(folder / f"{name}_savedmodel", verbose=False)
    else:
        model.export(folder / f"{name}.onnx", format="onnx", verbose=False)


@pytest.mark.slow
@tensorflow_only("SavedModel and ONNX export go through TensorFlow")
def test_exported_models_decide_as_predict_in_a_fresh_process(credit, two_outputs, tmp_path, small):
    import onnx

    cases = fitted_cases(credit, two_outputs, small)
    batches = {}
    for (name, (clf, inputs, kwargs)), order in zip(cases.items(), ORDERS, strict=True):
        model = clf.decision_model(sample_cost="sample_cost" in kwargs)
        for fmt in order:  # before the model has ever been called
            export(model, fmt, tmp_path, name)
        graph = onnx.load(tmp_path / f"{name}.onnx").graph
        for value in [*graph.input, *graph.output]:
            assert value.type.tensor_type.shape.dim[0].dim_param == "batch", value.name
        names = [tensor.name for tensor in model.inputs]
        assert sorted(names) == sorted(inputs)
        # in this process too: the Keras model itself
        direct = model.predict(
            [inputs[n] for n in names] if len(names) > 1 else inputs[names[0]], verbose=0
        )
        assert_serves_like_predict(direct, clf, inputs, kwargs)
        batches[name] = {
            "held": inputs,
            "empty": rows(inputs, slice(0, 0)),
            "nonfinite": poisoned(inputs),
        }
        for batch, values in batches[name].items():
            np.savez(tmp_path / f"{name}@{batch}.npz", **values)
        (tmp_path / f"{name}_inputs.json").write_text(json.dumps(names))
    (tmp_path / "cases.json").write_text(json.dumps({name: list(batches[name]) for name in cases}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KERAS_", "TF_"))}
    env.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    served = {}
    for mode in ("plain", "keras"):  # plain: costkeras and scikit-learn cannot be imported
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(tmp_path), mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # not the repository: costkeras only as installed
        )
        assert done.returncode == 0, done.stderr[-3000:]
        served.update(np.load(tmp_path / f"served_{mode}.npz"))
    for name, (clf, inputs, kwargs) in cases.items():
        for fmt in ("onnx", "savedmodel", "keras"):
            outputs = {}
            for batch in batches[name]:
                prefix = f"{name}/{fmt}/{batch}/"
                outputs[batch] = {
                    key[len(prefix) :]: served[key] for key in served if key.startswith(prefix)
                }
                assert outputs[batch], f"nothing served for {prefix}"
            assert_serves_like_predict(outputs["held"], clf, inputs, kwargs)
            assert_serves_edge_batches(outputs, clf, inputs, kwargs)


@pytest.fixture(scope="module")
def fitted(credit, small):
    """One estimator fitted on the training rows, deciding by Bayes's threshold 1/9."""
    X, y, _ = credit
    return small(cost_matrix=[[0, 1], [8, 0]], epochs=2).fit(X[:N_TRAIN], y[:N_TRAIN])


@pytest.mark.backend
def test_decision_model_decides_as_predict_on_every_backend(credit, fitted):
    X, _, S = credit
    clf = fitted
    held = X[N_TRAIN:]
    served = clf.decision_model().predict(held, verbose=0)
    np.testing.assert_array_equal(clf.classes_[served["decision"]], clf.predict(held))
    # Bayes's threshold (1/9 here) decides, not the argmax: the two differ on some rows
    assert np.any(served["decision"] != served["probabilities"].argmax(axis=1))
    with_costs = clf.decision_model(sample_cost=True).predict([held, S[N_TRAIN:]], verbose=0)
    np.testing.assert_array_equal(
        clf.classes_[with_costs["decision"]], clf.predict(held, sample_cost=S[N_TRAIN:])
    )


@pytest.mark.backend
def test_a_batch_of_no_rows_gets_outputs_of_no_rows(credit, fitted):
    X, _, S = credit
    plain, with_costs = fitted.decision_model(), fitted.decision_model(sample_cost=True)
    empty, no_costs = X[:0], S[:0]
    for outputs in (
        plain.predict(empty, verbose=0),
        plain.predict_on_batch(empty),
        plain(empty),
        with_costs.predict([empty, no_costs], verbose=0),
        with_costs.predict_on_batch([empty, no_costs]),
    ):
        decision, proba = np.asarray(outputs["decision"]), np.asarray(outputs["probabilities"])
        assert decision.shape == (0,) and decision.dtype == np.int32
        assert proba.shape == (0, 2) and proba.dtype == np.float32


@pytest.mark.backend
@settings(max_examples=10, deadline=None)
@given(bad=hnp.arrays(bool, (12, 2)), value=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_rows_with_features_not_finite_get_no_decision(credit, fitted, bad, value):
    X, _, _ = credit
    held = X[N_TRAIN : N_TRAIN + 12]
    columns = [0, held.shape[1] - 1]  # the first feature and the last
    features = held.copy()
    features[:, columns] = np.where(bad, value, held[:, columns])
    rows = bad.any(axis=1)
    served = fitted.decision_model().predict(features, verbose=0)
    np.testing.assert_array_equal(served["decision"][rows], -1)
    assert np.isnan(served["probabilities"][rows]).all()
    if not rows.all():
        np.testing.assert_array_equal(
            fitted.classes_[served["decision"][~rows]], fitted.predict(held[~rows])
        )
    if rows.any():
        with pytest.raises(ValueError, match="Input X contains"):  # predict refuses them
            fitted.predict(features)


def test_infinite_features_would_be_decided_without_the_check(credit, fitted):
    # The network clips its inputs: an infinite feature gives finite probabilities, so
    # only the explicit check on the features keeps the served model from deciding it.
    features = credit[0][N_TRAIN : N_TRAIN + 3].copy()
    features[:, 0] = [np.inf, -np.inf, 1e6]
    assert np.isfinite(fitted.model_.predict(features, verbose=0)).all()
    served = fitted.decision_model().predict(features, verbose=0)
    assert served["decision"].tolist()[:2] == [-1, -1] and served["decision"][2] >= 0


def test_per_example_costs_not_finite_or_of_another_batch_size(credit, fitted):
    X, _, S = credit
    held, costs = X[N_TRAIN : N_TRAIN + 6], S[N_TRAIN : N_TRAIN + 6].copy()
    costs[1, 0, 1], costs[4, 1, 0] = np.nan, np.inf
    model = fitted.decision_model(sample_cost=True)
    decided = model.predict([held, costs], verbose=0)["decision"]
    np.testing.assert_array_equal(decided[[1, 4]], -1)
    keep = [0, 2, 3, 5]
    np.testing.assert_array_equal(
        fitted.classes_[decided[keep]], fitted.predict(held[keep], sample_cost=costs[keep])
    )
    with pytest.raises(ValueError, match=r"sample_cost must have shape \(batch, 2, m\).*6 rows"):
        model([held, S[:4]])


@pytest.mark.parametrize("dtype", ["float64", "int64", "int32", "uint8", "bool"])
def test_the_served_model_takes_any_numeric_features(credit, fitted, dtype):
    X, _, _ = credit
    features = X[N_TRAIN : N_TRAIN + 50] * (10 if "int" in dtype else 1)
    features = features.astype(dtype)
    as_float32 = features.astype("float32")
    model = fitted.decision_model()
    want = fitted.predict(as_float32)
    np.testing.assert_array_equal(
        fitted.classes_[model.predict(features, verbose=0)["decision"]], want
    )
    np.testing.assert_array_equal(fitted.classes_[np.asarray(model(features)["decision"])], want)


def test_the_served_model_decides_in_float64_under_mixed_precision(credit, fitted):
    X = credit[0][N_TRAIN:]
    before = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = fitted.decision_model()
        decided = model.predict(X, verbose=0)
    finally:
        keras.mixed_precision.set_global_policy(before)
    assert model.get_layer("bayes_decision").compute_dtype == decision_dtype()
    assert decided["probabilities"].dtype == np.float32
    np.testing.assert_array_equal(fitted.classes_[decided["decision"]], fitted.predict(X))


def test_the_served_model_is_a_copy(credit, small):
    X, y, _ = credit
    clf = small(epochs=1, warm_start=True).fit(X[:N_TRAIN], y[:N_TRAIN])
    model = clf.decision_model()
    before = model.predict(X[:50], verbose=0)["probabilities"]
    clf.partial_fit(X[:N_TRAIN], y[:N_TRAIN])
    np.testing.assert_array_equal(model.predict(X[:50], verbose=0)["probabilities"], before)
    assert not np.allclose(clf.predict_proba(X[:50]), before)


def test_what_cannot_travel_is_refused(binary_data, small):
    from sklearn.preprocessing import FunctionTransformer

    from costkeras import CostSensitiveKerasClassifier

    X, y = binary_data

    class Encoded(CostSensitiveKerasClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(lambda Z: Z * 2)

    with pytest.raises(ValueError, match="custom feature_encoder"):
        Encoded(hidden_layer_sizes=(4,), epochs=1).fit(X, y).decision_model()
    with pytest.raises(ValueError, match="decision='argmax' decides without costs"):
        small(epochs=1, decision="argmax").fit(X, y).decision_model(sample_cost=True)
    with pytest.raises(Exception, match="not fitted"):
        small().decision_model()


@pytest.mark.parametrize("given", ["array", 1, "yes", None])
def test_decision_model_takes_sample_cost_as_true_or_false_only(credit, fitted, given):
    _, _, S = credit
    value = S if given == "array" else given
    shown = r"a ndarray of shape \(\d+, 2, 2\)" if given == "array" else re.escape(repr(given))
    with pytest.raises(
        TypeError,
        match=rf"sample_cost must be True or False.*got {shown}.*served.predict\(\[X, S\]\)",
    ):
        fitted.decision_model(sample_cost=value)
    assert len(fitted.decision_model(sample_cost=np.True_).inputs) == 2
