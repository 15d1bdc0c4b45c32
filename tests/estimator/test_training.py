"""The training schedule, validation split, temperature and cost early stopping."""

import pickle
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costkeras._compat import moving_average_pairs
from costkeras._scikeras.early_stopping import LogLossEarlyStopping
from costkeras._scikeras.epoch_data import one_iterator_steps, repeated_batches
from costkeras._scikeras.schedule import (
    auto_schedule,
    plan_fit,
    resolve_early_stopping,
    resolve_validation_fraction,
    validation_split,
)
from tests._helpers import make_small

# the cost monitors of early stopping and temperature scaling are experiments of the
# benchmarks (benchmarks/experiments.py), which their results rest on
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from experiments import (
    CostEarlyStopping,
    apply_temperature,
    fit_temperature,
    validation_score,
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


@given(
    rare=st.integers(1, 5_000),
    common=st.integers(1, 50_000),
    setting=st.floats(0.01, 0.99),
)
def test_auto_validation_fraction_holds_enough_rare_rows(rare, common, setting):
    labels = np.repeat([0, 1], [common, rare])
    fraction = resolve_validation_fraction("auto", labels)
    assert 0.1 <= fraction <= 0.25
    held_out = fraction * min(rare, common)
    assert held_out >= 50 - 1e-9 or fraction == 0.25  # 50 rare rows, unless capped
    assert fraction == 0.1 or held_out <= 50 + 1e-9  # never more than it takes
    assert resolve_validation_fraction(setting, labels) == setting  # a float as given


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


# --------------------------------------------------------- the estimator's defaults
PARAMS = {
    "early_stopping": "auto",
    "validation_fraction": 0.1,
    "validation_split": 0.0,
    "n_iter_no_change": 10,
    "tol": 1e-4,
}


def plan(n, *, epochs="auto", n_outputs=1, continuing=False, fit_kwargs=None, **params):
    labels = np.arange(n) % 2
    return plan_fit(
        {**PARAMS, **params},
        epochs,
        labels,
        n_outputs=n_outputs,
        continuing=continuing,
        fit_kwargs=fit_kwargs or {},
        random_state=0,
    )


def test_plan_auto_early_stopping_threshold_and_epoch_budget():
    below, at = plan(1_999), plan(2_000)
    assert below.validation is None and below.epochs == auto_schedule(1_999)[0]
    assert len(at.validation) == 200 and len(at.train) == 1_800
    assert at.epochs == 2 * auto_schedule(1_800)[0]  # a budget: twice the auto epochs
    assert plan(2_000, epochs=7).epochs == 7  # an int is the budget as given
    assert plan(100, early_stopping=True).validation is not None
    assert plan(10**5, early_stopping=False).validation is None


@pytest.mark.parametrize(
    "case",
    [
        {"n_outputs": 2},
        {"n_outputs": None},  # a custom target_encoder
        {"validation_split": 0.2},
        {"fit__validation_split": 0.2},
        {"fit_kwargs": {"validation_data": (np.zeros((2, 1)), [0, 1])}},
    ],
)
def test_plan_early_stopping_steps_aside_or_raises(case):
    assert plan(5_000, **case).validation is None  # "auto": off
    with pytest.raises(ValueError, match="early_stopping=True cannot run here"):
        plan(5_000, early_stopping=True, **case)


def test_plan_never_stops_a_continuing_fit_early():
    assert plan(5_000, continuing=True, early_stopping=True).validation is None


class FitSpy:
    """Replaces keras.Model.fit: records its arguments and trains a single epoch."""

    def __init__(self, monkeypatch):
        self.calls = []
        original = keras.Model.fit

        def fit(model, x=None, y=None, **kwargs):
            self.calls.append({"x": x, **kwargs, **epoch_of(x, kwargs.get("steps_per_epoch"))})
            return original(model, x, y, **{**kwargs, "epochs": kwargs["initial_epoch"] + 1})

        monkeypatch.setattr(keras.Model, "fit", fit)


def epoch_of(x, steps) -> dict:
    """One epoch of a repeated batch pipeline as arrays: its rows ``x`` and ``batch_size``."""
    if not hasattr(x, "take"):  # arrays: Keras batches them
        return {}
    batches = [keras.ops.convert_to_numpy(batch[0]) for batch in x.take(steps)]
    return {"x": np.concatenate(batches), "batch_size": len(batches[0])}


def two_blobs(n, d=2, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return rng.normal(size=(n, d)) + y[:, None], y


def test_auto_schedule_reaches_keras_fit(monkeypatch, small):
    spy = FitSpy(monkeypatch)
    X, y = two_blobs(5_000)
    small(epochs="auto", early_stopping=False).fit(X, y)
    small(epochs="auto").fit(X, y)  # early stopping "auto": on from 2,000 rows
    small(epochs=3, batch_size=None, fit__batch_size=16).fit(X, y)
    small(epochs=3, batch_size=None, early_stopping=False).fit(X, y)
    plain, stopping, routed, keras_default = spy.calls
    assert (plain["epochs"], plain["batch_size"]) == auto_schedule(5_000) == (38, 64)
    assert len(plain["x"]) == 5_000
    assert len(stopping["x"]) == 4_500  # 10% held out
    assert stopping["epochs"] == 2 * auto_schedule(4_500)[0] and stopping["batch_size"] == 64
    assert routed["batch_size"] == 16 and routed["epochs"] == 3
    # Keras's own 32: None handed to Keras, or its batches of 32 in the pipeline read
    assert (keras_default.get("batch_size") or 32) == 32


def test_validation_rows_are_held_out_of_training_and_input_statistics(monkeypatch, small):
    spy = FitSpy(monkeypatch)
    X, y = two_blobs(300, d=3)
    X[:, 0] *= 1e6
    clf = small(early_stopping=True, validation_fraction=0.2, input_scaling="robust").fit(X, y)
    (call,) = spy.calls
    stopper = next(cb for cb in call["callbacks"] if isinstance(cb, LogLossEarlyStopping))
    trained, held_out = np.asarray(call["x"], "float32"), stopper.X_val
    assert len(trained) == 240 and len(held_out) == 60
    rows = {tuple(row) for row in X.astype("float32")}
    assert {tuple(r) for r in trained} | {tuple(r) for r in held_out} == rows
    assert not {tuple(r) for r in trained} & {tuple(r) for r in held_out}
    # stratified: the held-out share keeps the class balance
    assert abs(stopper.y_val.mean() - y.mean()) < 0.05
    # the input layer learnt from the training rows only
    median = np.asarray(clf.model_.get_layer("robust_scale").median)
    np.testing.assert_allclose(median, np.median(np.asarray(call["x"]), axis=0), rtol=1e-6)
    assert not np.allclose(median, np.median(X, axis=0), rtol=1e-5)
    assert stopper not in clf._fit_callbacks  # one fit's; not kept with the estimator


def test_auto_validation_fraction_holds_out_more_of_a_rare_class(monkeypatch, small):
    spy = FitSpy(monkeypatch)
    X, y = two_blobs(400, d=3)
    y[: int(0.9 * len(y))] = 0  # about 20 positives
    held_out = []
    for params in ({}, {"validation_fraction": 0.1}):
        small(early_stopping=True, **params).fit(X, y)
        stopper = next(
            cb for cb in spy.calls[-1]["callbacks"] if isinstance(cb, LogLossEarlyStopping)
        )
        held_out.append(len(stopper.y_val))
    assert held_out == [100, 40]  # "auto": a quarter, the most it holds out; 0.1 as given


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


@pytest.mark.parametrize(
    "params, match",
    [
        ({"early_stopping": True, "validation_split": 0.2}, "validation_split"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"epochs": "many"}, "epochs"),
        ({"batch_size": "big"}, "batch_size"),
        ({"input_scaling": "minmax"}, "input_scaling"),
        ({"dropout": 1.0}, "dropout"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"steps_per_execution": 0}, "steps_per_execution"),
        ({"steps_per_execution": "fast"}, "steps_per_execution"),
    ],
)
def test_conflicting_or_invalid_training_parameters_raise(params, match, small):
    X, y = two_blobs(40)
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X, y)


def test_early_stopping_true_refuses_several_outputs(small):
    X, y = two_blobs(60)
    Y = np.column_stack([y, 1 - y])
    Y[::3, 1] = 0  # not one-hot: two outputs
    with pytest.raises(ValueError, match="2 outputs"):
        small(early_stopping=True).fit(X, Y)
    assert "val_log_loss" not in small(epochs=1).fit(X, Y).history_


def test_predict_with_keras_keywords_under_batch_size_auto(small):
    X, y = two_blobs(50)
    clf = small(epochs=1).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X, verbose=0), clf.predict_proba(X), atol=1e-6)


def test_validation_score_weighs_rows_like_the_training_loss():
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    y = np.array([0, 0])
    weighted = validation_score(proba, y, None, "log_loss", np.array([1.0, 3.0]))
    assert weighted == pytest.approx((-np.log(0.9) - 3 * np.log(0.2)) / 4)
    # all-zero weights count as none
    assert validation_score(proba, y, None, "log_loss", np.zeros(2)) == pytest.approx(
        validation_score(proba, y, None, "log_loss")
    )


class CountBatches(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        self.seen = [*getattr(self, "seen", []), batch]


class CountSteps(keras.callbacks.Callback):
    """The optimizer's steps at the end of every epoch."""

    def on_epoch_end(self, epoch, logs=None):
        steps = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        self.seen = [*getattr(self, "seen", []), steps]


@pytest.mark.backend
def test_steps_per_execution_trains_the_same_weights(small):
    X, y = two_blobs(300)  # 38 batches of 8 per epoch
    many, one = (small(epochs=3, batch_size=8, steps_per_execution=n).fit(X, y) for n in (16, 1))
    assert many.model_.steps_per_execution == 16 and one.model_.steps_per_execution == 1
    for a, b in zip(many.model_.get_weights(), one.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    short = small(epochs=1, batch_size=16).fit(X, y)  # 19 batches: not worth the tracing
    assert short.model_.steps_per_execution == 1


@pytest.mark.backend
def test_auto_steps_per_execution_trains_an_epoch_per_call_and_exact_epochs(small):
    X, y = two_blobs(300)  # 38 batches of 8 per epoch, the last of 4 rows
    counter, hooked = CountSteps(), CountBatches()
    per_epoch = small(epochs=3, batch_size=8, callbacks=[counter]).fit(X, y)
    per_batch = small(epochs=3, batch_size=8, callbacks=[hooked]).fit(X, y)
    expected = {"tensorflow": 38, "torch": 1}.get(keras.backend.backend(), 16)
    assert per_epoch.model_.steps_per_execution == expected
    assert per_batch.model_.steps_per_execution == 1 and hooked.seen == list(range(38)) * 3
    # every epoch reads exactly its 38 batches, whatever the steps per call
    assert counter.seen == [38, 76, 114]
    for a, b in zip(per_epoch.model_.get_weights(), per_batch.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    again = small(epochs=3, batch_size=8).fit(X, y)  # seeded: the same shuffles
    for a, b in zip(per_epoch.model_.get_weights(), again.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's pipeline")
def test_repeated_batches_cover_every_row_once_per_pass_in_new_orders():
    X = np.arange(10.0)[:, None]
    dataset = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=True, seed=0)
    batches = [keras.ops.convert_to_numpy(x)[:, 0] for x, _ in dataset.take(9)]
    assert [len(b) for b in batches] == [4, 4, 2] * 3
    orders = [np.concatenate(batches[3 * k : 3 * k + 3]) for k in range(3)]
    for order in orders:
        assert sorted(order) == list(range(10))
    assert len({tuple(order) for order in orders}) > 1  # reshuffled every pass
    again = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=True, seed=0)
    first = np.concatenate([keras.ops.convert_to_numpy(x)[:, 0] for x, _ in again.take(3)])
    np.testing.assert_array_equal(first, orders[0])  # seeded
    in_order = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=False)
    rows = [keras.ops.convert_to_numpy(x)[:, 0] for x, _ in in_order.take(6)]
    np.testing.assert_array_equal(np.concatenate(rows), np.tile(np.arange(10.0), 2))


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's pipeline")
@pytest.mark.parametrize(
    "fit_args, setting, compiled, expected",
    [
        ({}, "auto", 38, 38),
        ({}, "auto", 1, 38),
        ({}, 16, 16, None),  # an int: Keras's own loop, as before
        ({}, "auto", 16, None),  # a call of 16 would run past an epoch's end
        ({"validation_split": 0.2}, "auto", 38, None),
        ({"class_weight": {0: 1.0, 1: 2.0}}, "auto", 38, None),
        ({"steps_per_epoch": 5}, "auto", 38, None),
    ],
)
def test_one_iterator_only_where_keras_would_read_the_same_epochs(
    fit_args, setting, compiled, expected
):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", steps_per_execution=compiled)
    X = np.zeros((300, 2))
    assert one_iterator_steps(model, X, fit_args, 8, setting) == expected
    assert one_iterator_steps(model, [X, X], {}, 8, "auto") is None  # several inputs


@pytest.mark.backend
def test_auto_steps_per_execution_calls_batch_hooks_every_batch_on_warm_fits_too(small):
    X, y = two_blobs(320)
    clf = small(epochs=1, batch_size=8, warm_start=True).fit(X, y)
    expected = {"tensorflow": 40, "torch": 1}.get(keras.backend.backend(), 16)
    assert clf.model_.steps_per_execution == expected
    counter = CountBatches()
    clf.fit(X, y, callbacks=[counter])  # the model compiled in the first fit is recompiled
    assert counter.seen == list(range(40)) and clf.model_.steps_per_execution == 1
    again = pickle.loads(pickle.dumps(small(epochs=1, batch_size=8, warm_start=True).fit(X, y)))
    counter = CountBatches()
    again.fit(X, y, callbacks=[counter])  # unpickled: the default network is still costkeras's
    assert counter.seen == list(range(40))
    counted = small(epochs=1, batch_size=8, callbacks=[CountBatches()]).fit(X, y)
    assert counted.model_.steps_per_execution == 1


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's tracing")
def test_the_training_step_is_traced_once_per_fit(monkeypatch, small):
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    traced = []
    train_step = TensorFlowTrainer.train_step

    def counted(model, data):
        traced.append(model)
        return train_step(model, data)

    monkeypatch.setattr(TensorFlowTrainer, "train_step", counted)
    X, y = two_blobs(2_000)  # early stopping on: the held-out rows are scored every epoch
    clf = small(epochs=3, batch_size=32).fit(X, y)
    assert len(traced) == 1 and clf.model_.optimizer.built
    clf.set_params(warm_start=True).fit(X, y)  # the same model: its step is traced already
    assert len(traced) == 1


@pytest.mark.backend
def test_partial_fits_of_other_sizes_keep_their_compiled_steps_and_train_every_batch(small):
    X, y = two_blobs(400)
    counter = CountSteps()
    clf = small(batch_size=8, callbacks=[counter])
    clf.partial_fit(X, y)  # 50 batches
    compiled = clf.model_.steps_per_execution
    clf.partial_fit(X[:264], y[:264])  # 33 batches: no recompile, no retrace
    clf.partial_fit(X[:300], y[:300])  # 38
    assert clf.model_.steps_per_execution == compiled
    assert counter.seen == [50, 83, 121]


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="PyTorch takes 1 only")
def test_steps_per_execution_set_recompiles_a_model_the_user_compiled(small):
    X, y = two_blobs(100)

    def build(meta):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(
            optimizer="sgd", loss="sparse_categorical_crossentropy", steps_per_execution=3
        )
        return model

    assert small(model=build, epochs=1).fit(X, y).model_.steps_per_execution == 3
    clf = small(model=build, epochs=1, steps_per_execution=5).fit(X, y)
    assert clf.model_.steps_per_execution == 5
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)  # the rest stays theirs


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the PyTorch trainer's limit")
def test_steps_per_execution_above_one_is_refused_on_torch_before_training(small):
    X, y = two_blobs(40)
    with pytest.raises(ValueError, match="steps_per_execution must be 1"):
        small(steps_per_execution=4).fit(X, y)


# --------------------------------------------------------- cost losses and the fit plan
def test_every_cost_loss_is_one_strategy_of_the_registry():
    from costkeras._scikeras.constraints import PARAMETER_CONSTRAINTS
    from costkeras._scikeras.cost_losses import COST_LOSSES

    (options,) = PARAMETER_CONSTRAINTS["cost_loss"]
    assert set(COST_LOSSES) == options.options  # the constraint lists the registry
    C = np.array([[0.0, 1.0], [5.0, 0.0]])
    for name, strategy in COST_LOSSES.items():
        assert strategy.name == name
        # "auto": Bayes after a loss that leaves the probabilities as they are
        expected = "argmax" if strategy.reweights else "bayes"
        assert strategy.decision("auto", C) == expected
        assert strategy.decision("auto", None) == "argmax"  # no costs: the likeliest class
        assert strategy.decision("bayes", None) == "bayes"  # a decision given is kept
        loss = strategy.matrix_loss(C, 1.0)
        if strategy.keras_loss is None:
            assert not strategy.trains and strategy.travels is None
            assert isinstance(loss, keras.losses.CategoricalCrossentropy)
        else:
            assert isinstance(loss, strategy.keras_loss)
            assert isinstance(strategy.example_loss(1.0), strategy.keras_loss)
            rows, weights = strategy.example_rows(C[[0, 1, 1]], 5.0)
            assert (rows is None) == (strategy.travels == "weight") == (weights is not None)


def test_the_fit_plan_is_frozen_and_resolves_the_batch_size(small):
    import dataclasses

    from costkeras._scikeras.plan import FitCall, make_plan

    params = small().get_params()
    labels = np.arange(100) % 2
    plan = make_plan(params, FitCall(epochs=3), labels=labels, n_outputs=1, seed=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.epochs = 4
    assert plan.epochs == 3 and plan.cost_loss.name == "cross_entropy"
    assert plan.rows_per_batch(5_000) == auto_schedule(5_000)[1]  # small(): "auto"
    routed = make_plan(
        {**params, "fit__batch_size": 16}, FitCall(epochs=3), labels=labels, n_outputs=1
    )
    assert routed.rows_per_batch(5_000) == 16
    given = make_plan(
        {**params, "fit__batch_size": 16},
        FitCall(epochs=3, fit_kwargs={"batch_size": -1}),
        labels=labels,
        n_outputs=1,
    )
    assert given.rows_per_batch(70) == 70  # fit's keyword first; -1: all rows
    weighted = make_plan(
        params, FitCall(np.ones(100).tolist(), epochs=3), labels=labels, n_outputs=1
    )
    assert isinstance(weighted.sample_weight, np.ndarray)  # checked once, here
    with pytest.raises(ValueError, match="sample_weight"):
        make_plan(params, FitCall(np.ones(99), epochs=3), labels=labels, n_outputs=1)
