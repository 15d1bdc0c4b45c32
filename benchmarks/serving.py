"""Serving benchmark: ``clf.predict`` against the exported decision model, as ratios of one run.

One fitted ``CostSensitiveKerasClassifier`` (default network, a class-level cost matrix,
5,000 credit applicants from ``costkeras.datasets.make_credit_scoring``), its
``decision_model()`` served four ways in this process:

- ``clf.predict`` (the baseline): scikit-learn's checks, the network, Bayes in NumPy;
- the Keras decision model, ``predict_on_batch``;
- the TensorFlow SavedModel of ``model.export(path)``, its ``serve`` endpoint;
- the ONNX file of ``model.export(path, format="onnx")`` in ONNX Runtime
  (``InferenceSession.run``, default threads).

Latency: one row, the mean of ``LATENCY_CALLS`` calls; throughput: 10,000 rows, the mean of
``THROUGHPUT_CALLS`` calls. Each path runs once untimed first (tracing, warm-up), then the
paths take turns, ``REPEATS`` rounds in rotating order; the table gives each path's median
and its ratio to ``clf.predict``'s median of the same run. Every path's decisions on the
10,000 rows are checked to equal ``clf.predict``'s before anything is timed.

Run: python benchmarks/serving.py     (needs the export extra: pip install -e ".[export]";
writes its section of benchmarks/RESULTS.md)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COSTS = [[0, 1], [8, 0]]  # a missed default costs 8 refused good customers
REPEATS = 7
LATENCY_CALLS = 200
THROUGHPUT_CALLS = 10


def serving_paths(clf, folder):
    """name -> a function of X returning decided class positions."""
    import numpy as np
    import onnxruntime
    import tensorflow as tf

    model = clf.decision_model()
    model.export(os.path.join(folder, "savedmodel"), verbose=False)
    model.export(os.path.join(folder, "model.onnx"), format="onnx", verbose=False)
    saved = tf.saved_model.load(os.path.join(folder, "savedmodel"))
    session = onnxruntime.InferenceSession(os.path.join(folder, "model.onnx"))
    classes = clf.classes_

    def positions(labels):
        return np.searchsorted(classes, labels)

    return {
        "clf.predict": lambda X: positions(clf.predict(X)),
        "Keras decision model": lambda X: np.asarray(model.predict_on_batch(X)["decision"]),
        "TF SavedModel (serve)": lambda X: saved.serve(X)["decision"].numpy(),
        "ONNX Runtime": lambda X: session.run(["decision"], {"features": X})[0],
    }, saved  # the loaded SavedModel must stay referenced while it serves


def mean_time(function, X, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function(X)
    return (time.perf_counter() - start) / calls


def measure():
    import numpy as np

    from costkeras import CostSensitiveKerasClassifier
    from costkeras.datasets import make_credit_scoring

    X, y, _ = make_credit_scoring(15_000, random_state=0)
    X = X.astype("float32")
    clf = CostSensitiveKerasClassifier(cost_matrix=COSTS, random_state=0).fit(X[:5000], y[:5000])
    X_many, X_one = X[5000:], X[5000:5001]
    with tempfile.TemporaryDirectory() as folder:
        paths, _saved = serving_paths(clf, folder)
        reference = paths["clf.predict"](X_many)
        for name, path in paths.items():
            if not np.array_equal(path(X_many), reference):
                raise AssertionError(f"{name} decides otherwise than clf.predict")
            path(X_one)  # warm-up: tracing, first calls
        times = {name: {"one": [], "many": []} for name in paths}
        names = list(paths)
        for round_ in range(REPEATS):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                times[name]["one"].append(mean_time(paths[name], X_one, LATENCY_CALLS))
                times[name]["many"].append(mean_time(paths[name], X_many, THROUGHPUT_CALLS))
    return times


def report(times):
    """Medians with the rounds' range, and the median ratio to ``clf.predict``."""
    medians = {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    base = medians["clf.predict"]
    lines = [
        "| path | 1 row: latency (range) | ratio to clf.predict | 10,000 rows: time (range) "
        "| rows per second | ratio to clf.predict |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, m in medians.items():
        one, many = times[name]["one"], times[name]["many"]
        lines.append(
            f"| {name} | {m['one'] * 1000:.3f} ms ({min(one) * 1000:.3f}-{max(one) * 1000:.3f}) "
            f"| {m['one'] / base['one']:.2f} "
            f"| {m['many'] * 1000:.1f} ms ({min(many) * 1000:.1f}-{max(many) * 1000:.1f}) "
            f"| {10_000 / m['many']:,.0f} | {m['many'] / base['many']:.2f} |"
        )
    fastest_one = min(medians, key=lambda n: medians[n]["one"])
    fastest_many = min(medians, key=lambda n: medians[n]["many"])
    lines.append("")
    lines.append(f"Fastest for one row: {fastest_one}; for 10,000 rows: {fastest_many}.")
    return "\n".join(lines)


def main():
    import keras
    import onnxruntime
    import tensorflow as tf

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _results import machine_line, write_section

    start = time.perf_counter()
    times = measure()
    elapsed = time.perf_counter() - start
    table = report(times)
    print(table)
    versions = (
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"ONNX Runtime {onnxruntime.__version__}"
    )
    print(f"{versions}. Finished in {elapsed:.0f} s.")
    write_section(
        "serving",
        f"## Serving (`python benchmarks/serving.py`)\n\n{machine_line()}, {elapsed:.0f} s; "
        f"{versions}. One default estimator with a cost matrix, fitted on 5,000 applicants "
        "of `make_credit_scoring`; its `decision_model()` served four ways in one process, "
        f"decisions checked equal to `clf.predict` on 10,000 rows first. Medians of {REPEATS} "
        f"rounds in rotating order; a round times {LATENCY_CALLS} one-row calls and "
        f"{THROUGHPUT_CALLS} calls on 10,000 rows per path; the range is the rounds' fastest "
        "and slowest. Ratios: median time over `clf.predict`'s (below 1 is faster).\n\n" + table,
    )


if __name__ == "__main__":
    main()
