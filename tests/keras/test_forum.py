"""The two forum questions costkeras started from, as their askers wrote them.

Each test keeps the question's Keras code and changes only the loss (and, for
the two-head question, drops ``class_weight=``, which Keras 3 refuses for a
model with several outputs). Integer and one-hot labels, arrays and
``tf.data`` pipelines.
"""

import keras
import numpy as np
import pytest

from costkeras.keras.losses import ArgmaxWeightedCrossEntropy, ClassWeightedCrossEntropy
from tests._helpers import tensorflow_only

pytestmark = pytest.mark.backend


# ---------------------------------------------- the 10-class weight matrix
def digit_images(n=200, seed=0):
    """Small 10-class images: each class a bright pixel pattern of its own, plus noise."""
    rng = np.random.default_rng(seed)
    y_train = rng.integers(0, 10, size=n)
    patterns = rng.uniform(size=(10, 8, 8)) > 0.7
    x_train = (patterns[y_train] + rng.normal(scale=0.3, size=(n, 8, 8))).astype("float32")
    return x_train, y_train


def forum_weight_matrix():
    # the answer's kind of table: ones on the diagonal, a weight above one per confusion
    w_array = 1.0 + np.random.default_rng(1).integers(0, 3, size=(10, 10))
    np.fill_diagonal(w_array, 1.0)
    return w_array


def forum_model():
    keras.utils.set_random_seed(0)
    return keras.models.Sequential(
        [
            keras.Input((8, 8)),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def fit_forum_model(loss, x, y, **fit_params):
    model = forum_model()
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0, **fit_params)
    return model, history.history["loss"]


def test_weight_matrix_answer_with_integer_labels():
    x_train, y_train = digit_images()
    weights = forum_weight_matrix()
    # was: model.compile(loss="sparse_categorical_crossentropy", ...)
    model, losses = fit_forum_model(ArgmaxWeightedCrossEntropy(weights), x_train, y_train)
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    # the integer labels train exactly what the one-hot labels do
    _, one_hot_losses = fit_forum_model(
        ArgmaxWeightedCrossEntropy(weights), x_train, keras.utils.to_categorical(y_train, 10)
    )
    np.testing.assert_allclose(losses, one_hot_losses, rtol=1e-6)
    # and the loss is the answer's: each example's cross-entropy times W[true, argmax]
    proba = model.predict(x_train, verbose=0)
    by_hand = (
        -np.log(proba[np.arange(len(y_train)), y_train]) * weights[y_train, proba.argmax(axis=1)]
    )
    assert model.evaluate(x_train, y_train, verbose=0)[0] == pytest.approx(by_hand.mean(), rel=1e-5)


@tensorflow_only("tf.data pipelines")
def test_weight_matrix_answer_on_a_tf_data_pipeline():
    import tensorflow as tf

    x_train, y_train = digit_images()
    dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(32)
    model = forum_model()
    model.compile(
        optimizer="adam", loss=ArgmaxWeightedCrossEntropy(forum_weight_matrix()), metrics=["acc"]
    )
    history = model.fit(dataset, epochs=2, verbose=0)
    _, from_arrays = fit_forum_model(
        ArgmaxWeightedCrossEntropy(forum_weight_matrix()), x_train, y_train
    )
    np.testing.assert_allclose(history.history["loss"], from_arrays, rtol=1e-5)


def test_weight_matrix_answer_with_labels_counted_from_one_is_refused():
    x_train, y_train = digit_images(64)
    model = forum_model()
    model.compile(optimizer="adam", loss=ArgmaxWeightedCrossEntropy(forum_weight_matrix()))
    # digits labelled 1..10: to_categorical gives 11 columns, once read as "label + cost row"
    with pytest.raises(ValueError, match=r"\(batch, 11\) .* costs_in_target=True.*from 1"):
        model.fit(x_train, keras.utils.to_categorical(y_train + 1, 11), epochs=1, verbose=0)
    model = forum_model()  # Keras cannot trace a model again after a failed first trace
    model.compile(optimizer="adam", loss=ArgmaxWeightedCrossEntropy(forum_weight_matrix()))
    # the integer labels 1..10: InvalidArgumentError on TensorFlow, as Keras's own loss;
    # jitted JAX cannot raise inside the step: the loss is NaN there (keras_native guide)
    if keras.backend.backend() == "jax":
        history = model.fit(x_train, y_train + 1, epochs=1, verbose=0)
        assert np.isnan(history.history["loss"][-1])
        return
    with pytest.raises(Exception, match=r"not class indices: .* from 0 to 9"):
        model.fit(x_train, y_train + 1, epochs=1, verbose=0)


def test_weight_matrix_answer_on_logits_trains_as_on_the_softmax():
    x_train, y_train = digit_images()
    weights = forum_weight_matrix()
    _, on_softmax = fit_forum_model(ArgmaxWeightedCrossEntropy(weights), x_train, y_train)
    keras.utils.set_random_seed(0)
    logits_model = keras.models.Sequential(
        [
            keras.Input((8, 8)),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10),  # the softmax left out
        ]
    )
    logits_model.compile(
        optimizer="adam", loss=ArgmaxWeightedCrossEntropy(weights, from_logits=True)
    )
    history = logits_model.fit(x_train, y_train, epochs=2, batch_size=32, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], on_softmax, rtol=1e-4)


# ------------------------------------------------ the two-head question
CLASS_WEIGHT = {"output1": {0: 1, 1: 10}, "output2": {0: 5, 1: 1, 2: 10}}


def two_head_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    y1 = (x[:, 0] + 0.5 * rng.normal(size=n) > 0.8).astype("int64")
    y2 = np.digitize(x[:, 1] + 0.5 * rng.normal(size=n), [-0.5, 0.5]).astype("int64")
    return x, y1, y2


def head_targets(y1, y2, labels: str) -> dict:
    """The two heads' targets by output name: integer labels, or one-hot rows."""
    if labels == "one-hot":
        return {"output1": np.eye(2)[y1], "output2": np.eye(3)[y2]}
    return {"output1": y1, "output2": y2}


def two_head_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    output1 = keras.layers.Dense(2, activation="softmax", name="output1")(hidden)
    output2 = keras.layers.Dense(3, activation="softmax", name="output2")(hidden)
    return keras.Model(inputs, {"output1": output1, "output2": output2})


def fit_two_heads(loss, data, **fit_params):
    model = two_head_model()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
    model.fit(data, epochs=3, verbose=0, **fit_params)
    return model.get_weights()


def per_output_losses():
    return {name: ClassWeightedCrossEntropy(weights) for name, weights in CLASS_WEIGHT.items()}


def test_keras_refuses_class_weight_for_two_outputs():
    x, y1, y2 = two_head_data()
    model = two_head_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, {"output1": y1, "output2": y2}, class_weight=CLASS_WEIGHT, verbose=0)


def expected_weights(x, y1, y2):
    """What the question asks for, by hand: each output's examples weighed by their class."""
    weights = {
        name: np.array([CLASS_WEIGHT[name][label] for label in labels], dtype="float32")
        for name, labels in (("output1", y1), ("output2", y2))
    }
    model = two_head_model()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    model.fit(
        x,
        {"output1": y1, "output2": y2},
        sample_weight=weights,
        batch_size=32,
        shuffle=False,
        epochs=3,
        verbose=0,
    )
    return model.get_weights()


@pytest.mark.parametrize("labels", ["integer", "one-hot"])
def test_two_heads_weighted_per_output_by_the_loss(labels):
    x, y1, y2 = two_head_data()
    targets = head_targets(y1, y2, labels)
    model = two_head_model()
    # was: compile(loss="sparse_categorical_crossentropy"); fit(..., class_weight=CLASS_WEIGHT)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=per_output_losses())
    model.fit(x, targets, batch_size=32, shuffle=False, epochs=3, verbose=0)
    for ours, theirs in zip(model.get_weights(), expected_weights(x, y1, y2), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@tensorflow_only("tf.data pipelines")
@pytest.mark.parametrize("labels", ["integer", "one-hot"])
def test_two_heads_on_a_tf_data_pipeline(labels):
    import tensorflow as tf

    x, y1, y2 = two_head_data()
    targets = head_targets(y1, y2, labels)
    dataset = tf.data.Dataset.from_tensor_slices((x, targets)).batch(32)
    # Keras's tf.data adapter fails on the nested class_weight before its own message
    with pytest.raises((TypeError, ValueError)):
        fit_two_heads("sparse_categorical_crossentropy", dataset, class_weight=CLASS_WEIGHT)
    ours = fit_two_heads(per_output_losses(), dataset)
    for a, b in zip(ours, expected_weights(x, y1, y2), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_two_heads_with_a_list_of_losses_and_of_labels():
    x, y1, y2 = two_head_data()

    def fit(losses):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((6,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        outputs = [
            keras.layers.Dense(1, activation="sigmoid", name="output1")(hidden),  # sigmoid head
            keras.layers.Dense(3, activation="softmax", name="output2")(hidden),
        ]
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=losses)
        history = model.fit(x, [y1, y2], epochs=10, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
        return model.predict(x, verbose=0)

    weighted = fit([ClassWeightedCrossEntropy({1: 10}), ClassWeightedCrossEntropy({0: 5, 2: 10})])
    plain = fit([ClassWeightedCrossEntropy(), ClassWeightedCrossEntropy()])
    # weighing the positives of output1 by 10 raises p(1); weighing classes 0 and 2 of
    # output2 over class 1 lowers p(class 1)
    assert weighted[0].mean() > plain[0].mean() + 0.05
    assert weighted[1][:, 1].mean() < plain[1][:, 1].mean()
