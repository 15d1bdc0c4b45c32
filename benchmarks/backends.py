"""Keras backends compared: the same workloads on TensorFlow, JAX and PyTorch.

Each backend runs in its own subprocess (``KERAS_BACKEND`` is read once, at the first
import of Keras). A subprocess times every workload once from cold (the first call: JAX
compiles, TensorFlow traces) and then ``REPEATS`` more times; the rounds alternate the
order of the backends, so a slow spell of this shared machine does not fall on one
backend only. The table gives the median of the repeats per backend and its ratio to
TensorFlow's from the same run, and the median first call.

1. ``fit`` of the default estimator with a cost matrix, 5,000 x 20, 3 classes (early
   stopping on: the epochs run are given per backend).
2. The same fit with per-example costs training through ``cost_loss="expected_cost"``.
3. ``predict_proba`` on 10,000 rows (mean of 10 calls per repeat).
4. ``predict`` on 1 row (mean of 100 calls per repeat).

Run: python benchmarks/backends.py     (needs jax and torch installed beside TensorFlow;
writes its section of benchmarks/RESULTS.md)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

SCRIPT = os.path.abspath(__file__)
BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
COSTS = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]
REPEATS = 3
ROUNDS = 2
LATENCY_CALLS = 100


def data(n_samples, n_features=20, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)).astype("float32")
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)  # 3 classes
    costs = rng.uniform(0.5, 5, size=(n_samples, 3, 3)) * (1 - np.eye(3))
    return X, y, costs


def timed(function, calls=1):
    start = time.perf_counter()
    for _ in range(calls):
        result = function()
    return (time.perf_counter() - start) / calls, result


def child():
    """One backend's measurements; prints one JSON line."""
    start = time.perf_counter()
    import keras

    from costkeras import CostSensitiveKerasClassifier

    imported = time.perf_counter() - start
    X, y, costs = data(5000)
    X_big = data(10_000, seed=1)[0]

    def fit_costs():
        return CostSensitiveKerasClassifier(cost_matrix=COSTS, random_state=0).fit(X, y)

    def fit_sample_cost():
        clf = CostSensitiveKerasClassifier(cost_loss="expected_cost", random_state=0)
        return clf.fit(X, y, sample_cost=costs)

    results, fitted = {}, {}
    for name, fit in (("fit_cost_matrix", fit_costs), ("fit_sample_cost", fit_sample_cost)):
        first, fitted[name] = timed(fit)
        repeats = [timed(fit)[0] for _ in range(REPEATS)]
        results[name] = {
            "first": first,
            "repeats": repeats,
            "epochs": len(fitted[name].history_["loss"]),
        }
    clf = fitted["fit_cost_matrix"]
    for name, rows, calls in (
        ("predict_proba_10000", X_big, 10),
        ("predict_1", X[:1], LATENCY_CALLS),
    ):
        method = clf.predict_proba if name.startswith("predict_proba") else clf.predict
        first = timed(lambda method=method, rows=rows: method(rows))[0]
        for _ in range(3):  # past the first (eager) calls of the fast predict path
            method(rows)
        repeats = [
            timed(lambda method=method, rows=rows: method(rows), calls)[0] for _ in range(REPEATS)
        ]
        results[name] = {"first": first, "repeats": repeats}
    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend]
    print(
        json.dumps(
            {
                "backend": backend,
                "version": __import__(module).__version__,
                "keras": keras.__version__,
                "import": imported,
                "results": results,
            }
        )
    )


def run_backend(backend):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, SCRIPT, "--child"], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{backend} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


WORKLOADS = {
    "fit_cost_matrix": "fit, defaults, cost matrix (5,000 x 20)",
    "fit_sample_cost": "fit, defaults, per-example costs, expected_cost loss",
    "predict_proba_10000": "predict_proba, 10,000 rows",
    "predict_1": "predict, 1 row",
}


def format_seconds(seconds):
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds:.2f} s"


def table_row(label, seconds, notes=None):
    """One row: a time per backend (TensorFlow's first) and the ratios to TensorFlow's."""
    notes = notes or [""] * len(seconds)
    cells = [format_seconds(value) + note for value, note in zip(seconds, notes, strict=True)]
    ratios = [f"{value / seconds[0]:.2f}" for value in seconds[1:]]
    return f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |"


def report(runs):
    """The table: medians per backend, their ratios to TensorFlow, the first calls."""
    names = list(BACKENDS)
    header = " | ".join(BACKENDS[b] for b in names)
    ratios = " | ".join(f"{BACKENDS[b]} / TF" for b in names[1:])
    lines = [
        f"| workload | {header} | {ratios} |",
        "|---|" + "---:|" * (2 * len(names) - 1),
    ]

    def measured(backend, workload):
        return [run["results"][workload] for run in runs[backend]]

    for workload, label in WORKLOADS.items():
        medians = [
            statistics.median(t for m in measured(b, workload) for t in m["repeats"]) for b in names
        ]
        epochs = [sorted({m.get("epochs") for m in measured(b, workload)} - {None}) for b in names]
        notes = [f" ({'/'.join(map(str, e))} epochs)" if e else "" for e in epochs]
        lines.append(table_row(label, medians, notes))
        if all(epochs):  # early stopping may stop each backend after other epochs
            per_epoch = [
                statistics.median(
                    t / m["epochs"] for m in measured(b, workload) for t in m["repeats"]
                )
                for b in names
            ]
            lines.append(table_row(f"{label}, per epoch", per_epoch))
    for workload, label in WORKLOADS.items():
        firsts = [statistics.median(m["first"] for m in measured(b, workload)) for b in names]
        lines.append(table_row(f"first call: {label}", firsts))
    imports = [statistics.median(run["import"] for run in runs[b]) for b in names]
    lines.append(table_row("import costkeras", imports))
    versions = (
        ", ".join(f"{BACKENDS[b]} {runs[b][0]['version']}" for b in names)
        + f", Keras {runs['tensorflow'][0]['keras']}"
    )
    return "\n".join(lines), versions


def main():
    from _results import machine_line, write_section

    start = time.perf_counter()
    runs = {backend: [] for backend in BACKENDS}
    for round_ in range(ROUNDS):
        order = list(BACKENDS) if round_ % 2 == 0 else list(reversed(BACKENDS))
        for backend in order:
            runs[backend].append(run_backend(backend))
            print(f"round {round_ + 1}: {backend} done", file=sys.stderr)
    table, versions = report(runs)
    elapsed = time.perf_counter() - start
    print(table)
    print(f"{versions}. Finished in {elapsed / 60:.1f} minutes.")
    write_section(
        "backends",
        f"## Keras backends (`python benchmarks/backends.py`)\n\n{machine_line()}, "
        f"{elapsed / 60:.1f} minutes; {versions}. Each backend in its own process, "
        f"{ROUNDS} rounds in alternating order, {REPEATS} timed repeats per round after a "
        "first call from cold: medians of the repeats, ratios to TensorFlow's medians of "
        f"the same run; a predict repeat is the mean of 10 calls (10,000 rows) or "
        f"{LATENCY_CALLS} (1 row). The "
        "first-call rows time each workload's first call in a fresh process (JAX compiles, "
        "TensorFlow traces).\n\n" + table,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child()
    else:
        main()
