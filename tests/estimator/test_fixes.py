"""Each scikeras 0.13 work-around in costkeras._scikeras.fixes, with the problem it solves.

Every test first shows the problem on plain ``scikeras.wrappers.KerasClassifier``; when
one of those assertions starts failing, upstream has changed and the fix can go.
"""

import logging
import random
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scikeras.wrappers import KerasClassifier
from scipy import sparse
from sklearn.base import ClassifierMixin, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import get_tags

from costkeras._scikeras.fixes import drop_weightless, torch_random_state
from costkeras._scikeras.network import build_mlp
from tests._helpers import ABC_COSTS, tensorflow_only


def build(meta):
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )
    return model


def plain(**params):
    return KerasClassifier(build, loss="sparse_categorical_crossentropy", verbose=0, **params)


SKLEARN_BEFORE_1_7 = tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 7)


def test_fix1_tags_make_it_a_classifier(abc_data, small):
    _, y = abc_data
    # The problem: scikeras's MRO puts ClassifierMixin after BaseEstimator, so the mixin's
    # super().__sklearn_tags__() reaches object. scikit-learn 1.6's legacy tag path calls
    # it and crashes; later versions never reach the mixin and see no classifier.
    with pytest.raises(AttributeError, match="super"):
        ClassifierMixin.__sklearn_tags__(plain())
    if SKLEARN_BEFORE_1_7:
        with pytest.raises(AttributeError, match="super"):
            is_classifier(plain())
    else:
        assert not is_classifier(plain())
        assert isinstance(check_cv(5, y, classifier=is_classifier(plain())), KFold)

    assert ClassifierMixin.__sklearn_tags__(small()).estimator_type == "classifier"
    assert is_classifier(small())
    assert isinstance(check_cv(5, y, classifier=is_classifier(small())), StratifiedKFold)
    tags = get_tags(small())
    assert tags.classifier_tags.poor_score and not tags.classifier_tags.multi_label
    assert tags.target_tags.multi_output and tags.input_tags.sparse


def test_fix2_class_weight_leaves_sample_weight_alone(abc_data, small):
    X, y = abc_data
    weights = np.ones(len(y))
    plain(class_weight={"B": 3.0}).fit(X, y, sample_weight=weights)
    assert weights.max() == 3.0, "scikeras multiplied the caller's array in place"
    with pytest.raises(TypeError):  # numpy refuses to multiply an int array in place by floats
        plain(class_weight={"B": 3.0}).fit(X, y, sample_weight=np.ones(len(y), dtype=int))

    weights = np.ones(len(y))
    small(epochs=1, class_weight={"B": 3.0}).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(weights, 1.0)
    small(epochs=1, class_weight={"B": 3.0}).fit(X, y, sample_weight=np.ones(len(y), dtype=int))


def test_fix2_partial_fit_leaves_sample_weight_alone(abc_data, small):
    X, y = abc_data
    weights = np.ones(len(y))
    plain(class_weight={"B": 3.0}).partial_fit(X, y, sample_weight=weights)
    assert weights.max() == 3.0, "scikeras's partial_fit multiplied the caller's array"

    weights = np.ones(len(y))
    clf = small(class_weight={"B": 3.0})
    clf.partial_fit(X, y, sample_weight=weights).partial_fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(weights, 1.0)
    assert clf.current_epoch == 2


DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if sys.argv[1] == "costkeras":
        import costkeras.estimator  # noqa: F401  (primes the flag on import)
    import keras, numpy as np
    from scikeras.wrappers import KerasClassifier
    def build(meta):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.2),
                                 keras.layers.Dense(3, activation="softmax")])
    X, y = np.random.rand(60, 4).astype("float32"), np.arange(60) % 3
    kw = dict(loss="sparse_categorical_crossentropy", verbose=0)
    KerasClassifier(build, random_state=0, **kw).fit(X, y)
    try:
        KerasClassifier(build, **kw).fit(X, y)
        print("ok")
    except Exception as error:
        print("failed:", error)
    """
)


@tensorflow_only("its op-determinism flag")
@pytest.mark.parametrize(
    ("imports", "outcome"), [("scikeras", "Random ops require a seed"), ("costkeras", "ok")]
)
def test_fix3_seeded_fit_does_not_break_later_unseeded_fits(imports, outcome):
    result = subprocess.run(
        [sys.executable, "-c", DETERMINISM_SCRIPT, imports],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in result.stdout


def test_fix4_input_checks(abc_data, small):
    X, y = abc_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    assert not hasattr(plain().fit(frame, y), "feature_names_in_")
    assert list(small(epochs=1).fit(frame, y).feature_names_in_) == list("abcd")

    fitted_plain = plain().fit(X, y)
    with pytest.raises(ValueError, match=r"X has shape \(3,\)"):
        fitted_plain.predict(X[:, :3])
    with pytest.raises(
        ValueError, match="X has 3 features, but CostSensitiveKerasClassifier is expecting 4"
    ):
        small(epochs=1).fit(X, y).predict(X[:, :3])

    # scikeras hands sparse X to Keras, whatever its tags say; what happens then depends on
    # the Keras version (3.15 densifies it silently, the whole matrix at once)
    assert plain().fit(sparse.csr_matrix(X), y).predict(sparse.csr_matrix(X)).shape == y.shape
    # costkeras makes it dense first, whatever the version: the same model as dense X gives
    expected = small(epochs=2).fit(X, y).predict_proba(X)
    for matrix in (sparse.csr_matrix, sparse.csc_array, sparse.coo_matrix):
        fitted = small(epochs=2).fit(matrix(X), y)
        np.testing.assert_array_equal(fitted.predict_proba(matrix(X)), expected)


class _RetracingWarnings(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        if "retracing" in record.getMessage():
            self.messages.append(record.getMessage())


@pytest.fixture
def retracing_warnings(monkeypatch):
    # TensorFlow warns at most twice per traced function and process; earlier tests in
    # the same worker may have used both, so the capture starts from a fresh tally.
    polymorphic_function = pytest.importorskip(
        "tensorflow.python.eager.polymorphic_function.polymorphic_function"
    )
    monkeypatch.setattr(
        polymorphic_function,
        "_frequent_tracing_detector_manager",
        polymorphic_function._FrequentTracingDetectorManager(),
    )
    handler = _RetracingWarnings()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


@pytest.mark.backend
def test_fix5_fast_predictions_match_keras_predict(abc_data, small):
    X, y = abc_data
    clf = small(epochs=2).fit(X, y)
    reference = clf.model_.predict(X[:7].astype("float32"), verbose=0)
    for _ in range(4):  # the first calls run eagerly, later ones through predict_on_batch
        np.testing.assert_allclose(clf.predict_proba(X[:7]), reference, rtol=1e-5, atol=1e-7)


@pytest.mark.backend
def test_fix5_large_inputs_predicted_in_chunks(abc_data, monkeypatch, small):
    import costkeras._scikeras.fast_predict as compat

    X, y = abc_data
    monkeypatch.setattr(compat, "PREDICT_CHUNK_ROWS", 64)  # 300 rows: 5 chunks
    clf = small(epochs=2).fit(X, y)
    reference = clf.model_.predict(X.astype("float32"), verbose=0)
    for _ in range(3):  # the first calls run eagerly, later ones through predict_on_batch
        np.testing.assert_allclose(clf.predict_proba(X), reference, rtol=1e-5, atol=1e-7)
    Y = np.column_stack([y, (X[:, 0] > 0).astype(int)])
    two_heads = small(epochs=2).fit(X, Y)
    references = two_heads.model_.predict(X.astype("float32"), verbose=0)
    for got, expected in zip(two_heads.predict_proba(X), references, strict=True):
        assert got.shape == (300, expected.shape[1])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_fix5_input_checks_skipped_only_where_they_would_pass(abc_data, small):
    X, y = abc_data
    clf = small(epochs=1).fit(X, y)
    assert clf._is_plainly_valid(X[:5]) and clf._is_plainly_valid(X[:5].astype("float32"))
    with_nan = X[:5].copy()
    with_nan[0, 0] = np.nan
    for other in (X[:5, :3], with_nan, X[:5].astype(str), X[:0], X[:5].tolist(), X[0]):
        assert not clf._is_plainly_valid(other)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(with_nan)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict_proba(X[:5, :3])
    named = small(epochs=1).fit(pd.DataFrame(X, columns=list("abcd")), y)
    assert not named._is_plainly_valid(X[:5])  # scikit-learn warns of the missing names
    with pytest.warns(UserWarning, match="feature names"):
        named.predict(X[:5])


@tensorflow_only("tf.function retracing")
def test_fix5_no_retracing_warnings_across_fresh_models(abc_data, retracing_warnings, small):
    X, y = abc_data
    # The problem: predict_on_batch on fresh models, as a grid search would do, warns.
    for _ in range(6):
        plain().fit(X, y).model_.predict_on_batch(X[:5])
    assert retracing_warnings, "the capture would miss TensorFlow's retracing warning"
    retracing_warnings.clear()
    for _ in range(6):
        fitted = small(epochs=1).fit(X, y)
        fitted.predict(X[:5])
        fitted.predict_proba(X[:5])
    assert retracing_warnings == []


def test_fix6_default_network_seeds_do_not_come_from_pythons_random(abc_data):
    X, y = abc_data

    def build_after_a_draw(meta):
        random.random()  # what another thread (a Dask worker's event loop) may do meanwhile
        return build(meta)

    # The problem: Keras draws initializer seeds from Python's random, so a draw between
    # scikeras's seeding and the build changes a seeded model.
    undisturbed = plain(random_state=0, epochs=1).fit(X, y).model_.get_weights()[0]
    disturbed = KerasClassifier(
        build_after_a_draw, loss="sparse_categorical_crossentropy", verbose=0, random_state=0
    )
    assert not np.array_equal(disturbed.fit(X, y, epochs=1).model_.get_weights()[0], undisturbed)

    meta = {"n_features_in_": 4, "n_classes_": 3}
    random.seed(1)
    first = build_mlp(meta, (8,), "relu", seed=0).get_weights()
    random.seed(2)
    second = build_mlp(meta, (8,), "relu", seed=0).get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    other_seed = build_mlp(meta, (8,), "relu", seed=1).get_weights()
    assert not np.array_equal(first[0], other_seed[0])


def test_fix7_zero_weight_rows_leave_with_their_cost_rows(abc_data):
    X, y = abc_data
    weights = np.ones(len(y))
    weights[::3] = 0
    trained_on = {}

    class Recording(KerasClassifier):
        def _fit_keras_model(self, X, y, sample_weight, *args, **kwargs):
            trained_on["rows"] = len(X)
            return super()._fit_keras_model(X, y, sample_weight, *args, **kwargs)

    # The problem: scikeras drops zero-weight rows inside fit, after the per-example cost
    # rows that travel with the targets were made from all of them.
    Recording(build, loss="sparse_categorical_crossentropy", verbose=0).fit(
        X, y, sample_weight=weights
    )
    assert trained_on["rows"] == np.count_nonzero(weights)

    # costkeras drops them from X, every output's targets (cost rows included) and weights;
    # a row stays while any output still weighs it
    targets = np.arange(len(y))[:, None] * np.ones((1, 6))
    other = np.ones(len(y))
    other[::6] = 0
    X_kept, (t_kept, t2_kept), (w_kept, w2_kept) = drop_weightless(
        X, [targets, targets], [weights, other]
    )
    keep = (weights > 0) | (other > 0)
    np.testing.assert_array_equal(X_kept, X[keep])
    np.testing.assert_array_equal(t_kept, targets[keep])
    np.testing.assert_array_equal(t2_kept, targets[keep])
    np.testing.assert_array_equal(w_kept, weights[keep])
    np.testing.assert_array_equal(w2_kept, other[keep])
    assert len(X_kept) < len(X)
    with pytest.raises(ValueError, match="zero for every sample"):
        drop_weightless(X, [targets], [np.zeros(len(y))])


@pytest.mark.backend
def test_fix9_seeded_fits_are_equal_on_pytorch_too(abc_data, small):
    X, y = abc_data
    # The problem, on PyTorch only: scikeras seeds Python, NumPy and TensorFlow, while Keras's
    # torch data loader shuffles every epoch with torch's own generator.
    first, second = (plain(random_state=0, epochs=2).fit(X, y).predict_proba(X) for _ in "12")
    assert np.array_equal(first, second) == (keras.backend.backend() != "torch")

    first, second = (small(epochs=2).fit(X, y).predict_proba(X) for _ in "12")
    np.testing.assert_array_equal(first, second)


@pytest.mark.backend
@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch's generator: torch only")
def test_fix9_torch_random_state_restores_the_generator():
    import torch

    torch.manual_seed(5)
    state = torch.get_rng_state()
    with torch_random_state(0):
        inside = torch.rand(3)
        torch.rand(3)  # the state moves inside; the context restores it
    assert torch.equal(torch.get_rng_state(), state)
    with torch_random_state(0):
        assert torch.equal(torch.rand(3), inside)
    with torch_random_state(None):  # no seed: torch's state goes on, as without the context
        torch.rand(3)
    assert not torch.equal(torch.get_rng_state(), state)


# ---------------------------------------------------------------------- Fix 10
FIT_DTYPES = ["float32", "float64", "int64", "bool"]
# NumPy's numeric dtypes and pandas's nullable ones (Float64, Int64, boolean)
PREDICT_DTYPES = [
    "float64",
    "float32",
    "float16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
    "Float64",
    "Int64",
    "boolean",
]
Y_TEN = np.array(["A", "B", "C"])[np.arange(60) % 3]


def _small_integers(high: int, shape, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, high + 1, size=shape)


def _as_dtype(values: np.ndarray, dtype: str):
    """``values`` in ``dtype``; None where pandas refuses them (2 as "boolean")."""
    if dtype[0].isupper() or dtype == "boolean":  # pandas's nullable dtypes
        try:
            return pd.DataFrame(values).astype(dtype)
        except (TypeError, ValueError):
            return None
    return values.astype(dtype)


@pytest.fixture(scope="module", params=FIT_DTYPES)
def fitted_on(request, small):
    """One small estimator per dtype of fit, on small integers (0 and 1 for bool)."""
    high = 1 if request.param == "bool" else 3
    X = _small_integers(high, (60, 3)).astype(request.param)
    clf = small(epochs=1, hidden_layer_sizes=(4,), cost_matrix=ABC_COSTS).fit(X, Y_TEN)
    return request.param, clf


def test_fix10_the_problem_scikeras_refuses_other_dtypes_after_fit(abc_data):
    X, y = abc_data
    fitted = plain().fit(X.astype("float32"), y)
    with pytest.raises(ValueError, match="casting from float64 to float32 is not safe"):
        fitted.predict(X)
    with pytest.raises(ValueError, match="casting from int64 to float32 is not safe"):
        fitted.predict(np.round(X).astype(int))
    with pytest.raises(ValueError, match="casting from object to <U1 is not safe"):
        fitted.score(X.astype("float32"), pd.Series(y))


def test_fix10_fit_keeps_its_dtype_and_its_checks(fitted_on):
    fit_dtype, clf = fitted_on
    assert clf.X_dtype_ == np.dtype(fit_dtype)  # fit is scikeras's: the dtype it was given
    if fit_dtype == "float32":  # float64 beyond float32 is refused, not cast to inf
        with pytest.raises(ValueError, match="beyond the range of Keras's float32"):
            clf.predict(np.full((1, 3), 1e300))
    with pytest.raises(ValueError, match="X has 2 features"):
        clf.predict(np.zeros((1, 2), dtype="float16"))


def _clear(risk: np.ndarray) -> np.ndarray:
    """Rows whose least expected cost is not a near-tie (rounding may decide those)."""
    ordered = np.sort(risk, axis=1)
    return ordered[:, 1] - ordered[:, 0] > 1e-5


@settings(max_examples=15, deadline=None, database=None, derandomize=True)
@given(data=st.data())
def test_fix10_predict_on_any_dtype_holding_x_equals_predict_on_fits(fitted_on, data):
    """predict on X.astype(d) equals predict on X for every numeric dtype d that holds X."""
    fit_dtype, clf = fitted_on
    n = data.draw(st.integers(1, 6))
    high = 1 if fit_dtype == "bool" else 3
    values = data.draw(arrays(np.int64, (n, 3), elements=st.integers(0, high)))
    dtype = data.draw(st.sampled_from(PREDICT_DTYPES))
    X_other = _as_dtype(values, dtype)
    assume(X_other is not None and np.array_equal(np.asarray(X_other, dtype=float), values))
    X_fit = values.astype(fit_dtype)
    y = Y_TEN[:n]

    proba = clf.predict_proba(X_fit)
    np.testing.assert_allclose(clf.predict_proba(X_other), proba, rtol=1e-6, atol=1e-7)
    risk = clf.predict_expected_cost(X_fit)
    np.testing.assert_allclose(clf.predict_expected_cost(X_other), risk, rtol=1e-6, atol=1e-6)
    clear = _clear(risk)
    np.testing.assert_array_equal(clf.predict(X_other)[clear], clf.predict(X_fit)[clear])
    assert clf.score(X_other, y) == pytest.approx(np.mean(clf.predict(X_other) == y))


# ---------------------------------------------------------------------- Fix 11
def test_fix11_score_weighs_a_dataframe_and_names_the_sample_count(abc_data, small):
    X, y = abc_data
    frame = pd.DataFrame(X, columns=list("abcd"))
    weights = (np.arange(len(y)) % 3 > 0).astype(float)
    # The problem: scikeras drops the weightless rows with X[mask, ...], which a DataFrame
    # refuses (even with no weight 0).
    fitted_plain = plain().fit(frame, y)
    for weights_given in (weights, np.ones(len(y))):
        with pytest.raises(pd.errors.InvalidIndexError):
            fitted_plain.score(frame, y, sample_weight=weights_given)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(5,\), expected \(300,\)"):
        plain().fit(X, y).score(X, y, sample_weight=np.ones(5))

    clf = small(epochs=1).fit(frame, y)
    expected = np.average(clf.predict(frame) == y, weights=weights)
    assert clf.score(frame, y, sample_weight=weights) == pytest.approx(expected)
    assert clf.score(frame, y, sample_weight=list(weights)) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"sample_weight has 5 entries but there are 300 samples"):
        clf.score(frame, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative"):
        clf.score(frame, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="zero for every sample; the accuracy is undefined"):
        clf.score(frame, y, sample_weight=np.zeros(len(y)))
    # y at score keeps its dtype: a Series of strings after a fit on a NumPy array of them
    assert clf.score(frame, pd.Series(y)) == pytest.approx(np.mean(clf.predict(frame) == y))
