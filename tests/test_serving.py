"""decision_model: the fitted decision as one Keras model, exported and served without Python's
scikit-learn or costkeras, deciding as ``predict`` does on 1,000 held-out rows."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import small, tensorflow_only

from costkeras.datasets import make_credit_scoring

N_TRAIN, N_SERVED = 300, 1000
SCRIPT = Path(__file__).with_name("serving_roundtrip.py")


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


def fitted_cases(credit, two_outputs):
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
        assert decided.shape == (N_SERVED,)
        np.testing.assert_array_equal(np.asarray(actions)[decided], labels)
        served = np.asarray(outputs[f"{prefix}probabilities"])
        assert served.dtype == np.float32
        np.testing.assert_allclose(served, probas, rtol=0, atol=2e-7)  # float32 rounding


@pytest.mark.slow
@tensorflow_only("SavedModel and ONNX export go through TensorFlow")
def test_exported_models_decide_as_predict_in_a_fresh_process(credit, two_outputs, tmp_path):
    cases = fitted_cases(credit, two_outputs)
    for name, (clf, inputs, kwargs) in cases.items():
        model = clf.decision_model(sample_cost="sample_cost" in kwargs)
        order = [tensor.name for tensor in model.inputs]
        assert sorted(order) == sorted(inputs)
        # in this process first: the Keras model itself
        direct = model.predict(
            [inputs[n] for n in order] if len(order) > 1 else inputs[order[0]], verbose=0
        )
        assert_serves_like_predict(direct, clf, inputs, kwargs)
        model.save(tmp_path / f"{name}.keras")
        model.export(tmp_path / f"{name}_savedmodel", verbose=False)
        model.export(tmp_path / f"{name}.onnx", format="onnx", verbose=False)
        np.savez(tmp_path / f"{name}.npz", **inputs)
        (tmp_path / f"{name}_inputs.json").write_text(json.dumps(order))
    (tmp_path / "cases.json").write_text(json.dumps(list(cases)))
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
            prefix = f"{name}/{fmt}/"
            outputs = {key[len(prefix) :]: served[key] for key in served if key.startswith(prefix)}
            assert outputs, f"nothing served for {prefix}"
            assert_serves_like_predict(outputs, clf, inputs, kwargs)


@pytest.mark.backend
def test_decision_model_decides_as_predict_on_every_backend(credit):
    X, y, S = credit
    clf = small(cost_matrix=[[0, 1], [8, 0]], epochs=2).fit(X[:N_TRAIN], y[:N_TRAIN])
    held = X[N_TRAIN:]
    served = clf.decision_model().predict(held, verbose=0)
    np.testing.assert_array_equal(clf.classes_[served["decision"]], clf.predict(held))
    # Bayes's threshold (1/9 here) decides, not the argmax: the two differ on some rows
    assert np.any(served["decision"] != served["probabilities"].argmax(axis=1))
    with_costs = clf.decision_model(sample_cost=True).predict([held, S[N_TRAIN:]], verbose=0)
    np.testing.assert_array_equal(
        clf.classes_[with_costs["decision"]], clf.predict(held, sample_cost=S[N_TRAIN:])
    )


def test_the_served_model_is_a_copy(credit):
    X, y, _ = credit
    clf = small(epochs=1, warm_start=True).fit(X[:N_TRAIN], y[:N_TRAIN])
    model = clf.decision_model()
    before = model.predict(X[:50], verbose=0)["probabilities"]
    clf.partial_fit(X[:N_TRAIN], y[:N_TRAIN])
    np.testing.assert_array_equal(model.predict(X[:50], verbose=0)["probabilities"], before)
    assert not np.allclose(clf.predict_proba(X[:50]), before)


def test_what_cannot_travel_is_refused(binary_data):
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
