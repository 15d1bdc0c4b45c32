"""The cost scorer behind make_cost_scorer: a negated mean cost scikit-learn's searches take."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from costkeras.metrics import make_cost_scorer, mean_cost, total_cost
from tests._helpers import ABC_COSTS

C = np.array(ABC_COSTS, dtype=float)


def test_scorer_is_negated_mean_cost_and_works_in_cross_val_score():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    costs = [[0, 1], [10, 0]]
    model = LogisticRegression().fit(X, y)
    scorer = make_cost_scorer(costs)
    assert scorer(model, X, y) == pytest.approx(-mean_cost(y, model.predict(X), costs))
    assert make_cost_scorer(costs, kind="total")(model, X, y) == pytest.approx(
        -total_cost(y, model.predict(X), costs)
    )
    scores = cross_val_score(LogisticRegression(), X, y, scoring=scorer, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores <= 0)


def test_scorer_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        make_cost_scorer(C, kind="median")
