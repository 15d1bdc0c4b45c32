"""The layers of the default network: the fused embedding equals its parts, Sum adds as Add."""

import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from costkeras.keras._network_layers import PiecewiseLinearEmbedding, Sum, TwoValuedEmbeddingDense

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

pytestmark = pytest.mark.backend


def test_two_valued_embedding_dense_is_the_embedding_then_a_dense_layer():
    """The same function of the weights as the embeddings fed to a Dense layer."""
    rng = np.random.default_rng(1)
    knots = [[0.0, 1.0], [-2.0, 3.0]]  # a flag, a column of two other values
    fused = TwoValuedEmbeddingDense(knots, dim=3, units=5, seed=0)
    fused.build((None, 2))
    w, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))  # some units dead at a value
    kernel, bias = rng.normal(size=(2, 3, 5)), rng.normal(size=5)
    fused.set_weights([w, b, kernel, bias])
    embedding = PiecewiseLinearEmbedding(knots, dim=3)
    embedding.build((None, 2))
    embedding.set_weights([w[:, None, :], b])
    dense = keras.layers.Dense(5)
    dense.build((None, 6))
    dense.set_weights([kernel.reshape(6, 5), bias])
    X = np.array([[0, -2], [1, 3], [1, -2], [0, 3], [-1, 7]], dtype="float32")
    expected = keras.ops.convert_to_numpy(dense(embedding(X)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(fused(X)), expected, atol=1e-5)
    # a value between the two, unseen in training: their embeddings' midpoint
    low, high = np.maximum(b[0], 0), np.maximum(w[0] + b[0], 0)
    halfway = keras.ops.convert_to_numpy(fused(np.array([[0.5, -2]], dtype="float32")))
    at_low = keras.ops.convert_to_numpy(fused(X[:1]))
    np.testing.assert_allclose(
        halfway - at_low, [0.5 * (high - low) @ kernel[0]], rtol=1e-4, atol=1e-5
    )


def test_two_valued_embedding_dense_refuses_more_than_one_bin():
    with pytest.raises(ValueError, match="two knots"):
        TwoValuedEmbeddingDense([[0.0, 0.5, 1.0]], dim=2, units=3)


def test_the_sum_of_the_first_layer_adds_as_keras_add():
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=(5, 8)).astype("float32") for _ in range(2))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(Sum()([a, b])),
        keras.ops.convert_to_numpy(keras.layers.Add()([a, b])),
    )
    assert keras.ops.convert_to_numpy(Sum()([a[:0], b[:0]])).shape == (0, 8)
    if keras.backend.backend() == "tensorflow":
        with pytest.raises(Exception, match="Biases must be 1D"):  # what Sum works around
            keras.layers.Add()([a[:0], b[:0]])
