"""What a fitted estimator shows: its score, per-output attributes and probabilities."""

import numpy as np
import pytest

from tests._helpers import ABC_COSTS


def test_score_is_accuracy(abc_data, small):
    X, y = abc_data
    clf = small(cost_matrix=ABC_COSTS).fit(X, y)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))
