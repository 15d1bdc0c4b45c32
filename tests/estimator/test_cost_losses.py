"""The options of cost_loss: one strategy each, in one registry."""

import keras
import numpy as np


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
