"""Output heads: the loss's target format, probabilities, labels and per-example cost means."""

import keras
import numpy as np
import pytest

from costkeras._scikeras.heads import Head, loss_kind, output_order, target_format
from costkeras.keras import ExpectedCostCrossEntropy


@pytest.mark.parametrize(
    ("loss", "kind"),
    [
        ("categorical_crossentropy", "categorical"),
        (keras.losses.SparseCategoricalCrossentropy(), "sparse"),
        (keras.losses.binary_crossentropy, "binary"),
        (ExpectedCostCrossEntropy, "categorical"),
        ("mse", None),
    ],
)
def test_loss_kind_recognises_keras_cross_entropies_by_name(loss, kind):
    assert loss_kind(loss) == kind


def test_target_format_follows_the_loss_and_the_units():
    assert target_format("sparse_categorical_crossentropy", 3) == "sparse"
    assert target_format("binary_crossentropy", 1) == "binary"
    assert target_format("binary_crossentropy", 3) == "onehot"  # a multilabel-style softmax
    assert target_format("mse", 3) == "sparse"  # other losses: class positions


def test_a_sigmoid_head_gives_two_columns_and_its_labels():
    head = Head("risk", np.array(["no", "yes"]), 1, 0, target_format="binary")
    proba = head.proba(np.array([[0.25], [0.9]], dtype="float32"))
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, [[0.75, 0.25], [0.1, 0.9]], rtol=1e-6)
    assert head.labels(np.array([1, 0])).tolist() == ["yes", "no"]
    np.testing.assert_array_equal(head.encode(np.array([1, 0])), [[1.0], [0.0]])
    acting = Head("risk", np.array([0, 1]), 2, 0, actions=np.array(["pay", "check", "block"]))
    assert acting.labels(np.array([2, 1])).tolist() == ["block", "check"]


def test_per_example_costs_average_across_partial_fit_batches():
    head = Head("output1", np.array([0, 1]), 2, 0)
    first = np.array([[[0.0, 1.0], [4.0, 0.0]]] * 3)
    second = np.array([[[0.0, 5.0], [8.0, 0.0]]])
    head.add_sample_costs(first, np.array([0, 1, 1]))
    head.add_sample_costs(second, np.array([0]))
    np.testing.assert_allclose(head.cost_matrix, np.concatenate([first, second]).mean(axis=0))
    rows = Head("output1", np.array([0, 1]), 2, 0)  # (n, k): the mean row of each class
    rows.add_sample_costs(np.array([[0.0, 2.0], [0.0, 4.0], [6.0, 0.0]]), np.array([0, 0, 1]))
    np.testing.assert_allclose(rows.cost_matrix, [[0.0, 3.0], [6.0, 0.0]])


def test_outputs_match_the_models_by_name_else_by_order():
    assert output_order(["b", "a"], ["a", "b"]) == [1, 0]
    assert output_order(["y1", "y2"], ["dense", "dense_1"]) == [0, 1]
