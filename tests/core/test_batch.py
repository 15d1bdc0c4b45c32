"""A fitted classifier's decisions and expected costs as columns of data-frame batches."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from costkeras import MinimumCostClassifier
from costkeras.batch import decision_frame, map_decisions

COSTS = ["c00", "c01", "c10", "c11"]  # C[true, decision], row by row


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = pd.DataFrame({"x": rng.normal(size=60) + y, "z": rng.normal(size=60)})
    clf = MinimumCostClassifier(LogisticRegression(), cost_matrix=[[0, 1], [5, 0]])
    return clf.fit(X, y), X


def test_decision_frame_decides_as_predict_on_a_batch_and_keeps_its_index(fitted):
    clf, X = fitted
    batch = X.iloc[10:20]
    out = decision_frame(batch, clf)
    assert out.index.equals(batch.index)
    assert out.columns.tolist() == ["decision", "expected_cost_0", "expected_cost_1"]
    np.testing.assert_array_equal(out["decision"], clf.predict(batch))
    np.testing.assert_allclose(out.iloc[:, 1:], clf.predict_expected_cost(batch))


def test_cost_columns_decide_each_row_and_are_no_features(fitted):
    clf, X = fitted
    rows = np.tile([0.0, 1.0, 100.0, 0.0], (len(X), 1))  # a missed "1" costs 100
    rows[::2] = [0.0, 100.0, 1.0, 0.0]  # every other row: a false "1" costs 100
    frame = pd.concat([X, pd.DataFrame(rows, columns=COSTS, index=X.index)], axis=1)
    out = decision_frame(frame, clf, sample_cost=COSTS)
    expected = clf.predict(X, sample_cost=rows.reshape(-1, 2, 2))
    np.testing.assert_array_equal(out["decision"], expected)
    assert set(out["decision"][1::2]) == {1} and set(out["decision"][::2]) == {0}
    with pytest.raises(ValueError, match=r"sample_cost must name k \* m = 2 \* 2 = 4 columns"):
        decision_frame(frame, clf, sample_cost=COSTS[:3])


def test_an_empty_batch_gets_the_columns_and_their_types(fitted):
    clf, X = fitted
    out = decision_frame(X.iloc[:0], clf)
    assert len(out) == 0 and out.dtypes["expected_cost_1"] == np.float64
    assert out.dtypes["decision"] == np.asarray(clf.actions_).dtype


def test_map_decisions_over_dask_partitions_equals_decision_frame(fitted):
    dd = pytest.importorskip("dask.dataframe")
    clf, X = fitted
    lazy = map_decisions(dd.from_pandas(X, npartitions=3), clf)
    pd.testing.assert_frame_equal(lazy.compute(scheduler="sync"), decision_frame(X, clf))


def test_the_batch_helpers_load_no_deep_learning_library():
    from tests.test_layers_of_the_package import loaded_after

    loaded = loaded_after("costkeras.batch")
    assert not {"keras", "tensorflow", "jax", "torch", "scikeras"} & loaded
