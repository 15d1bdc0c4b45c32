"""The data-parallel distribution an estimator's fit trains under, checked and entered."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keras

__all__ = ["distribution_scope"]


def _kind(distribution: Any) -> str | None:
    """What ``distribution`` is for this Keras backend, or None if it does not fit it."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return "strategy" if isinstance(distribution, tf.distribute.Strategy) else None
    # Keras exports its distributions but not their base class
    distributions = (keras.distribution.DataParallel, keras.distribution.ModelParallel)
    if backend == "jax" and isinstance(distribution, distributions):
        return "keras"
    return None


def check_distribution(distribution: Any) -> None:
    """Raise a TypeError naming ``distribution`` unless this backend can train under it."""
    if distribution is None or _kind(distribution) is not None:
        return
    backend = keras.backend.backend()
    wanted = {
        "tensorflow": "a tf.distribute.Strategy (MirroredStrategy, MultiWorkerMirroredStrategy)",
        "jax": "a keras.distribution.Distribution (DataParallel, ModelParallel)",
    }.get(backend, f"None: the {backend} backend has no data-parallel distribution here")
    raise TypeError(
        f"distribution must be None or, on the {backend} backend, {wanted}; "
        f"got {type(distribution).__name__}."
    )


@contextlib.contextmanager
def distribution_scope(distribution: Any) -> Iterator[None]:
    """Run the block under ``distribution``: the model built and trained in it is replicated.

    Both Keras's distributions and TensorFlow's strategies make the network's variables
    where they are created, so the whole fit (building the network, its optimizer's
    state, the training) runs in the scope, not only ``keras.Model.fit``.
    """
    check_distribution(distribution)
    if distribution is None:
        yield
        return
    with distribution.scope():
        yield
