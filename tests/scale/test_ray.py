"""Ray on a local two-CPU cluster: decisions over a Ray Dataset, searches on Ray's joblib backend.

The cluster starts once for the module and is shut down after it; its worker
processes find the tests' helpers through ``PYTHONPATH`` (the classes handed to
``map_batches`` are pickled by reference).
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from costkeras.metrics import make_cost_scorer
from tests._helpers import ABC_COSTS, assert_same_search, stored_trainings

ray = pytest.importorskip("ray")
pd = pytest.importorskip("pandas")
pytest.importorskip("ray.data")

FEATURES = [f"x{i}" for i in range(6)]
COSTS = ["c00", "c01", "c10", "c11"]  # C[true, predicted], row by row


@pytest.fixture(scope="module")
def local_ray():
    root = Path(__file__).parents[2]
    path = os.pathsep.join([str(root), str(root / "src"), *sys.path])
    threads = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "3", **threads}},
    )
    context = ray.data.DataContext.get_current()
    ordered, context.execution_options.preserve_order = (
        context.execution_options.preserve_order,
        True,
    )
    yield
    context.execution_options.preserve_order = ordered
    ray.shutdown()


@pytest.fixture(scope="module")
def credit(small):
    from costkeras.datasets import make_credit_scoring

    X, y, costs = make_credit_scoring(1200, random_state=0)
    X = X.astype("float32")
    clf = small(cost_matrix=[[0, 1], [2, 0]]).fit(X, y)
    frame = pd.DataFrame(np.hstack([X, costs.reshape(-1, 4)]), columns=FEATURES + COSTS)
    return clf, X, costs, frame


class OnnxDecisions:
    """A Ray Data actor: one ONNX Runtime session, loaded once, deciding batch after batch."""

    def __init__(self, path):
        import onnxruntime

        self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])

    def __call__(self, batch):
        features = batch[FEATURES].to_numpy(dtype="float32")
        costs = batch[COSTS].to_numpy(dtype="float64").reshape(-1, 2, 2)
        decided = self.session.run(["decision"], {"features": features, "sample_cost": costs})
        return pd.DataFrame({"decision": decided[0]})


@pytest.mark.slow
def test_decisions_over_a_ray_dataset_equal_predict_on_every_row(local_ray, credit, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tf2onnx")
    from costkeras.batch import decision_frame

    clf, X, costs, frame = credit
    dataset = ray.data.from_pandas([frame.iloc[i : i + 300] for i in range(0, 1200, 300)])
    decided = dataset.map_batches(
        decision_frame,
        fn_args=(clf,),
        fn_kwargs={"features": FEATURES, "sample_cost": COSTS},
        batch_format="pandas",
        batch_size=256,
    ).to_pandas()
    path = str(tmp_path / "decide.onnx")
    clf.decision_model(sample_cost=True).export(path, format="onnx", verbose=False)
    served = dataset.map_batches(
        OnnxDecisions,
        fn_constructor_args=(path,),
        concurrency=2,
        batch_format="pandas",
        batch_size=256,
    ).to_pandas()
    per_example = clf.predict(X, sample_cost=costs)
    # Ray hands the blocks back as Arrow-backed columns
    np.testing.assert_array_equal(decided["decision"].to_numpy(dtype="int64"), per_example)
    np.testing.assert_allclose(
        decided[["expected_cost_0", "expected_cost_1"]].to_numpy(dtype="float64"),
        clf.predict_expected_cost(X, sample_cost=costs),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(
        clf.classes_[served["decision"].to_numpy(dtype="int64")], per_example
    )
    assert (per_example != clf.predict(X)).any()  # the rows' own costs decided


class RecordingScorer:
    """The cost scorer, leaving a file named after each process it scores in."""

    def __init__(self, folder):
        self.folder, self.score = folder, make_cost_scorer(ABC_COSTS)

    def __call__(self, estimator, X, y):
        (self.folder / str(os.getpid())).touch()
        return self.score(estimator, X, y)


@pytest.mark.slow
def test_grid_search_on_rays_joblib_backend_matches_sequential_run(
    local_ray, abc_data, tmp_path, small
):
    import joblib
    from ray.util.joblib import register_ray

    register_ray()
    X, y = abc_data
    grid = {"cost_matrix": [ABC_COSTS, [[0, 1, 1], [1, 0, 20], [1, 1, 0]]]}
    scorer = make_cost_scorer(ABC_COSTS)
    sequential = GridSearchCV(small(epochs=8), grid, scoring=scorer, cv=2, n_jobs=1).fit(X, y)
    memory, scored = tmp_path / "memory", tmp_path / "scored"
    scored.mkdir()
    with joblib.parallel_backend("ray"):
        on_ray = GridSearchCV(
            small(epochs=8, memory=str(memory)),
            grid,
            scoring=RecordingScorer(scored),
            cv=2,
            n_jobs=2,
        ).fit(X, y)
    # Ray's worker processes scored the candidates, not this one
    assert {p.name for p in scored.iterdir()} - {str(os.getpid())}
    assert_same_search(on_ray, sequential)
    # the Ray workers shared the folder: matrices that only decide trained one network per
    # fold between them (2 folds), and the refit one more
    assert stored_trainings(memory) == 3
