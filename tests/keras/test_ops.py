"""The targets and probabilities the Keras pieces share, in keras.ops: read, checked, enforced."""

import keras
import numpy as np
import pytest

from costkeras.keras._ops import (
    class_probabilities,
    enforce,
    invalid_to_nan,
    split_target,
)

pytestmark = pytest.mark.backend


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_a_sigmoid_unit_reads_as_two_classes_from_probabilities_and_from_logits():
    p = np.array([[0.25], [0.9]], dtype="float32")
    np.testing.assert_allclose(numpy(class_probabilities(p)), [[0.75, 0.25], [0.1, 0.9]], rtol=1e-6)
    logits = np.log(p / (1 - p))
    np.testing.assert_allclose(
        numpy(class_probabilities(logits, from_logits=True)),
        numpy(class_probabilities(p)),
        rtol=1e-5,
    )


def test_split_target_reads_labels_one_hot_and_cost_rows():
    proba = keras.ops.convert_to_tensor(np.full((2, 3), 1 / 3, dtype="float32"))
    labels = split_target(keras.ops.convert_to_tensor(np.array([2, 0])), proba)
    np.testing.assert_array_equal(numpy(labels.one_hot), [[0, 0, 1], [1, 0, 0]])
    assert labels.row is None
    rows = np.array([[1, 0, 4, 9], [0, 2, 0, 1]], dtype="float32")  # a label, then its costs
    with_costs = split_target(keras.ops.convert_to_tensor(rows), proba, costs_in_target=True)
    np.testing.assert_array_equal(numpy(with_costs.one_hot), [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(numpy(with_costs.row), rows[:, 1:])
    with pytest.raises(ValueError, match="costs_in_target"):
        split_target(keras.ops.convert_to_tensor(rows[:, :3]), proba, costs_in_target=True)


def test_enforce_raises_on_concrete_failures_naming_the_examples():
    labels = keras.ops.convert_to_tensor(np.array([0, 7, 1, 9]))
    parts = split_target(labels, keras.ops.ones((4, 3)) / 3)
    with pytest.raises(ValueError, match=r"Offending examples \(first \d+ at most\): \[1, 3\]"):
        enforce(parts.checks)
    assert enforce(split_target(labels[:1], keras.ops.ones((1, 3)) / 3).checks) is None


def test_invalid_to_nan_blanks_only_the_invalid_examples():
    values = keras.ops.convert_to_tensor(np.array([1.0, 2.0, 3.0], dtype="float32"))
    valid = keras.ops.convert_to_tensor(np.array([True, False, True]))
    out = numpy(invalid_to_nan(values, valid))
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 3.0
    assert invalid_to_nan(values, None) is values
