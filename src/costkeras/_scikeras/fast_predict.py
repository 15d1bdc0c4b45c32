"""Fast predictions: the model called directly, without ``keras.Model.predict``.

``keras.Model.predict`` builds a dataset per call, which costs more than the
prediction itself on a few rows, and walks large inputs in batches of 32. Plain
NumPy input is instead predicted in chunks of 8,192 rows, and the input checks
are skipped when a few microseconds show that they would pass it unchanged. On TensorFlow, the
first calls on a fitted model run it eagerly: ``Model.predict`` and
``predict_on_batch`` trace a ``tf.function`` per model, and TensorFlow counts
traces by code location across models, so a grid search (a new model per fit,
predicted once or twice) would print "triggered tf.function retracing"
warnings. Later calls, and every call on the other backends, use
``predict_on_batch``, the fastest path once traced (on JAX an eager call runs op
by op, slower than compiling once and running the compiled call).

Anything else (keyword arguments, routed ``predict__`` parameters, predict
callbacks) goes through scikeras's ``Model.predict`` path, so it is honoured.

On JAX, predictions with one model take turns: Keras's JAX trainer donates the
model's variable buffers to each compiled call and swaps new ones in after it,
so a second thread predicting at the same time (dask's threaded scheduler,
joblib's threading backend) would pass deleted buffers and fail.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref

import keras
import numpy as np

from .fixes import fits_floatx

# Inputs are predicted in batches of this many rows, without Model.predict.
PREDICT_CHUNK_ROWS = 8192
# Calls on one fitted model that run eagerly before predict_on_batch takes over (TensorFlow).
EAGER_PREDICT_CALLS = 2
_PREDICT_CALLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_JAX_TURNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_JAX_TURNS_GUARD = threading.Lock()


def _one_at_a_time(model):
    """A lock per model on JAX (see the module's docstring); elsewhere, no wait."""
    if model is None or keras.backend.backend() != "jax":
        return contextlib.nullcontext()
    with _JAX_TURNS_GUARD:
        return _JAX_TURNS.setdefault(model, threading.Lock())


class FastPredictMixin:
    """Overrides scikeras's ``_predict_raw`` with the direct path where it is equivalent."""

    def _is_plainly_valid(self, X) -> bool:
        """Whether X passes ``_validate_data`` unchanged, checked in a few microseconds.

        A non-empty, finite, numeric 2-D ndarray of the fitted width and a dtype
        that casts safely to the fitted one, for an estimator fitted without
        feature names: what ``check_array`` and scikeras would accept as is, read
        from the array's attributes and one pass over its values, where the full
        checks are a sizeable share of a one-row prediction. Anything else goes
        through the full checks and their errors.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.shape[0] > 0
            and X.dtype.kind in "biuf"
            and X.shape[1:] == self.X_shape_[1:]
            and np.can_cast(X.dtype, self.X_dtype_)
            and "feature_names_in_" not in self.__dict__
            and bool(np.isfinite(X).all())
            and fits_floatx(X)
        )

    def _predict_raw(self, X, **kwargs):
        with _one_at_a_time(self._prediction_model() if self.initialized_ else None):
            return self._predict_raw_now(X, **kwargs)

    def _predict_raw_now(self, X, **kwargs):
        if X is None:
            raise ValueError("X is None; predict needs the samples to predict.")
        if (
            kwargs
            or getattr(X, "shape", None) is None
            or not getattr(self, "initialized_", False)
            or getattr(self, "_predict_callbacks", None)
            or any(key.startswith("predict__") for key in self.__dict__)
        ):
            return super()._predict_raw(X, **kwargs)
        raw, n_rows = X, X.shape[0]
        if not self._is_plainly_valid(X):
            X, _ = self._validate_data(X=X, y=None)
        X = self.feature_encoder_.transform(X)
        if isinstance(X, np.ndarray):
            pieces = [
                X[start : start + PREDICT_CHUNK_ROWS]
                for start in range(0, n_rows, PREDICT_CHUNK_ROWS)
            ]
        elif n_rows <= PREDICT_CHUNK_ROWS:
            pieces = [X]  # a custom encoder's multi-input list or dict
        else:
            return super()._predict_raw(raw)
        # counted per model, outside the estimator: predict must not change its __dict__
        model = self._prediction_model()
        n_calls = _PREDICT_CALLS.get(model, 0)
        _PREDICT_CALLS[model] = n_calls + 1
        if n_calls < EAGER_PREDICT_CALLS and keras.backend.backend() == "tensorflow":
            forward = functools.partial(model, training=False)
        else:
            forward = model.predict_on_batch
        chunks = [_as_numpy_outputs(forward(piece), model) for piece in pieces]
        if len(chunks) == 1:
            return chunks[0]
        if isinstance(chunks[0], list):
            return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]
        return np.concatenate(chunks)


def _as_numpy_outputs(outputs, model):
    """One NumPy array, or a list of them in the model's output order."""
    if isinstance(outputs, dict):  # a model built with named (dict) outputs
        outputs = [outputs[name] for name in model.output_names]
    if isinstance(outputs, (list, tuple)):
        return [keras.ops.convert_to_numpy(output) for output in outputs]
    return keras.ops.convert_to_numpy(outputs)
