"""The fit plan: one fit's parameters, read once, every "auto" resolved, frozen."""

import numpy as np
import pytest

from costkeras._scikeras.schedule import auto_schedule


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
