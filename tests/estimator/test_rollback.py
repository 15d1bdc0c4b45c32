"""A failed fit leaves the estimator as it was, the model's weights included."""

import keras
import numpy as np
import pytest

from tests._helpers import ABC_COSTS


def test_failed_fit_leaves_a_fitted_estimator_usable(abc_data, small):
    X, y = abc_data
    clf = small(cost_matrix=ABC_COSTS).fit(X, y)
    before = clf.predict_proba(X)
    model = clf.model_

    clf.set_params(cost_matrix=[[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="cost_matrix"):
        clf.fit(X, y)

    class Boom(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("interrupted")

    clf.set_params(cost_matrix=ABC_COSTS, callbacks=[Boom()])
    with pytest.raises(RuntimeError, match="interrupted"):
        clf.fit(X, y)
    assert clf.model_ is model
    np.testing.assert_array_equal(clf.predict_proba(X), before)
