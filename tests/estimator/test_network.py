"""The default network's input layers, embeddings and TabM-style ensemble."""

import functools
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.preprocessing import QuantileTransformer

from costkeras import CostSensitiveKerasClassifier
from costkeras._scikeras.network import (
    PiecewiseLinearEmbedding,
    QuantileNormal,
    RobustScaleClip,
    TwoValuedEmbeddingDense,
    _embedded_input,
    _embedding_groups,
    build_mlp,
    input_statistics,
)

# the TabM-mini ensemble is an experiment of the benchmarks (benchmarks/experiments.py)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from experiments import EnsembleInput, build_ensemble_mlp

pytestmark = pytest.mark.backend

META = {"n_features_in_": 3, "n_classes_": 2}


def heavy_tailed(n=400, seed=0):
    """An income-like log-normal column in currency units, a 0/1 flag, a constant."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 1.0, n)
    flag = (rng.random(n) < 0.2).astype(float)
    X = np.column_stack([income, flag, np.full(n, 7.0)])
    y = ((np.log(income) - 10 + flag + rng.normal(0, 0.5, n)) > 0.3).astype(int)
    return X, y


def test_input_statistics_robust():
    X, _ = heavy_tailed()
    stats = input_statistics(X, "robust")
    assert stats["median"][0] == pytest.approx(np.median(X[:, 0]), rel=0.05)
    q1, q3 = np.quantile(X[:, 0], [0.25, 0.75])
    assert stats["scale"][0] == pytest.approx(1 / (q3 - q1), rel=0.05)
    assert stats["scale"][1] == pytest.approx(2.0)  # IQR 0: 2 / range
    assert stats["scale"][2] == 0.0  # constant
    assert np.asarray(stats["quantiles"]).shape == (3, 65)
    with pytest.raises(ValueError, match="method must be one of"):
        input_statistics(X, "minmax")


def test_robust_scale_clip_bounds_outliers_and_ignores_affine_rescaling():
    X, _ = heavy_tailed()
    X = np.vstack([X, [[1e12, 1.0, 7.0]], [[np.nan, 0.0, 7.0]]])
    layer = RobustScaleClip(**{k: input_statistics(X[:-2])[k] for k in ("median", "scale")})
    z = keras.ops.convert_to_numpy(layer(X.astype("float32")))
    assert np.all(np.abs(z) <= 3.0) and np.isfinite(z).all()
    assert z[-2, 0] == pytest.approx(3.0, abs=1e-3)  # squashed towards the clip
    assert z[-1, 0] == pytest.approx(0.0)  # NaN -> median
    # the same network on dollars and on thousands of dollars: the same outputs
    shifted = X[:-2] * np.array([1e-3, 1.0, 1.0]) + np.array([5.0, 0.0, 0.0])
    a = build_mlp(META, (8,), "relu", seed=0, input_stats=input_statistics(X[:-2]))
    b = build_mlp(META, (8,), "relu", seed=0, input_stats=input_statistics(shifted))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(a(X[:-2].astype("float32"))),
        keras.ops.convert_to_numpy(b(shifted.astype("float32"))),
        atol=1e-4,
    )


def test_quantile_normal_matches_sklearn():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.lognormal(0, 2, 2000), rng.normal(5, 3, 2000)])
    layer = QuantileNormal(input_statistics(X, "quantile", n_quantiles=256)["quantiles"])
    z = keras.ops.convert_to_numpy(layer(X.astype("float32")))
    reference = QuantileTransformer(n_quantiles=257, output_distribution="normal").fit(X)
    inside = np.abs(z) < 2.5  # sklearn clips the tails at +-5.2, we at +-3.1
    np.testing.assert_allclose(z[inside], reference.transform(X)[inside], atol=0.05)
    order = np.argsort(X[:, 0])
    assert np.all(np.diff(z[order, 0]) >= -1e-5)  # monotone


@pytest.mark.parametrize(
    "options",
    [
        {"input_stats": "robust"},
        {"input_stats": "quantile"},
        {"input_stats": "robust", "embedding_bins": 8, "embedding_dim": 4},
        {"input_stats": "robust", "embedding_bins": 16},
        {"input_stats": "robust", "n_members": 4, "dropout": 0.2},
    ],
)
def test_tabular_networks_learn_raw_money_columns_and_round_trip(options, tmp_path, small):
    X, y = heavy_tailed()
    options = {**options, "input_stats": input_statistics(X, options["input_stats"])}
    builder = functools.partial(
        build_ensemble_mlp, hidden_layer_sizes=(16,), activation="relu", seed=0
    )
    clf = small(model=functools.partial(builder, **options), epochs=30, batch_size=32)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.8
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    path = tmp_path / "model.keras"
    clf.model_.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(X.astype("float32"))), proba, atol=1e-5
    )


def test_ensemble_members_differ_and_are_averaged():
    X, _ = heavy_tailed(50)
    stats = input_statistics(X)
    model = build_ensemble_mlp(META, (8,), "relu", seed=0, input_stats=stats, n_members=4)
    signs = keras.ops.convert_to_numpy(model.get_layer("ensemble_input").r)
    assert signs.shape == (4, 3) and len({tuple(row) for row in signs}) > 1
    head = model.get_layer("proba")
    assert tuple(head.kernel.shape) == (4, 8, 2)
    assert isinstance(model.get_layer("ensemble_input"), EnsembleInput)
    out = keras.ops.convert_to_numpy(model(X.astype("float32")))
    assert out.shape == (50, 2)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_build_mlp_defaults_are_unchanged():
    """No statistics, one member, no dropout: the plain MLP of before, layer for layer."""
    model = build_mlp(META, (8, 4), "relu", seed=3)
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Dense",
        "Dense",
        "Dense",
    ]


def test_input_statistics_count_distinct_values():
    X, _ = heavy_tailed(200)
    X[3, 0] = np.nan
    assert input_statistics(X)["distinct"] == [199, 2, 1]


def test_embeddings_give_two_valued_columns_one_bin_and_the_others_sixteen():
    X, _ = heavy_tailed(300)
    model = build_mlp(
        META, (8,), "relu", seed=0, input_stats=input_statistics(X), embedding_bins=16
    )
    many, few = model.get_layer("embedding"), model.get_layer("embedding_few")
    assert isinstance(few, TwoValuedEmbeddingDense)
    assert np.shape(many.knots) == (1, 17) and np.shape(few.knots) == (2, 2)
    assert model.get_layer("embedding_columns").columns == [0]
    assert model.get_layer("embedding_few_columns").columns == [1, 2]
    assert tuple(model.get_layer("embedding_dense").kernel.shape) == (4, 8)  # 4 dimensions
    assert tuple(few.kernel.shape) == (2, 4, 8)
    # a 0/1 column's single bin runs from 0 to 1: its two values stay apart exactly
    assert few.knots[0] == [0.0, 1.0]


@pytest.mark.parametrize("sizes", [(), (8,)])
def test_without_a_first_hidden_layer_to_fold_into_the_embeddings_are_concatenated(sizes):
    X, _ = heavy_tailed(300)
    stats = input_statistics(X)
    n_members = 4 if sizes else 1  # the ensemble scales each embedding: none folded
    model = build_ensemble_mlp(
        META, sizes, "relu", input_stats=stats, embedding_bins=16, n_members=n_members
    )
    few = model.get_layer("embedding_few")
    assert isinstance(few, PiecewiseLinearEmbedding)
    assert model.get_layer("embeddings").output.shape[-1] == 3 * 4


def test_folded_first_layer_starts_as_one_dense_layer_over_all_embeddings():
    """The same start as embeddings concatenated into one seeded Glorot Dense layer."""
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [rng.normal(size=200), rng.integers(0, 2, (200, 2)), rng.lognormal(size=200)]
    )
    stats = input_statistics(X)
    meta = {"n_features_in_": 4, "n_classes_": 2}
    model = build_mlp(meta, (8,), "relu", seed=0, input_stats=stats, embedding_bins=16)
    inputs = keras.Input((4,))
    concatenated = _embedded_input(
        inputs, _embedding_groups(stats, 16, min_distinct=3), 4, seed=0, split=True
    )
    glorot = keras.initializers.GlorotUniform
    hidden = keras.layers.Dense(8, "relu", kernel_initializer=glorot(seed=1))(concatenated)
    outputs = keras.layers.Dense(2, "softmax", kernel_initializer=glorot(seed=2))(hidden)
    reference = keras.Model(inputs, outputs)
    rows = X.astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(rows)),
        keras.ops.convert_to_numpy(reference(rows)),
        atol=1e-6,
    )


def test_embeddings_of_columns_all_of_one_kind_need_no_column_split():
    X = np.random.default_rng(0).normal(size=(100, 3))
    model = build_mlp(META, (8,), "relu", input_stats=input_statistics(X), embedding_bins=16)
    names = [layer.name for layer in model.layers]
    assert "embedding" in names and "embedding_few" not in names
    assert not any(name.endswith("_columns") for name in names)


def test_embedded_input_reads_a_missing_value_as_the_median():
    X, _ = heavy_tailed(300)
    model = build_mlp(META, (8,), "relu", input_stats=input_statistics(X), embedding_bins=16)
    rows = X[:5].astype("float32")
    holed = rows.copy()
    holed[:, 0] = np.nan
    filled = rows.copy()
    filled[:, 0] = np.asarray(model.get_layer("embedding").knots)[0, 8]  # the median knot
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(holed)), keras.ops.convert_to_numpy(model(filled))
    )


def test_default_network_embeds_every_column(small):
    X, y = heavy_tailed()
    clf = CostSensitiveKerasClassifier(
        hidden_layer_sizes=(16,), epochs=30, batch_size=32, random_state=0
    ).fit(X, y)
    names = [layer.name for layer in clf.model_.layers]
    assert {"embedding", "embedding_few"} <= set(names) and "robust_scale" not in names
    assert clf.score(X, y) > 0.8
    robust = small(epochs=2, input_scaling="robust").fit(X, y)
    assert "robust_scale" in [layer.name for layer in robust.model_.layers]
    assert "embedding" not in [layer.name for layer in robust.model_.layers]


@pytest.mark.parametrize(
    "options",
    [
        {"input_stats": "robust", "embedding_bins": 16},  # the default: a Sum after two parts
        {"input_stats": "robust", "embedding_bins": 16, "hidden_layer_sizes": ()},
        {"input_stats": "quantile"},
        {"input_stats": "robust", "n_members": 4},
        {"input_stats": None},
    ],
)
def test_every_network_takes_a_batch_of_no_rows(options):
    X, _ = heavy_tailed()
    stats = options["input_stats"]
    options = {
        "hidden_layer_sizes": (8,),
        **options,
        "input_stats": None if stats is None else input_statistics(X, stats),
    }
    model = build_ensemble_mlp(META, activation="relu", seed=0, **options)
    empty = keras.ops.convert_to_numpy(model(X[:0].astype("float32")))
    assert empty.shape == (0, 2) and empty.dtype == np.float32


def test_a_fitted_default_network_and_its_decision_model_take_no_rows():
    X, y = heavy_tailed(120)
    clf = CostSensitiveKerasClassifier(
        hidden_layer_sizes=(8,), epochs=1, random_state=0, cost_matrix=[[0, 1], [3, 0]]
    ).fit(X, y)
    assert "first_layer" in [layer.name for layer in clf.model_.layers]
    empty = X[:0].astype("float32")
    assert keras.ops.convert_to_numpy(clf.model_(empty)).shape == (0, 2)
    served = clf.decision_model()
    outputs = served(empty)
    assert keras.ops.convert_to_numpy(outputs["decision"]).shape == (0,)
    assert keras.ops.convert_to_numpy(outputs["probabilities"]).shape == (0, 2)
    # on rows, the same decisions as predict: the sum adds as before
    decided = served.predict(X.astype("float32"), verbose=0)["decision"]
    np.testing.assert_array_equal(clf.actions_[decided], clf.predict(X))
