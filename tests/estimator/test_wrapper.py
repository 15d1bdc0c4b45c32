"""The fit's course in scikeras's KerasClassifier: warm starts, partial fits, target_encoder."""

import keras
import numpy as np
import pytest
from sklearn.base import clone

from costkeras import CostSensitiveKerasClassifier
from tests._helpers import ABC_COSTS


def test_warm_start_continues_training(abc_data, small):
    X, y = abc_data
    clf = small(epochs=2, warm_start=True).fit(X, y)
    model = clf.model_
    first = clf.predict_proba(X)
    clf.fit(X, y)
    assert clf.model_ is model
    assert not np.allclose(clf.predict_proba(X), first)


def test_warm_start_keeps_what_predict_needs_and_continues(abc_data, small):
    X, y = abc_data
    clf = small(epochs=2, warm_start=True, cost_matrix=ABC_COSTS)
    clf.fit(X, y)
    model, weights = clf.model_, [w.copy() for w in clf.model_.get_weights()]
    clf.fit(X, y)
    assert clf.model_ is model
    assert list(clf.classes_) == ["A", "B", "C"]
    assert not all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True))
    assert set(clf.predict(X)) <= {"A", "B", "C"}
    with pytest.raises(ValueError, match=r"\['D'\]"):
        clf.fit(X[:3], np.array(["A", "B", "D"]))


def test_partial_fit_trains_one_epoch_per_call_with_classes_and_costs(abc_data, small):
    X, y = abc_data
    costs = np.broadcast_to(np.array(ABC_COSTS, float), (len(y), 3, 3)).copy()
    original = costs.copy()
    clf = small(cost_loss="expected_cost")
    first = y == "A"
    clf.partial_fit(X[first], y[first], classes=["A", "B", "C"], sample_cost=costs[first])
    assert list(clf.classes_) == ["A", "B", "C"] and clf.current_epoch == 1
    for _ in range(3):
        clf.partial_fit(X, y, sample_cost=costs)
    assert clf.current_epoch == 4
    np.testing.assert_array_equal(costs, original)
    np.testing.assert_allclose(clf.cost_matrix_, ABC_COSTS)  # the running mean
    assert clf.decision_ == "bayes"
    with pytest.raises(TypeError, match="1 epoch"):
        clf.partial_fit(X, y, epochs=3)


@pytest.mark.backend
def test_partial_fit_equals_fit_of_one_epoch(abc_data, small):
    X, y = abc_data
    fitted = small(epochs=1, shuffle=False).fit(X, y)
    partial = small(shuffle=False).partial_fit(X, y)
    np.testing.assert_allclose(partial.predict_proba(X), fitted.predict_proba(X), rtol=1e-5)


def test_custom_target_encoder_keeps_scikeras_semantics(abc_data):
    from sklearn.preprocessing import FunctionTransformer

    X, y = abc_data
    numeric = np.searchsorted(["A", "B", "C"], y)

    class Passthrough(FunctionTransformer):
        def inverse_transform(self, proba, return_proba=False):
            return proba if return_proba else np.argmax(proba, axis=1)

    class Ordinal(CostSensitiveKerasClassifier):
        @property
        def target_encoder(self):
            return Passthrough()

        @property
        def feature_encoder(self):
            return FunctionTransformer(lambda X: X[:, :2])

    def two_features(meta):
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])

    clf = Ordinal(model=two_features, loss="sparse_categorical_crossentropy", epochs=1)
    clf.fit(X, numeric)
    assert clf.predict_proba(X).shape == (len(y), 3)
    np.testing.assert_array_equal(clf.predict(X), np.argmax(clf.predict_proba(X), axis=1))
    assert clf.heads_ is None and clf.model_.input_shape == (None, 2)
    with pytest.raises(ValueError, match="cost_matrix needs costkeras's own target encoding"):
        clone(clf).set_params(cost_matrix=ABC_COSTS).fit(X, numeric)
