"""Compiling the network: the cost loss compiled in, a user's loss never replaced silently."""

import keras
import numpy as np
import pytest

from costkeras.losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
)
from tests._helpers import ABC_COSTS


@pytest.mark.backend
@pytest.mark.parametrize(
    ("cost_loss", "loss_type"),
    [
        ("cross_entropy", keras.losses.CategoricalCrossentropy),
        ("argmax_weighted", ArgmaxWeightedCrossEntropy),
        ("class_weighted", ClassWeightedCrossEntropy),
        ("expected_cost", ExpectedCostCrossEntropy),
    ],
)
def test_each_cost_loss_is_compiled_into_the_model(abc_data, cost_loss, loss_type, small):
    X, y = abc_data
    clf = small(epochs=2, cost_matrix=ABC_COSTS, cost_loss=cost_loss).fit(X, y)
    assert isinstance(clf.model_.loss, loss_type)
    assert clf.model_.loss is clf.loss_
    assert np.isfinite(clf.history_["loss"]).all()


def test_user_build_function_is_compiled_with_the_cost_loss(abc_data, small):
    X, y = abc_data
    seen = {}

    def build(meta):
        seen.update(meta)
        model = keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )
        # a cross-entropy: the cost loss (cross-entropy plus the costs) takes its place
        model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(0.05))
        return model

    clf = small(model=build, cost_matrix=ABC_COSTS, cost_loss="expected_cost").fit(X, y)
    assert seen["n_classes_"] == 3 and seen["n_features_in_"] == 4
    assert isinstance(clf.model_.loss, ExpectedCostCrossEntropy)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD), "the user's optimizer stays"
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)
    assert clf.predict(X).shape == y.shape


def test_compiled_loss_that_is_no_cross_entropy_is_not_replaced_silently(abc_data, small):
    X, y = abc_data

    def build(meta):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(loss="mse", optimizer="sgd")
        return model

    clf = small(model=build, cost_matrix=ABC_COSTS, cost_loss="expected_cost")
    with pytest.raises(ValueError, match=r"cost_loss='expected_cost'.*compiled loss 'mse'"):
        clf.fit(X, y)
    assert not hasattr(clf, "history_")
    # without a cost loss the costs act in the decision, and the user's loss trains
    clf = small(model=build, cost_matrix=ABC_COSTS).fit(X, y)
    assert clf.model_.loss == "mse" and clf.decision_ == "bayes"
