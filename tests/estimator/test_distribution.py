"""The distribution a fit trains under: checked before training, entered around it."""

import pytest


def test_a_distribution_the_backend_cannot_train_under_raises_before_training(abc_data, small):
    from sklearn.base import clone

    X, y = abc_data
    clf = small(distribution="mirrored")
    with pytest.raises(TypeError, match="distribution must be None or"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")  # nothing trained
    assert clone(clf).get_params()["distribution"] == "mirrored"
