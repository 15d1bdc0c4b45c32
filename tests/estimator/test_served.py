"""A fit served in-process by a network trained before: nothing built, the same estimator."""

import copy
import pickle

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costkeras._scikeras.served import ServedNetworks, _plain
from tests._helpers import ABC_COSTS, stored_trainings

# the shared network predicts on every backend (JAX: one prediction at a time per model)
pytestmark = pytest.mark.backend

COSTLY_B = [[0, 1, 1], [1, 0, 20], [1, 1, 0]]


def served_fit(small, X, y, folder, **params):
    """The first fit trains (and stores); the second, with another matrix, is served."""
    small(memory=folder, **params).fit(X, y)
    return small(memory=folder, cost_matrix=COSTLY_B, **params).fit(X, y)


def test_a_served_fit_builds_nothing_until_its_model_is_read(abc_data, tmp_path, small):
    X, y = abc_data
    served = served_fit(small, X, y, tmp_path)
    fresh = small(cost_matrix=COSTLY_B).fit(X, y)
    assert "model_" not in vars(served), "a served fit must not build a network"
    np.testing.assert_array_equal(served.predict_proba(X), fresh.predict_proba(X))
    np.testing.assert_array_equal(served.predict(X), fresh.predict(X))
    np.testing.assert_array_equal(served.predict_expected_cost(X), fresh.predict_expected_cost(X))
    assert "model_" not in vars(served), "predicting must not build a network either"
    # read, the model is the estimator's own, as a fresh fit leaves it
    assert isinstance(served.model_, keras.Model)
    assert "model_" in vars(served)
    for mine, theirs in zip(served.model_.variables, fresh.model_.variables, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(mine), theirs)
    assert served.model_.compiled
    assert served.model_.steps_per_execution == fresh.model_.steps_per_execution
    assert served.loss_ is served.heads_[0].loss
    assert dict(served.history_) == dict(fresh.history_)


def test_served_fits_do_not_share_what_they_train(abc_data, tmp_path, small):
    X, y = abc_data
    first = small(memory=tmp_path).fit(X, y)
    first.partial_fit(X, y)  # the first fit's own model trains on: the others must not see it
    one = small(memory=tmp_path, cost_matrix=ABC_COSTS).fit(X, y)
    two = small(memory=tmp_path, cost_matrix=COSTLY_B).fit(X, y)
    fresh = small(cost_matrix=COSTLY_B).fit(X, y)
    assert stored_trainings(tmp_path) == 1
    np.testing.assert_array_equal(two.predict_proba(X), fresh.predict_proba(X))
    one.partial_fit(X, y)  # builds one's own model and trains it
    np.testing.assert_array_equal(two.predict_proba(X), fresh.predict_proba(X))
    two.partial_fit(X, y)
    assert one.model_ is not two.model_
    # both went on from the same served state: the same weights (compared as weights, since
    # TensorFlow's first predictions of a model run eagerly, later ones traced)
    for mine, theirs in zip(one.model_.get_weights(), two.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_a_warm_fit_of_a_served_estimator_goes_on_as_a_fresh_one(abc_data, tmp_path, small):
    X, y = abc_data
    served = served_fit(small, X, y, tmp_path, warm_start=True)
    fresh = small(cost_matrix=COSTLY_B, warm_start=True).fit(X, y)
    served.fit(X, y)
    fresh.fit(X, y)
    assert dict(served.history_) == dict(fresh.history_)
    np.testing.assert_array_equal(served.predict_proba(X), fresh.predict_proba(X))


def skops_round_trip(estimator):
    import costkeras

    sio = pytest.importorskip("skops.io")
    return sio.loads(sio.dumps(estimator), trusted=costkeras.SKOPS_TRUSTED_TYPES)


@pytest.mark.parametrize(
    "roundtrip",
    [lambda est: pickle.loads(pickle.dumps(est)), copy.deepcopy, skops_round_trip],
    ids=["pickle", "deepcopy", "skops"],
)
def test_a_served_fit_saves_and_copies_as_a_fit(abc_data, tmp_path, small, roundtrip):
    X, y = abc_data
    served = served_fit(small, X, y, str(tmp_path))  # skops trusts no path object
    expected = served.predict_proba(X)
    again = roundtrip(served)
    assert "model_" in vars(again)
    np.testing.assert_array_equal(again.predict_proba(X), expected)
    np.testing.assert_array_equal(again.predict(X), served.predict(X))


def test_a_failed_refit_leaves_a_served_fit_as_it_was(abc_data, tmp_path, small):
    X, y = abc_data
    served = served_fit(small, X, y, tmp_path)
    expected = served.predict_proba(X)
    with pytest.raises(ValueError, match="cost_matrix"):
        served.set_params(cost_matrix=[[0, 1], [1, 0]]).fit(X, y)
    assert "model_" not in vars(served)
    np.testing.assert_array_equal(served.predict_proba(X), expected)


def test_another_memory_folder_stores_its_own_training(abc_data, tmp_path, small):
    X, y = abc_data
    small(memory=tmp_path / "one").fit(X, y)
    small(memory=tmp_path / "two", cost_matrix=ABC_COSTS).fit(X, y)
    assert stored_trainings(tmp_path / "two") == 1, "each folder holds what it was given"


def test_a_parameter_of_the_training_is_never_served_from_another(abc_data, tmp_path, small):
    X, y = abc_data
    small(memory=tmp_path).fit(X, y)
    other = small(memory=tmp_path, dropout=0.0).fit(X, y)
    assert "model_" in vars(other), "another network trains: it is not served"
    assert stored_trainings(tmp_path) == 2
    fresh = small(dropout=0.0).fit(X, y)
    np.testing.assert_array_equal(other.predict_proba(X), fresh.predict_proba(X))


def test_cost_matrices_that_train_are_never_served(abc_data, tmp_path, small):
    X, y = abc_data
    small(memory=tmp_path, cost_loss="expected_cost", cost_matrix=ABC_COSTS).fit(X, y)
    other = small(memory=tmp_path, cost_loss="expected_cost", cost_matrix=COSTLY_B).fit(X, y)
    assert stored_trainings(tmp_path) == 2
    fresh = small(cost_loss="expected_cost", cost_matrix=COSTLY_B).fit(X, y)
    np.testing.assert_array_equal(other.predict_proba(X), fresh.predict_proba(X))


def test_functions_and_objects_as_parameters_are_not_served(abc_data, tmp_path, small):
    X, y = abc_data
    params = {"optimizer": keras.optimizers.Adam, "optimizer__learning_rate": 0.01}
    small(memory=tmp_path, **params).fit(X, y)
    other = small(memory=tmp_path, cost_matrix=ABC_COSTS, **params).fit(X, y)
    assert "model_" in vars(other), "a class could change without changing its pickle"
    assert stored_trainings(tmp_path) == 1, "memory's training key still serves it"


def test_several_outputs_are_served_with_their_own_matrices(tmp_path, small):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = np.column_stack([(X[:, 0] > 0.3).astype(int), np.digitize(X[:, 1], [-0.5, 0.7])])
    first = {"output1": [[0, 1], [5, 0]], "output2": [[0, 1, 1], [1, 0, 5], [1, 1, 0]]}
    second = {"output1": [[0, 1], [1, 0]], "output2": [[0, 9, 1], [1, 0, 1], [1, 1, 0]]}
    small(memory=tmp_path, cost_matrix=first).fit(X, y)
    served = small(memory=tmp_path, cost_matrix=second).fit(X, y)
    fresh = small(cost_matrix=second).fit(X, y)
    assert "model_" not in vars(served)
    assert stored_trainings(tmp_path) == 1
    np.testing.assert_array_equal(served.predict(X), fresh.predict(X))
    for mine, theirs in zip(served.predict_proba(X), fresh.predict_proba(X), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(served.cost_matrix_, fresh.cost_matrix_, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_process_keeps_the_latest_networks():
    networks = ServedNetworks(size=2)
    for key in "abc":
        networks.add(key, key)
    assert networks.get("a") is None
    assert networks.get("b") == "b"
    networks.add("d", "d")
    assert networks.get("c") is None, "b was used last: c is the oldest"
    assert networks.get("b") == "b" and networks.get("d") == "d"


@settings(max_examples=50, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
        max_leaves=8,
    )
)
def test_plain_data_is_plain_and_hides_no_code(value):
    assert _plain(value)
    assert not _plain([value, len])
    assert not _plain({"key": value, "f": lambda: 0})
