"""Building the network: a user's model, instance or function, checked before training."""

import keras
import pytest

from tests._helpers import ABC_COSTS


def test_keras_model_instance(abc_data, small):
    X, y = abc_data
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    clf = small(model=model, cost_matrix=ABC_COSTS).fit(X, y)
    assert set(clf.predict(X)) <= {"A", "B", "C"}


def test_model_with_wrong_output_units_is_rejected_before_training(abc_data, small):
    X, y = abc_data
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    clf = small(model=model)
    with pytest.raises(ValueError, match=r"model output has 2 units but y has 3 classes"):
        clf.fit(X, y)
    assert not hasattr(clf, "history_")
