import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# One thread per test process (pytest -n 2 runs two on two cores), TensorFlow included
# (costkeras passes OMP_NUM_THREADS on): the thread count the Dask workers of
# test_dask.py get, so their training reproduces this process's to the last bit.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

# C[true, predicted] for the three classes "A", "B", "C": a true "B" called "C" costs 5.
ABC_COSTS = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]


@pytest.fixture(scope="session")
def abc_data():
    """300 rows, 4 features, string labels "A"/"B"/"C" that a small network separates."""
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0, 0, 0], [2, 2, 0, 0], [0, 2, 2, 0]], dtype=float)
    y_idx = rng.integers(0, 3, size=300)
    X = centers[y_idx] + rng.normal(scale=1.0, size=(300, 4))
    y = np.array(["A", "B", "C"])[y_idx]
    return X, y


@pytest.fixture(scope="session")
def binary_data():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=200)
    X = rng.normal(size=(200, 3)) + y[:, None] * 1.5
    return X, y


def small(**params):
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
    import glob

    return len(glob.glob(os.path.join(str(folder), "**", "output.pkl"), recursive=True))
