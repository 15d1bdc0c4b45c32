"""Example-dependent costs: training, decisions, metrics and metadata routing."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
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


def test_per_example_bayes_decisions_hand_computed(small):
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
def test_mean_training_costs_become_cost_matrix(shape, small):
    X, y, costs = credit_data(n=200)
    given = costs if shape == "matrices" else costs[np.arange(len(y)), y]
    clf = small(epochs=1).fit(X, y, sample_cost=given)
    if shape == "matrices":
        np.testing.assert_allclose(clf.cost_matrix_, costs.mean(axis=0))
    else:
        for c in (0, 1):
            np.testing.assert_allclose(clf.cost_matrix_[c], given[y == c].mean(axis=0))
    assert clf.decision_ == "bayes"


@pytest.mark.backend
@pytest.mark.parametrize("cost_loss", ["argmax_weighted", "class_weighted", "expected_cost"])
def test_every_cost_loss_trains_with_per_example_costs(cost_loss, small):
    X, y, costs = credit_data(n=200)
    clf = small(epochs=2, cost_loss=cost_loss).fit(X, y, sample_cost=costs)
    assert np.isfinite(clf.history_["loss"]).all()
    assert clf.predict(X).shape == y.shape


@pytest.mark.backend
def test_per_example_costs_travel_with_targets_in_the_loss(small):
    """The loss the network minimises is the per-example one (checked on its value)."""
    X, y, costs = credit_data(n=64)
    clf = small(epochs=1, cost_loss="expected_cost", batch_size=64, shuffle=False)
    clf.fit(X, y, sample_cost=costs)
    proba = clf.predict_proba(X)
    rows = costs[np.arange(len(y)), y]
    rows = rows / np.abs(rows).max()
    expected = np.mean(-np.log(proba[np.arange(len(y)), y]) + np.sum(rows * proba, axis=1))
    one_hot = np.eye(2)[y]
    assert clf.model_.loss.costs_in_target  # the layout is said, not guessed from the width
    got = float(clf.model_.loss(np.hstack([one_hot, rows]), proba))
    assert got == pytest.approx(expected, rel=1e-4)


@pytest.mark.backend
@pytest.mark.parametrize("cost_loss", ["expected_cost", "argmax_weighted"])
def test_metrics_read_the_labels_of_targets_that_carry_cost_rows(cost_loss, small):
    """The user's metrics see the labels, not the cost rows packed after them."""
    from costkeras.keras import MeanCost

    X, y, costs = credit_data(n=64)
    C = [[0, 1], [5, 0]]
    clf = small(epochs=1, cost_loss=cost_loss, metrics=["accuracy", MeanCost(C, decision="argmax")])
    clf.fit(X, y, sample_cost=costs)
    proba = clf.predict_proba(X)
    features = clf.feature_encoder_.transform(X)
    np.testing.assert_allclose(clf.model_.predict(features, verbose=0), proba, rtol=1e-5)
    # the targets the estimator trains on: one-hot rows, then each example's cost row
    packed = np.hstack([np.eye(2)[y], 1.0 + costs[np.arange(len(y)), y]])
    logs = clf.model_.evaluate(features, packed, verbose=0, return_dict=True)
    decided = proba.argmax(axis=1)
    assert logs["accuracy"] == pytest.approx(np.mean(decided == y))
    assert logs["mean_cost"] == pytest.approx(np.mean(np.array(C)[y, decided]), rel=1e-5)


@pytest.mark.parametrize("cost_loss", ["expected_cost", "argmax_weighted"])
def test_sample_cost_cannot_join_training_that_began_without_it(cost_loss, small):
    X, y, costs = credit_data(n=64)
    clf = small(epochs=1, cost_loss=cost_loss, cost_matrix=[[0, 1], [5, 0]]).fit(X, y)
    with pytest.raises(ValueError, match=r"sample_cost cannot join training that began without"):
        clf.partial_fit(X, y, sample_cost=costs)
    clf.partial_fit(X, y)  # still trains as it began


@pytest.mark.backend
@pytest.mark.parametrize("cost_loss", ["expected_cost", "class_weighted"])
def test_zero_weights_drop_rows_with_their_costs(cost_loss, small):
    """Zero-weight rows leave with their cost rows: the fit equals one without those rows."""
    X, y, costs = credit_data(n=200)
    weights = np.ones(len(y))
    weights[::3] = 0
    keep = weights > 0
    params = {"epochs": 2, "cost_loss": cost_loss}
    with_zeros = small(**params).fit(X, y, sample_weight=weights, sample_cost=costs)
    without = small(**params).fit(
        X[keep], y[keep], sample_weight=weights[keep], sample_cost=costs[keep]
    )
    # class_weighted scales its example weights to mean 1 over the rows it is given, the
    # zero-weight ones included: the same training up to that constant, hence rtol
    np.testing.assert_allclose(with_zeros.predict_proba(X), without.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize("cost_loss", ["expected_cost", "class_weighted", "argmax_weighted"])
def test_sample_cost_combines_with_class_weight_and_sample_weight(cost_loss, small):
    """class_weight and sample_weight multiply into the per-example training, as documented."""
    X, y, costs = credit_data(n=200)
    sample_weight = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    class_weight = {0: 1.0, 1: 3.0}
    params = {"epochs": 2, "cost_loss": cost_loss}
    combined = small(class_weight=class_weight, **params).fit(
        X, y, sample_weight=sample_weight, sample_cost=costs
    )
    folded = small(**params).fit(
        X, y, sample_weight=sample_weight * np.array([1.0, 3.0])[y], sample_cost=costs
    )
    np.testing.assert_array_equal(combined.predict_proba(X), folded.predict_proba(X))
    costs_only = small(**params).fit(X, y, sample_cost=costs)
    assert not np.allclose(combined.predict_proba(X), costs_only.predict_proba(X))


@pytest.mark.slow
def test_per_example_costs_lower_test_cost_than_a_class_level_matrix(small):
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


@pytest.mark.backend
def test_three_classes_per_example(small):
    """k = 3: each row's own matrix trains the network and decides its prediction."""
    rng = np.random.default_rng(0)
    n = 240
    X = rng.normal(size=(n, 3))
    y = np.array(["low", "mid", "high"])[np.argmax(X, axis=1)]
    # every row has one expensive confusion of its own, chosen at random
    costs = np.ones((n, 3, 3)) - np.eye(3)
    true, predicted = rng.integers(0, 3, size=n), rng.integers(1, 3, size=n)
    costs[np.arange(n), true, (true + predicted) % 3] = 20.0
    clf = small(epochs=3, cost_loss="expected_cost").fit(X, y, sample_cost=costs)
    assert list(clf.classes_) == ["high", "low", "mid"]
    np.testing.assert_allclose(clf.cost_matrix_, costs.mean(axis=0))

    # training: the compiled loss is CE + sum_j p_j C_n[y_n, j] / max C, row by row
    proba = clf.predict_proba(X)
    positions = np.searchsorted(clf.classes_, y)
    rows = costs[np.arange(n), positions] / 20.0
    expected = np.mean(-np.log(proba[np.arange(n), positions]) + np.sum(rows * proba, axis=1))
    got = float(clf.model_.loss(np.hstack([np.eye(3)[positions], rows]), proba))
    assert got == pytest.approx(expected, rel=1e-4)

    # decisions: argmin_j sum_i p_i C_n[i, j], with each row's own matrix
    by_hand = clf.classes_[np.argmin(np.einsum("ni,nij->nj", proba, costs), axis=1)]
    per_row = clf.predict(X, sample_cost=costs)
    np.testing.assert_array_equal(per_row, by_hand)
    assert np.any(per_row != clf.predict(X)), "the rows' own costs changed no decision"
    np.testing.assert_allclose(
        clf.predict_expected_cost(X, sample_cost=costs),
        np.einsum("ni,nij->nj", proba, costs),
        rtol=1e-6,
    )


def test_routing_through_pipeline_grid_search_and_scorer(small):
    X, y, costs = credit_data(n=240)
    with config_context(enable_metadata_routing=True):
        clf = small(epochs=2).set_fit_request(sample_cost=True)
        scorer = make_cost_scorer().set_score_request(sample_cost=True)
        pipe = make_pipeline(StandardScaler(), clf)
        search = GridSearchCV(
            pipe,
            {"costsensitivekerasclassifier__hidden_layer_sizes": [(4,), (16,)]},
            scoring=scorer,
            cv=2,
        )
        search.fit(X, y, sample_cost=costs)
        # the refit on all rows got the costs
        np.testing.assert_allclose(search.best_estimator_[-1].cost_matrix_, costs.mean(axis=0))

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
        fold_scores = cross_val_score(
            pipe, X, y, scoring=scorer, cv=2, params={"sample_cost": costs}
        )
    # the search's candidate with the pipeline's own parameters was scored as checked below
    assert search.cv_results_["params"][1]["costsensitivekerasclassifier__hidden_layer_sizes"] == (
        16,
    )
    np.testing.assert_allclose(
        [search.cv_results_[f"split{fold}_test_score"][1] for fold in (0, 1)],
        result["test_score"],
    )
    np.testing.assert_allclose(fold_scores, result["test_score"])
    for fold, model in enumerate(result["estimator"]):
        test = result["indices"]["test"][fold]
        fitted = model[-1]
        train = result["indices"]["train"][fold]
        np.testing.assert_allclose(fitted.cost_matrix_, costs[train].mean(axis=0))
        # the scorer judged decisions made with each test row's own costs
        y_pred = model.predict(X[test], sample_cost=costs[test])
        expected = -mean_cost(y[test], y_pred, sample_cost=costs[test])
        assert result["test_score"][fold] == pytest.approx(expected)


def test_direct_calls_work_without_routing(small):
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
        (np.full((120, 2), np.inf), r"sample_cost must contain only finite"),
        (np.ones(120), r"sample_cost must have shape"),
    ],
)
def test_bad_sample_cost_at_fit(bad, match, small):
    X, y, _ = credit_data(n=120)
    clf = small()
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_cost=bad)
    assert not hasattr(clf, "model_")


def test_bad_sample_cost_at_predict(small):
    X, y, costs = credit_data(n=120)
    clf = small(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"must have shape \(n_samples, k, k\)"):
        clf.predict(X, sample_cost=costs[:, 0, :])
    with pytest.raises(ValueError, match=r"sample_cost must have shape \(10, 2, 2\)"):
        clf.predict(X[:10], sample_cost=costs)
