"""Multi-output y: per-output class weights and cost matrices (the forum's two-head model)."""

import pickle

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras._scikeras.cost_losses import training_setup
from costkeras.costs import OutputCosts
from costkeras.metrics import make_cost_scorer, mean_cost, savings_score, total_cost

FORUM_WEIGHTS = {"output1": {0: 1, 1: 10}, "output2": {0: 5, 1: 1, 2: 10}}
C2 = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]


@pytest.fixture(scope="module")
def forum_data():
    """The forum's scenario: 1,000 rows, 10 features, outputs of 2 and 3 classes."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 10))
    y1 = (X[:, 0] + 0.5 * rng.normal(size=1000) > 1.0).astype(int)
    y2 = np.digitize(X[:, 1] + 0.5 * rng.normal(size=1000), [-0.5, 1.2])
    return X, np.column_stack([y1, y2])


def build_two_head_model(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    return keras.Model(
        inputs,
        [
            keras.layers.Dense(2, activation="softmax", name="output1")(hidden),
            keras.layers.Dense(3, activation="softmax", name="output2")(hidden),
        ],
    )


def recalls(Y, P):
    return [
        {c: np.mean(P[Y[:, j] == c, j] == c) for c in np.unique(Y[:, j])} for j in range(Y.shape[1])
    ]


@pytest.mark.parametrize("model", [build_two_head_model, None])
def test_forum_scenario_weights_raise_recall_of_upweighted_classes(forum_data, model):
    X, Y = forum_data
    params = {"model": model, "epochs": 10, "random_state": 0}
    plain = CostSensitiveKerasClassifier(**params).fit(X, Y)
    weighted = CostSensitiveKerasClassifier(class_weight=FORUM_WEIGHTS, **params).fit(X, Y)
    P = weighted.predict(X)
    assert P.shape == (1000, 2)
    proba = weighted.predict_proba(X)
    assert [p.shape for p in proba] == [(1000, 2), (1000, 3)]
    np.testing.assert_array_equal(P[:, 0], np.argmax(proba[0], axis=1))
    before, after = recalls(Y, plain.predict(X)), recalls(Y, P)
    # up-weighted: class 1 of output1 (10 vs 1); classes 0 and 2 of output2 (5 and 10 vs 1)
    assert after[0][1] > before[0][1]
    assert after[1][0] > before[1][0]
    assert after[1][2] > before[1][2]
    assert weighted.output_names_ == ["output1", "output2"]


def test_forum_scenario_in_pipeline_and_cross_val_score(forum_data, small):
    X, Y = forum_data
    pipe = make_pipeline(StandardScaler(), small(class_weight=FORUM_WEIGHTS, epochs=3))
    pipe.fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
    scorer = make_cost_scorer({"output1": [[0, 10], [1, 0]], "output2": C2})
    scores = cross_val_score(pipe, X, Y, cv=3, scoring=scorer)
    assert scores.shape == (3,) and np.all(scores <= 0)
    assert np.all(np.isfinite(cross_val_score(pipe, X, Y, cv=3)))  # subset accuracy


def test_class_weight_forms_mean_the_same_weights(forum_data, small):
    """Every way of writing per-output weights trains the same network."""
    from sklearn.utils.class_weight import compute_class_weight

    X, Y = forum_data[0][:200], forum_data[1][:200]

    def proba(class_weight):
        return small(class_weight=class_weight, epochs=1).fit(X, Y).predict_proba(X)

    def assert_same(first, second):
        for a, b in zip(first, second, strict=True):
            np.testing.assert_array_equal(a, b)

    by_name = proba(FORUM_WEIGHTS)
    assert_same(proba([{0: 1, 1: 10}, {0: 5, 1: 1, 2: 10}]), by_name)
    assert_same(proba([[1, 10], np.array([5, 1, 10])]), by_name)
    unweighted = proba(None)
    assert not any(np.allclose(a, b) for a, b in zip(by_name, unweighted, strict=True))

    balanced = [
        dict(enumerate(compute_class_weight("balanced", classes=np.unique(c), y=c))) for c in Y.T
    ]
    assert_same(proba("balanced"), proba(balanced))
    assert_same(proba({"output1": "balanced"}), proba([balanced[0], None]))
    assert_same(proba([None, {2: 10}]), proba({"output2": {0: 1, 1: 1, 2: 10}}))


@pytest.mark.backend
def test_per_output_cost_matrices_and_decisions(forum_data, small):
    X, Y = forum_data
    harsh = [[0, 1, 1], [1, 0, 100], [1, 1, 0]]
    plain = small(epochs=5).fit(X, Y)
    costly = small(epochs=5, cost_matrix={"output2": harsh}).fit(X, Y)
    assert costly.decision_ == ["argmax", "bayes"]
    assert costly.cost_matrix_[0] is None
    np.testing.assert_array_equal(costly.cost_matrix_[1], harsh)
    # same network and seed: output1 decisions unchanged, output2 avoids the 1 -> 2 confusion
    np.testing.assert_array_equal(costly.predict(X)[:, 0], plain.predict(X)[:, 0])
    assert np.sum(costly.predict(X)[:, 1] == 2) < np.sum(plain.predict(X)[:, 1] == 2)
    risk = costly.predict_expected_cost(X[:4])
    np.testing.assert_allclose(risk[1], costly.predict_proba(X[:4])[1] @ np.array(harsh), rtol=1e-6)


@pytest.mark.backend
@pytest.mark.parametrize("cost_loss", ["argmax_weighted", "class_weighted", "expected_cost"])
def test_cost_losses_per_head(forum_data, cost_loss, small):
    X, Y = forum_data
    matrices = [[[0, 3], [1, 0]], C2]
    clf = small(epochs=1, cost_loss=cost_loss, cost_matrix=matrices).fit(X, Y)
    # each head's loss is the single-output loss of that head's own matrix
    for loss, matrix in zip(clf.loss_, matrices, strict=True):
        expected = training_setup(cost_loss, 1.0, np.asarray(matrix, dtype=float))
        assert type(loss) is type(expected)
        assert loss.get_config() == expected.get_config()
    assert np.isfinite(clf.history_["loss"]).all()


def test_dataframe_columns_name_outputs_and_keep_label_types(forum_data, small):
    X, Y = forum_data
    frame = pd.DataFrame({"default": Y[:, 0], "grade": np.array(["A", "B", "C"])[Y[:, 1]]})
    clf = small(epochs=2, class_weight={"grade": {"C": 5}}, cost_matrix={"grade": C2}).fit(X, frame)
    assert clf.output_names_ == ["default", "grade"]
    assert clf.model_.output_names == ["default", "grade"]
    pred = clf.predict(X[:10])
    assert pred.shape == (10, 2)
    assert set(pred[:, 1]) <= {"A", "B", "C"} and set(pred[:, 0]) <= {0, 1}
    scorer = make_cost_scorer({"grade": C2})
    assert scorer(clf, X, frame) == pytest.approx(
        -mean_cost(frame, clf.predict(X), {"grade": C2}, labels=clf.classes_)
    )


@pytest.mark.backend
def test_user_model_outputs_mapped_by_name(forum_data, small):
    X, Y = forum_data
    frame = pd.DataFrame({"second": Y[:, 1], "first": Y[:, 0]})  # 3-class column first

    def build(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(
            inputs,
            [
                keras.layers.Dense(2, activation="softmax", name="first")(inputs),
                keras.layers.Dense(3, activation="softmax", name="second")(inputs),
            ],
        )

    clf = small(model=build, epochs=1).fit(X, frame)
    assert [p.shape[1] for p in clf.predict_proba(X[:3])] == [3, 2]


def test_user_model_outputs_mapped_by_order_when_names_differ(forum_data, small):
    X, Y = forum_data
    frame = pd.DataFrame({"default": Y[:, 0], "grade": Y[:, 1]})
    clf = small(
        model=build_two_head_model, epochs=1, cost_loss="expected_cost", cost_matrix=[None, C2]
    ).fit(X, frame)
    assert clf.output_names_ == ["default", "grade"]
    assert clf.model_.output_names == ["output1", "output2"]
    assert [p.shape[1] for p in clf.predict_proba(X[:3])] == [2, 3]
    # column "grade", the second, went to the second head, "output2", with its matrix
    assert clf.decision_ == ["argmax", "bayes"]
    assert type(clf.loss_[0]) is keras.losses.CategoricalCrossentropy
    np.testing.assert_allclose(clf.loss_[1].cost_matrix, np.array(C2) / 5)


def test_clone_pickle_and_grid_search_over_per_output_dicts(forum_data, small):
    X, Y = forum_data
    X, Y = X[:300], Y[:300]
    clf = small(epochs=2, class_weight=FORUM_WEIGHTS, cost_matrix={"output2": C2}).fit(X, Y)
    restored = pickle.loads(pickle.dumps(clf))
    for a, b in zip(restored.predict_proba(X), clf.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    assert clone(clf).get_params()["class_weight"] == FORUM_WEIGHTS
    search = GridSearchCV(
        small(epochs=2),
        {"class_weight": [None, FORUM_WEIGHTS], "cost_matrix": [None, {"output2": C2}]},
        scoring=make_cost_scorer({"output2": C2}),
        cv=2,
    ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_metrics_sum_over_outputs():
    Y_true = np.array([[0, 1], [1, 2], [1, 0]])
    Y_pred = np.array([[1, 2], [1, 1], [0, 0]])
    C1 = [[0, 2], [7, 0]]
    # output1 errors: (0->1) 2 + (1->0) 7 = 9; output2 errors: (1->2) 5 + (2->1) 1 = 6
    assert total_cost(Y_true, Y_pred, [C1, C2]) == 15
    np.testing.assert_array_equal(
        total_cost(Y_true, Y_pred, [C1, C2], multioutput="raw_values"), [9, 6]
    )
    assert total_cost(Y_true, Y_pred, {"output2": C2}) == 6
    assert mean_cost(Y_true, Y_pred, [C1, C2]) == 5
    frame = pd.DataFrame(Y_true, columns=["a", "b"])
    assert total_cost(frame, Y_pred, {"a": C1}) == 9
    # best constants: output1 predicting 1 costs 2, output2 predicting 0/1/2 costs 2/2/6
    assert savings_score(Y_true, Y_pred, [C1, C2]) == pytest.approx(1 - 15 / 4)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"class_weight": {"output3": {0: 1}}},
            r"class_weight names outputs \['output3'\].*\['output1', 'output2'\]",
        ),
        ({"class_weight": [{0: 1}]}, r"class_weight has 1 entries but there are 2 outputs"),
        (
            {"class_weight": {"output2": {7: 1}}},
            r"class_weight\['output2'\] refers to labels \[7\]",
        ),
        (
            {"class_weight": {"output2": [1, 2]}},
            r"class_weight\['output2'\] has 2 weights but there are 3",
        ),
        (
            {"class_weight": {"output1": {0: -1}}},
            r"class_weight\['output1'\] values must be finite and non-negative",
        ),
        (
            {"class_weight": {"output1": {0: np.inf}}},
            r"class_weight\['output1'\] values must be finite",
        ),
        (
            {"cost_matrix": {"output2": [[0, 1], [1, 0]]}},
            r"cost_matrix\['output2'\] has shape \(2, 2\) but there are 3",
        ),
        ({"cost_matrix": [C2]}, r"cost_matrix has 1 entries but there are 2 outputs"),
    ],
)
def test_bad_per_output_parameters(forum_data, params, match, small):
    X, Y = forum_data
    clf = small(**params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X[:100], Y[:100])
    assert not hasattr(clf, "history_"), "training started before the check"


def test_model_outputs_must_match_y(forum_data, small):
    X, Y = forum_data

    def one_head(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))

    def wrong_units(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(
            inputs,
            [
                keras.layers.Dense(2, activation="softmax")(inputs),
                keras.layers.Dense(4, activation="softmax")(inputs),
            ],
        )

    with pytest.raises(ValueError, match=r"one output per column of y \(2\)"):
        small(model=one_head).fit(X[:50], Y[:50])
    with pytest.raises(ValueError, match=r"has 4 units but that column has 3 classes"):
        small(model=wrong_units).fit(X[:50], Y[:50])


def test_sample_cost_for_several_outputs_is_given_per_output(forum_data, small):
    X, Y = forum_data
    with pytest.raises(TypeError, match=r"2 outputs \['output1', 'output2'\] must be a dict"):
        small().fit(X[:50], Y[:50], sample_cost=np.ones((50, 2)))
    with pytest.raises(ValueError, match="sample_cost has 3 entries but there are 2 outputs"):
        small().fit(X[:50], Y[:50], sample_cost=[None, None, np.ones((50, 3))])


@pytest.mark.backend
def test_per_example_costs_per_output(forum_data, small):
    X, Y = forum_data
    X, Y = X[:200], Y[:200]
    rng = np.random.default_rng(3)
    costs2 = rng.uniform(0, 5, size=(200, 3, 3)) * (1 - np.eye(3))
    costs1 = np.zeros((200, 2, 2))
    costs1[:, 0, 1], costs1[:, 1, 0] = 1.0, rng.uniform(1, 30, size=200)
    clf = small(cost_loss="expected_cost").fit(
        X, Y, sample_cost={"output1": costs1, "output2": costs2}
    )
    # without a cost_matrix, each output's mean training costs decide by default
    np.testing.assert_allclose(clf.cost_matrix_[1], costs2.mean(axis=0))
    proba = clf.predict_proba(X)
    decided = clf.predict(X, sample_cost=[costs1, costs2])
    for column, (p, costs) in enumerate(zip(proba, [costs1, costs2], strict=True)):
        expected = np.argmin(np.einsum("ni,nij->nj", p, costs), axis=1)
        np.testing.assert_array_equal(decided[:, column], expected)
    risks = clf.predict_expected_cost(X, sample_cost={"output2": costs2})
    np.testing.assert_allclose(risks[1], np.einsum("ni,nij->nj", proba[1], costs2), rtol=1e-6)
    np.testing.assert_allclose(risks[0], proba[0] @ clf.cost_matrix_[0], rtol=1e-6)
    with pytest.raises(
        ValueError, match=r"sample_cost\['output2'\] at predict time must have shape"
    ):
        clf.predict(X, sample_cost={"output2": costs2[:, 0]})


def row_costs_by_hand(y_true, y_pred, costs, labels):
    """sum_n C_n[true_n, pred_n], with explicit loops."""
    where = {label: i for i, label in enumerate(labels)}
    pairs = enumerate(zip(y_true, y_pred, strict=True))
    return sum(costs[n][where[t], where[p]] for n, (t, p) in pairs)


def test_metrics_take_per_example_costs_per_output():
    rng = np.random.default_rng(5)
    Y = np.column_stack([rng.integers(0, 2, 50), rng.integers(0, 3, 50)])
    P = np.column_stack([rng.integers(0, 2, 50), rng.integers(0, 3, 50)])
    S2 = rng.uniform(0, 5, size=(50, 3, 3)) * (1 - np.eye(3))
    C1 = [[0, 1], [4, 0]]
    by_hand = [
        row_costs_by_hand(Y[:, 0], P[:, 0], [np.asarray(C1)] * 50, [0, 1]),
        row_costs_by_hand(Y[:, 1], P[:, 1], S2, [0, 1, 2]),
    ]
    for costs in ({"output2": S2}, [None, S2], OutputCosts({"output2": S2})):
        assert total_cost(Y, P, {"output1": C1}, sample_cost=costs) == pytest.approx(sum(by_hand))
        np.testing.assert_allclose(
            total_cost(Y, P, [C1, None], sample_cost=costs, multioutput="raw_values"), by_hand
        )
        # the per-example costs alone: output1 costs nothing
        assert total_cost(Y, P, sample_cost=costs) == pytest.approx(by_hand[1])
    # (n, k) rows: the cost of predicting each class, truth known
    rows = S2[np.arange(50), Y[:, 1]]
    assert mean_cost(Y, P, sample_cost={"output2": rows}) == pytest.approx(by_hand[1] / 50)
    with pytest.raises(TypeError, match="dict keyed by output name"):
        total_cost(Y, P, sample_cost=S2)
    with pytest.raises(ValueError, match="neither cost_matrix nor sample_cost"):
        total_cost(Y, P, sample_cost=[None, None])
    with pytest.raises(ValueError, match=r"names outputs \['out2'\]"):
        total_cost(Y, P, sample_cost={"out2": S2})


def test_output_costs_are_split_by_rows_and_never_modified():
    S = np.arange(6 * 9, dtype=float).reshape(6, 3, 3)
    before = S.copy()
    costs = OutputCosts({"output1": None, "output2": S})
    part = costs[np.array([4, 1])]
    np.testing.assert_array_equal(part.costs["output2"], S[[4, 1]])
    assert part.costs["output1"] is None and len(part) == 2 and len(costs) == 6
    np.testing.assert_array_equal(costs[np.array([0, 2]), ...].costs["output2"], S[[0, 2]])
    np.testing.assert_array_equal(S, before)
    with pytest.raises(ValueError, match="same n_samples"):
        OutputCosts([S, S[:3]])
    with pytest.raises(ValueError, match="at least one output"):
        OutputCosts({"output1": None})
    with pytest.raises(TypeError, match="dict of per-example costs"):
        OutputCosts(S)


def test_routed_per_output_costs_reach_fit_predict_and_scorer_fold_by_fold(forum_data, small):
    from sklearn import config_context
    from sklearn.model_selection import KFold, cross_validate

    X, Y = forum_data
    X, Y = X[:240], Y[:240]
    rng = np.random.default_rng(4)
    S2 = rng.uniform(0, 5, size=(240, 3, 3)) * (1 - np.eye(3))
    cv = KFold(3)
    with config_context(enable_metadata_routing=True):
        clf = small(cost_matrix={"output1": [[0, 1], [4, 0]]}).set_fit_request(sample_cost=True)
        scorer = make_cost_scorer({"output1": [[0, 1], [4, 0]]}).set_score_request(sample_cost=True)
        result = cross_validate(
            clf,
            X,
            Y,
            cv=cv,
            scoring=scorer,
            params={"sample_cost": OutputCosts({"output2": S2})},
            return_estimator=True,
        )
        # a bare dict reaches every fold whole: refused, pointing at OutputCosts
        with pytest.raises(ValueError, match="OutputCosts"):
            cross_validate(
                clf, X, Y, cv=cv, scoring=scorer, params={"sample_cost": {"output2": S2}}
            )
    for fitted, (train, test), score in zip(
        result["estimator"], cv.split(X), result["test_score"], strict=True
    ):
        # fit saw its fold's rows: the mean of those rows' costs decides output2
        np.testing.assert_allclose(fitted.cost_matrix_[1], S2[train].mean(axis=0))
        # predict decided each test row with its own matrix, and the scorer judged with them
        decided = fitted.predict(X[test], sample_cost={"output2": S2[test]})
        expected = row_costs_by_hand(Y[test, 1], decided[:, 1], S2[test], [0, 1, 2])
        expected += total_cost(Y[test, 0], decided[:, 0], [[0, 1], [4, 0]])
        assert score == pytest.approx(-expected / len(test))


def test_cost_matrix_by_model_output_name_beside_per_example_costs(forum_data, small):
    # a cost_matrix dict may name the model's outputs (build_heads maps them to y's columns);
    # per-example costs for the other output must not re-read it by y's names
    X, Y = forum_data
    X, Y = X[:200], pd.DataFrame(Y[:200], columns=["a", "b"])
    costs = np.random.default_rng(0).uniform(1, 5, size=(200, 3, 3)) * (1 - np.eye(3))
    clf = small(model=build_two_head_model, cost_matrix={"output1": [[0, 1], [4, 0]]})
    clf.fit(X, Y, sample_cost={"b": costs})
    assert clf.output_names_ == ["a", "b"]
    np.testing.assert_allclose(clf.cost_matrix_[0], [[0, 1], [4, 0]])
    np.testing.assert_allclose(clf.cost_matrix_[1], costs.mean(axis=0))


def test_a_one_hot_y_is_scored_as_the_one_output_it_was_fitted_as(small):
    """The estimator reads one-hot y as one output and predicts one-hot rows; the scorer judges
    them as that output's labels, in cross-validation, in a Pipeline, with actions too."""
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 4)).astype("float32")
    y = np.digitize(X[:, 0], [-0.4, 0.4])
    Y = np.eye(3)[y]
    scorer = make_cost_scorer(C2)

    def net(costs=C2):
        return small(cost_matrix=costs, hidden_layer_sizes=(8,), epochs=2, batch_size=32)

    on_one_hot = cross_val_score(net(), X, Y, cv=KFold(3), scoring=scorer, error_score="raise")
    on_labels = cross_val_score(net(), X, y, cv=KFold(3), scoring=scorer, error_score="raise")
    np.testing.assert_array_equal(on_one_hot, on_labels)
    assert np.all(on_one_hot < 0)

    pipe = make_pipeline(StandardScaler(), net()).fit(X, Y)
    predicted = pipe.predict(X)
    assert predicted.shape == (90, 3)
    expected = -mean_cost(y, predicted.argmax(axis=1), C2)
    assert scorer(pipe, X, Y) == pytest.approx(expected)
    assert scorer(pipe, X, y) == pytest.approx(expected)

    actions = pd.DataFrame(
        [[0, 1, 5], [10, 2, 0], [3, 3, 0]], index=[0, 1, 2], columns=["ok", "check", "stop"]
    )
    decided = net(actions).fit(X, Y)
    assert make_cost_scorer(actions)(decided, X, Y) == pytest.approx(
        -mean_cost(y, decided.predict(X), actions)
    )
