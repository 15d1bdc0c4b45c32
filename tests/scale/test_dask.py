"""Dask clusters: grid searches over cost matrices, decisions over partitions and blocks."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from costkeras.metrics import make_cost_scorer
from tests._helpers import ABC_COSTS, assert_same_search, stored_trainings

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

# One thread per worker process, TensorFlow included, so two workers share
# two cores without oversubscription.
THREADS = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def local_cluster():
    """Two worker processes on the loopback, stopped when the ``with`` block ends."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env=THREADS,
    )


GRID = {
    "cost_matrix": [ABC_COSTS, [[0, 1, 1], [1, 0, 20], [1, 1, 0]]],
    "class_weight": [None, {"B": 2.0}],
}


@pytest.mark.slow
def test_grid_search_on_dask_local_cluster_matches_sequential_run(abc_data, tmp_path, small):
    X, y = abc_data
    scorer = make_cost_scorer(ABC_COSTS)

    def search(**params):
        return GridSearchCV(small(epochs=8, **params), GRID, scoring=scorer, cv=2)

    sequential = search().fit(X, y)
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
            on_dask = search().fit(X, y)
        with joblib.parallel_backend("dask"):
            shared = search(memory=str(tmp_path)).fit(X, y)
    assert len({task["worker"] for task in tasks.data}) == 2, "both workers must have trained"
    # Same seeds, same training: the default network seeds its initializers itself, so the
    # workers' other threads drawing from Python's `random` cannot change its start.
    assert_same_search(on_dask, sequential)
    # with memory, the workers share the trained networks: the class weights train, the
    # matrices only decide (2 x 2 folds, and the refit), and the scores stay the same
    assert stored_trainings(tmp_path) == 5
    assert_same_search(shared, sequential)
    # the refitted best model came back from the workers' search and predicts with costs
    assert on_dask.best_estimator_.predict(X).shape == y.shape


@pytest.mark.slow
def test_decisions_over_dask_partitions_and_blocks_equal_predict_on_every_row(small):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    from costkeras.batch import map_decisions
    from costkeras.datasets import make_credit_scoring

    X, y, costs = make_credit_scoring(1200, random_state=0)
    clf = small(cost_matrix=[[0, 1], [2, 0]]).fit(X, y)
    features = [f"x{i}" for i in range(X.shape[1])]
    cost_columns = ["c00", "c01", "c10", "c11"]  # C[true, predicted], row by row
    frame = pd.DataFrame(np.hstack([X, costs.reshape(-1, 4)]), columns=features + cost_columns)
    lazy_frame = dd.from_pandas(frame, npartitions=4)
    lazy_X = da.from_array(X, chunks=300)
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks:
            decided = map_decisions(
                lazy_frame, clf, features=features, sample_cost=cost_columns
            ).compute()
            blocks = wrappers.ParallelPostFit(clf).predict(lazy_X).compute()
            risks = lazy_X.map_blocks(
                clf.predict_expected_cost, dtype="float64", chunks=(300, 2)
            ).compute()
    assert len({task["worker"] for task in tasks.data}) == 2, "both workers must have decided"
    assert decided.index.equals(frame.index)
    # every row decided on the cluster as in this process, with each row's own costs
    per_example = clf.predict(X, sample_cost=costs)
    np.testing.assert_array_equal(decided["decision"].to_numpy(), per_example)
    np.testing.assert_allclose(
        decided[["expected_cost_0", "expected_cost_1"]].to_numpy(),
        clf.predict_expected_cost(X, sample_cost=costs),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(blocks, clf.predict(X))
    np.testing.assert_allclose(risks, clf.predict_expected_cost(X), rtol=1e-6)
    # the per-example costs changed decisions: the class-level matrix alone decides otherwise
    assert (per_example != clf.predict(X)).any()
