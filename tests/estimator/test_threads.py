"""TensorFlow's thread pools follow OMP_NUM_THREADS, as joblib's workers set it."""

import os
import subprocess
import sys

import pytest

from tests._helpers import tensorflow_only

pytestmark = tensorflow_only("its thread pools")

REPORT_POOLS = (
    "import costkeras.estimator, tensorflow as tf; t = tf.config.threading; "
    "print(t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads())"
)


def pools_in_fresh_process(**env):
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", REPORT_POOLS],
        env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_omp_num_threads_sizes_tensorflow_pools():
    assert pools_in_fresh_process() == ["0", "0"]  # TensorFlow's own default: every core
    assert pools_in_fresh_process(OMP_NUM_THREADS="1") == ["1", "1"]
    # TensorFlow's own setting wins
    assert pools_in_fresh_process(OMP_NUM_THREADS="1", TF_NUM_INTRAOP_THREADS="2") == ["0", "0"]


JOBLIB_POOLS = """
import os, time
from joblib import Parallel, delayed

def pools():
    import tensorflow as tf
    import costkeras.estimator  # noqa: F401
    time.sleep(0.3)  # keep the task long enough for both workers to take one
    return tf.config.threading.get_intra_op_parallelism_threads()

print(*Parallel(n_jobs=2)(delayed(pools)() for _ in range(4)))
"""


@pytest.mark.slow
def test_joblib_workers_get_their_share_of_the_cores():
    # in a fresh process without the caller's *_THREADS variables, which the workers
    # would inherit (TF_NUM_INTRAOP_THREADS set by a user would rightly win)
    share = max(os.cpu_count() // 2, 1)
    assert pools_in_fresh_process_code(JOBLIB_POOLS) == [str(share)] * 4


def pools_in_fresh_process_code(code):
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()
