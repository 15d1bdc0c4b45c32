"""Legal edge inputs to the estimator (issue #11): each is honoured, as its check asserts.

``LEGAL_CASES`` registers each check with ``@legal``; ``tests/_adversarial.py`` holds the
data and the shared fitted estimators (the ``tiny_fitted`` fixture).
"""

from __future__ import annotations

import contextlib
import copy
import io

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning

from costkeras.decisions import bayes_decision, predict_min_cost
from costkeras.metrics import make_cost_scorer, mean_cost
from tests._adversarial import AB, ALWAYS_B, C3, S3, X0, Y0, Y_INT, Legal, N, _params, est


class Counter(keras.callbacks.Callback):
    """Counts training batches, validation batches and epochs."""

    def __init__(self):
        super().__init__()
        self.batches = self.test_batches = self.epochs = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_test_batch_end(self, batch, logs=None):
        self.test_batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


class ClassCounter(keras.callbacks.Callback):
    """A callback class (not an instance): scikeras instantiates it."""

    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        type(self).epochs += 1


class FailAtSecondBatch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            raise RuntimeError("failed in the middle of training")


# ------------------------------------------------------------- legal edge inputs
LEGAL_CASES: list[Legal] = []


def legal(case_id: str, bug: str | None = None):
    def register(check):
        LEGAL_CASES.append(Legal(case_id, check, bug))
        return check

    return register


@legal("predict_costs_after_fit_without_costs_decide_by_bayes")
def _(fitted):
    clf = fitted["plain"]
    costs = ALWAYS_B.copy()
    labels = clf.predict(X0, sample_cost=costs)
    risk = clf.predict_expected_cost(X0, sample_cost=costs)
    np.testing.assert_array_equal(labels, clf.classes_[np.argmin(risk, axis=1)])
    np.testing.assert_allclose(risk, np.einsum("ni,nij->nj", clf.predict_proba(X0), costs))
    assert set(labels) == {"B"} and set(clf.predict(X0)) != {"B"}  # the costs decided
    np.testing.assert_array_equal(costs, ALWAYS_B)


@legal("decision_bayes_without_cost_matrix_uses_predict_costs")
def _(fitted):
    clf = est(decision="bayes").fit(X0, Y0)
    assert clf.decision_ == "bayes" and clf.cost_matrix_ is None
    assert set(clf.predict(X0, sample_cost=ALWAYS_B)) == {"B"}
    np.testing.assert_array_equal(
        clf.predict(X0), clf.classes_[np.argmax(clf.predict_proba(X0), axis=1)]
    )


@legal("reweighting_loss_still_decides_by_predict_costs")
def _(fitted):
    clf = est(cost_loss="class_weighted", cost_matrix=C3).fit(X0, Y0)
    assert clf.decision_ == "argmax"
    assert set(clf.predict(X0, sample_cost=ALWAYS_B)) == {"B"}


@legal("sample_cost_matrices_at_fit_become_cost_matrix")
def _(fitted):
    clf = est(run_eagerly=False).fit(X0, Y0, sample_cost=ALWAYS_B)
    np.testing.assert_allclose(clf.cost_matrix_, ALWAYS_B.mean(axis=0))
    assert clf.decision_ == "bayes" and set(clf.predict(X0)) == {"B"}


@legal("argmax_decision_still_trains_with_fit_costs")
def _(fitted):
    clf = est(decision="argmax", cost_loss="expected_cost").fit(X0, Y0, sample_cost=ALWAYS_B)
    proba = clf.predict_proba(X0)
    assert clf.decision_ == "argmax"
    assert not np.array_equal(proba, fitted["plain"].predict_proba(X0))  # the costs trained
    np.testing.assert_array_equal(clf.predict(X0), clf.classes_[np.argmax(proba, axis=1)])


@legal("sample_cost_rows_at_fit_become_class_mean_rows")
def _(fitted):
    rows = np.random.default_rng(0).uniform(0, 5, size=(N, 3))
    clf = est().fit(X0, Y0, sample_cost=rows)
    for i, label in enumerate("ABC"):
        np.testing.assert_allclose(clf.cost_matrix_[i], rows[Y0 == label].mean(axis=0))


@legal("negative_sample_cost_is_a_benefit_with_expected_cost_loss")
def _(fitted):
    benefit = S3 - 2 * np.eye(3)  # a correct decision earns 2
    clf = est(cost_loss="expected_cost", run_eagerly=False).fit(X0, Y0, sample_cost=benefit)
    assert np.isfinite(clf.predict_proba(X0)).all()
    np.testing.assert_allclose(clf.cost_matrix_, np.array(C3) - 2 * np.eye(3))


@legal("negative_cost_matrix_is_a_benefit_with_cross_entropy")
def _(fitted):
    benefit = [[-1, 1, 1], [1, 0, 5], [1, 1, 0]]
    clf = est(cost_matrix=benefit).fit(X0, Y0)
    expected = clf.classes_[bayes_decision(clf.predict_proba(X0), np.array(benefit, float))]
    np.testing.assert_array_equal(clf.predict(X0), expected)


@legal("negative_cost_matrix_is_a_benefit_with_expected_cost_loss")
def _(fitted):
    benefit = [[-1, 1, 1], [1, 0, 5], [1, 1, 0]]  # a correct "A" earns 1
    clf = est(cost_matrix=benefit, cost_loss="expected_cost").fit(X0, Y0)
    assert np.isfinite(clf.history_["loss"]).all()


@legal("batch_size_minus_one_is_the_whole_data")
def _(fitted):
    counter = Counter()
    est(batch_size=-1, epochs=2).fit(X0, Y0, callbacks=[counter])
    assert (counter.batches, counter.epochs) == (2, 2)


@legal("batch_size_honoured")
def _(fitted):
    counter = Counter()
    est(batch_size=7, callbacks=[counter]).fit(X0, Y0)
    assert counter.batches == -(-N // 7)


@legal("validation_split_metrics_and_whole_validation_batch")
def _(fitted):
    counter = Counter()
    clf = est(
        metrics=["accuracy"], validation_split=0.25, validation_batch_size=-1, callbacks=[counter]
    ).fit(X0, Y0)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(clf.history_)
    assert counter.test_batches == 1


@legal("fit_keyword_callbacks_run")
def _(fitted):
    counter, single = Counter(), Counter()
    est(epochs=2).fit(X0, Y0, callbacks=[counter])
    est().fit(X0, Y0, callbacks=single)
    assert (counter.epochs, single.epochs) == (2, 1)


@legal("callback_class_is_instantiated_and_runs")
def _(fitted):
    ClassCounter.epochs = 0
    est(callbacks=[ClassCounter], epochs=2).fit(X0, Y0)
    assert ClassCounter.epochs == 2


@legal(
    "set_params_routed_callback_parameter",
)
def _(fitted):
    clf = est(
        callbacks=[keras.callbacks.EarlyStopping], callbacks__patience=7, callbacks__monitor="loss"
    )
    clf.set_params(callbacks__patience=2)
    clf.fit(X0, Y0)
    assert [cb.patience for cb in clf._fit_callbacks] == [2]


@legal("set_params_callbacks_before_warm_refit_honoured")
def _(fitted):
    clf = est(warm_start=True).fit(X0, Y0)
    counter = Counter()
    clf.set_params(callbacks=[counter])
    clf.fit(X0, Y0)
    assert counter.epochs == 1


@legal("warm_fit_failing_mid_training_leaves_the_model_unchanged")
def _(fitted):
    clf = est(warm_start=True, batch_size=8, run_eagerly=False).fit(X0, Y0)
    weights = [w.copy() for w in clf.model_.get_weights()]
    proba, history = clf.predict_proba(X0), copy.deepcopy(clf.history_)
    iterations = int(clf.model_.optimizer.iterations.numpy())
    with pytest.raises(RuntimeError, match="failed in the middle of training"):
        clf.fit(X0, Y0, callbacks=[FailAtSecondBatch()])
    for before, after in zip(weights, clf.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(clf.predict_proba(X0), proba)
    assert clf.history_ == history
    assert int(clf.model_.optimizer.iterations.numpy()) == iterations


@legal("fold_lacking_a_class_with_frame_cost_matrix")
def _(fitted):
    frame = pd.DataFrame(C3, index=list("ABC"), columns=list("ABC"))
    clf = est(cost_matrix=frame).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(clf.classes_, ["A", "B"])
    np.testing.assert_array_equal(clf.cost_matrix_, [[0, 1], [1, 0]])


@legal("fold_lacking_a_class_with_dict_cost_matrix")
def _(fitted):
    costs = {"A": {"B": 1, "C": 1}, "B": {"A": 2, "C": 5}, "C": {"A": 1, "B": 1}}
    clf = est(cost_matrix=costs).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(clf.cost_matrix_, [[0, 1], [2, 0]])


@legal("fold_lacking_a_class_with_class_weight_naming_every_class")
def _(fitted):
    every = est(class_weight={"A": 1, "B": 2, "C": 3}).fit(X0[AB], Y0[AB])
    present = est(class_weight={"A": 1, "B": 2}).fit(X0[AB], Y0[AB])
    np.testing.assert_array_equal(every.predict_proba(X0), present.predict_proba(X0))


@legal("frame_cost_matrix_in_another_order_is_reordered")
def _(fitted):
    frame = pd.DataFrame(C3, index=list("ABC"), columns=list("ABC")).loc[list("CAB"), list("BCA")]
    np.testing.assert_array_equal(est(cost_matrix=frame).initialize(X0, Y0).cost_matrix_, C3)


@legal("boolean_cost_matrix")
def _(fitted):
    clf = est(cost_matrix=~np.eye(3, dtype=bool)).initialize(X0, Y0)
    np.testing.assert_array_equal(clf.cost_matrix_, 1 - np.eye(3))


@legal("decision_argmax_ignores_cost_matrix_in_predict")
def _(fitted):
    clf = fitted["argmax"]
    np.testing.assert_array_equal(
        clf.predict(X0), clf.classes_[np.argmax(clf.predict_proba(X0), axis=1)]
    )


@legal("class_weight_numpy_keys_equal_python_keys")
def _(fitted):
    numpy_keys = est(class_weight={np.int64(0): 3.0}).fit(X0, Y_INT)
    python_keys = est(class_weight={0: 3.0}).fit(X0, Y_INT)
    np.testing.assert_array_equal(numpy_keys.predict_proba(X0), python_keys.predict_proba(X0))


@legal("class_weight_balanced")
def _(fitted):
    clf = est(class_weight="balanced").fit(X0[:45], Y0[:45])
    assert np.isfinite(clf.predict_proba(X0)).all()


@legal("int_sample_weight_with_class_weight_left_unmodified")
def _(fitted):
    weights = np.arange(N) % 4 + 1
    before = weights.copy()
    est(class_weight={"B": 3}).fit(X0, Y0, sample_weight=weights)
    assert weights.dtype == before.dtype
    np.testing.assert_array_equal(weights, before)


@legal("user_arrays_left_unmodified_by_fit_and_predict")
def _(fitted):
    costs, weights = np.array(C3, dtype=float), np.linspace(0.5, 2, N)
    inputs = (X0, Y0, costs, weights)
    before = [array.copy() for array in inputs]
    est(cost_matrix=costs, class_weight={"B": 3}).fit(X0, Y0, sample_weight=weights).predict(X0)
    for array, kept in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(array, kept)


@legal("sample_weight_zero_for_a_whole_class")
def _(fitted):
    clf = est().fit(X0, Y0, sample_weight=(Y0 != "C").astype(float))
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])


def _dense_units(clf):
    return [layer.units for layer in clf.model_.layers if isinstance(layer, keras.layers.Dense)]


@legal("hidden_layer_sizes_empty_is_a_linear_model")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=()).initialize(X0, Y0)) == [3]


@legal("hidden_layer_sizes_numpy_array")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=np.array([3, 2])).initialize(X0, Y0)) == [3, 2, 3]


@legal("hidden_layer_sizes_single_numpy_int")
def _(fitted):
    assert _dense_units(est(hidden_layer_sizes=np.int64(5)).initialize(X0, Y0)) == [5, 3]


@legal("optimizer_routed_learning_rate")
def _(fitted):
    clf = est(optimizer="sgd", optimizer__learning_rate=0.5).fit(X0, Y0)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.5)


@legal("fit_keyword_epochs_overrides_epochs")
def _(fitted):
    assert len(est(epochs=2).fit(X0, Y0, epochs=3).history_["loss"]) == 3


@legal("verbose_one_prints_progress")
def _(fitted):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        est(verbose=1).fit(X0, Y0)
    assert "loss" in out.getvalue()


@legal("run_eagerly_false_trains_in_graph_mode")
def _(fitted):
    assert est(run_eagerly=False).fit(X0, Y0).model_.run_eagerly is False


@legal("random_state_instance")
def _(fitted):
    clf = est(random_state=np.random.RandomState(0)).fit(X0, Y0)
    assert np.isfinite(clf.predict_proba(X0)).all()


@legal("X_and_y_as_lists_equal_arrays")
def _(fitted):
    from_lists = est().fit(X0.tolist(), Y0.tolist())  # the "plain" estimator's seed and data
    np.testing.assert_array_equal(from_lists.predict_proba(X0), fitted["plain"].predict_proba(X0))


@legal("X_frame_keeps_feature_names")
def _(fitted):
    clf = fitted["frame"]
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c"])
    assert len(clf.predict(pd.DataFrame(X0[:2], columns=["a", "b", "c"]))) == 2


@legal("y_column_vector_is_one_output")
def _(fitted):
    with pytest.warns(DataConversionWarning):
        clf = est().fit(X0, Y0[:, None])
    assert clf.predict(X0[:3]).shape == (3,)


@legal("y_one_hot_predicts_one_hot")
def _(fitted):
    clf = est().fit(X0, np.eye(3, dtype=int)[Y_INT])
    prediction = clf.predict(X0[:4])
    assert prediction.shape == (4, 3) and (prediction.sum(axis=1) == 1).all()


@legal("y_bool_labels")
def _(fitted):
    clf = est().fit(X0, Y_INT == 0)
    np.testing.assert_array_equal(clf.classes_, [False, True])
    assert clf.predict(X0[:2]).dtype == bool


@legal("y_pandas_categorical")
def _(fitted):
    clf = est().initialize(X0, pd.Series(pd.Categorical(Y0)))
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])


@legal("y_frame_with_int_and_str_columns_keeps_types")
def _(fitted):
    frame = pd.DataFrame({"i": Y_INT % 2, "s": Y0})
    clf = est().fit(X0, frame)
    assert clf.output_names_ == ["i", "s"]
    row = clf.predict(X0[:1])[0]
    assert isinstance(row[0], (int, np.integer)) and isinstance(row[1], str)


@legal("partial_fit_batch_lacking_a_class")
def _(fitted):
    clf = est().partial_fit(X0[AB], Y0[AB], classes=["A", "B", "C"])
    clf.partial_fit(X0[~AB], Y0[~AB])
    np.testing.assert_array_equal(clf.classes_, ["A", "B", "C"])
    assert clf.current_epoch == 2


@legal("cost_scorer_judges_with_the_costs_it_decided_with")
def _(fitted):
    clf = fitted["plain"]
    score = make_cost_scorer()(clf, X0, Y0, sample_cost=ALWAYS_B)
    labels = clf.predict(X0, sample_cost=ALWAYS_B)
    assert score == pytest.approx(-mean_cost(Y0, labels, sample_cost=ALWAYS_B))


@legal("predict_min_cost_agrees_with_predict")
def _(fitted):
    clf = fitted["bayes"]
    np.testing.assert_array_equal(predict_min_cost(clf, X0, C3), clf.predict(X0))


@legal("multi_output_predict_costs_per_output")
def _(fitted):
    labels = fitted["multi"].predict(X0, sample_cost={"output1": ALWAYS_B})
    assert set(labels[:, 0]) == {"B"}


@legal("score_is_accuracy")
def _(fitted):
    clf = fitted["plain"]
    assert clf.score(X0, Y0) == pytest.approx(np.mean(clf.predict(X0) == Y0))


@pytest.mark.parametrize(("case", "variant"), _params(LEGAL_CASES))
def test_legal_edge_input(case, variant, tiny_fitted):
    case.check(tiny_fitted)
