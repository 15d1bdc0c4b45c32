"""What the cost losses share: y_true and y_pred read as Keras does, their checks."""

import keras
import numpy as np
import pytest

from costkeras.keras import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
)
from tests._helpers import C3_COSTS, softmax_rows, tensorflow_only, values

pytestmark = pytest.mark.backend

C3 = np.array(C3_COSTS)


LOSSES = [
    lambda: ArgmaxWeightedCrossEntropy(1.0 + C3, reduction="none"),
    lambda: ClassWeightedCrossEntropy([1.0, 2.0, 5.0], reduction="none"),
    lambda: ExpectedCostCrossEntropy(C3, cost_weight=0.5, reduction="none"),
]


@pytest.mark.parametrize("make_loss", LOSSES)
def test_integer_labels_give_the_one_hot_loss(make_loss):
    proba = softmax_rows(6, 3)
    labels = np.array([0, 1, 2, 2, 1, 0])
    one_hot = np.eye(3)[labels]
    expected = values(make_loss(), one_hot, proba)
    for target in (labels, labels[:, None], labels.astype("float32")):
        np.testing.assert_allclose(values(make_loss(), target, proba), expected, rtol=1e-6)


# the losses that take cost rows, built to read them from the target
ROW_LOSSES = [
    lambda: ArgmaxWeightedCrossEntropy(costs_in_target=True, reduction="none"),
    lambda: ExpectedCostCrossEntropy(cost_weight=0.5, costs_in_target=True, reduction="none"),
]


@pytest.mark.parametrize(
    ("make_loss", "make_rows"), list(zip(ROW_LOSSES, LOSSES[::2], strict=True))
)
def test_a_label_followed_by_its_cost_row_equals_the_one_hot_form(make_loss, make_rows):
    proba = softmax_rows(4, 3, seed=1)
    labels = np.array([2, 0, 1, 2])
    rows = np.random.default_rng(2).uniform(0, 3, size=(4, 3))
    with_one_hot = values(make_loss(), np.hstack([np.eye(3)[labels], rows]), proba)
    with_label = values(make_loss(), np.hstack([labels[:, None], rows]), proba)
    np.testing.assert_allclose(with_label, with_one_hot, rtol=1e-6)
    # the rows act: they differ from the matrix loss's own rows
    assert not np.allclose(with_label, values(make_rows(), labels, proba))


@pytest.mark.parametrize("make_loss", LOSSES)
def test_a_sigmoid_unit_takes_zero_one_labels(make_loss):
    p1 = np.array([[0.2], [0.9], [0.6]], dtype="float32")
    two = np.hstack([1 - p1, p1])
    labels = np.array([0, 1, 1])
    loss = make_loss()
    matrix = getattr(loss, "weights", None)
    if matrix is None:
        matrix = getattr(loss, "cost_matrix", None)
    if matrix is not None:  # a two-class version of the loss
        loss = type(loss)(matrix[:2, :2], reduction="none")
    else:
        loss = type(loss)([1.0, 3.0], reduction="none")
    np.testing.assert_allclose(values(loss, labels, p1), values(loss, labels, two), rtol=1e-6)
    np.testing.assert_allclose(values(loss, labels[:, None], p1), values(loss, labels, two))


def test_a_target_of_another_width_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"y_true of shape \(2, 5\) for y_pred of 3 classes"):
        ExpectedCostCrossEntropy(C3)(np.zeros((2, 5)), softmax_rows(2, 3))


REDUCTIONS = ["none", "sum", "sum_over_batch_size", "mean_with_sample_weight"]


EMPTY_TARGETS = {  # (target of 0 rows, loss), one of each layout
    "labels": (np.zeros((0,)), lambda r: ArgmaxWeightedCrossEntropy(1.0 + C3, reduction=r)),
    "one-hot": (np.zeros((0, 3)), lambda r: ClassWeightedCrossEntropy([1, 2, 5], reduction=r)),
    "label + row": (
        np.zeros((0, 4)),
        lambda r: ArgmaxWeightedCrossEntropy(costs_in_target=True, reduction=r),
    ),
    "one-hot + row": (
        np.zeros((0, 6)),
        lambda r: ExpectedCostCrossEntropy(costs_in_target=True, reduction=r),
    ),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", sorted(EMPTY_TARGETS))
def test_an_empty_batch_gives_what_keras_cross_entropy_gives(reduction, layout):
    target, make = EMPTY_TARGETS[layout]
    empty = np.zeros((0, 3), dtype="float32")
    ours = np.asarray(make(reduction)(target, empty))
    keras_own = np.asarray(keras.losses.CategoricalCrossentropy(reduction=reduction)(empty, empty))
    assert ours.shape == keras_own.shape == (0,)  # Keras leaves a (0,) batch unreduced
    weighted = make(reduction)(target, empty, sample_weight=np.zeros((0,)))
    assert np.asarray(weighted).shape == (0,)


@tensorflow_only("a traced function with an unknown batch size")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_an_empty_batch_in_a_graph_gives_what_keras_gives(reduction):
    import tensorflow as tf

    spec = [tf.TensorSpec((None, 4)), tf.TensorSpec((None, 3))]
    ours = tf.function(
        ArgmaxWeightedCrossEntropy(costs_in_target=True, reduction=reduction), input_signature=spec
    )
    theirs = tf.function(
        lambda t, p: keras.losses.CategoricalCrossentropy(reduction=reduction)(t[:, 1:], p),
        input_signature=spec,
    )
    empty = np.zeros((0, 4), "float32"), np.zeros((0, 3), "float32")
    np.testing.assert_array_equal(np.asarray(ours(*empty)), np.asarray(theirs(*empty)))


# ----------------------------------------------------- arguments of the losses
@pytest.mark.parametrize("bad", ["a", None, [1.0], True])
def test_cost_weight_must_be_a_number(bad):
    with pytest.raises(TypeError, match="cost_weight must be a non-negative number"):
        ExpectedCostCrossEntropy(C3, cost_weight=bad)


@pytest.mark.parametrize("make_loss", LOSSES)
def test_the_losses_take_lists_as_keras_losses_do(make_loss):
    proba = softmax_rows(6, 3)
    labels = np.array([0, 1, 2, 2, 1, 0])
    expected = values(make_loss(), labels, proba)
    np.testing.assert_allclose(values(make_loss(), labels.tolist(), proba), expected, rtol=1e-6)
    np.testing.assert_allclose(values(make_loss(), labels, proba.tolist()), expected, rtol=1e-6)


@tensorflow_only("a class axis of unknown size exists in a tf.function only")
def test_y_pred_of_unknown_width_is_told_its_size_is_unknown():
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([None, None])])
    def loss(y, p):
        return ExpectedCostCrossEntropy()(y, p)

    with pytest.raises(ValueError, match=r"class axis of known size.*unknown"):
        loss(tf.constant([0.0, 1.0]), tf.constant([[0.9, 0.1], [0.2, 0.8]]))
