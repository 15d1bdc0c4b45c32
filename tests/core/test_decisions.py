import numpy as np
import pytest

from costkeras.decisions import bayes_decision, binary_threshold, expected_costs

C = np.array([[0, 1, 1], [1, 0, 5], [1, 1, 0]], dtype=float)


def test_expected_costs_hand_computed():
    proba = np.array([[0.2, 0.5, 0.3]])
    # R[j] = sum_i p_i C[i, j]
    expected = [[0.5 * 1 + 0.3 * 1, 0.2 * 1 + 0.3 * 1, 0.2 * 1 + 0.5 * 5]]
    np.testing.assert_allclose(expected_costs(proba, C), expected)


def test_bayes_decision_hand_computed():
    proba = np.array(
        [
            [0.2, 0.5, 0.3],  # risks 0.8, 0.5, 2.7 -> "B"
            [0.1, 0.3, 0.6],  # risks 0.9, 0.7, 1.6 -> "B" although "C" is most probable
            [0.05, 0.05, 0.9],  # risks 0.95, 0.95, 0.3 -> "C"
        ]
    )
    np.testing.assert_array_equal(bayes_decision(proba, C), [1, 1, 2])
    assert np.argmax(proba[1]) == 2


def test_per_example_cost_matrices():
    proba = np.array([[0.6, 0.4], [0.6, 0.4]])
    cheap_miss = [[0, 1], [1, 0]]
    costly_miss = [[0, 1], [10, 0]]
    np.testing.assert_array_equal(
        bayes_decision(proba, np.array([cheap_miss, costly_miss])), [0, 1]
    )


@pytest.mark.parametrize("costs", [[[0, 1], [10, 0]], [[0, 3], [2, 0]], [[-1, 4], [6, 0.5]]])
def test_binary_threshold_agrees_with_bayes_decision(costs):
    threshold = binary_threshold(costs)
    p1 = np.array([threshold - 1e-6, threshold + 1e-6])
    proba = np.column_stack([1 - p1, p1])
    np.testing.assert_array_equal(bayes_decision(proba, costs), [0, 1])


def test_binary_threshold_without_a_real_tradeoff():
    with pytest.raises(ValueError, match="threshold"):
        binary_threshold([[1, 0], [0, 1]])


@pytest.mark.backend
def test_keras_tensors_stay_tensors():
    from keras import ops

    risk = expected_costs(ops.convert_to_tensor(np.array([[0.2, 0.5, 0.3]], dtype="float32")), C)
    assert ops.is_tensor(risk)
    np.testing.assert_allclose(ops.convert_to_numpy(risk), [[0.8, 0.5, 2.7]], rtol=1e-6)


@pytest.mark.backend
def test_tensor_and_numpy_paths_agree():
    from keras import ops

    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=50)
    per_example = rng.uniform(0, 5, size=(50, 3, 3))
    for costs in (np.asarray(C, dtype=float), per_example):
        tensor_risk = ops.convert_to_numpy(expected_costs(ops.convert_to_tensor(proba), costs))
        # JAX keeps float32 (its 64-bit mode is off by default); TensorFlow keeps float64
        rtol = 1e-6 if tensor_risk.dtype == np.float32 else 1e-7
        np.testing.assert_allclose(tensor_risk, expected_costs(proba, costs), rtol=rtol)
        tensor_decision = bayes_decision(ops.convert_to_tensor(proba), costs)
        assert ops.is_tensor(tensor_decision)
        np.testing.assert_array_equal(
            ops.convert_to_numpy(tensor_decision), bayes_decision(proba, costs)
        )


@pytest.mark.backend
def test_bayes_decision_inside_a_traced_model():
    import keras

    decide = keras.Sequential(
        [keras.Input((3,)), keras.layers.Lambda(lambda p: bayes_decision(p, C))]
    )
    proba = np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]], dtype="float32")
    np.testing.assert_array_equal(decide.predict_on_batch(proba), bayes_decision(proba, C))


def test_predict_min_cost_decides_a_calibrated_network_with_the_costs(abc_data, small):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from costkeras.decisions import predict_min_cost

    X, y = abc_data
    calibrated = CalibratedClassifierCV(small(epochs=3), cv=2).fit(X, y)
    proba = calibrated.predict_proba(X)
    by_label = {"B": {"A": 1, "C": 5}, "A": {"B": 1, "C": 1}, "C": {"A": 1, "B": 1}}
    expected = calibrated.classes_[bayes_decision(proba, C)]
    np.testing.assert_array_equal(predict_min_cost(calibrated, X, by_label), expected)
    assert (expected != calibrated.predict(X)).any(), "the costs should change some decisions"

    model = LogisticRegression().fit(X, y)
    per_row = np.broadcast_to(C, (len(X), 3, 3))
    np.testing.assert_array_equal(
        predict_min_cost(model, X, per_row), predict_min_cost(model, X, C)
    )
    with pytest.raises(ValueError, match="cost_matrix"):
        predict_min_cost(model, X, np.ones((4, 4)))
    with pytest.raises(ValueError, match="cost_matrix"):
        predict_min_cost(model, X, np.ones((3, 3, 3)))

    from sklearn.multioutput import MultiOutputClassifier

    two_outputs = MultiOutputClassifier(LogisticRegression()).fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="single-output"):
        predict_min_cost(two_outputs, X, C)


def test_bayes_decision_of_a_tensor_decides_near_ties_as_of_an_array():
    import keras

    rng = np.random.default_rng(3)
    column = rng.uniform(0.1, 0.5, size=3)
    # the second decision is the first one an ulp cheaper: a tie to the arithmetic
    matrix = np.column_stack([column, np.nextafter(column, 0), np.full(3, 0.9)])
    proba = rng.dirichlet(np.ones(3), size=400)
    from_tensor = bayes_decision(keras.ops.convert_to_tensor(proba, dtype="float64"), matrix)
    np.testing.assert_array_equal(np.asarray(from_tensor), bayes_decision(proba, matrix))
    assert not np.any(bayes_decision(proba, matrix)), "the first of near-ties wins"
