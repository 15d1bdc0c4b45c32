"""The Keras pieces under data-parallel training: the same curves as on one device.

Simulated on this CPU machine: two logical CPU devices under TensorFlow's
``MirroredStrategy``, two host devices under JAX's ``DataParallel``. Each runs in
a fresh process (devices are fixed when the backend starts) with an environment
set here, not inherited from the user's.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).with_name("distributed_training.py")


def run(backend: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KERAS_", "XLA_", "TF_", "CUDA_", "JAX_"))
    }
    env.update(
        KERAS_BACKEND=backend,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1] / "src"), *sys.path]),
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), backend],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_same_training(result: dict) -> None:
    assert result["replicas"] == 2
    single, parallel = result["single"], result["parallel"]
    np.testing.assert_allclose(parallel["loss"], single["loss"], rtol=1e-4)
    np.testing.assert_allclose(parallel["val_mean_cost"], single["val_mean_cost"], rtol=1e-4)
    assert parallel["decided"] == single["decided"]
    assert single["loss"][-1] < single["loss"][0]  # it trained


@pytest.mark.slow
def test_mirrored_strategy_on_two_cpu_devices():
    assert_same_training(run("tensorflow"))


@pytest.mark.slow
@pytest.mark.backend  # CI's JAX pass installs jax: the test runs there
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_data_parallel_on_two_host_devices():
    assert_same_training(run("jax"))
