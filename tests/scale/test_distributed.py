"""The Keras pieces under data-parallel training: the same curves as on one device.

Simulated on this CPU machine: two logical CPU devices under TensorFlow's
``MirroredStrategy``, two host devices under JAX's ``DataParallel``, two worker
processes on the loopback under ``MultiWorkerMirroredStrategy`` (each with its own
``TF_CONFIG``) and under Ray Train's ``TensorflowTrainer``. Each runs in a fresh
process (devices are fixed when the backend starts) with an environment set here,
not inherited from the user's.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).parents[1] / "distributed_training.py"


def environment(backend: str, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KERAS_", "XLA_", "TF_", "CUDA_", "JAX_", "RAY_"))
    }
    env.update(
        KERAS_BACKEND=backend,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"), *sys.path]),
        **extra,
    )
    return env


def start(mode: str, backend: str = "tensorflow", **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), mode],
        env=environment(backend, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(process: subprocess.Popen, timeout: float = 300) -> dict:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        process.kill()  # a no-op once it has ended; a worker left waiting would hang
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def run(mode: str, backend: str = "tensorflow") -> dict:
    return result(start(mode, backend))


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


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


def assert_same_as_one_worker(workers: list, single: dict) -> None:
    """Two workers, each fed the same global batches, train as one worker did."""
    assert single["replicas"] == 1
    for worker in workers:
        assert worker["replicas"] == 2
        np.testing.assert_allclose(worker["loss"], single["loss"], rtol=1e-4)
        np.testing.assert_allclose(worker["val_mean_cost"], single["val_mean_cost"], rtol=1e-4)
        assert worker["decided"] == single["decided"]
    assert single["loss"][-1] < single["loss"][0]  # it trained


@pytest.mark.slow
def test_multi_worker_mirrored_strategy_with_two_worker_processes_on_the_loopback():
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    workers = [
        start(
            "worker",
            TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}),
        )
        for i in (0, 1)
    ]
    single = run("single")
    assert_same_as_one_worker([result(worker) for worker in workers], single)


@pytest.mark.slow
def test_ray_train_tensorflow_trainer_with_two_workers():
    pytest.importorskip("ray.train.tensorflow")
    single = start("single")
    on_ray = run("ray")
    assert [worker["rank"] for worker in on_ray["workers"]] == [0, 1]
    assert_same_as_one_worker(on_ray["workers"], result(single))


@pytest.mark.slow
def test_estimator_fits_under_the_distribution_it_is_given():
    runs = run("estimator")
    assert runs["replicas"] == 2  # the network was built and trained in the strategy's scope
    assert runs["single"]["replicas"] == 1
    np.testing.assert_allclose(runs["parallel"]["loss"], runs["single"]["loss"], rtol=1e-4)
    assert runs["parallel"]["decided"] == runs["single"]["decided"]


@pytest.mark.slow
@pytest.mark.backend  # CI's JAX pass installs jax: the test runs there
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_data_parallel_on_two_host_devices():
    assert_same_training(run("jax", "jax"))


@pytest.mark.slow
@pytest.mark.backend  # CI's JAX pass installs jax: the test runs there
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_estimator_fits_under_a_keras_distribution_on_jax():
    runs = run("estimator_jax", "jax")
    assert runs["replicas"] == 2
    np.testing.assert_allclose(runs["parallel"]["loss"], runs["single"]["loss"], rtol=1e-4)
    assert runs["parallel"]["decided"] == runs["single"]["decided"]
