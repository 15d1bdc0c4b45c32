"""Every behavioural work-around for scikeras 0.13, in one place.

scikeras is unmaintained since 2024 and archived since 2026-04-01. Each fix
below names the problem it solves and has a test in
``tests/estimator/test_fixes.py`` that shows the problem on plain
``scikeras.wrappers.KerasClassifier``; when such a test starts failing,
upstream has changed and the fix can go. The private names of scikeras and
scikit-learn that costkeras touches live in ``_compat``.

1. Tags: ``KerasClassifier`` defines only the legacy ``_more_tags`` and puts
   ``BaseEstimator`` before ``ClassifierMixin``, so on scikit-learn >= 1.7
   ``is_classifier()`` is False (no stratified CV, no ``roc_auc``, no
   ``CalibratedClassifierCV``) and on 1.6 ``get_tags`` crashes: its legacy
   path calls ``ClassifierMixin.__sklearn_tags__``, whose ``super()`` reaches
   ``object``. ``EndOfTagsChain``, the estimator's last base, catches it.
2. ``class_weight``: ``KerasClassifier.fit`` and ``partial_fit`` multiply the
   caller's ``sample_weight`` in place (and fail on an int array). costkeras
   folds class weights into a fresh array and never calls either.
3. Determinism: scikeras's ``random_state`` context leaves TensorFlow op
   determinism on after the first seeded fit, after which an unseeded fit
   raises "Random ops require a seed". Querying the flag once first avoids it.
4. Input checks: scikeras never sets ``feature_names_in_``, words the
   wrong-number-of-features error differently from scikit-learn, and passes
   sparse input on to Keras, where the outcome depends on the version (an
   error from TensorFlow in older ones, a silent densification in 3.15).
   Sparse X (a ColumnTransformer with a OneHotEncoder gives one) is made
   dense here, before any check, whatever the Keras version.
5. Callbacks: ``BaseWrapper._fit_keras_model`` drops every ``fit`` keyword
   that starts with ``callbacks``, so ``fit(X, y, callbacks=[cb])`` never runs
   ``cb``; and callbacks are read once, when the model is built, so
   ``set_params(callbacks=...)`` before a warm refit is ignored.
   ``fit_callbacks`` reads them at every fit and adds the keyword's.
6. Seeding: scikeras seeds Python's process-wide ``random`` just before the
   build, and Keras draws its initializers' seeds from it; a draw by another
   thread in between (a Dask worker's event loop) changes the initial weights,
   so a seeded search on Dask did not reproduce itself. The default network
   (``network.build_mlp``) seeds its initializers from scikeras's integer seed.
7. Zero sample weights: scikeras drops zero-weight rows from X and y inside
   ``fit``, after costkeras has built the per-example cost rows that travel with
   the targets, which would then be misaligned. ``drop_weightless`` drops them
   from X, every output's targets and weights at once.
8. A build function that returns something other than a Keras model fails
   later with an ``AttributeError`` on ``None``; ``checked_build`` names it.
9. Seeding on PyTorch: scikeras's ``random_state`` context seeds Python's
   ``random``, NumPy and TensorFlow, but Keras's torch trainer shuffles each
   epoch with a ``torch.utils.data.RandomSampler``, which draws from torch's
   global generator: two seeded fits differed by about 1e-2 in probability.
   ``torch_random_state`` seeds that generator around the build and the fit
   and restores it after, as scikeras does with the others. (JAX needs
   nothing: its trainer shuffles with NumPy and its layers draw from Keras
   ``SeedGenerator`` objects, seeded from Python's ``random``.)
10. Dtypes after fit: scikeras refuses X (and y at ``score``) of a dtype that
    does not cast *safely* to the dtype seen by ``fit``: float64 X after a fit
    on float32 ("casting from float64 to float32 is not safe"), float X after a
    fit on int X, a pandas Series of strings (object) after a fit on a NumPy
    array of strings. Every scikit-learn classifier takes them. ``predict``,
    ``predict_proba``, ``predict_expected_cost`` and ``score`` take any numeric
    X: a dtype that does not cast safely to fit's is converted to
    :func:`predict_dtype`, which holds fit's values and the Keras ``floatx``
    values exactly, so the network sees what it would have seen in fit's dtype
    where the values are the same. y at ``score`` keeps its dtype (accuracy
    compares values). Fitting is unchanged: ``fit`` sets the dtypes, and a
    warm or partial fit still checks them as scikeras does.
11. ``score`` with ``sample_weight``: ``BaseWrapper.score`` drops the rows of
    weight 0 with ``X[mask, ...]``, which a pandas DataFrame refuses
    (``InvalidIndexError``, even when no weight is 0), and checks the weights
    with scikit-learn's private helper, whose messages name no sample count
    ("sample_weight.shape == (5,), expected (60,)!"). Accuracy needs no row
    dropped: the weights are checked as the metrics check them
    (``_weights.check_score_weight``) and handed to the scorer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import keras
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils import ClassifierTags
from sklearn.utils.validation import check_array, validate_data

from .. import _compat
from .._weights import check_score_weight


def fits_floatx(X) -> bool:
    """Whether a float X keeps its values when Keras casts it to ``floatx``."""
    if not isinstance(X, np.ndarray) or X.dtype.kind != "f" or X.size == 0:
        return True
    limit = np.finfo(keras.backend.floatx()).max
    return X.dtype.itemsize <= np.dtype(keras.backend.floatx()).itemsize or bool(
        np.abs(X).max() <= limit
    )


def predict_dtype(fit_dtype) -> np.dtype:
    """The dtype numeric X is converted to at predict time when it does not cast safely to
    fit's (Fix 10): float, at least Keras's ``floatx``, and holding every value of
    ``fit_dtype`` (float64 for int64 or int32, float32 for float16, int16 or bool)."""
    return np.result_type(fit_dtype, keras.backend.floatx())


def _scikeras_dtype(values):
    """scikeras's ``dtype`` for ``check_array``: numeric input keeps its own, text and
    objects become ``floatx``."""
    kind = (values if isinstance(values, np.ndarray) else np.asarray(values)).dtype.kind
    return keras.backend.floatx() if kind in "OUS" else None


def _prime_tensorflow_determinism_flag() -> None:
    # Fix 3: the first read of the flag initialises TensorFlow's cached state, so
    # scikeras's save/restore of it works afterwards.
    if keras.backend.backend() == "tensorflow":
        _compat.is_op_determinism_enabled()


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


class ScikerasFixesMixin:
    """Mixed in before ``KerasClassifier``; overrides what scikeras gets wrong."""

    # Fix 1 ---------------------------------------------------------------
    def __sklearn_tags__(self):
        # BaseEstimator's directly: scikeras puts ClassifierMixin after it.
        tags = BaseEstimator.__sklearn_tags__(self)
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        tags.input_tags.sparse = True  # made dense (Fix 4)
        tags.non_deterministic = False
        return tags

    # Fix 4 ---------------------------------------------------------------
    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        if isinstance(X, (Mapping, str)) and not sparse.issparse(X):
            raise TypeError(
                f"X must be an array-like or a DataFrame of shape (n_samples, n_features); got "
                f"{type(X).__name__}."
            )
        if X is not None:
            if not sparse.issparse(X) and np.asarray(X).ndim == 1:
                raise ValueError(
                    "Expected a 2D array X, got a 1D array instead. Reshape your data either "
                    "using array.reshape(-1, 1) if your data has a single feature or "
                    "array.reshape(1, -1) if it contains a single sample."
                )
            if sparse.issparse(X):
                X = X.toarray()  # Keras's dense layers take dense input
            # scikit-learn's own feature-name and feature-count checks and messages
            validate_data(self, X, reset=reset, skip_check_array=True)
        try:
            if not reset and (X is None) != (y is None) and "X_dtype_" in self.__dict__:
                X, y = self._validate_predict_data(X, y)  # Fix 10
            else:
                X, y = super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)
        except ValueError as error:
            if "could not convert" in str(error):
                raise ValueError(
                    f"X must be numeric; encode its text columns first (for example with a "
                    f"ColumnTransformer and OneHotEncoder): {error}"
                ) from error
            if X is not None and "Input contains" in str(error):
                raise ValueError(
                    str(error).replace("Input contains", "Input X contains")
                ) from error
            raise
        if X is not None and not fits_floatx(X):
            raise ValueError(
                f"X holds values beyond the range of Keras's {keras.backend.floatx()} (largest "
                f"magnitude {np.abs(X).max():.3g}); scale those columns first."
            )
        return X, y

    # Fix 10 --------------------------------------------------------------
    def _validate_predict_data(self, X, y):
        """scikeras's checks of X (predict) or y (score) of a fitted estimator, less the
        rule that their dtype casts safely to fit's: numeric X that does not is converted
        to ``predict_dtype(X_dtype_)``. Its other checks and messages are scikeras's."""
        name = type(self).__name__
        if y is not None:  # score's y: accuracy compares values, whatever their dtype
            y = check_array(y, ensure_2d=False, allow_nd=False, dtype=None)
            if y.ndim != self.y_ndim_:
                raise ValueError(
                    f"y has {y.ndim} dimensions, but this {name} is expecting "
                    f"{self.y_ndim_} dimensions in y."
                )
            return None, y
        X = check_array(X, allow_nd=True, dtype=_scikeras_dtype(X), accept_sparse=True)
        if X.ndim != len(self.X_shape_):
            raise ValueError(
                f"X has {X.ndim} dimensions, but this {name} is expecting "
                f"{len(self.X_shape_)} dimensions in X."
            )
        if X.shape[1:] != self.X_shape_[1:]:
            raise ValueError(
                f"X has shape {X.shape[1:]}, but this {name} is expecting X of shape "
                f"{self.X_shape_[1:]}"
            )
        # values beyond floatx stay as they are, for the caller's error (no cast to inf)
        if not np.can_cast(X.dtype, self.X_dtype_) and fits_floatx(X):
            X = X.astype(predict_dtype(self.X_dtype_), copy=False)
        return X, None

    # Fix 11 --------------------------------------------------------------
    def score(self, X, y, sample_weight=None) -> float:
        """``self.scorer`` (accuracy) of ``predict(X)`` against y, weighted by ``sample_weight``."""
        _, y = self._validate_data(X=None, y=y)
        if sample_weight is not None:
            sample_weight = check_score_weight(
                sample_weight, len(y), undefined="the accuracy is undefined"
            )
        y_pred = self.predict(X)
        score_args = _compat.route_params(self.get_params(), destination="score", pass_filter=set())
        return self.scorer(y, y_pred, sample_weight=sample_weight, **score_args)

    # Fix 5 ---------------------------------------------------------------
    def fit_callbacks(self, extra=None) -> list:
        """The callbacks of this fit: ``callbacks``, ``fit__callbacks`` and ``extra``."""
        self._initialize_callbacks()  # re-read: set_params may have changed them
        if extra is None:
            return list(self._fit_callbacks)
        if isinstance(extra, keras.callbacks.Callback):
            extra = [extra]
        if not isinstance(extra, (list, tuple)) or not all(
            isinstance(cb, keras.callbacks.Callback) for cb in extra
        ):
            raise TypeError(
                "callbacks passed to fit must be a keras.callbacks.Callback or a list of "
                f"them; got {extra!r}."
            )
        return [*self._fit_callbacks, *extra]

    # Fix 8 ---------------------------------------------------------------
    def _build_keras_model(self) -> keras.Model:
        model = super()._build_keras_model()
        if not isinstance(model, keras.Model):
            source = "_keras_build_fn" if self.model is None else f"model={self.model!r}"
            raise TypeError(
                f"{source} must build and return a keras.Model; it returned {type(model).__name__}."
            )
        return model


# Fix 7 -------------------------------------------------------------------
def drop_weightless(X, targets: list, weights: list):
    """Drop the samples that weigh zero in every output, from X, targets and weights.

    scikeras would drop them from X and y only, leaving the per-example cost
    rows appended to the targets misaligned.
    """
    weight = np.sum(weights, axis=0)
    keep = np.flatnonzero(weight)
    if len(keep) == 0:
        raise ValueError(
            "sample_weight (times class_weight) is zero for every sample; there is nothing to "
            "train on."
        )
    if len(keep) == len(weight):
        return X, targets, weights
    return (
        _compat.safe_indexing(X, keep),
        [target[keep] for target in targets],
        [w[keep] for w in weights],
    )


# Fix 9 -------------------------------------------------------------------
@contextlib.contextmanager
def torch_random_state(seed: int | None) -> Iterator[None]:
    """Seed torch's CPU generator inside, restore its state on exit (torch backend only).

    Only the CPU generator: Keras's data loader shuffles with it wherever the
    model runs, and forking every GPU's generator would initialise each GPU.
    """
    if seed is None or keras.backend.backend() != "torch":
        yield
        return
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield
