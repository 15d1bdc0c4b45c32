"""The training schedule, validation split, temperature and cost early stopping."""

import keras
import numpy as np
import pytest
from conftest import small

from costkeras._training import (
    CostEarlyStopping,
    apply_temperature,
    auto_schedule,
    fit_temperature,
    resolve_early_stopping,
    validation_score,
    validation_split,
)


def test_auto_schedule_keeps_the_steps_near_the_target():
    previous_batch = 0
    for n in (100, 900, 5_000, 20_000, 56_000, 1_000_000):
        epochs, batch_size = auto_schedule(n)
        assert 32 <= batch_size <= 256 or batch_size == n
        assert batch_size >= previous_batch  # the batch grows with the data
        previous_batch = batch_size
        steps = epochs * -(-n // batch_size)
        if 10 < epochs < 200:  # not clipped
            assert 2_500 <= steps <= 3_500
    assert auto_schedule(56_000) == (14, 256)  # issue #13: ~3,000 steps of 256 rows
    assert auto_schedule(20, min_batch_size=32)[1] == 20  # never more than the data


def test_resolve_early_stopping():
    assert resolve_early_stopping("auto", 2_000) and not resolve_early_stopping("auto", 1_999)
    assert not resolve_early_stopping("auto", 10_000, min_samples=10_001)
    assert resolve_early_stopping(True, 10) and not resolve_early_stopping(False, 10**6)


def test_validation_split_is_stratified_and_disjoint():
    y = np.array([0] * 80 + [1] * 15 + [2] * 5)
    train, val = validation_split(y, 0.2, random_state=0)
    assert len(val) == 20 and len(train) == 80
    assert np.intersect1d(train, val).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(100))
    assert np.bincount(y[val]).tolist() == [16, 3, 1]


def test_validation_split_with_a_singleton_class_falls_back_to_random():
    y = np.array([0] * 30 + [1])
    train, val = validation_split(y, 0.2, random_state=0)
    assert len(train) + len(val) == 31


def test_validation_score_per_example_costs():
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    y = np.array([0, 1, 1])
    costs = np.array([[[0, 1], [10, 0]], [[0, 1], [1, 0]], [[0, 1], [0.5, 0]]], dtype=float)
    # Bayes: row 0 predicts 1 only if 10 * 0.1 > 0.9 * 1 -> yes (1.0 > 0.9): cost C0[0, 1] = 1
    # row 1: 0.7 * 1 > 0.3 -> predict 1, cost 0; row 2: 0.4 * 0.5 < 0.6 -> predict 0, cost 0.5
    assert validation_score(proba, y, costs, "decision_cost") == pytest.approx(1.5 / 3)
    expected = (0.1 * 1) + (0.3 * 1) + (0.6 * 0.5)
    assert validation_score(proba, y, costs, "expected_cost") == pytest.approx(expected / 3)
    log_loss = -np.mean(np.log([0.9, 0.7, 0.4]))
    assert validation_score(proba, y, costs, "log_loss") == pytest.approx(log_loss)
    assert validation_score(proba, y, None, "decision_cost") == pytest.approx(log_loss)
    # one matrix for all rows (0/1 costs): argmax decisions, row 2 is wrong
    assert validation_score(proba, y, costs[1], "decision_cost") == pytest.approx(1 / 3)


def test_temperature_undoes_overconfidence_and_keeps_the_ranking():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, 5000)
    y = (rng.random(5000) < p).astype(int)
    sharp = np.column_stack([1 - p, p]) ** 4
    sharp /= sharp.sum(axis=1, keepdims=True)
    temperature = fit_temperature(sharp, y)
    assert 3.5 < temperature < 4.5
    softened = apply_temperature(sharp, temperature)
    np.testing.assert_allclose(softened[:, 1], p, atol=0.05)
    np.testing.assert_array_equal(softened.argmax(axis=1), sharp.argmax(axis=1))


class WeightsAtEpoch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("monitor", ["decision_cost", "expected_cost", "log_loss"])
def test_early_stopping_stops_and_restores_the_best_weights(binary_data, monitor):
    """A validation set with flipped labels gets worse as the network learns."""
    X, y = binary_data
    costs = np.array([[0.0, 1.0], [1.0, 0.0]])
    stopper = CostEarlyStopping(X, 1 - y, costs, monitor=monitor, n_iter_no_change=3)
    recorder = WeightsAtEpoch()
    clf = small(epochs=40, callbacks=[stopper, recorder], optimizer__learning_rate=0.05)
    clf.fit(X, y)
    assert stopper.stopped_epoch_ is not None and stopper.stopped_epoch_ < 39
    assert len(clf.history_["loss"]) == stopper.stopped_epoch_ + 1
    assert stopper.scores_[stopper.best_epoch_] == min(stopper.scores_)
    for restored, best in zip(
        clf.model_.get_weights(), recorder.weights[stopper.best_epoch_], strict=True
    ):
        np.testing.assert_array_equal(restored, best)
    assert stopper.best_epoch_ < stopper.stopped_epoch_
    assert f"val_{monitor}" in clf.history_


def test_early_stopping_runs_on_while_the_validation_cost_falls(binary_data):
    X, y = binary_data
    stopper = CostEarlyStopping(X, y, None, monitor="log_loss", n_iter_no_change=50)
    clf = small(epochs=6, callbacks=[stopper]).fit(X, y)
    assert stopper.stopped_epoch_ is None
    assert len(stopper.scores_) == len(clf.history_["loss"]) == 6
    assert stopper.scores_[-1] < stopper.scores_[0]


def test_early_stopping_rejects_an_unknown_monitor():
    with pytest.raises(ValueError, match="monitor must be one of"):
        CostEarlyStopping(np.zeros((2, 1)), [0, 1], monitor="accuracy")
