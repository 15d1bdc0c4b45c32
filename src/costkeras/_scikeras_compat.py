"""Every work-around for scikeras 0.13, in one place.

scikeras is unmaintained since 2024. Each fix below names the problem it
solves and has a test in ``tests/test_scikeras_compat.py`` that shows the
problem on plain ``scikeras.wrappers.KerasClassifier``; when such a test
starts failing, upstream has changed and the fix can go.

1. Tags: ``KerasClassifier`` defines only the legacy ``_more_tags`` and puts
   ``BaseEstimator`` before ``ClassifierMixin``, so on scikit-learn >= 1.7
   ``is_classifier()`` is False (no stratified CV, no ``roc_auc``, no
   ``CalibratedClassifierCV``) and on 1.6 ``get_tags`` crashes: its legacy
   path calls ``ClassifierMixin.__sklearn_tags__``, whose ``super()`` reaches
   ``object``. ``EndOfTagsChain``, the estimator's last base, catches it.
2. ``class_weight``: ``KerasClassifier.fit`` and ``partial_fit`` multiply the
   caller's ``sample_weight`` in place (and fail on an int array). We bypass
   ``fit``'s and offer no ``partial_fit`` (``warm_start=True`` with ``fit`` does
   the same job).
3. Determinism: scikeras's ``random_state`` context leaves TensorFlow op
   determinism on after the first seeded fit, after which an unseeded fit
   raises "Random ops require a seed". Querying the flag once first avoids it.
4. Input checks: scikeras never sets ``feature_names_in_``, words the
   wrong-number-of-features error differently from scikit-learn, and passes
   sparse input on to Keras, where the outcome depends on the version (an
   error from TensorFlow in older ones, a silent densification in 3.15). The
   estimator's tags say it takes no sparse input, so it says so clearly.
5. Latency: ``keras.Model.predict`` builds a dataset per call (about 95 ms
   for one row) and walks large inputs in batches of 32; we call the model on
   chunks of 8,192 rows instead, and skip the input checks when a few
   microseconds show that plain NumPy input would pass them unchanged. The
   first calls on a fitted model run the model eagerly: ``Model.predict`` and
   ``predict_on_batch`` trace a ``tf.function`` per model, and TensorFlow
   counts traces by code location across models, so a grid search (a new
   model per fit, predicted once or twice) would print "triggered
   tf.function retracing" warnings. Later calls use ``predict_on_batch``,
   the fastest path once traced.
6. Seeding: scikeras seeds Python's process-wide ``random`` just before the
   build, and Keras draws its initializers' seeds from it; a draw by another
   thread in between (a Dask worker's event loop) changes the initial weights,
   so a seeded search on Dask did not reproduce itself. The default network
   (``_network.build_mlp``) seeds its initializers from scikeras's integer seed.
7. Zero sample weights: scikeras drops zero-weight rows from X and y inside
   ``fit``, after costkeras has built the per-example cost rows that travel with
   the targets, which would then be misaligned. ``drop_weightless`` drops them
   first, from all three.
"""

from __future__ import annotations

import functools
import weakref

import keras
import numpy as np
from scikeras.wrappers import BaseWrapper
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils import ClassifierTags, _safe_indexing
from sklearn.utils.validation import validate_data

# Inputs are predicted in batches of this many rows, without Model.predict.
PREDICT_CHUNK_ROWS = 8192
# Calls on one fitted model that run eagerly before predict_on_batch takes over.
EAGER_PREDICT_CALLS = 2
_PREDICT_CALLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _prime_tensorflow_determinism_flag() -> None:
    # Fix 3 (NOTES.md §4): the first read of the flag initialises TensorFlow's
    # cached state, so scikeras's save/restore of it works afterwards.
    if keras.backend.backend() == "tensorflow":
        from tensorflow.python.framework import config

        config.is_op_determinism_enabled()


_prime_tensorflow_determinism_flag()


class EndOfTagsChain:
    """The estimator's last base, so that ``ClassifierMixin``'s ``super()`` lands somewhere.

    Fix 1 on scikit-learn 1.6: a class in the MRO with only ``_more_tags``
    (scikeras's) sends ``get_tags`` down its legacy path, which calls every
    class's ``__sklearn_tags__`` unbound; ``ClassifierMixin``'s calls
    ``super()``, which on scikeras's MRO would reach ``object`` and crash.
    """

    def __sklearn_tags__(self):
        return BaseEstimator.__sklearn_tags__(self)


class ScikerasCompatMixin:
    """Mixed in before ``KerasClassifier``; overrides what scikeras gets wrong."""

    # Fix 1 ---------------------------------------------------------------
    def __sklearn_tags__(self):
        # BaseEstimator's directly: scikeras puts ClassifierMixin after it.
        tags = BaseEstimator.__sklearn_tags__(self)
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

    # Fix 2 ---------------------------------------------------------------
    def _fit_without_class_weight(self, X, y, sample_weight, **kwargs):
        """Run scikeras's fit without ``KerasClassifier.fit``'s in-place weighting.

        The caller has already folded ``class_weight`` into a fresh
        ``sample_weight`` array.
        """
        self.classes_ = None  # what KerasClassifier.fit resets before fitting
        return BaseWrapper.fit(self, X, y, sample_weight=sample_weight, **kwargs)

    @property
    def partial_fit(self):
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit (scikeras's multiplies the caller's "
            "sample_weight in place); use warm_start=True and fit."
        )

    # Fix 4 ---------------------------------------------------------------
    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        if X is not None:
            if not sparse.issparse(X) and np.asarray(X).ndim == 1:
                raise ValueError(
                    "Expected a 2D array X, got a 1D array instead. Reshape your data either "
                    "using array.reshape(-1, 1) if your data has a single feature or "
                    "array.reshape(1, -1) if it contains a single sample."
                )
            if sparse.issparse(X):
                raise TypeError(
                    f"{type(self).__name__} does not accept sparse X; convert it with "
                    "X.toarray() (Keras dense layers need dense input)."
                )
            # scikit-learn's own feature-name and feature-count checks and messages
            validate_data(self, X, reset=reset, skip_check_array=True)
        return super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)

    # Fix 5 ---------------------------------------------------------------
    def _is_plainly_valid(self, X) -> bool:
        """Whether X passes ``_validate_data`` unchanged, checked in a few microseconds.

        A non-empty, finite, numeric 2-D ndarray of the fitted width and a dtype
        that casts safely to the fitted one, for an estimator fitted without
        feature names: what ``check_array`` and scikeras would accept as is. It
        takes about 4 us where they take 0.15-0.2 ms, a fifth of a one-row
        prediction. Anything else goes through the full checks and their errors.
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
        )

    def _predict_raw(self, X, **kwargs):
        if (
            kwargs
            or getattr(X, "shape", None) is None
            or not getattr(self, "initialized_", False)
            or getattr(self, "_predict_callbacks", None)
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
        n_calls = _PREDICT_CALLS.get(self.model_, 0)
        _PREDICT_CALLS[self.model_] = n_calls + 1
        if n_calls < EAGER_PREDICT_CALLS:
            forward = functools.partial(self.model_, training=False)
        else:
            forward = self.model_.predict_on_batch
        chunks = [_as_numpy_outputs(forward(piece), self.model_) for piece in pieces]
        if len(chunks) == 1:
            return chunks[0]
        if isinstance(chunks[0], list):
            return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]
        return np.concatenate(chunks)


def _as_numpy_outputs(outputs, model):
    """One NumPy array, or a list of them in ``model.output_names`` order."""
    if isinstance(outputs, dict):  # a model built with named (dict) outputs
        outputs = [outputs[name] for name in model.output_names]
    if isinstance(outputs, (list, tuple)):
        return [keras.ops.convert_to_numpy(output) for output in outputs]
    return keras.ops.convert_to_numpy(outputs)


# Fix 7 -------------------------------------------------------------------
def drop_weightless(X, y, sample_weight: np.ndarray, target_rows: np.ndarray | None):
    """Drop zero-weight samples from X, y, the weights and the per-example target rows.

    scikeras would drop them from X and y only, leaving ``target_rows`` misaligned.
    """
    keep = np.flatnonzero(sample_weight)
    if len(keep) == 0:
        raise ValueError("sample_weight is zero for every sample; there is nothing to train on.")
    if len(keep) == len(sample_weight):
        return X, y, sample_weight, target_rows
    rows = None if target_rows is None else target_rows[keep]
    return _safe_indexing(X, keep), _safe_indexing(y, keep), sample_weight[keep], rows
