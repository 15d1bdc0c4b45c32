"""Example-dependent costs: training, decisions, metrics and metadata routing."""

import numpy as np
import pytest
from conftest import small
from sklearn import config_context
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras.costs import binary_sample_cost
from costkeras.decisions import bayes_decision
from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost


def credit_data(n=400, seed=0):
    """Loans: refusing a payer (class 0) loses 20% of the amount in interest; a missed
    default (class 1) loses the whole amount, or 10% of it when the loan is secured.

    Secured and unsecured loans have very different Bayes thresholds (0.67 and 0.17),
    which no single class-level matrix can serve.
    """
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(mean=3, sigma=0.5, size=n)
    secured = rng.random(n) < 0.5
    X = rng.normal(size=(n, 4))
    logit = 1.5 * X[:, 0] - X[:, 1] - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = np.column_stack([X, np.log(amount), secured])
    costs = binary_sample_cost(fp_cost=0.2 * amount, fn_cost=np.where(secured, 0.1, 1.0) * amount)
    return X, y, costs


def test_binary_sample_cost_layout():
    costs = binary_sample_cost(fp_cost=[1.0, 2.0], fn_cost=[10.0, 20.0], tp_cost=0.5, tn_cost=0.0)
    np.testing.assert_array_equal(costs[1], [[0.0, 2.0], [20.0, 0.5]])
    assert binary_sample_cost(1.0, 5.0, n_samples=3).shape == (3, 2, 2)
    with pytest.raises(ValueError, match="n_samples"):
        binary_sample_cost(1.0, 5.0)
    with pytest.raises(ValueError, match="same length"):
        binary_sample_cost([1.0, 2.0], [1.0, 2.0, 3.0])


def test_metrics_with_per_example_costs():
    y_true = np.array([0, 1, 1])
    y_pred = np.array([1, 1, 0])
    matrices = np.array([[[0, 2], [9, 0]], [[0, 1], [5, 0]], [[0, 3], [7, 0]]], dtype=float)
    assert total_cost(y_true, y_pred, sample_cost=matrices) == 2 + 0 + 7
    rows = matrices[np.arange(3), y_true]  # (n, k): the true class's row
    assert total_cost(y_true, y_pred, sample_cost=rows) == 9
    assert mean_cost(y_true, y_pred, sample_cost=matrices, sample_weight=[1, 1, 2]) == (2 + 14) / 4
    # constant 0 costs 0 + 5 + 7 = 12, constant 1 costs 2: savings = 1 - 9 / 2
    assert savings_score(y_true, y_pred, sample_cost=matrices) == pytest.approx(1 - 9 / 2)


def test_per_example_bayes_decisions_hand_computed():
    X, y, costs = credit_data(n=200)
    clf = small(epochs=3).fit(X, y, sample_cost=costs)
    proba = clf.predict_proba(X[:2])
    # The same two rows decided with their own costs and with reversed stakes.
    cheap, dear = [[0, 1], [1, 0]], [[0, 1], [1000, 0]]
    for matrices in ([cheap, dear], [dear, cheap]):
        expected = clf.classes_[bayes_decision(proba, np.array(matrices, dtype=float))]
        np.testing.assert_array_equal(clf.predict(X[:2], sample_cost=matrices), expected)
    np.testing.assert_array_equal(clf.predict(X[:2], sample_cost=[dear, dear]), [1, 1])
    risk = clf.predict_expected_cost(X[:2], sample_cost=[cheap, dear])
    np.testing.assert_allclose(risk[1], proba[1] @ np.array(dear), rtol=1e-6)


@pytest.mark.parametrize("shape", ["matrices", "rows"])
def test_mean_training_costs_become_cost_matrix(shape):
    X, y, costs = credit_data(n=200)
    given = costs if shape == "matrices" else costs[np.arange(len(y)), y]
    clf = small(epochs=1).fit(X, y, sample_cost=given)
    if shape == "matrices":
        np.testing.assert_allclose(clf.cost_matrix_, costs.mean(axis=0))
    else:
        for c in (0, 1):
            np.testing.assert_allclose(clf.cost_matrix_[c], given[y == c].mean(axis=0))
    assert clf.decision_ == "bayes"


@pytest.mark.parametrize("cost_loss", ["argmax_weighted", "class_weighted", "expected_cost"])
def test_every_cost_loss_trains_with_per_example_costs(cost_loss):
    X, y, costs = credit_data(n=200)
    clf = small(epochs=2, cost_loss=cost_loss).fit(X, y, sample_cost=costs)
    assert np.isfinite(clf.history_["loss"]).all()
    assert clf.predict(X).shape == y.shape


def test_per_example_costs_travel_with_targets_in_the_loss():
    """The loss the network minimises is the per-example one (checked on its value)."""
    X, y, costs = credit_data(n=64)
    clf = small(epochs=1, cost_loss="expected_cost", batch_size=64, shuffle=False)
    clf.fit(X, y, sample_cost=costs)
    proba = clf.predict_proba(X)
    rows = costs[np.arange(len(y)), y]
    rows = rows / np.abs(rows).max()
    expected = np.mean(-np.log(proba[np.arange(len(y)), y]) + np.sum(rows * proba, axis=1))
    one_hot = np.eye(2)[y]
    got = float(clf.model_.loss(np.hstack([one_hot, rows]), proba))
    assert got == pytest.approx(expected, rel=1e-4)


def test_zero_weights_keep_rows_aligned():
    X, y, costs = credit_data(n=200)
    weights = np.ones(len(y))
    weights[::3] = 0
    clf = small(epochs=1, cost_loss="expected_cost").fit(
        X, y, sample_weight=weights, sample_cost=costs
    )
    assert np.isfinite(clf.history_["loss"]).all()


@pytest.mark.slow
def test_per_example_costs_lower_test_cost_than_a_class_level_matrix():
    X, y, costs = credit_data(n=1200, seed=3)
    train, test = np.arange(600), np.arange(600, 1200)
    mean_matrix = costs[train].mean(axis=0)
    pipe = lambda **p: make_pipeline(StandardScaler(), small(epochs=10, **p))  # noqa: E731
    class_level = pipe(cost_matrix=mean_matrix).fit(X[train], y[train])
    per_example = pipe().fit(
        X[train], y[train], costsensitivekerasclassifier__sample_cost=costs[train]
    )
    cost_class = total_cost(y[test], class_level.predict(X[test]), sample_cost=costs[test])
    cost_example = total_cost(
        y[test], per_example.predict(X[test], sample_cost=costs[test]), sample_cost=costs[test]
    )
    assert cost_example < cost_class


def test_three_classes_per_example():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    y = np.array(["low", "mid", "high"])[np.argmax(X, axis=1)]
    base = np.ones((3, 3)) - np.eye(3)
    scale = rng.uniform(0.5, 5, size=240)
    costs = base[None] * scale[:, None, None]
    clf = small(epochs=3, cost_loss="expected_cost").fit(X, y, sample_cost=costs)
    assert list(clf.classes_) == ["high", "low", "mid"]
    np.testing.assert_allclose(clf.cost_matrix_, base * scale.mean())
    assert set(clf.predict(X, sample_cost=costs)) <= set(clf.classes_)


def test_routing_through_pipeline_grid_search_and_scorer():
    X, y, costs = credit_data(n=240)
    with config_context(enable_metadata_routing=True):
        clf = small(epochs=2).set_fit_request(sample_cost=True)
        scorer = make_cost_scorer().set_score_request(sample_cost=True)
        pipe = make_pipeline(StandardScaler(), clf)
        search = GridSearchCV(
            pipe,
            {"costsensitivekerasclassifier__hidden_layer_sizes": [(4,), (8,)]},
            scoring=scorer,
            cv=2,
        )
        search.fit(X, y, sample_cost=costs)
        assert np.isfinite(search.cv_results_["mean_test_score"]).all()

        result = cross_validate(
            pipe,
            X,
            y,
            scoring=scorer,
            cv=2,
            params={"sample_cost": costs},
            return_estimator=True,
            return_indices=True,
        )
    for fold, model in enumerate(result["estimator"]):
        test = result["indices"]["test"][fold]
        fitted = model[-1]
        train = result["indices"]["train"][fold]
        np.testing.assert_allclose(fitted.cost_matrix_, costs[train].mean(axis=0))
        # the scorer judged decisions made with each test row's own costs
        y_pred = model.predict(X[test], sample_cost=costs[test])
        expected = -mean_cost(y[test], y_pred, sample_cost=costs[test])
        assert result["test_score"][fold] == pytest.approx(expected)


def test_direct_calls_work_without_routing():
    X, y, costs = credit_data(n=120)
    clf = small(epochs=1).fit(X, y, sample_cost=costs)
    scorer = make_cost_scorer()
    assert scorer(clf, X, y, sample_cost=costs) == pytest.approx(
        -mean_cost(y, clf.predict(X, sample_cost=costs), sample_cost=costs)
    )
    with pytest.raises(ValueError, match="no cost_matrix"):
        scorer(clf, X, y)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.ones((10, 2, 2)), r"sample_cost must have shape \(120, 2\) or \(120, 2, 2\)"),
        (np.ones((120, 3, 3)), r"sample_cost has shape \(120, 3, 3\) but there are 2 classes"),
        (np.ones((120, 3)), r"sample_cost has shape \(120, 3\) but there are 2 classes"),
        (np.full((120, 2, 2), np.nan), r"sample_cost must contain only finite"),
        (np.ones(120), r"sample_cost must have shape"),
    ],
)
def test_bad_sample_cost_at_fit(bad, match):
    X, y, _ = credit_data(n=120)
    clf = small()
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_cost=bad)
    assert not hasattr(clf, "model_")


def test_bad_sample_cost_at_predict():
    X, y, costs = credit_data(n=120)
    clf = small(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"must have shape \(n_samples, k, k\)"):
        clf.predict(X, sample_cost=costs[:, 0, :])
    with pytest.raises(ValueError, match=r"sample_cost must have shape \(10, 2\)"):
        clf.predict(X[:10], sample_cost=costs)
