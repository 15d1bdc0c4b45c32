"""How long and on which rows a fit trains: epochs, batch size, held-out rows."""

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costkeras._scikeras.early_stopping import LogLossEarlyStopping
from costkeras._scikeras.schedule import (
    auto_schedule,
    plan_fit,
    resolve_early_stopping,
    resolve_validation_fraction,
    validation_split,
)
from tests._helpers import two_blobs


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
    assert not at.anneal  # reduce_lr_on_plateau not "auto" here: the plateaus' budget
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
    # the rate anneals over half the auto epochs
    assert stopping["epochs"] == round(auto_schedule(4_500)[0] / 2) == 21
    assert stopping["batch_size"] == 64
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


def test_plan_anneals_over_half_the_auto_epochs_where_the_plateaus_would_run():
    auto = auto_schedule(1_800)[0]
    annealed = plan(2_000, reduce_lr_on_plateau="auto")
    assert annealed.anneal and annealed.epochs == round(auto / 2)
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate)
    decay = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.5)
    for params, fit_kwargs in [
        ({"reduce_lr_on_plateau": True}, {}),
        ({"reduce_lr_on_plateau": False}, {}),
        ({"reduce_lr_on_plateau": "auto", "callbacks": [scheduler]}, {}),
        ({"reduce_lr_on_plateau": "auto"}, {"callbacks": [scheduler]}),
        ({"reduce_lr_on_plateau": "auto", "optimizer__learning_rate": decay}, {}),
        ({"reduce_lr_on_plateau": "auto", "optimizer": keras.optimizers.Adam(decay)}, {}),
    ]:
        kept = plan(2_000, fit_kwargs=fit_kwargs, **params)
        assert not kept.anneal and kept.epochs == 2 * auto, params
    assert not plan(2_000, epochs=7, reduce_lr_on_plateau="auto").anneal  # epochs as given
    assert not plan(1_999, reduce_lr_on_plateau="auto").anneal  # no early stopping


def test_the_training_defaults_guide_states_what_the_code_does():
    """Every number of docs/guide/training_defaults.md's table, read from the page and
    checked against what the schedule, early stopping and the input layer do: a changed
    default fails here until the page says it."""
    import inspect
    import math
    import re
    from pathlib import Path
    from types import SimpleNamespace

    from costkeras._scikeras.early_stopping import annealed_rate, plateau_patience
    from costkeras._scikeras.network import EMBEDDING_BINS, EMBEDDING_DIM

    page = Path(__file__).resolve().parents[2] / "docs" / "guide" / "training_defaults.md"
    text = page.read_text()

    def number(pattern: str) -> list[float]:
        match = re.search(pattern, text)
        assert match, f"the guide no longer says {pattern!r}"
        return [float(group.replace(",", "")) for group in match.groups()]

    steps, fewest, most = number(r"about ([\d,]+) optimizer steps: (\d+) to (\d+) epochs")
    for n in (100, 1_000, 5_000, 20_000, 200_000, 2_000_000):
        epochs, batch = auto_schedule(n)
        assert fewest <= epochs <= most
        if fewest < epochs < most:  # not clipped: about the stated steps
            assert 0.75 * steps <= epochs * math.ceil(n / batch) <= 1.5 * steps
    assert auto_schedule(10)[0] == most and auto_schedule(10**8)[0] == fewest

    per_row, smallest, largest = number(r"near `n / (\d+)`, (\d+) to (\d+)")
    for n in (100, 5_000, 10**8):
        batch = auto_schedule(n)[1]
        assert smallest <= batch <= largest and batch & (batch - 1) == 0
        assert batch in (smallest, largest) or n / per_row / 2 <= batch <= 2 * n / per_row

    (on_from,) = number(r"on from ([\d,]+) rows")
    assert not resolve_early_stopping("auto", int(on_from) - 1)
    assert resolve_early_stopping("auto", int(on_from))
    (half,) = number(r"half the auto epochs \(about ([\d,]+) steps\)")
    assert half == steps / 2

    share, rare_rows, cap = number(
        r"holds out ([\d.]+) of the rows, more where that would score fewer than (\d+) rows "
        r"of the rarest class, up to ([\d.]+)"
    )
    labels = np.repeat([0, 1], [10_000, 10_000])
    assert resolve_validation_fraction("auto", labels) == share
    rarer = np.repeat([0, 1], [10_000, 4 * int(rare_rows)])  # the share would score fewer
    assert share < resolve_validation_fraction("auto", rarer) <= cap
    assert resolve_validation_fraction("auto", np.repeat([0, 1], [10_000, 5])) == cap

    assert "twice the optimizer's rate for the first half of the epochs" in text
    assert annealed_rate(0, 10) == annealed_rate(4, 10) == 2.0
    assert 0 < annealed_rate(9, 10) < annealed_rate(6, 10) < 2.0
    patience, of = number(r"\((\d+) of (\d+)\)")
    plan = SimpleNamespace(reduce_lr_on_plateau="auto", n_iter_no_change=int(of))
    assert plateau_patience(plan, keras.optimizers.Adam()) == patience
    (factor,) = number(r"at ([\d.]+) times the learning rate")
    signature = inspect.signature(LogLossEarlyStopping)
    assert signature.parameters["reduce_lr_factor"].default == factor

    bins, dims = number(r"over (\d+) of its quantile bins.*? in (\d+) learnt dimensions")
    assert (EMBEDDING_BINS, EMBEDDING_DIM) == (bins, dims)
