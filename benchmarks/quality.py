"""Quality benchmark: test misclassification cost against peers and the Bayes limit.

For each data set, over random stratified 50/50 splits, every method is trained on one half
and its total cost on the other half is recorded; the table gives the mean and standard
deviation of the test cost per split. On the synthetic data the true posterior is known, so
the Bayes risk (the cost of Bayes decisions on the true posterior, the least any classifier
can expect) is printed beside every method.

Methods: costkeras's default; every ``cost_loss`` x ``decision``; plain scikeras
``KerasClassifier`` (argmax); the Keras forum loss with argmax; the default wrapped in
``CalibratedClassifierCV`` (sigmoid, temperature) with Bayes decisions; on binary data,
the default wrapped in ``TunedThresholdClassifierCV`` with a cost scorer (a tuned global
threshold against per-example Bayes decisions on the credit data); ``LogisticRegression`` and
``HistGradientBoostingClassifier`` with argmax and with Bayes decisions, and wrapped in
``costkeras.MinimumCostClassifier`` without and with its cross-validated calibration (sigmoid,
temperature; 5-fold ensemble, its defaults), next to ``TunedThresholdClassifierCV`` around them
on binary data. Every Keras method uses the same network (one hidden layer of 100 ReLU units,
softmax, Adam) and epochs.

Run: python benchmarks/quality.py            (full run, writes benchmarks/RESULTS.md)
     python benchmarks/quality.py --quick    (smoke run: 2 splits, smaller data, no write)
     python benchmarks/quality.py --jobs 1   (one split at a time; default 2)
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
from _results import machine_line, write_section
from joblib import Parallel, delayed
from scikeras.wrappers import KerasClassifier
from scipy.stats import multivariate_normal
from sklearn import config_context
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, TunedThresholdClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier, MinimumCostClassifier
from costkeras.datasets import make_credit_scoring
from costkeras.decisions import bayes_decision, predict_min_cost
from costkeras.metrics import make_cost_scorer, total_cost

COST_LOSSES = ("cross_entropy", "argmax_weighted", "class_weighted", "expected_cost")

# ----------------------------------------------------------------------------- data sets


def synthetic(n_samples, seed=0):
    """4 Gaussian classes with unequal priors; returns X, y, C and the true posterior."""
    rng = np.random.default_rng(seed)
    priors = np.array([0.4, 0.3, 0.2, 0.1])
    means = np.array([[0, 0, 0], [1.5, 0.5, 0], [0.5, 1.5, 0.5], [1.2, 1.2, 1.2]])
    cov = np.eye(3) * 0.8
    y = rng.choice(4, size=n_samples, p=priors)
    X = means[y] + rng.multivariate_normal(np.zeros(3), cov, size=n_samples)
    likelihood = np.column_stack([multivariate_normal(m, cov).pdf(X) for m in means])
    posterior = likelihood * priors
    posterior /= posterior.sum(axis=1, keepdims=True)
    C = np.ones((4, 4)) - np.eye(4)
    C[3, :3] = 15  # missing the rare class 3 is expensive
    C[1, 2] = C[2, 1] = 5
    return X, y, C, posterior


def digits():
    X, y = load_digits(return_X_y=True)
    C = np.ones((10, 10)) - np.eye(10)
    for a, b in [(4, 9), (3, 8), (1, 7)]:
        C[a, b] = C[b, a] = 20
    return X, y, C


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)  # 0 = malignant
    return X, y, np.array([[0.0, 10.0], [1.0, 0.0]])


# ------------------------------------------------------------------------------- methods


def scikeras_plain(epochs, batch_size, seed):
    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(100, activation="relu"),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    return KerasClassifier(
        build,
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        random_state=seed,
    )


def keras_methods(C, epochs, batch_size, seed):
    """name -> (estimator, {table row: how to decide}).

    The decision rule acts at predict time only, so each network is trained once and
    decided every way its rows ask for: "predict" (its own rule), "bayes" or "argmax".
    """

    def ck(**params):
        return CostSensitiveKerasClassifier(
            cost_matrix=C, epochs=epochs, batch_size=batch_size, random_state=seed, **params
        )

    methods = {}
    for loss in COST_LOSSES:
        rows = {f"{loss} + bayes": "bayes", f"{loss} + argmax": "argmax"}
        if loss == "cross_entropy":
            rows["costkeras default"] = "predict"
        methods[loss] = (ck(cost_loss=loss), rows)
    methods["scikeras"] = (
        scikeras_plain(epochs, batch_size, seed),
        {"scikeras KerasClassifier (argmax)": "predict"},
    )
    # ensemble=False: the calibrator learns from 3-fold out-of-fold probabilities, and the
    # network it calibrates trains on all the data, like the uncalibrated methods
    for method in ("sigmoid", "temperature"):
        methods[f"calibrated ({method})"] = (
            CalibratedClassifierCV(ck(), method=method, cv=3, ensemble=False),
            {f"default, calibrated ({method}) + bayes": "bayes"},
        )
    if len(C) == 2:
        methods["tuned threshold"] = (
            TunedThresholdClassifierCV(ck(), scoring=make_cost_scorer(C), cv=3),
            {"default + TunedThresholdClassifierCV (cost scorer)": "predict"},
        )
    return methods


def peer_methods(seed):
    return {
        "LogisticRegression": LogisticRegression(max_iter=5000),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=seed),
    }


def minimum_cost_methods(C, seed):
    """The peers wrapped in MinimumCostClassifier, uncalibrated and calibrated.

    name -> (estimator, {table row: "predict"}); ``C`` None for per-example costs.
    """
    methods = {}
    for peer, estimator in peer_methods(seed).items():
        for calibration in (None, "sigmoid", "temperature"):
            suffix = "" if calibration is None else f", {calibration}"
            row = f"MinimumCostClassifier({peer}{suffix})"
            methods[row] = (
                MinimumCostClassifier(estimator, cost_matrix=C, calibration=calibration),
                {row: "predict"},
            )
    return methods


def decide(model, how, X_test, costs, **predict_params):
    """Predicted labels: the model's own decision, Bayes on its probabilities, or argmax.

    ``costs`` is one (k, k) matrix or one per test row.
    """
    if how == "bayes":
        return predict_min_cost(model, X_test, costs)
    if how == "argmax":
        return model.classes_[np.argmax(model.predict_proba(X_test), axis=1)]
    return model.predict(X_test, **predict_params)


def split_costs(X, y, C, train, test, seed, epochs, batch_size, posterior=None):
    """Test cost of every method on one split."""
    classes = np.unique(y[train])
    costs = {}
    if posterior is not None:
        bayes = classes[bayes_decision(posterior[test], C)]
        costs["Bayes risk (true posterior)"] = total_cost(y[test], bayes, C, labels=classes)
    methods = keras_methods(C, epochs, batch_size, seed)
    for method, estimator in peer_methods(seed).items():
        methods[method] = (
            estimator,
            {f"{method} + argmax": "predict", f"{method} + bayes": "bayes"},
        )
        if len(C) == 2:
            methods[f"{method} tuned"] = (
                TunedThresholdClassifierCV(estimator, scoring=make_cost_scorer(C), cv=3),
                {f"{method} + TunedThresholdClassifierCV (cost scorer)": "predict"},
            )
    methods.update(minimum_cost_methods(C, seed))
    for estimator, rows in methods.values():
        model = make_pipeline(StandardScaler(), clone(estimator)).fit(X[train], y[train])
        for row, how in rows.items():
            y_pred = decide(model, how, X[test], C)
            costs[row] = total_cost(y[test], y_pred, C, labels=classes)
    return costs


def credit_split_costs(X, y, S, train, test, seed, epochs, batch_size):
    """Per-example costs: every method is judged with each applicant's own matrix."""

    def network(**params):
        return make_pipeline(
            StandardScaler(),
            CostSensitiveKerasClassifier(
                epochs=epochs, batch_size=batch_size, random_state=seed, **params
            ),
        )

    def cost(y_pred):
        return total_cost(y[test], y_pred, sample_cost=S[test])

    routed = {"costsensitivekerasclassifier__sample_cost": S[train]}
    mean_matrix = S[train].mean(axis=0)
    costs = {}
    for loss in COST_LOSSES:
        # cross-entropy ignores the costs in training: the same network is the plain one
        model = network(cost_loss=loss).fit(X[train], y[train], **routed)
        per_example = cost(decide(model, "predict", X[test], None, sample_cost=S[test]))
        if loss == "cross_entropy":
            costs["costkeras default (per-example)"] = per_example
            costs["plain network (argmax)"] = cost(decide(model, "argmax", X[test], None))
            costs["class-level mean matrix + bayes"] = cost(
                decide(model, "bayes", X[test], mean_matrix)
            )
        else:
            costs[f"{loss} + bayes (per-example)"] = cost(decide(model, "bayes", X[test], S[test]))
            costs[f"{loss} + argmax"] = cost(decide(model, "argmax", X[test], None))
    scikeras = make_pipeline(StandardScaler(), scikeras_plain(epochs, batch_size, seed))
    costs["scikeras KerasClassifier (argmax)"] = cost(
        scikeras.fit(X[train], y[train]).predict(X[test])
    )
    with config_context(enable_metadata_routing=True):
        plain = network()
        plain[-1].set_fit_request(sample_cost=False)  # the costs go to the scorer only
        scorer = make_cost_scorer().set_score_request(sample_cost=True)
        tuned = TunedThresholdClassifierCV(plain, scoring=scorer, cv=3)
        tuned.fit(X[train], y[train], sample_cost=S[train])
    costs["plain network + tuned global threshold (per-example cost scorer)"] = cost(
        tuned.predict(X[test])
    )
    for method, estimator in peer_methods(seed).items():
        model = make_pipeline(StandardScaler(), clone(estimator)).fit(X[train], y[train])
        costs[f"{method} + argmax"] = cost(model.predict(X[test]))
        costs[f"{method} + per-example bayes"] = cost(decide(model, "bayes", X[test], S[test]))
        with config_context(enable_metadata_routing=True):
            scorer = make_cost_scorer().set_score_request(sample_cost=True)
            tuned = TunedThresholdClassifierCV(
                make_pipeline(StandardScaler(), clone(estimator)), scoring=scorer, cv=3
            ).fit(X[train], y[train], sample_cost=S[train])
        costs[f"{method} + tuned global threshold (per-example cost scorer)"] = cost(
            tuned.predict(X[test])
        )
    # per-example Bayes decisions: each test row decided with its own matrix
    for row, (estimator, _) in minimum_cost_methods(None, seed).items():
        model = make_pipeline(StandardScaler(), clone(estimator)).fit(X[train], y[train])
        costs[f"{row}, per-example"] = cost(model.predict(X[test], sample_cost=S[test]))
    return costs


def over_splits(X, y, splits, measure, n_jobs):
    """Collect ``measure(train, test, seed)`` over stratified 50/50 splits, in parallel.

    joblib's workers get one thread each (``OMP_NUM_THREADS=1``, which costkeras passes
    on to TensorFlow), so ``n_jobs`` splits train side by side without fighting for cores.
    """
    splitter = StratifiedShuffleSplit(n_splits=splits, test_size=0.5, random_state=0)
    results = Parallel(n_jobs=n_jobs)(
        delayed(measure)(train, test, seed)
        for seed, (train, test) in enumerate(splitter.split(X, y))
    )
    collected: dict[str, list[float]] = {}
    for costs in results:
        for method, value in costs.items():
            collected.setdefault(method, []).append(value)
    return collected


# ------------------------------------------------------------------------------- report

KERAS_EXCLUDED = (
    "LogisticRegression",
    "HistGradientBoosting",
    "MinimumCostClassifier",
    "Bayes risk",
)


def table(name, costs, setting):
    bayes = (
        np.mean(costs["Bayes risk (true posterior)"])
        if "Bayes risk (true posterior)" in costs
        else None
    )
    lines = [f"### {name}", "", setting, ""]
    header = "| method | mean test cost | std |" + (" / Bayes risk |" if bayes else "")
    lines += [header, "|---|---:|---:|" + ("---:|" if bayes else "")]
    for method, values in sorted(costs.items(), key=lambda item: np.mean(item[1])):
        row = f"| {method} | {np.mean(values):.1f} | {np.std(values):.1f} |"
        if bayes:
            row += f" {np.mean(values) / bayes:.3f} |"
        lines.append(row)
    keras_means = {m: np.mean(v) for m, v in costs.items() if not m.startswith(KERAS_EXCLUDED)}
    default = next(m for m in keras_means if m.startswith("costkeras default"))
    best = min(keras_means, key=keras_means.get)
    within = keras_means[default] <= keras_means[best] + np.std(costs[default])
    lines += [
        "",
        f"Lowest Keras-based mean: {best} ({keras_means[best]:.1f}); default "
        f"{keras_means[default]:.1f} -> target (lowest or within one std) "
        f"{'met' if within else 'MISSED'}.",
    ]
    if bayes:
        ratio = keras_means[default] / bayes
        lines.append(
            f"Default / Bayes risk = {ratio:.3f} -> target (within 3%) "
            f"{'met' if ratio <= 1.03 else 'MISSED'}."
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer splits and rows")
    parser.add_argument("--jobs", type=int, default=2, help="splits run side by side (2)")
    args = parser.parse_args()
    splits = 2 if args.quick else 5
    n_synthetic = 4000 if args.quick else 20000
    start = time.perf_counter()
    sections = []

    X, y, C, posterior = synthetic(n_synthetic)
    costs = over_splits(
        X,
        y,
        splits,
        lambda tr, te, seed: split_costs(X, y, C, tr, te, seed, 30, 256, posterior),
        args.jobs,
    )
    sections.append(
        table(
            f"Synthetic Gaussians ({n_synthetic} rows, 4 classes, priors 0.4/0.3/0.2/0.1)",
            costs,
            "Missing class 3 costs 15, confusing 1 and 2 costs 5, other errors 1. "
            "Keras: 30 epochs, batch 256.",
        )
    )
    for name, (X, y, C), setting in (
        ("Digits", digits(), "4<->9, 3<->8, 1<->7 cost 20, other errors 1."),
        ("Breast cancer", breast_cancer(), "A missed malignant case costs 10, a false alarm 1."),
    ):
        costs = over_splits(
            X,
            y,
            splits,
            lambda tr, te, seed, X=X, y=y, C=C: split_costs(X, y, C, tr, te, seed, 30, 32),
            args.jobs,
        )
        sections.append(table(name, costs, f"{setting} Keras: 30 epochs, batch 32."))
    n_credit = 2000 if args.quick else 4000
    X, y, S = make_credit_scoring(n_credit, random_state=0)
    costs = over_splits(
        X,
        y,
        splits,
        lambda tr, te, seed: credit_split_costs(X, y, S, tr, te, seed, 20, 32),
        args.jobs,
    )
    sections.append(
        table(
            f"Credit scoring with per-example costs ({n_credit} applicants)",
            costs,
            "costkeras.datasets.make_credit_scoring; costs in currency, judged with each "
            "applicant's own matrix. Keras: 20 epochs, batch 32.",
        )
    )
    elapsed = time.perf_counter() - start
    report = "\n".join(sections)
    print(report)
    print(f"Finished in {elapsed / 60:.1f} minutes.")
    if not args.quick:
        write_section(
            "quality",
            f"## Quality (`python benchmarks/quality.py`)\n\n{machine_line()}, "
            f"{splits} stratified 50/50 splits ({args.jobs} at a time), "
            f"{elapsed / 60:.1f} minutes. Test cost is the total over the test half of each "
            "split.\n\n" + report,
        )


if __name__ == "__main__":
    main()
