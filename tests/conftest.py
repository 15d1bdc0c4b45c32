import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# One thread per test process (pytest -n 2 runs two on two cores), TensorFlow included
# (costkeras passes OMP_NUM_THREADS on): the thread count the Dask workers of
# tests/scale/test_dask.py get, so their training reproduces this process's to the last bit.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

from tests._helpers import make_small


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


@pytest.fixture(scope="session")
def small():
    """The factory of a fast estimator (``tests._helpers.make_small``): ``small(epochs=3)``."""
    return make_small
