"""The benchmarks' experiments of training: temperature scaling, the validation score."""

import sys
from pathlib import Path

import numpy as np
import pytest

# the cost monitors of early stopping and temperature scaling are experiments of the
# benchmarks (benchmarks/experiments.py), which their results rest on
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from experiments import apply_temperature, fit_temperature, validation_score


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


def test_validation_score_weighs_rows_like_the_training_loss():
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    y = np.array([0, 0])
    weighted = validation_score(proba, y, None, "log_loss", np.array([1.0, 3.0]))
    assert weighted == pytest.approx((-np.log(0.9) - 3 * np.log(0.2)) / 4)
    # all-zero weights count as none
    assert validation_score(proba, y, None, "log_loss", np.zeros(2)) == pytest.approx(
        validation_score(proba, y, None, "log_loss")
    )
