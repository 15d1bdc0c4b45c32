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
from conftest import small, tensorflow_only
from scikeras.wrappers import KerasClassifier
from scipy import sparse
from sklearn.base import ClassifierMixin, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import get_tags

from costkeras._scikeras.fixes import drop_weightless, torch_random_state
from costkeras._scikeras.network import build_mlp


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


def test_fix1_tags_make_it_a_classifier(abc_data):
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


def test_fix2_class_weight_leaves_sample_weight_alone(abc_data):
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


def test_fix2_partial_fit_leaves_sample_weight_alone(abc_data):
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


def test_fix4_input_checks(abc_data):
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
def test_fix5_fast_predictions_match_keras_predict(abc_data):
    X, y = abc_data
    clf = small(epochs=2).fit(X, y)
    reference = clf.model_.predict(X[:7].astype("float32"), verbose=0)
    for _ in range(4):  # the first calls run eagerly, later ones through predict_on_batch
        np.testing.assert_allclose(clf.predict_proba(X[:7]), reference, rtol=1e-5, atol=1e-7)


@pytest.mark.backend
def test_fix5_large_inputs_predicted_in_chunks(abc_data, monkeypatch):
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


def test_fix5_input_checks_skipped_only_where_they_would_pass(abc_data):
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
def test_fix5_no_retracing_warnings_across_fresh_models(abc_data, retracing_warnings):
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
def test_fix9_seeded_fits_are_equal_on_pytorch_too(abc_data):
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
