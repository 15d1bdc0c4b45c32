"""TensorFlow's thread pools, sized like the rest of a joblib worker's.

joblib's process workers (``n_jobs > 1``) set ``OMP_NUM_THREADS`` to their
share of the cores, and NumPy's BLAS and OpenMP code follow it. TensorFlow
does not: each worker sizes its pools to every core of the machine, so n
workers oversubscribe the cores n-fold once a network is large enough for
TensorFlow to split its ops. Where ``OMP_NUM_THREADS`` is set and
TensorFlow's own ``TF_NUM_*_THREADS`` are not, costkeras passes the limit on
before TensorFlow starts its runtime.
"""

from __future__ import annotations

import os

import keras


def follow_omp_num_threads() -> int | None:
    """Size TensorFlow's pools by ``OMP_NUM_THREADS``; return the limit applied, if any."""
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if (
        keras.backend.backend() != "tensorflow"
        or not limit.isdigit()
        or int(limit) < 1
        or "TF_NUM_INTRAOP_THREADS" in os.environ
        or "TF_NUM_INTEROP_THREADS" in os.environ
    ):
        return None
    import tensorflow as tf

    threading = tf.config.threading
    if threading.get_intra_op_parallelism_threads() or threading.get_inter_op_parallelism_threads():
        return None  # someone chose already
    try:
        threading.set_intra_op_parallelism_threads(int(limit))
        threading.set_inter_op_parallelism_threads(int(limit))
    except RuntimeError:  # the runtime has started; its pools can no longer change
        return None
    return int(limit)
