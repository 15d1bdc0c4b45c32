"""Grid search over cost matrices on a real Dask cluster (joblib's dask backend)."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from costkeras.metrics import make_cost_scorer
from tests._helpers import ABC_COSTS, stored_trainings

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

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
    # One thread per worker process, TensorFlow included, so two workers share
    # two cores without oversubscription.
    threads = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env=threads,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
            on_dask = search().fit(X, y)
        with joblib.parallel_backend("dask"):
            shared = search(memory=str(tmp_path)).fit(X, y)
    assert len({task["worker"] for task in tasks.data}) == 2, "both workers must have trained"
    # Same seeds, same training: the default network seeds its initializers itself, so the
    # workers' other threads drawing from Python's `random` cannot change its start.
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-9,
    )
    assert on_dask.best_params_ == sequential.best_params_
    # with memory, the workers share the trained networks: the class weights train, the
    # matrices only decide (2 x 2 folds, and the refit), and the scores stay the same
    assert stored_trainings(tmp_path) == 5
    np.testing.assert_allclose(
        shared.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-9,
    )
    # the refitted best model came back from the workers' search and predicts with costs
    assert on_dask.best_estimator_.predict(X).shape == y.shape
