"""What differs between Keras backends: seeding, and predicting from several threads.

``random_state`` must give equal fits on whichever backend runs the tests. Each case
trains twice with one seed and once with another: the first two must agree to the last
bit, the third must not (else the seed would not reach the randomness at all). Small
batches make every epoch's shuffling matter.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest

from tests._helpers import ABC_COSTS

pytestmark = pytest.mark.backend


def user_model(meta):
    # no seeds given: Keras draws them from Python's random, which scikeras seeds
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def per_example_costs(y, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 5, size=(len(y), 3, 3)) * (1 - np.eye(3))


CASES = {
    "default network": ({}, {}),
    "cost loss": ({"cost_matrix": ABC_COSTS, "cost_loss": "expected_cost"}, {}),
    "user model": ({"model": user_model, "loss": "sparse_categorical_crossentropy"}, {}),
    "early stopping": ({"early_stopping": True, "epochs": 4}, {}),
    "per-example costs": ({"cost_loss": "class_weighted"}, {"sample_cost": per_example_costs}),
}


@pytest.mark.parametrize("case", CASES)
def test_seeded_fits_are_equal_and_seeds_differ(abc_data, case, small):
    X, y = abc_data
    params, fit_params = CASES[case]
    fit_params = {name: make(y) for name, make in fit_params.items()}

    def fit(seed):
        clf = small(**{"batch_size": 16, "epochs": 3, "random_state": seed, **params})
        return clf.fit(X, y, **fit_params).predict_proba(X)

    first, second, other = fit(0), fit(0), fit(1)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_seeded_partial_fits_are_equal(abc_data, small):
    X, y = abc_data

    def train():
        clf = small(batch_size=16)
        for rows in (slice(0, 150), slice(150, None)):
            clf.partial_fit(X[rows], y[rows], classes=["A", "B", "C"])
        return clf.predict_proba(X)

    np.testing.assert_array_equal(train(), train())


def test_a_seeded_fit_leaves_the_global_generators_as_they_were(abc_data, small):
    X, y = abc_data
    # the legacy global generators are what scikeras seeds and restores
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    states = {"python": random.getstate(), "numpy": np.random.get_state()[1].copy()}  # noqa: NPY002
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(5)
        states["torch"] = torch.get_rng_state().numpy().copy()
    small(epochs=1, batch_size=16).fit(X, y)
    assert random.getstate() == states["python"]
    np.testing.assert_array_equal(np.random.get_state()[1], states["numpy"])  # noqa: NPY002
    if "torch" in states:
        np.testing.assert_array_equal(torch.get_rng_state().numpy(), states["torch"])


def test_threads_predicting_with_one_model_at_once(abc_data, small):
    # dask's threaded scheduler predicts the blocks of an array this way; on JAX, Keras
    # donates the model's buffers to each call, so unguarded calls at once would fail
    X, y = abc_data
    clf = small(epochs=1).fit(X, y)
    expected = clf.predict_proba(X)
    blocks = np.array_split(np.arange(len(X)), 6)
    with ThreadPoolExecutor(3) as pool:
        for _ in range(3):  # the first calls run eagerly, later ones through predict_on_batch
            got = list(pool.map(lambda rows: clf.predict_proba(X[rows]), blocks))
            np.testing.assert_allclose(np.concatenate(got), expected, rtol=1e-5, atol=1e-7)
        got = list(pool.map(lambda rows: clf.predict_proba(X[rows], batch_size=8), blocks))
        np.testing.assert_allclose(np.concatenate(got), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch modules: torch only")
def test_seeded_builds_of_torch_modules_are_equal(abc_data, small):
    import torch

    def torch_model(meta):
        # torch.nn.Linear draws its initial weights from torch's own generator
        inputs = keras.Input((meta["n_features_in_"],))
        linear = torch.nn.Linear(meta["n_features_in_"], meta["n_classes_"])
        hidden = keras.layers.TorchModuleWrapper(linear, output_shape=(None, meta["n_classes_"]))
        return keras.Model(inputs, keras.layers.Softmax()(hidden(inputs)))

    X, y = abc_data
    first, second, other = (
        small(model=torch_model, epochs=1, random_state=seed).fit(X, y).predict_proba(X)
        for seed in (0, 0, 1)
    )
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)
