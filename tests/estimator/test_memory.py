"""``memory``: a fit whose training was done before takes the trained network back."""

import os
import warnings

import joblib
import keras
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate

from costkeras.metrics import make_cost_scorer
from tests._helpers import ABC_COSTS, assert_same_search, stored_trainings

COSTLY_B = [[0, 1, 1], [1, 0, 20], [1, 1, 0]]


def assert_same_fit(cached, fresh, X):
    np.testing.assert_array_equal(cached.predict_proba(X), fresh.predict_proba(X))
    np.testing.assert_array_equal(cached.predict(X), fresh.predict(X))
    assert dict(cached.history_) == dict(fresh.history_)
    for mine, theirs in zip(cached.model_.get_weights(), fresh.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(
        cached.model_.optimizer.variables, fresh.model_.optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(mine), theirs)
    for name in ("classes_", "cost_matrix_", "actions_", "decision_", "n_features_in_"):
        np.testing.assert_array_equal(getattr(cached, name), getattr(fresh, name))
    assert cached.current_epoch == fresh.current_epoch


def test_a_stored_training_gives_the_fresh_fit_with_another_cost_matrix(abc_data, tmp_path, small):
    X, y = abc_data
    # early stopping on: its held-out rows, its scores in history_ and its kept weights
    params = {"early_stopping": True, "epochs": 8, "n_iter_no_change": 2}
    small(cost_matrix=ABC_COSTS, memory=tmp_path, **params).fit(X, y)
    assert stored_trainings(tmp_path) == 1
    cached = small(cost_matrix=COSTLY_B, memory=tmp_path, **params).fit(X, y)
    assert stored_trainings(tmp_path) == 1, "a cost matrix that only decides must not retrain"
    fresh = small(cost_matrix=COSTLY_B, **params).fit(X, y)
    assert "val_log_loss" in cached.history_
    assert_same_fit(cached, fresh, X)
    # the decision is the new matrix's
    expected = cached.classes_[np.argmin(cached.predict_proba(X) @ np.array(COSTLY_B), axis=1)]
    np.testing.assert_array_equal(cached.predict(X), expected)
    # and a cached estimator goes on training as the fresh one does
    cached.partial_fit(X, y)
    fresh.partial_fit(X, y)
    np.testing.assert_array_equal(cached.predict_proba(X), fresh.predict_proba(X))


TRAINING_CHANGES = {
    "a value of X": lambda X, y, kw: (
        np.where(np.arange(X.size).reshape(X.shape) == 0, 9.0, X),
        y,
        kw,
    ),
    "one label": lambda X, y, kw: (X, np.where(np.arange(len(y)) == 0, "A", y), kw),
    "sample_weight": lambda X, y, kw: (X, y, {**kw, "sample_weight": np.linspace(0.5, 1, len(y))}),
    "class_weight": lambda X, y, kw: (X, y, {**kw, "params": {"class_weight": {"B": 3.0}}}),
    "random_state": lambda X, y, kw: (X, y, {**kw, "params": {"random_state": 1}}),
    "epochs": lambda X, y, kw: (X, y, {**kw, "params": {"epochs": 4}}),
    "network": lambda X, y, kw: (X, y, {**kw, "params": {"hidden_layer_sizes": (8,)}}),
    "learning rate": lambda X, y, kw: (
        X,
        y,
        {**kw, "params": {"optimizer": "adam", "optimizer__learning_rate": 0.01}},
    ),
    "batch_size": lambda X, y, kw: (X, y, {**kw, "params": {"batch_size": 16}}),
    "expected_cost's matrix": lambda X, y, kw: (
        X,
        y,
        {**kw, "params": {"cost_loss": "expected_cost", "cost_matrix": COSTLY_B}},
    ),
    "per-example costs that train": lambda X, y, kw: (
        X,
        y,
        {
            **kw,
            "params": {"cost_loss": "argmax_weighted"},
            "sample_cost": np.tile(np.asarray(ABC_COSTS, float), (len(y), 1, 1))
            * np.linspace(1, 2, len(y))[:, None, None],
        },
    ),
}


@pytest.mark.parametrize("change", sorted(TRAINING_CHANGES))
def test_anything_that_trains_differently_retrains(abc_data, tmp_path, change, small):
    X, y = abc_data
    base = {"cost_matrix": ABC_COSTS, "cost_loss": "expected_cost", "epochs": 3}
    if change == "per-example costs that train":
        base = {"epochs": 3}
    small(memory=tmp_path, **base).fit(X, y)
    assert stored_trainings(tmp_path) == 1
    X2, y2, changed = TRAINING_CHANGES[change](X, y, {})
    params = {**base, **changed.get("params", {})}
    fit_args = {k: changed[k] for k in ("sample_weight", "sample_cost") if k in changed}
    cached = small(memory=tmp_path, **params).fit(X2, y2, **fit_args)
    assert stored_trainings(tmp_path) == 2, f"{change} must retrain"
    fresh = small(**params).fit(X2, y2, **fit_args)
    np.testing.assert_array_equal(cached.predict_proba(X), fresh.predict_proba(X))


def test_decision_only_parameters_reuse_the_training(abc_data, tmp_path, small):
    X, y = abc_data
    small(memory=tmp_path).fit(X, y)
    for params in ({"cost_matrix": ABC_COSTS}, {"decision": "argmax"}, {"verbose": 0}):
        small(memory=tmp_path, **params).fit(X, y)
    assert stored_trainings(tmp_path) == 1


def test_search_over_cost_matrices_trains_one_network_per_fold(abc_data, tmp_path, small):
    X, y = abc_data
    grid = {"cost_matrix": [ABC_COSTS, COSTLY_B, [[0, 2, 2], [1, 0, 1], [5, 1, 0]]]}
    scorer = make_cost_scorer(ABC_COSTS)
    cv = KFold(3, shuffle=True, random_state=0)
    fresh = GridSearchCV(small(), grid, scoring=scorer, cv=cv, refit=False).fit(X, y)
    cached = GridSearchCV(small(memory=tmp_path), grid, scoring=scorer, cv=cv, refit=False)
    cached.fit(X, y)
    assert stored_trainings(tmp_path) == 3  # one network per fold, not 3 x 3
    np.testing.assert_array_equal(
        cached.cv_results_["mean_test_score"], fresh.cv_results_["mean_test_score"]
    )
    # cross_val_score and cross_validate over the same folds train nothing more
    scores = cross_val_score(small(memory=tmp_path, cost_matrix=COSTLY_B), X, y, cv=cv)
    results = cross_validate(small(memory=joblib.Memory(str(tmp_path), verbose=0)), X, y, cv=cv)
    assert stored_trainings(tmp_path) == 3
    np.testing.assert_array_equal(scores, cross_val_score(small(cost_matrix=COSTLY_B), X, y, cv=cv))
    assert len(results["test_score"]) == 3


@pytest.mark.slow
def test_parallel_search_shares_the_memory(abc_data, tmp_path, small):
    X, y = abc_data
    grid = {"cost_matrix": [ABC_COSTS, COSTLY_B], "class_weight": [None, {"B": 2.0}]}
    scorer = make_cost_scorer(ABC_COSTS)
    sequential = GridSearchCV(small(), grid, scoring=scorer, cv=2).fit(X, y)
    parallel = GridSearchCV(small(memory=tmp_path), grid, scoring=scorer, cv=2, n_jobs=2)
    parallel.fit(X, y)
    # class weights train, the matrices only decide: 2 x 2 folds, and the refit
    assert stored_trainings(tmp_path) == 5
    assert_same_search(parallel, sequential)


def test_fits_that_cannot_be_keyed_train_and_say_why(abc_data, tmp_path, small):
    X, y = abc_data
    with pytest.warns(UserWarning, match="random_state=None"):
        small(random_state=None, memory=tmp_path).fit(X, y)
    with pytest.warns(UserWarning, match="callbacks of the user's"):
        small(memory=tmp_path, callbacks=[keras.callbacks.TerminateOnNaN()]).fit(X, y)
    assert stored_trainings(tmp_path) == 0


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="a tf.distribute strategy")
def test_a_distributed_fit_is_not_served_from_memory(abc_data, tmp_path, small):
    import tensorflow as tf

    X, y = abc_data
    with pytest.warns(UserWarning, match="a distribution trains its replicas"):
        small(memory=tmp_path, distribution=tf.distribute.MirroredStrategy()).fit(X, y)
    assert stored_trainings(tmp_path) == 0


def test_incremental_fits_are_never_served(abc_data, tmp_path, small):
    X, y = abc_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        clf = small(memory=tmp_path).partial_fit(X, y)
        clf.partial_fit(X, y)
    assert stored_trainings(tmp_path) == 0
    fresh = small().partial_fit(X, y).partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), fresh.predict_proba(X))


def test_memory_is_validated_before_training(abc_data, small):
    X, y = abc_data
    with pytest.raises(ValueError, match="'memory' parameter"):
        small(memory=3).fit(X, y)


@pytest.mark.parametrize("as_path", [str, lambda path: path], ids=["str", "PathLike"])
def test_memory_naming_a_file_is_refused_before_training(abc_data, tmp_path, as_path, small):
    X, y = abc_data
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    clf = small(memory=as_path(a_file))
    with pytest.raises(ValueError, match=r"memory must be a folder .* is not a folder"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
    assert a_file.read_text() == ""


def test_memory_none_and_location_none_store_nothing(abc_data, tmp_path, small):
    X, y = abc_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        small(memory=None).fit(X, y)
        small(memory=joblib.Memory(None)).fit(X, y)
    assert stored_trainings(tmp_path) == 0


def test_a_loss_function_of_the_users_keys_by_its_code(abc_data, tmp_path, small):
    X, y = abc_data
    namespace = {}
    source = "def loss(y_true, y_pred):\n    return cross_entropy(y_true, y_pred){}\n"
    cross_entropy = keras.losses.sparse_categorical_crossentropy
    for scale in ("", " * 2.0", ""):  # a loss edited, then put back
        exec(source.format(scale), {"cross_entropy": cross_entropy}, namespace)
        small(memory=tmp_path, loss=namespace["loss"], epochs=2).fit(X, y)
    assert stored_trainings(tmp_path) == 2  # the edited loss retrains; its first version is reused


def test_processes_training_the_same_network_wait_for_the_first(tmp_path):
    import threading
    import time

    from costkeras._scikeras.memory import TrainedNetwork, TrainingLock, cached_training

    memory = joblib.Memory(str(tmp_path), verbose=0)
    calls = []

    def train(name, seconds):
        def run():
            calls.append(name)
            time.sleep(seconds)
            return TrainedNetwork([np.ones(2)], [], [], {"loss": [float(len(calls))]})

        return run

    results = {}
    first = threading.Thread(
        target=lambda: results.update(a=cached_training(memory, "k", train("a", 1.0)))
    )
    first.start()
    time.sleep(0.3)  # the first holds the key's lock while it trains
    results["b"] = cached_training(memory, "k", train("b", 0.0))
    first.join()
    assert calls == ["a"], "the second caller must wait for the first's network, not train it"
    assert results["a"].history == results["b"].history == {"loss": [1.0]}
    # a lock left by a process that died is broken
    lock = TrainingLock(memory, "dead")
    os.makedirs(os.path.dirname(lock.path), exist_ok=True)
    with open(lock.path, "w") as file:
        file.write(f"{__import__('socket').gethostname()} 999999999")
    cached_training(memory, "dead", train("c", 0.0))
    assert calls == ["a", "c"] and not os.path.exists(lock.path)
