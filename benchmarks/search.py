"""The search over cost matrices, timed, with ``memory`` and without, in one run.

The project's central loop: ``GridSearchCV`` over k cost matrices with a cost scorer, and
``cross_val_score`` with one matrix, for the default estimator (``random_state=0``) on 3
classes and 4,000 rows. With the default ``cost_loss="cross_entropy"`` the matrices only
decide, so with ``memory`` the search trains one network per fold. Measured in the same
run: the search without ``memory``, with it (from an empty directory, sequential and with
``n_jobs=2`` sharing it), one ``cross_val_score`` (the baseline of the ratios), and
``MinimumCostClassifier(HistGradientBoostingClassifier())`` searched over the same grid.
Every search has ``refit=False``, so that it does what ``cross_val_score`` does k times (a
refit trains one more network on all rows, with or without ``memory``; its time is
printed apart). The baseline and the sequential search with ``memory``, a few seconds each,
run ``--repeats`` times in pairs, each search from an empty folder right after its
baseline: the search's ratio is the median of the pairs' ratios, as one draw of either moves
by a tenth or more with the machine's other work, and a pair's two runs share the moment's
load. Each pair's times are printed.

Keras fits are counted: in this process by counting calls of ``keras.Model.fit``, and in
``n_jobs=2``'s worker processes by the trainings stored in ``memory``.

Run: python benchmarks/search.py     (writes its section of benchmarks/RESULTS.md)
"""

from __future__ import annotations

import argparse
import glob
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from _results import machine_line, write_section

N_ROWS, N_MATRICES, CV = 4000, 6, 3


def data():
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=N_ROWS,
        n_features=12,
        n_informative=6,
        n_classes=3,
        weights=[0.5, 0.3, 0.2],
        random_state=0,
    )
    return X.astype("float32"), np.array(["A", "B", "C"])[y]


def cost_matrices():
    """k matrices that differ in what confusing a "B" or a "C" costs."""
    matrices = []
    for b_as_c, c_as_a in [(1, 1), (5, 1), (20, 1), (1, 5), (5, 5), (20, 10)][:N_MATRICES]:
        matrices.append([[0, 1, 1], [1, 0, b_as_c], [c_as_a, 1, 0]])
    return matrices


class FitCounter:
    """Counts ``keras.Model.fit`` calls in this process."""

    def __enter__(self):
        import keras

        self.count, self._fit = 0, keras.Model.fit
        counter = self

        def fit(model, *args, **kwargs):
            counter.count += 1
            return counter._fit(model, *args, **kwargs)

        keras.Model.fit = fit
        return self

    def __exit__(self, *exc):
        import keras

        keras.Model.fit = self._fit


def stored(folder: str) -> int:
    return len(glob.glob(os.path.join(folder, "**", "output.pkl"), recursive=True))


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--repeats", type=int, default=7, help="pairs of the quick two")
    args = parser.parse_args()

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

    from costkeras import CostSensitiveKerasClassifier, MinimumCostClassifier
    from costkeras.metrics import make_cost_scorer

    started = time.perf_counter()
    X, y = data()
    matrices = cost_matrices()
    grid = {"cost_matrix": matrices}
    scorer = make_cost_scorer(matrices[1])  # the business's own costs judge every candidate
    cv = StratifiedKFold(CV, shuffle=True, random_state=0)

    def network(**params):
        return CostSensitiveKerasClassifier(random_state=0, **params)

    def search(estimator, n_jobs=None):
        return GridSearchCV(estimator, grid, scoring=scorer, cv=cv, refit=False, n_jobs=n_jobs)

    # TensorFlow's start-up is paid once, outside every timed call
    network(epochs=1).fit(X[:200], y[:200])

    def baseline():
        model = network(cost_matrix=matrices[1])
        return cross_val_score(model, X, y, scoring=scorer, cv=cv)

    def cached_search():
        with tempfile.TemporaryDirectory() as folder:
            result, seconds = timed(lambda: search(network(memory=folder)).fit(X, y))
            return result, seconds, stored(folder)

    base_times, cached_times = [], []
    for _ in range(args.repeats):
        with FitCounter() as fits:
            scores, seconds = timed(baseline)
        base_times.append(seconds)
        cached, seconds, trained = cached_search()
        cached_times.append(seconds)
    base = float(np.median(base_times))

    rows = [("`cross_val_score`, one matrix (the baseline)", fits.count, base_times)]
    with FitCounter() as fits:
        fresh, seconds = timed(lambda: search(network()).fit(X, y))
    rows.append((f"`GridSearchCV`, {N_MATRICES} matrices, no `memory`", fits.count, [seconds]))
    rows.append(
        (
            f"`GridSearchCV`, {N_MATRICES} matrices, `memory=` (empty at start)",
            trained,
            cached_times,
        )
    )
    equal = np.array_equal(
        cached.cv_results_["mean_test_score"], fresh.cv_results_["mean_test_score"]
    )
    with tempfile.TemporaryDirectory() as folder:
        search(network(memory=folder)).fit(X, y)
        _, refit = timed(lambda: network(memory=folder, cost_matrix=matrices[1]).fit(X, y))

    with tempfile.TemporaryDirectory() as folder:
        parallel, seconds = timed(lambda: search(network(memory=folder), n_jobs=2).fit(X, y))
        parallel_trained = stored(folder)
    rows.append(
        (
            f"`GridSearchCV`, {N_MATRICES} matrices, `memory=`, `n_jobs=2`",
            parallel_trained,
            [seconds],
        )
    )
    parallel_equal = np.allclose(
        parallel.cv_results_["mean_test_score"], fresh.cv_results_["mean_test_score"], atol=1e-12
    )

    boosting = MinimumCostClassifier(HistGradientBoostingClassifier(random_state=0))
    hgb, seconds = timed(lambda: search(boosting).fit(X, y))
    rows.append(
        (
            "`MinimumCostClassifier(HistGradientBoostingClassifier())`, same grid",
            0,
            [seconds],
        )
    )

    lines = [
        "## Search over cost matrices (`python benchmarks/search.py`)",
        "",
        f"{machine_line()}, {(time.perf_counter() - started) / 60:.1f} minutes. "
        f"{N_ROWS:,} rows, 3 classes, {N_MATRICES} cost matrices, {CV}-fold stratified CV, "
        "the default estimator with `random_state=0`, `refit=False`; ratio = time / the "
        f"baseline's, in this run. The first and third rows: {args.repeats} pairs, each search "
        "right after its baseline: median time [fastest, slowest], and for the search the "
        "median of the pairs' ratios; the other rows: one run.",
        "",
        "| what | Keras fits | wall time | ratio |",
        "|---|---:|---:|---:|",
    ]
    paired = float(np.median(np.array(cached_times) / np.array(base_times)))
    for what, count, times in rows:
        seconds = float(np.median(times))
        spread = f" [{min(times):.1f}, {max(times):.1f}]" if len(times) > 1 else ""
        ratio = paired if times is cached_times else seconds / base
        lines.append(f"| {what} | {count} | {seconds:.1f} s{spread} | {ratio:.2f} |")
    best = int(np.argmax(fresh.cv_results_["mean_test_score"]))
    lines += [
        "",
        f"- Scores with `memory` equal to the fresh fits' on every candidate: {equal} "
        f"(sequential), {parallel_equal} (`n_jobs=2`); best matrix #{best}, mean cost "
        f"{-fresh.cv_results_['mean_test_score'][best]:.4f} (network) against "
        f"{-hgb.cv_results_['mean_test_score'].max():.4f} (gradient boosting's best).",
        f"- A refit on all {N_ROWS:,} rows trains one more network, `memory` or not: "
        f"{refit:.1f} s here.",
        f"- `cross_val_score` mean cost {-scores.mean():.4f}.",
        "- The pairs, baseline / search with `memory` (s): "
        + ", ".join(f"{a:.1f} / {b:.1f}" for a, b in zip(base_times, cached_times, strict=True))
        + ".",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("search", text)


if __name__ == "__main__":
    main()
