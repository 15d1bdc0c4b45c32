import numpy as np
import pandas as pd
import pytest

from costkeras.decisions import bayes_decision
from tests._helpers import ABC_COSTS


def test_string_labels_sorted_classes_and_bayes_predictions(abc_data, small):
    X, y = abc_data
    clf = small(cost_matrix=ABC_COSTS).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[bayes_decision(proba, ABC_COSTS)])
    np.testing.assert_allclose(clf.predict_expected_cost(X), proba @ np.array(ABC_COSTS), rtol=1e-5)
    assert clf.decision_ == "bayes"


@pytest.mark.backend
def test_costs_change_decisions_towards_cheap_errors(abc_data, small):
    X, y = abc_data
    plain = small().fit(X, y)
    # Calling a true "B" a "C" is now ruinous: the model should almost never predict "C".
    harsh = [[0, 1, 1], [1, 0, 100], [1, 1, 0]]
    costly = small(cost_matrix=harsh).fit(X, y)
    np.testing.assert_allclose(costly.predict_proba(X), plain.predict_proba(X), rtol=1e-5)
    b_as_c = lambda model: np.sum((y == "B") & (model.predict(X) == "C"))  # noqa: E731
    assert b_as_c(costly) < b_as_c(plain)
    assert np.sum(costly.predict(X) == "C") < np.sum(plain.predict(X) == "C")


def test_decision_resolution(small):
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.arange(60) % 2
    costs = [[0, 1], [5, 0]]
    assert small(epochs=1).fit(X, y).decision_ == "argmax"  # no costs
    assert small(epochs=1, cost_matrix=costs).fit(X, y).decision_ == "bayes"
    for cost_loss, decision in [
        ("expected_cost", "bayes"),
        ("class_weighted", "argmax"),
        ("argmax_weighted", "argmax"),
    ]:
        fitted = small(epochs=1, cost_matrix=costs, cost_loss=cost_loss).fit(X, y)
        assert fitted.decision_ == decision, cost_loss
    explicit = small(epochs=1, cost_matrix=costs, cost_loss="class_weighted", decision="bayes")
    assert explicit.fit(X, y).decision_ == "bayes"
    assert small(epochs=1, cost_matrix=costs, decision="argmax").fit(X, y).decision_ == "argmax"


def test_loss_parameters_derived_from_the_cost_matrix(abc_data, small):
    X, y = abc_data
    C = np.array(ABC_COSTS, dtype=float)
    forum = small(epochs=1, cost_matrix=C, cost_loss="argmax_weighted").fit(X, y)
    np.testing.assert_array_equal(forum.loss_.weights, 1 + C)
    rows = small(epochs=1, cost_matrix=C, cost_loss="class_weighted").fit(X, y)
    np.testing.assert_allclose(rows.loss_.class_weights, C.sum(1) / C.sum(1).mean())
    ec = small(epochs=1, cost_matrix=C * 100, cost_loss="expected_cost", cost_loss_weight=0.3).fit(
        X, y
    )
    np.testing.assert_allclose(ec.loss_.cost_matrix, C / 5)
    assert ec.loss_.cost_weight == 0.3


def test_cost_matrix_as_dataframe_and_dict(abc_data, small):
    X, y = abc_data
    frame = pd.DataFrame(ABC_COSTS, index=list("ABC"), columns=list("ABC")).loc[
        list("CAB"), list("BCA")
    ]
    as_dict = {"A": {"B": 1, "C": 1}, "B": {"A": 1, "C": 5}, "C": {"A": 1, "B": 1}}
    for costs in (frame, as_dict):
        clf = small(epochs=1, cost_matrix=costs).fit(X, y)
        np.testing.assert_array_equal(clf.cost_matrix_, ABC_COSTS)


def test_class_weight_and_sample_weight_are_not_modified_and_take_effect(abc_data, small):
    X, y = abc_data
    weights = np.ones(len(y), dtype=int)
    copy = weights.copy()
    heavy_b = small(class_weight={"B": 20.0}).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(weights, copy)
    assert weights.dtype == int
    plain = small().fit(X, y)
    assert np.sum(heavy_b.predict(X) == "B") > np.sum(plain.predict(X) == "B")


@pytest.mark.parametrize("cost_loss", ["cross_entropy", "class_weighted", "expected_cost"])
def test_class_weight_cost_matrix_and_sample_weight_combine(abc_data, cost_loss, small):
    """class_weight multiplies sample_weight; "balanced" is scikit-learn's definition."""
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = abc_data
    sample_weight = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    params = {"cost_matrix": ABC_COSTS, "cost_loss": cost_loss, "epochs": 2}

    def proba(class_weight, weights):
        return small(class_weight=class_weight, **params).fit(X, y, weights).predict_proba(X)

    np.testing.assert_array_equal(
        proba({"B": 4.0}, sample_weight),
        proba(None, sample_weight * np.where(y == "B", 4.0, 1.0)),
    )
    np.testing.assert_array_equal(
        proba("balanced", None), proba(None, compute_sample_weight("balanced", y))
    )
    assert not np.allclose(proba({"B": 4.0}, sample_weight), proba(None, sample_weight))


@pytest.mark.slow
def test_costs_cut_expensive_confusions_on_digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from costkeras import CostSensitiveKerasClassifier
    from costkeras.metrics import total_cost

    X, y = load_digits(return_X_y=True)
    C = np.ones((10, 10)) - np.eye(10)
    for a, b in [(4, 9), (3, 8), (1, 7)]:
        C[a, b] = C[b, a] = 20
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    results = {}
    for name, costs in [("plain", None), ("costly", C)]:
        model = make_pipeline(
            StandardScaler(),
            CostSensitiveKerasClassifier(cost_matrix=costs, epochs=30, random_state=0),
        ).fit(X_train, y_train)
        y_pred = model.predict(X_test)
        results[name] = (total_cost(y_test, y_pred, C), int((C[y_test, y_pred] == 20).sum()))
    assert results["costly"][0] < results["plain"][0]
    assert results["costly"][1] <= results["plain"][1]


def test_verbose_shows_keras_progress_and_zero_keeps_quiet(abc_data, capsys, small):
    X, y = abc_data
    small(epochs=2).fit(X, y)
    assert "Epoch" not in capsys.readouterr().out
    small(epochs=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss" in out


def money_data(n=600, seed=0):
    """A loan amount in currency units (x 1e6), a heavy-tailed income, a noise column."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3))
    income = np.exp(10 + z[:, 1])  # log-normal: a long right tail
    X = np.column_stack([1e6 * z[:, 0], income, z[:, 2]])
    y = (z[:, 0] + 0.5 * z[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_raw_money_columns_decide_as_a_standard_scaler_pipeline(small):
    """The default network scales its inputs itself: no scaler needed for raw money."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = money_data()
    costs = [[0, 1], [3, 0]]
    raw = small(cost_matrix=costs, epochs=20).fit(X, y)
    scaled = make_pipeline(StandardScaler(), small(cost_matrix=costs, epochs=20)).fit(X, y)
    assert raw.score(X, y) > 0.8
    assert np.mean(raw.predict(X) == scaled.predict(X)) > 0.9
    unscaled = small(cost_matrix=costs, epochs=20, input_scaling=None).fit(X, y)
    assert np.mean(unscaled.predict(X) == scaled.predict(X)) < 0.85  # what the layer fixes


@pytest.mark.backend
@pytest.mark.parametrize("input_scaling", ["embedding", "robust", "quantile"])
def test_pickle_and_clone_keep_the_learnt_input_layer(input_scaling, small):
    import pickle

    from sklearn.base import clone

    X, y = money_data(200)
    clf = small(epochs=2, input_scaling=input_scaling).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    copy = clone(clf)
    assert copy.get_params()["input_scaling"] == input_scaling
    assert copy.get_params()["dropout"] == 0.2 and copy.get_params()["epochs"] == 2
    assert copy.fit(X, y).predict(X).shape == y.shape


def test_training_defaults():
    from costkeras import CostSensitiveKerasClassifier

    params = CostSensitiveKerasClassifier().get_params()
    expected = {
        "epochs": "auto",
        "batch_size": "auto",
        "early_stopping": "auto",
        "validation_fraction": "auto",
        "n_iter_no_change": 10,
        "tol": 1e-4,
        "dropout": 0.2,
        "input_scaling": "embedding",
        "hidden_layer_sizes": (100,),
        "cost_loss": "cross_entropy",
    }
    assert {key: params[key] for key in expected} == expected
