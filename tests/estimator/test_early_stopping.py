"""Early stopping on held-out rows, the plateaus' rate cuts, the benchmarks' cost monitors."""

import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from costkeras._compat import moving_average_pairs
from costkeras._scikeras.early_stopping import annealed_rate
from costkeras._scikeras.schedule import auto_schedule
from tests._helpers import make_small, two_blobs

# the cost monitors of early stopping are experiments of the benchmarks
# (benchmarks/experiments.py), which their results rest on
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from experiments import CostEarlyStopping


class WeightsAtEpoch(keras.callbacks.Callback):
    """The model's weights at each epoch's end (``weights``) and start (``at_start``)."""

    def __init__(self):
        super().__init__()
        self.weights, self.at_start = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.at_start.append(self.model.get_weights())

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("monitor", ["decision_cost", "expected_cost", "log_loss"])
def test_early_stopping_stops_and_restores_the_best_weights(binary_data, monitor, small):
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


def test_early_stopping_runs_on_while_the_validation_cost_falls(binary_data, small):
    X, y = binary_data
    stopper = CostEarlyStopping(X, y, None, monitor="log_loss", n_iter_no_change=50)
    clf = small(epochs=6, callbacks=[stopper]).fit(X, y)
    assert stopper.stopped_epoch_ is None
    assert len(stopper.scores_) == len(clf.history_["loss"]) == 6
    assert stopper.scores_[-1] < stopper.scores_[0]


def test_early_stopping_rejects_an_unknown_monitor():
    with pytest.raises(ValueError, match="monitor must be one of"):
        CostEarlyStopping(np.zeros((2, 1)), [0, 1], monitor="accuracy")


class Overfitting:
    """Random labels: the validation log loss rises as soon as the network memorises."""

    @staticmethod
    def data(n=200, seed=0):
        rng = np.random.default_rng(seed)
        return rng.normal(size=(n, 10)), rng.integers(0, 2, n)

    @staticmethod
    def fit(callbacks, **params):
        """A wide network at a high learning rate, early stopping on: it stops soon."""
        X, y = Overfitting.data()
        defaults = {"hidden_layer_sizes": (64,), "epochs": 80, "early_stopping": True}
        defaults.update(n_iter_no_change=3, tol=0.0, dropout=0.0, optimizer__learning_rate=0.05)
        return make_small(callbacks=callbacks, **{**defaults, **params}).fit(X, y)


@pytest.mark.backend
def test_estimator_early_stopping_stops_and_restores_the_best_weights():
    recorder = WeightsAtEpoch()
    clf = Overfitting.fit([recorder])
    scores = clf.history_["val_log_loss"]
    assert len(scores) == len(clf.history_["loss"]) < 80  # stopped early
    best = int(np.argmin(scores))
    assert best == len(scores) - 1 - 3  # three epochs without improvement, then stop
    for restored, kept in zip(clf.model_.get_weights(), recorder.weights[best], strict=True):
        np.testing.assert_array_equal(restored, kept)


class AveragesAtEpoch(keras.callbacks.Callback):
    """The optimizer's moving average of the trainable weights at each epoch's end."""

    def __init__(self):
        super().__init__()
        self.averages = []

    def on_epoch_end(self, epoch, logs=None):
        pairs = moving_average_pairs(self.model.optimizer)
        self.averages.append([keras.ops.convert_to_numpy(average) for _, average in pairs])


@pytest.mark.backend
def test_early_stopping_scores_and_keeps_an_optimizers_moving_average():
    """Keras ends a fit with ``use_ema=True`` on the averaged weights: early stopping
    keeps the best epoch's average, not its raw weights."""
    raw, averages = WeightsAtEpoch(), AveragesAtEpoch()
    clf = Overfitting.fit(
        [raw, averages], optimizer="adam", optimizer__use_ema=True, optimizer__ema_momentum=0.8
    )
    scores = clf.history_["val_log_loss"]
    assert len(scores) < 80  # stopped early
    best = int(np.argmin(scores))
    kept = [keras.ops.convert_to_numpy(weight) for weight in clf.model_.trainable_weights]
    assert len(kept) == len(averages.averages[best]) > 0
    for weight, average in zip(kept, averages.averages[best], strict=True):
        np.testing.assert_array_equal(weight, average)
    # the average is not the raw weights of that epoch
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(clf.model_.get_weights(), raw.weights[best], strict=True)
    )


@pytest.mark.backend
def test_reduce_lr_on_plateau_goes_back_to_the_best_weights_at_a_lower_rate():
    recorder = WeightsAtEpoch()
    clf = Overfitting.fit([recorder], n_iter_no_change=6)  # the rate falls after 2 epochs
    scores, rates = clf.history_["val_log_loss"], clf.history_["learning_rate"]
    assert len(scores) == len(rates) < 80
    best_so_far = np.minimum.accumulate(scores)
    improved = np.r_[True, np.asarray(scores[1:]) < best_so_far[:-1]]
    reductions = 0
    for epoch in range(len(scores) - 1):
        last_best = max(e for e in range(epoch + 1) if improved[e])
        if (epoch - last_best) and (epoch - last_best) % 2 == 0:  # a plateau of 2: reduce
            reductions += 1
            np.testing.assert_allclose(rates[epoch + 1], rates[epoch] * 0.3, rtol=1e-6)
            for started, best in zip(
                recorder.at_start[epoch + 1], recorder.weights[last_best], strict=True
            ):
                np.testing.assert_array_equal(started, best)
        else:
            assert rates[epoch + 1] == rates[epoch]
    assert reductions >= 1
    np.testing.assert_allclose(rates[0], 0.05, rtol=1e-6)
    # the next fit (warm start, partial_fit) starts at the rate the user set
    np.testing.assert_allclose(float(clf.model_.optimizer.learning_rate), 0.05, rtol=1e-6)


def test_reduce_lr_on_plateau_off_or_kept_out_of_a_schedule(small):
    X, y = Overfitting.data()
    params = {"epochs": 6, "early_stopping": True, "n_iter_no_change": 3, "tol": 0.0}
    off = small(reduce_lr_on_plateau=False, optimizer__learning_rate=0.05, **params).fit(X, y)
    assert "learning_rate" not in off.history_
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.5)
    kept = small(optimizer=keras.optimizers.Adam(schedule), **params).fit(X, y)
    assert "learning_rate" not in kept.history_  # "auto": the user's schedule sets the rate
    assert kept.model_.optimizer.get_config()["learning_rate"]["class_name"] == "ExponentialDecay"
    on = small(optimizer__learning_rate=0.05, **params).fit(X, y)
    assert min(on.history_["learning_rate"]) < 0.05  # these fits would lower it
    # "auto" leaves the rate to a callback of the user's that sets it
    theirs = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=100)
    left = small(callbacks=[theirs], optimizer__learning_rate=0.05, **params).fit(X, y)
    assert len(left.history_["learning_rate"]) == len(left.history_["loss"]) > 3
    np.testing.assert_allclose(left.history_["learning_rate"], 0.05, rtol=1e-6)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"optimizer": "schedule", "early_stopping": True}, "learning rate is a schedule"),
        ({"callbacks": "theirs", "early_stopping": True}, "ReduceLROnPlateau sets the"),
        ({"early_stopping": False}, "early stopping is off"),
        ({}, "early stopping is off"),  # "auto" is off on 200 rows
    ],
)
def test_reduce_lr_on_plateau_true_raises_where_it_cannot_run(params, match, small):
    X, y = Overfitting.data()
    if params.get("optimizer") == "schedule":
        schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.5)
        params = {**params, "optimizer": keras.optimizers.Adam(schedule)}
    if params.get("callbacks") == "theirs":
        params = {**params, "callbacks": [keras.callbacks.ReduceLROnPlateau(monitor="loss")]}
    clf = small(reduce_lr_on_plateau=True, **params)
    with pytest.raises(ValueError, match=f"reduce_lr_on_plateau=True .*{match}"):
        clf.fit(X, y)
    assert not hasattr(clf, "history_")  # refused before training


@pytest.mark.backend
def test_early_stopping_through_a_sigmoid_head(small):
    X, y = two_blobs(300)

    def sigmoid_model(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))

    clf = small(model=sigmoid_model, early_stopping=True, epochs=4).fit(X, y)
    scores = clf.history_["val_log_loss"]
    assert len(scores) == 4 and np.all(np.isfinite(scores)) and scores[-1] < 1.0


@pytest.mark.backend
def test_seeded_fits_with_early_stopping_and_dropout_reproduce(small):
    X, y = two_blobs(300)
    first, second = (small(early_stopping=True, epochs=6).fit(X, y) for _ in range(2))
    assert first.history_["val_log_loss"] == second.history_["val_log_loss"]
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_continuing_fits_never_stop_early_and_keep_the_input_statistics(small):
    X, y = two_blobs(300)
    clf = small(epochs=2, early_stopping=True, warm_start=True, input_scaling="robust").fit(X, y)
    median = clf.model_.get_layer("robust_scale").median
    assert "val_log_loss" in clf.history_
    clf.fit(X * 3, y)  # warm: the same model goes on training
    assert "val_log_loss" not in clf.history_
    assert clf.model_.get_layer("robust_scale").median == median
    fresh = small(early_stopping=True).partial_fit(X, y)
    assert "val_log_loss" not in fresh.history_ and len(fresh.history_["loss"]) == 1


def test_early_stopping_true_refuses_several_outputs(small):
    X, y = two_blobs(60)
    Y = np.column_stack([y, 1 - y])
    Y[::3, 1] = 0  # not one-hot: two outputs
    with pytest.raises(ValueError, match="2 outputs"):
        small(early_stopping=True).fit(X, Y)
    assert "val_log_loss" not in small(epochs=1).fit(X, Y).history_


def test_annealed_rate_is_flat_then_falls_towards_zero():
    rates = [annealed_rate(epoch, 21) for epoch in range(21)]
    assert rates[:10] == [2.0] * 10
    assert np.all(np.diff(rates[10:]) < 0) and rates[-1] > 0
    assert rates[-1] < 0.05 and annealed_rate(30, 21) == 0.0


@pytest.mark.backend
def test_the_default_anneals_the_rate_over_its_epochs_and_sets_it_back(small):
    X, y = two_blobs(2_500)
    clf = small(epochs="auto", optimizer__learning_rate=0.01).fit(X, y)
    epochs = round(auto_schedule(2_250)[0] / 2)  # 10% held out: 2,250 rows train
    rates = clf.history_["learning_rate"]
    assert 0 < len(rates) == len(clf.history_["loss"]) <= epochs
    expected = [0.01 * annealed_rate(epoch, epochs) for epoch in range(len(rates))]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    # the next fit (warm start, partial_fit) starts at the rate the user set
    np.testing.assert_allclose(float(clf.model_.optimizer.learning_rate), 0.01, rtol=1e-6)
