"""Helpers the test modules import: constants and functions used where a fixture cannot be.

A decorator, a ``parametrize`` list or a module-level helper runs before any fixture exists;
tests themselves take the ``small`` fixture of ``conftest.py`` instead of calling
``make_small`` here.
"""

import glob
import os

import numpy as np
import pytest

# C[true, predicted] for the three classes "A", "B", "C": a true "B" called "C" costs 5.
ABC_COSTS = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]


def make_small(**params):
    """A fast estimator for tests: a 16-unit network, few epochs, the robust input layer.

    The default input layer (embeddings) has tests of its own; the robust scaling keeps
    the many short fits here fast and their few epochs decisive.
    """
    from costkeras import CostSensitiveKerasClassifier

    defaults = {
        "hidden_layer_sizes": (16,),
        "epochs": 5,
        "random_state": 0,
        "input_scaling": "robust",
    }
    return CostSensitiveKerasClassifier(**{**defaults, **params})


def tensorflow_only(reason):
    """Skip a test on the other Keras backends: what it checks exists in TensorFlow only."""
    import keras

    return pytest.mark.skipif(
        keras.backend.backend() != "tensorflow", reason=f"TensorFlow only: {reason}"
    )


def stored_trainings(folder) -> int:
    """The number of trainings a ``memory`` folder holds (joblib writes one output.pkl each)."""
    return len(glob.glob(os.path.join(str(folder), "**", "output.pkl"), recursive=True))


def two_blobs(n, d=2, seed=0):
    """``n`` rows of ``d`` features, two classes one unit apart: a quick fit's data."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return rng.normal(size=(n, d)) + y[:, None], y


# a cost matrix of three classes, every off-diagonal cost different
C3_COSTS = [[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [8.0, 1.0, 0.0]]


def softmax_rows(n, k, seed=0):
    """``n`` rows of ``k`` class probabilities, float32 as a Keras model's output."""
    import numpy as np

    logits = np.random.default_rng(seed).normal(size=(n, k))
    return (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype("float32")


def values(loss, y_true, y_pred):
    """A loss's or metric's value as a NumPy float array."""
    import numpy as np

    return np.asarray(loss(y_true, y_pred), dtype=float)


def assert_same_search(search, reference) -> None:
    """Two fitted searches scored every candidate alike (to 1e-9) and chose the same best."""
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-9,
    )
    assert search.best_params_ == reference.best_params_
