"""DecisionModel: the functional model decision_model returns, its batches and its checks."""

import keras
import numpy as np
import pytest

from costkeras.keras.layers import BayesDecision, DecisionModel
from tests._helpers import C3_COSTS

pytestmark = pytest.mark.backend

C3 = np.array(C3_COSTS)


def test_a_decision_model_predicts_a_batch_of_no_rows():
    inputs = keras.Input((4,), name="features")
    costs = keras.Input((3, 2), name="sample_cost")
    proba = keras.layers.Dense(3, activation="softmax")(inputs)
    model = DecisionModel(
        [inputs, costs],
        {"fixed": BayesDecision(C3)(proba), "own": BayesDecision()(proba, sample_cost=costs)},
    )
    empty = [np.zeros((0, 4), dtype="float32"), np.zeros((0, 3, 2), dtype="float32")]
    for outputs in (model.predict(empty, verbose=0), model.predict_on_batch(empty)):
        for name in ("fixed", "own"):
            assert np.asarray(outputs[name]).shape == (0,)
            assert np.asarray(outputs[name]).dtype == np.int32
    full = [np.ones((5, 4), dtype="float32"), np.ones((5, 3, 2), dtype="float32")]
    assert model.predict(full, verbose=0)["own"].shape == (5,)  # Keras's predict otherwise


def test_a_decision_model_refuses_a_wrong_width_after_batches_of_several_sizes():
    inputs = keras.Input((6,), name="features")
    proba = keras.layers.Dense(2, activation="softmax")(inputs)
    model = DecisionModel(inputs, {"decision": BayesDecision([[0, 1], [5, 0]])(proba)})
    rows = np.zeros((200, 6), "float32")
    for n in (200, 50, 7):  # Keras relaxes the traced shape to (None, 6) and then (None, None)
        model.predict(rows[:n], verbose=0)
    expected = r"expected shape=\(None, 6\), found shape=\(3, 5\)"
    with pytest.raises(ValueError, match=expected):
        model.predict(rows[:3, :5], verbose=0)
    with pytest.raises(ValueError, match=expected):
        model.predict_on_batch(rows[:3, :5])
    with pytest.raises(ValueError, match=r"found shape=\(0, 5\)"):  # the user's, not a stand-in's
        model.predict(rows[:0, :5], verbose=0)
    with pytest.raises(ValueError, match=r"found shape=\(3,\)"):
        model.predict(rows[0, :3], verbose=0)
    assert model.predict({"features": rows[:4]}, verbose=0)["decision"].shape == (4,)


def test_a_decision_model_refuses_inputs_of_other_row_counts_naming_them():
    features = keras.Input((3,), name="features")
    costs = keras.Input((2, 2), name="sample_cost")
    proba = keras.layers.Dense(2, activation="softmax")(features)
    model = DecisionModel([features, costs], {"decision": BayesDecision()(proba, costs)})
    X, S = np.zeros((5, 3)), np.tile(np.eye(2)[::-1], (4, 1, 1))
    for inputs in ({"features": X, "sample_cost": S}, [X, S]):
        with pytest.raises(ValueError, match=r"features: 5, sample_cost: 4 rows"):
            model.predict(inputs, verbose=0)
