"""The distribution a fit trains under: checked before training, entered around it."""

import pytest

from costkeras._scikeras.distribution import check_distribution, distribution_scope
from tests._helpers import tensorflow_only


def test_a_distribution_the_backend_cannot_train_under_raises_before_training(abc_data, small):
    from sklearn.base import clone

    X, y = abc_data
    clf = small(distribution="mirrored")
    with pytest.raises(TypeError, match="distribution must be None or"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")  # nothing trained
    assert clone(clf).get_params()["distribution"] == "mirrored"


def test_check_distribution_names_what_this_backend_trains_under():
    check_distribution(None)  # no distribution: one device
    with pytest.raises(TypeError, match=r"distribution must be None or, on the \w+ backend, "):
        check_distribution("mirrored")


@tensorflow_only("tf.distribute strategies")
def test_the_scope_is_the_strategys_and_none_enters_none():
    import tensorflow as tf

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with distribution_scope(strategy):
        assert tf.distribute.get_strategy() is strategy
        variable = tf.Variable(1.0)  # made where the strategy places its variables
    assert variable.device.endswith("CPU:0")
    with distribution_scope(None):
        assert not tf.distribute.has_strategy()
