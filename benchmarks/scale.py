"""Scale benchmark: fit, memory and decisions of the default estimator from 10k to 1M rows.

Each size runs in a fresh process (its peak memory is its own): ``make_credit_scoring(n)``
(six features, a cost matrix per applicant), the default ``CostSensitiveKerasClassifier``
(``random_state=0``) fitted with the applicants' ``sample_cost``, ``EPOCHS`` epochs without
early stopping (a cap: the default ``epochs="auto"`` runs 10 to 200, which at 1M rows
takes too long on a shared machine; the time per epoch is what grows with the rows), then
``predict`` with each row's costs on every training row. Peak memory is the process's
peak resident set (``ru_maxrss``), TensorFlow's own included.

Then 10M decisions with each row's costs, made in chunks of 1M rows (generated in place,
never 10M at once): through ONNX Runtime in this process (the exported
``decision_model(sample_cost=True)``), and through Dask, a ``LocalCluster`` of 2 worker
processes (one thread each) mapping ``costkeras.batch.decision_frame`` over 10 partitions
that each worker generates itself (inside the timing, as the ONNX run's chunks are not).
Growth per row compares each size with the one before (the baseline is 10k rows): times
and memory per added row; a ratio of 1.0 per row is linear growth.

Run: python benchmarks/scale.py     (needs the ray/dask/export extras; writes
benchmarks/scale_results.json, its section of benchmarks/RESULTS.md, and the table of
docs/guide/scaling_out.md checks against it in tests/scale/test_scale_table.py)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SIZES = (10_000, 100_000, 1_000_000)
EPOCHS = 3
DECISIONS, CHUNK = 10_000_000, 1_000_000
RESULTS_JSON = Path(__file__).with_name("scale_results.json")
GUIDE = Path(__file__).parents[1] / "docs" / "guide" / "scaling_out.md"
MARKERS = ("<!-- scale-table:start -->", "<!-- scale-table:end -->")


def fit_one_size(n: int) -> dict:
    """Fit and predict at ``n`` rows in this (fresh) process; the measures as a dict."""
    import numpy as np

    from costkeras import CostSensitiveKerasClassifier
    from costkeras.datasets import make_credit_scoring

    X, y, costs = make_credit_scoring(n, random_state=0)
    clf = CostSensitiveKerasClassifier(random_state=0, epochs=EPOCHS, early_stopping=False)
    start = time.perf_counter()
    clf.fit(X, y, sample_cost=costs)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    decided = clf.predict(X, sample_cost=costs)
    predict_s = time.perf_counter() - start
    assert len(np.unique(decided)) == 2
    return {
        "rows": n,
        "fit_s": fit_s,
        "epoch_s": fit_s / EPOCHS,
        "predict_rows_per_s": n / predict_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def fitted_small_model(folder: str):
    """A default estimator fitted on 10k rows, its ONNX decision model written to ``folder``."""
    from costkeras import CostSensitiveKerasClassifier
    from costkeras.datasets import make_credit_scoring

    X, y, costs = make_credit_scoring(10_000, random_state=0)
    clf = CostSensitiveKerasClassifier(random_state=0, epochs=EPOCHS, early_stopping=False)
    clf.fit(X.astype("float32"), y, sample_cost=costs)
    path = os.path.join(folder, "decide.onnx")
    clf.decision_model(sample_cost=True).export(path, format="onnx", verbose=False)
    return clf, path


def chunk(i: int):
    """The ``i``-th million applicants, drawn where they are used."""
    from costkeras.datasets import make_credit_scoring

    X, _, costs = make_credit_scoring(CHUNK, random_state=1000 + i)
    return X.astype("float32"), costs


def onnx_decisions(path: str, clf) -> dict:
    """10M decisions in ONNX Runtime, 1M rows a call; checked against predict on one chunk."""
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    X, costs = chunk(0)
    decided = session.run(["decision"], {"features": X, "sample_cost": costs})[0]
    assert np.array_equal(clf.classes_[decided], clf.predict(X, sample_cost=costs))
    elapsed = 0.0
    for i in range(DECISIONS // CHUNK):
        X, costs = chunk(i)
        start = time.perf_counter()
        session.run(["decision"], {"features": X, "sample_cost": costs})
        elapsed += time.perf_counter() - start
    return {"rows": DECISIONS, "seconds": elapsed, "rows_per_s": DECISIONS / elapsed}


def _partition(i: int):
    import numpy as np
    import pandas as pd

    X, costs = chunk(i)
    columns = [f"x{j}" for j in range(X.shape[1])] + ["c00", "c01", "c10", "c11"]
    return pd.DataFrame(np.column_stack([X, costs.reshape(-1, 4)]), columns=columns)


def dask_decisions(clf) -> dict:
    """10M decisions on a 2-worker LocalCluster, each partition generated on its worker."""
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    from costkeras.batch import map_decisions

    threads = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    parts = [dask.delayed(_partition)(i) for i in range(DECISIONS // CHUNK)]
    meta = _partition_meta()
    features = list(meta.columns[:6])
    costs = list(meta.columns[6:])
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, env=threads
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("costkeras.estimator"))  # TensorFlow imported: not timed
        frame = dd.from_delayed(parts, meta=meta)
        start = time.perf_counter()
        decided = map_decisions(frame, clf, features=features, sample_cost=costs)
        counts = decided.map_partitions(len).compute()
        elapsed = time.perf_counter() - start
    assert int(counts.sum()) == DECISIONS
    return {"rows": DECISIONS, "seconds": elapsed, "rows_per_s": DECISIONS / elapsed}


def _partition_meta():
    import pandas as pd

    columns = [f"x{j}" for j in range(6)] + ["c00", "c01", "c10", "c11"]
    return pd.DataFrame({name: pd.Series(dtype="float64") for name in columns})


def table(results: dict) -> str:
    """The Markdown table of the sizes, with the growth per row against the size before."""
    lines = [
        "| rows | fit (s) | per epoch (s) | epoch time per row vs. the size before "
        "| peak memory (MB) | memory per added row (bytes) | predict (rows/s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    before = None
    for size in results["sizes"]:
        if before is None:
            per_row, memory = "baseline", "baseline"
        else:
            ratio = (size["epoch_s"] / size["rows"]) / (before["epoch_s"] / before["rows"])
            added = (size["peak_rss_mb"] - before["peak_rss_mb"]) * 2**20
            per_row = f"{ratio:.2f}x"
            memory = f"{added / (size['rows'] - before['rows']):.0f}"
        lines.append(
            f"| {size['rows']:,} | {size['fit_s']:.1f} | {size['epoch_s']:.2f} | {per_row} "
            f"| {size['peak_rss_mb']:.0f} | {memory} | {size['predict_rows_per_s']:,.0f} |"
        )
        before = size
    lines.append("")
    for name, run in results["decisions"].items():
        lines.append(
            f"- {run['rows']:,} decisions with each row's costs, {name}: "
            f"{run['seconds']:.1f} s, {run['rows_per_s']:,.0f} rows/s"
        )
    return "\n".join(lines)


def guide_with_table(guide: str, text: str) -> str:
    """The guide's text with ``text`` between its table markers."""
    start, end = guide.index(MARKERS[0]), guide.index(MARKERS[1])
    return guide[: start + len(MARKERS[0])] + "\n" + text + "\n" + guide[end:]


def child(n: int, smoke: bool = False) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, __file__, "--size", str(n), *(["--smoke"] if smoke else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(smoke: bool = False):
    """Every measure, written out; ``smoke``: small sizes, a check that it runs, nothing written."""
    import tempfile

    global SIZES, DECISIONS, CHUNK
    if smoke:
        SIZES, DECISIONS, CHUNK = (2_000, 4_000), 200_000, 100_000

    sys.path.insert(0, str(Path(__file__).parent))
    from _results import machine_line, write_section

    results = {"epochs": EPOCHS, "sizes": [], "decisions": {}}
    for n in SIZES:
        results["sizes"].append(child(n, smoke))
        print(json.dumps(results["sizes"][-1]), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        clf, path = fitted_small_model(folder)
        results["decisions"]["ONNX Runtime (1 process)"] = onnx_decisions(path, clf)
        print(json.dumps(results["decisions"]), flush=True)
        results["decisions"]["Dask (2 workers)"] = dask_decisions(clf)
    results["machine"] = machine_line()
    if smoke:
        print(table(results))
        return
    RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    text = table(results)
    print(text)
    GUIDE.write_text(guide_with_table(GUIDE.read_text(), text))
    write_section(
        "scale",
        "## Scale: 10k to 1M rows, 10M decisions (`benchmarks/scale.py`)\n\n"
        f"{results['machine']}. Default estimator with per-example costs, {EPOCHS} epochs "
        "(capped; no early stopping), one fresh process per size. Epoch time per row "
        "compared with the size before: 1.00x is linear growth.\n\n" + text,
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--size":
        if "--smoke" in sys.argv:
            EPOCHS = 1
        print(json.dumps(fit_one_size(int(sys.argv[2]))))
    else:
        main(smoke="--smoke" in sys.argv)
