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


def test_one_hot_rows_of_one_based_labels_get_a_hint(abc_data, small):
    X, y = abc_data
    labels = {"A": 1, "B": 2, "C": 3}
    one_hot = keras.utils.to_categorical([labels[v] for v in y])  # 4 columns, the first unset
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    with pytest.raises(ValueError, match=r"first column is never set.*labels - 1\), for 3"):
        small(model=model).fit(X, one_hot)
    # 0-based one-hot rows of a model one unit short get no such hint
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"it needs 3 units \(a softmax\)\.$"):
        small(model=model).fit(X, keras.utils.to_categorical([labels[v] - 1 for v in y]))
