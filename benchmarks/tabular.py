"""Real cost-sensitive tabular data: savings of costkeras against its peers (issue #13).

Data sets with a cost matrix per example, bundled with empulse (``pip install empulse
lightgbm``): churn (TV subscriptions), credit scoring (PAKDD 2009, VUB), bank telemarketing;
costkeras's synthetic ``make_credit_scoring``; and, with one cost matrix for all rows, the
synthetic Gaussians (known Bayes risk) and digits of ``quality.py``. String columns are one-
hot encoded (at most 20 levels per column, the rest pooled), numbers left raw; every method
sees the same columns.

Over 5 stratified 50/50 splits every method trains on one half and decides on the other; the
table gives mean +- std of the test savings (``1 - cost / cost of the best constant
prediction``, each row judged with its own cost matrix) and of the fit time.

Methods: ``LogisticRegression`` (StandardScaler) and ``HistGradientBoostingClassifier`` with
per-example Bayes decisions; empulse's ``CSLogitClassifier`` (StandardScaler) and
``CSBoostClassifier`` (LightGBM), trained with the costs and deciding by their own
``predict``; costkeras's default ``CostSensitiveKerasClassifier()`` on raw features and in a
StandardScaler pipeline, fit and predicted with ``sample_cost``; the previous default
(``input_scaling="robust", steps_per_execution=1, reduce_lr_on_plateau=False,
validation_fraction=0.1``: the estimator before issue #22); the
blend (``MinimumCostClassifier`` over a soft vote of the default and
``HistGradientBoostingClassifier``); the estimator with other parameters,
``est:cost_loss=expected_cost,input_scaling=robust`` (see ``Variant``); and the earlier
hand-built candidates, ``new:hidden=100,es=log_loss`` (see ``Candidate``); the default
before issue #31 (``steps_per_execution=16, reduce_lr_on_plateau=True``: Keras's own loop
and the plateaus' reductions, as it trained then). Below the table: each real set's best
peer against the default, and the default's fit time over the previous default's and over
the default's before issue #31 (CPU seconds in brackets). Runs on the default Keras backend
(TensorFlow), two tasks at a time with one thread each.

Run: python benchmarks/tabular.py                  (full run, writes benchmarks/RESULTS.md)
     python benchmarks/tabular.py --quick          (smoke run: 2 splits, 3,000 rows, no write)
     python benchmarks/tabular.py --jobs 8 --json out.json   (parallel, raw results saved)
     python benchmarks/tabular.py --from-json out.json       (table from saved results)
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# one thread per task: --jobs tasks share the cores without oversubscribing them
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit

sys.path.insert(0, str(Path(__file__).parent))

REAL_SETS = ("churn", "pakdd", "bank", "vub")
SYNTHETIC_SETS = ("credit", "gaussians", "digits")
PEERS = ("LR + Bayes", "HGB + Bayes", "CSLogit", "CSBoost (LightGBM)")
BASELINES = ("costkeras default (raw)", "costkeras default (StandardScaler)")
# the parameters with which today's estimator trains as the default before issue #22 did
PREVIOUS_PARAMS = {
    "input_scaling": "robust",
    "steps_per_execution": 1,
    "reduce_lr_on_plateau": False,
    "validation_fraction": 0.1,
}
_PREVIOUS_ARGS = ", ".join(f"{key}={value!r}" for key, value in PREVIOUS_PARAMS.items())
PREVIOUS = f"previous default ({_PREVIOUS_ARGS})"
# the parameters with which today's estimator trains as the default before issue #31 did
# (Keras's own loop, 16 batches per call; with early stopping, the plateaus' reductions over
# twice the auto epochs): the fit-time ratio of that issue is over its row
BEFORE_31_PARAMS = {"steps_per_execution": 16, "reduce_lr_on_plateau": True}
_BEFORE_31_ARGS = ", ".join(f"{key}={value!r}" for key, value in BEFORE_31_PARAMS.items())
BEFORE_31 = f"default before issue #31 ({_BEFORE_31_ARGS})"
BLEND = "blend: MinimumCostClassifier(soft vote of default + HGB)"


# ----------------------------------------------------------------------------- data sets
def _empulse_costs(dataset) -> np.ndarray:
    """(n, 2, 2) cost matrices from an empulse Dataset's symbolic cost matrix."""
    import sympy

    from costkeras.costs import binary_sample_cost

    matrix = dataset.cost_matrix
    values = {**matrix._defaults, **(dataset.instance_costs or {})}
    for alias, symbol in matrix._aliases.items():
        if alias in values:
            values[symbol] = values[alias]
    n = len(dataset.target)
    columns = {}
    for name in ("tn_cost", "fp_cost", "fn_cost", "tp_cost"):
        expr = sympy.sympify(getattr(matrix, name))
        symbols = sorted(expr.free_symbols, key=str)
        function = sympy.lambdify(symbols, expr, "numpy")
        value = function(*(np.asarray(values[str(s)], dtype=float) for s in symbols))
        columns[name] = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    return binary_sample_cost(**columns)


def _encode(frame) -> np.ndarray:
    """Numbers as they are; each string column one-hot (at most 20 levels, rest pooled)."""
    import pandas as pd

    parts = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            parts.append(values.to_numpy(dtype=float)[:, None])
            continue
        counts = values.value_counts()
        for level in counts.index[:19]:
            parts.append((values == level).to_numpy(dtype=float)[:, None])
        if len(counts) > 19:
            parts.append((~values.isin(counts.index[:19])).to_numpy(dtype=float)[:, None])
    return np.hstack(parts)


def load(name: str, n_max: int | None = None):
    """X (float), y (0/1 or labels), per-example costs (n, k, k), true posterior or None."""
    posterior = None
    if name in REAL_SETS:
        import empulse.datasets as ed
        import pandas as pd

        loader = {
            "churn": ed.load_churn_tv_subscriptions,
            "pakdd": ed.load_credit_scoring_pakdd,
            "bank": ed.load_upsell_bank_telemarketing,
            "vub": ed.load_vub_credit_scoring,
        }[name]
        dataset = loader(backend=pd)
        X = _encode(dataset.data)
        y = np.asarray(dataset.target, dtype=int)
        S = _empulse_costs(dataset)
    elif name == "credit":
        from costkeras.datasets import make_credit_scoring

        X, y, S = make_credit_scoring(n_max or 8000, random_state=0)
    elif name == "gaussians":
        from quality import synthetic

        X, y, C, posterior = synthetic(n_max or 20000)
        S = np.broadcast_to(C, (len(y), *C.shape))
    elif name == "digits":
        from quality import digits

        X, y, C = digits()
        S = np.broadcast_to(C, (len(y), *C.shape))
    else:
        raise ValueError(f"unknown data set {name!r}")
    if n_max is not None and len(y) > n_max:
        keep, _ = next(StratifiedShuffleSplit(1, train_size=n_max, random_state=0).split(X, y))
        keep = np.sort(keep)
        X, y, S = X[keep], y[keep], S[keep]
        posterior = None if posterior is None else posterior[keep]
    return X.astype(np.float64), y, np.ascontiguousarray(S, dtype=np.float64), posterior


# ------------------------------------------------------------------------------ methods
DEFAULT_SPEC = {
    "input": "robust",  # none | robust | quantile: the network's own input layer
    "scaler": "0",  # 1: StandardScaler in front (the user's pipeline)
    "sched": "auto",  # auto | default (50 epochs, batch 32)
    "es": "none",  # none | decision_cost | expected_cost | log_loss
    "vf": "0.1",  # validation fraction when es is on
    "pat": "10",  # n_iter_no_change (epochs)
    "hidden": "256-256",
    "k": "1",  # TabM-mini members
    "emb": "0",  # piecewise-linear embedding bins (0: none)
    "drop": "0",
    "lr": "0.001",
    "seeds": "1",  # average the probabilities of this many seeds
    "esx": "1",  # with es: the epoch budget is esx times the auto epochs
    "cal": "0",  # 1: temperature scaling on the validation share
    "loss": "cross_entropy",  # the estimator's cost_loss
}


def parse_spec(spec: str) -> dict:
    """``new:key=value,...`` -> the full option dict (unnamed keys from DEFAULT_SPEC)."""
    body = spec.split(":", 1)[1] if ":" in spec else ""
    options = dict(DEFAULT_SPEC)
    for item in filter(None, body.split(",")):
        key, value = item.split("=")
        if key not in options:
            raise ValueError(f"unknown option {key!r} in {spec!r}")
        options[key] = value
    return options


class Candidate:
    """A costkeras network configured through the estimator's public surface only.

    ``model=`` is a builder closing over the training X's statistics, ``epochs`` and
    ``batch_size`` come from :func:`costkeras._scikeras.schedule.auto_schedule`, and early
    stopping is an :class:`experiments.CostEarlyStopping` in ``callbacks`` on a
    stratified validation share held out here.
    """

    def __init__(self, spec: str, seed: int):
        self.options = parse_spec(spec)
        self.seed = seed

    def _one(self, X, y, S, seed):
        import keras
        from experiments import CostEarlyStopping, build_ensemble_mlp

        from costkeras import CostSensitiveKerasClassifier
        from costkeras._scikeras.network import input_statistics
        from costkeras._scikeras.schedule import auto_schedule, validation_split

        o = self.options
        positions = np.searchsorted(np.unique(y), y)
        callbacks = []
        if o["es"] != "none" or o["cal"] == "1":
            train, val = validation_split(positions, float(o["vf"]), random_state=seed)
        else:
            train, val = np.arange(len(y)), None
        if o["sched"] == "auto":
            epochs, batch_size = auto_schedule(len(train))
            if o["es"] != "none":
                epochs = int(epochs * float(o["esx"]))
        else:
            epochs, batch_size = 50, None
        stats = None if o["input"] == "none" else input_statistics(X[train], o["input"])
        if o["emb"] != "0" and stats is None:
            stats = input_statistics(X[train], "quantile")
        hidden = tuple(int(h) for h in o["hidden"].split("-"))

        def build(meta):
            return build_ensemble_mlp(
                meta,
                hidden,
                "relu",
                seed=seed,
                input_stats=stats,
                embedding_bins=int(o["emb"]),
                n_members=int(o["k"]),
                dropout=float(o["drop"]),
            )

        if o["es"] != "none":
            callbacks.append(
                CostEarlyStopping(
                    X[val], positions[val], S[val], monitor=o["es"], n_iter_no_change=int(o["pat"])
                )
            )
        model = CostSensitiveKerasClassifier(
            model=build,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=keras.optimizers.Adam(float(o["lr"])),
            callbacks=callbacks,
            cost_loss=o["loss"],
            early_stopping=False,  # the candidate's own stopper (or none) decides, on its rows
            random_state=seed,
        )
        model.fit(X[train], y[train], sample_cost=S[train])
        self.info = {"epochs": epochs, "batch_size": batch_size}
        if callbacks:
            self.info["best_epoch"] = callbacks[0].best_epoch_
        model.temperature_ = 1.0
        if o["cal"] == "1":
            from experiments import fit_temperature

            model.temperature_ = fit_temperature(model.predict_proba(X[val]), positions[val])
            self.info["temperature"] = model.temperature_
        return model

    def fit(self, X, y, S):
        if self.options["scaler"] == "1":
            from sklearn.preprocessing import StandardScaler

            self.scaler = StandardScaler().fit(X)
            X = self.scaler.transform(X)
        self.models = [
            self._one(X, y, S, self.seed * 100 + i) for i in range(int(self.options["seeds"]))
        ]
        self.classes_ = self.models[0].classes_
        return self

    def predict_proba(self, X):
        if self.options["scaler"] == "1":
            X = self.scaler.transform(X)
        from experiments import apply_temperature

        return np.mean(
            [apply_temperature(m.predict_proba(X), m.temperature_) for m in self.models], axis=0
        )


def _value(text: str):
    """A spec's value: a number, None/True/False, ``a-b`` as a tuple of ints, else the text."""
    import ast

    if "-" in text and all(part.isdigit() for part in text.split("-")):
        return tuple(int(part) for part in text.split("-"))
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


class Variant:
    """The estimator itself with some parameters changed: ``est:key=value,...``.

    Keys are ``CostSensitiveKerasClassifier`` parameters, plus: ``w=stake`` (or
    ``w=stakeA``, the stake to the power A) to fit with ``sample_weight`` proportional to
    each row's stake ``(C[1,0] - C[1,1]) + (C[0,1] - C[0,0])`` (mean 1); ``fitcost=row`` to
    train on each row's costs divided by its largest absolute entry (the decision still uses
    the true costs, which per-row scaling leaves unchanged); ``seeds=n`` to average the
    probabilities of n estimators seeded apart; ``blend=hgb`` to average them with a
    ``HistGradientBoostingClassifier``'s; ``draw=d`` to seed the networks ``7919 * d``
    apart from draw 0's (split ``s``'s network: ``100 * s``), another draw of their starts
    (and of early stopping's validation rows), the splits unchanged; ``epx=f`` to train for
    ``f`` times the epochs ``epochs="auto"`` gives the rows trained on (without early
    stopping's doubling: a fixed budget); ``bx=m`` for ``m`` times the auto batch;
    ``sched=cos`` (cosine from the learning rate to 0 over the epochs) or ``sched=flatcos``
    (flat for the first half, then cosine), a ``LearningRateScheduler`` in ``callbacks``
    (the plateau's reductions step aside for it).
    """

    EXTRAS = ("w", "fitcost", "seeds", "blend", "draw", "epx", "bx", "sched")

    def _schedule(self, y) -> dict:
        """The parameters ``epx``, ``bx`` and ``sched`` stand for, for these labels."""
        import keras

        from costkeras._scikeras.schedule import auto_schedule, resolve_validation_fraction

        fraction = resolve_validation_fraction(
            self.params.get("validation_fraction", "auto"), np.searchsorted(np.unique(y), y)
        )
        epochs, batch = auto_schedule(len(y) - round(fraction * len(y)))
        params = {}
        if "epx" in self.extras:
            params["epochs"] = max(1, round(float(self.extras["epx"]) * epochs))
        if "bx" in self.extras:
            params["batch_size"] = int(float(self.extras["bx"]) * batch)
        sched = self.extras.get("sched")
        if sched:
            total = params.get("epochs", self.params.get("epochs", 2 * epochs))
            peak = float(self.params.get("optimizer__learning_rate", 1e-3))
            flat = total // 2 if sched == "flatcos" else 0

            def rate(epoch, lr=None):
                done = max(0.0, (epoch - flat) / max(total - flat, 1))
                return peak * 0.5 * (1 + np.cos(np.pi * min(done, 1.0)))

            params["callbacks"] = [keras.callbacks.LearningRateScheduler(rate)]
        return params

    def __init__(self, spec: str, seed: int):
        body = spec.split(":", 1)[1]
        items = dict(item.split("=", 1) for item in filter(None, body.split(",")))
        self.extras = {key: items.pop(key) for key in self.EXTRAS if key in items}
        self.params = {key: _value(value) for key, value in items.items()}
        self.seed = seed

    def fit(self, X, y, S):
        from costkeras import CostSensitiveKerasClassifier

        fit_params = {"sample_cost": S}
        if self.extras.get("fitcost") == "row":
            scale = np.abs(S).reshape(len(S), -1).max(axis=1)
            fit_params["sample_cost"] = S / np.where(scale > 0, scale, 1.0)[:, None, None]
        weight = self.extras.get("w")
        if weight:
            power = float(weight[len("stake") :] or 1)
            stake = (S[:, 1, 0] - S[:, 1, 1]) + (S[:, 0, 1] - S[:, 0, 0])
            stake = np.maximum(stake, 1e-12) ** power
            fit_params["sample_weight"] = stake / stake.mean()
        n_seeds = int(self.extras.get("seeds", 1))
        first = self.seed * 100 + 7919 * int(self.extras.get("draw", 0))
        self.models = [
            CostSensitiveKerasClassifier(
                random_state=first + i, **self.params, **self._schedule(y)
            ).fit(X, y, **fit_params)
            for i in range(n_seeds)
        ]
        self.booster = None
        if self.extras.get("blend") == "hgb":
            from sklearn.ensemble import HistGradientBoostingClassifier

            self.booster = HistGradientBoostingClassifier(random_state=self.seed).fit(X, y)
        self.classes_ = self.models[0].classes_
        self.info = {"epochs": [len(model.history_["loss"]) for model in self.models]}
        if "learning_rate" in self.models[0].history_:
            self.info["last_rate"] = float(self.models[0].history_["learning_rate"][-1])
        return self

    def predict_proba(self, X):
        probas = [model.predict_proba(X) for model in self.models]
        proba = np.mean(probas, axis=0)
        if self.booster is not None:
            proba = (proba + self.booster.predict_proba(X)) / 2
        return proba


def fit_predict(method: str, X_tr, y_tr, S_tr, X_te, S_te, seed: int):
    """Fit ``method`` on the training half; (test predictions, fit seconds, info)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from costkeras.decisions import predict_min_cost

    info = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    if method == "LR + Bayes":
        from sklearn.linear_model import LogisticRegression

        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_tr, y_tr)
        elapsed = time.perf_counter() - start
        info["fit_cpu_s"] = time.process_time() - cpu_start
        info["proba"] = model.predict_proba(X_te)
        return predict_min_cost(model, X_te, S_te), elapsed, info
    if method == "HGB + Bayes":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(random_state=seed).fit(X_tr, y_tr)
        elapsed = time.perf_counter() - start
        info["fit_cpu_s"] = time.process_time() - cpu_start
        info["proba"] = model.predict_proba(X_te)
        return predict_min_cost(model, X_te, S_te), elapsed, info
    if method in ("CSLogit", "CSBoost (LightGBM)"):
        costs = {
            "tn_cost": S_tr[:, 0, 0],
            "fp_cost": S_tr[:, 0, 1],
            "fn_cost": S_tr[:, 1, 0],
            "tp_cost": S_tr[:, 1, 1],
        }
        if method == "CSLogit":
            from empulse.models import CSLogitClassifier

            model = make_pipeline(StandardScaler(), CSLogitClassifier())
            model.fit(X_tr, y_tr, **{f"cslogitclassifier__{k}": v for k, v in costs.items()})
        else:
            from empulse.models import CSBoostClassifier
            from lightgbm import LGBMClassifier

            lgbm = LGBMClassifier(verbose=-1, n_jobs=1, random_state=seed)
            model = CSBoostClassifier(lgbm).fit(X_tr, y_tr, **costs)
        elapsed = time.perf_counter() - start
        info["fit_cpu_s"] = time.process_time() - cpu_start
        return model.predict(X_te), elapsed, info
    if method == BLEND:
        from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier

        from costkeras import CostSensitiveKerasClassifier, MinimumCostClassifier

        members = [
            ("network", CostSensitiveKerasClassifier(random_state=seed)),
            ("boosting", HistGradientBoostingClassifier(random_state=seed)),
        ]
        model = MinimumCostClassifier(VotingClassifier(members, voting="soft")).fit(X_tr, y_tr)
        elapsed = time.perf_counter() - start
        info["fit_cpu_s"] = time.process_time() - cpu_start
        info["proba"] = model.predict_proba(X_te)
        return model.predict(X_te, sample_cost=S_te), elapsed, info
    if method in (*BASELINES, PREVIOUS, BEFORE_31):
        from costkeras import CostSensitiveKerasClassifier
        from costkeras._scikeras.schedule import resolve_early_stopping

        extra = {PREVIOUS: PREVIOUS_PARAMS, BEFORE_31: BEFORE_31_PARAMS}.get(method, {})
        if extra.get("reduce_lr_on_plateau") and not resolve_early_stopping("auto", len(y_tr)):
            # no early stopping on so few rows: no plateaus either (and True would raise)
            extra = {key: value for key, value in extra.items() if key != "reduce_lr_on_plateau"}
        model = CostSensitiveKerasClassifier(random_state=seed, **extra)
        if method.endswith("(StandardScaler)"):
            model = make_pipeline(StandardScaler(), model)
            model.fit(X_tr, y_tr, costsensitivekerasclassifier__sample_cost=S_tr)
        else:
            model.fit(X_tr, y_tr, sample_cost=S_tr)
        elapsed = time.perf_counter() - start
        info["fit_cpu_s"] = time.process_time() - cpu_start
        info["proba"] = model.predict_proba(X_te)
        return model.predict(X_te, sample_cost=S_te), elapsed, info
    if method.startswith("est:"):
        candidate = Variant(method, seed).fit(X_tr, y_tr, S_tr)
        loss = candidate.params.get("cost_loss", "cross_entropy")
    else:
        candidate = Candidate(method, seed).fit(X_tr, y_tr, S_tr)
        loss = candidate.options["loss"]
    elapsed = time.perf_counter() - start
    info["fit_cpu_s"] = time.process_time() - cpu_start
    from costkeras.decisions import bayes_decision

    proba = candidate.predict_proba(X_te)
    if loss in ("argmax_weighted", "class_weighted"):
        # the estimator's decision="auto": these losses already weigh the costs in
        y_pred = candidate.classes_[np.argmax(proba, axis=1)]
    else:
        y_pred = candidate.classes_[bayes_decision(proba, S_te)]
    return y_pred, elapsed, {**info, **candidate.info, "proba": proba}


def calibration(proba: np.ndarray, y_positions: np.ndarray, n_bins: int = 15) -> dict:
    """Test log loss and expected calibration error (binary: of p(1); else top label)."""
    rows = np.arange(len(y_positions))
    log_loss = -np.mean(np.log(np.clip(proba[rows, y_positions], 1e-12, None)))
    if proba.shape[1] == 2:
        confidence, hit = proba[:, 1], (y_positions == 1).astype(float)
    else:
        confidence, hit = proba.max(axis=1), (proba.argmax(axis=1) == y_positions).astype(float)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = sum(
        abs(confidence[bins == b].mean() - hit[bins == b].mean()) * np.mean(bins == b)
        for b in np.unique(bins)
    )
    return {"log_loss": float(log_loss), "ece": float(ece)}


def run_task(
    name: str, method: str, split: int, n_max: int | None, splits: int, log: str | None = None
) -> dict:
    """One data set, one method, one split -> savings, fit time (in a worker process).

    With ``log``, the result is also appended to that JSON-lines file as soon as it is
    known, so a run cut short keeps what it finished.
    """
    if method not in PEERS:
        # through the imported module: run from __main__, this function reaches loky's
        # workers by value, and a cache of its own would start empty in every task
        import tabular

        tabular.warm_up_keras()
    result = _task(name, method, split, n_max, splits)
    if log:
        with open(log, "a") as handle:
            handle.write(json.dumps(result) + "\n")
    return result


@functools.cache
def warm_up_keras() -> None:
    """Pay TensorFlow's one-off start-up once per worker, outside every timed fit.

    A process's first Keras fit also loads and initialises the runtime (seconds on this
    machine); without this, the first network each worker fits (the default's first
    splits, whichever set comes first) is timed with it and its fit time over the previous
    default's reads high.
    """
    from costkeras import CostSensitiveKerasClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = np.arange(64) % 2
    CostSensitiveKerasClassifier(epochs=1, random_state=0).fit(X, y).predict_proba(X)


def _task(name, method, split, n_max, splits):
    from costkeras.decisions import bayes_decision
    from costkeras.metrics import savings_score, total_cost

    X, y, S, posterior = load(name, n_max)
    splitter = StratifiedShuffleSplit(n_splits=splits, test_size=0.5, random_state=0)
    train, test = list(splitter.split(X, y))[split]
    result = {"data": name, "method": method, "split": split}
    if method in ("CSLogit", "CSBoost (LightGBM)") and len(np.unique(y)) > 2:
        result["skipped"] = "binary only"
        return result
    try:
        y_pred, elapsed, info = fit_predict(
            method, X[train], y[train], S[train], X[test], S[test], seed=split
        )
    except Exception as error:  # a failing peer must not sink the whole run
        result["error"] = f"{type(error).__name__}: {error}"[:300]
        return result
    proba = info.pop("proba", None)
    if proba is not None:
        result.update(calibration(proba, np.searchsorted(np.unique(y), y[test])))
    result.update(
        savings=savings_score(y[test], y_pred, sample_cost=S[test]),
        fit_s=elapsed,
        n_train=len(train),
        **info,
    )
    if posterior is not None:
        bayes = np.unique(y)[bayes_decision(posterior[test], S[test])]
        cost = total_cost(y[test], y_pred, sample_cost=S[test])
        bayes_cost = total_cost(y[test], bayes, sample_cost=S[test])
        result["bayes_ratio"] = float(cost / bayes_cost)
    return result


# ------------------------------------------------------------------------------- report
def summarise(results: list[dict], methods: list[str], sets: list[str]) -> str:
    """Markdown: one row per method, savings (and fit time) per data set."""
    errors = [r for r in results if "error" in r]
    results = [r for r in results if "skipped" not in r]
    lines = [
        "| method | " + " | ".join(sets) + " |",
        "|---|" + "---:|" * len(sets),
    ]
    for method in methods:
        cells = []
        for name in sets:
            rows = [
                r for r in results if r["method"] == method and r["data"] == name and "savings" in r
            ]
            if not rows:
                cells.append("-")
                continue
            savings = np.array([r["savings"] for r in rows])
            fit = np.mean([r["fit_s"] for r in rows])
            cell = f"{savings.mean():.3f} ± {savings.std():.3f} ({fit:.1f} s)"
            if "bayes_ratio" in rows[0]:
                cell += f" [{np.mean([r['bayes_ratio'] for r in rows]):.3f} x Bayes]"
            cells.append(cell)
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    calibrated = [m for m in methods if any(r["method"] == m and "ece" in r for r in results)]
    if calibrated:
        lines += ["", "Test log loss / ECE (15 bins; binary: of p(1), else of the top label):", ""]
        lines += ["| method | " + " | ".join(sets) + " |", "|---|" + "---:|" * len(sets)]
        for method in calibrated:
            cells = []
            for name in sets:
                rows = [r for r in results if r["method"] == method and r["data"] == name]
                rows = [r for r in rows if "ece" in r]
                cells.append(
                    f"{np.mean([r['log_loss'] for r in rows]):.3f} / "
                    f"{np.mean([r['ece'] for r in rows]):.3f}"
                    if rows
                    else "-"
                )
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
    if errors:
        lines.append("")
        lines += [
            f"- error: {e['data']} / {e['method']} / split {e['split']}: {e['error']}"
            for e in errors
        ]
    return "\n".join(lines) + "\n"


def _backend() -> str:
    import keras

    return f"{keras.backend.backend()} (Keras {keras.__version__})"


def verdict(results: list[dict], sets: list[str], method: str = BASELINES[0]) -> str:
    """Per real data set: the best peer's mean, ``method``'s, and its fit-time ratios.

    The ratios are ``method``'s mean fit time over the previous default's and over the
    default's before issue #31, each measured in the same run (``-`` where that row was
    not run); in brackets, the same ratio of the fits' CPU seconds, which the load of
    other processes on the machine moves less than it moves wall time.
    """

    def mean(name, of, key="savings"):
        rows = [r[key] for r in results if r["data"] == name and r["method"] == of and key in r]
        return float(np.mean(rows)) if rows else float("nan")

    def ratio(name, other):
        wall = mean(name, method, "fit_s") / mean(name, other, "fit_s")
        cpu = mean(name, method, "fit_cpu_s") / mean(name, other, "fit_cpu_s")
        if not np.isfinite(wall):
            return "-"
        return f"{wall:.2f}" + (f" [{cpu:.2f}]" if np.isfinite(cpu) else "")

    lines = [
        f"| data set | best peer | its savings | {method} | at or above "
        "| fit time / previous | fit time / before #31 |",
        "|---|---|---:|---:|:---:|---:|---:|",
    ]
    for name in sets:
        peers = {peer: mean(name, peer) for peer in PEERS}
        peers = {peer: value for peer, value in peers.items() if np.isfinite(value)}
        ours = mean(name, method)
        if not peers or not np.isfinite(ours):
            continue
        best = max(peers, key=peers.get)
        lines.append(
            f"| {name} | {best} | {peers[best]:.4f} | {ours:.4f} | "
            f"{'yes' if ours >= peers[best] else 'NO'} | "
            f"{ratio(name, PREVIOUS)} | {ratio(name, BEFORE_31)} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 splits, 3,000 rows, no write")
    parser.add_argument("--jobs", type=int, default=2, help="tasks run side by side (2)")
    parser.add_argument("--splits", type=int, default=None)
    parser.add_argument("--sets", default=",".join(REAL_SETS + SYNTHETIC_SETS))
    parser.add_argument("--methods", default=None, help="';'-separated; default: peers, baselines")
    parser.add_argument("--n-max", type=int, default=None, help="subsample each data set")
    parser.add_argument("--json", default=None, help="save the raw results here")
    parser.add_argument("--log", default=None, help="append each result to this JSON-lines file")
    parser.add_argument("--from-json", default=None, help="only print/write saved results")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md even if partial")
    args = parser.parse_args()
    sets = args.sets.split(",")
    methods = (
        args.methods.split(";")
        if args.methods
        else [*PEERS, *BASELINES, PREVIOUS, BEFORE_31, BLEND]
    )
    splits = args.splits or (2 if args.quick else 5)
    n_max = args.n_max or (3000 if args.quick else None)
    start = time.perf_counter()
    if args.from_json:
        text = Path(args.from_json).read_text()
        if args.from_json.endswith(".jsonl"):  # a log: results only
            saved = {"results": [json.loads(line) for line in text.splitlines() if line]}
            saved.update(elapsed=float("nan"), header=f"From {args.from_json}")
        else:
            saved = json.loads(text)
        results, elapsed, header = saved["results"], saved["elapsed"], saved["header"]
        sets = [s for s in sets if any(r["data"] == s for r in results)]
        methods = list(dict.fromkeys(r["method"] for r in results))
    else:
        from _results import machine_line
        from joblib import Parallel, delayed

        # one split's methods side by side: they run under the same load, so their fit
        # times compare
        tasks = [(s, m, i) for s in sets for i in range(splits) for m in methods]
        results = Parallel(n_jobs=args.jobs, verbose=0)(
            delayed(run_task)(s, m, i, n_max, splits, args.log) for s, m, i in tasks
        )
        elapsed = time.perf_counter() - start
        header = (
            f"{machine_line()}, {splits} stratified 50/50 splits ({args.jobs} tasks at a time, "
            f"one thread each), {elapsed / 60:.1f} minutes"
            + (f", at most {n_max} rows per data set" if n_max else "")
        )
        if args.json:
            Path(args.json).write_text(
                json.dumps({"results": results, "elapsed": elapsed, "header": header}, indent=1)
            )
    table = summarise(results, methods, sets)
    if BASELINES[0] in methods:
        table += "\n" + verdict(results, [name for name in sets if name in REAL_SETS])
    print(header)
    print(table)
    full_run = not (args.quick or args.from_json or args.methods or args.n_max or args.splits)
    if args.write or (full_run and args.sets == parser.get_default("sets")):
        from _results import write_section

        write_section(
            "tabular",
            "## Real cost-sensitive tabular data (`python benchmarks/tabular.py`)\n\n"
            "### The estimator's defaults against every peer, one run\n\n"
            f"{header}; Keras backend {_backend()}. Cells: mean ± std of the test savings "
            "over the splits (mean fit time); on the Gaussians also the test cost / Bayes "
            "risk. Data: empulse 0.13 (churn = TV subscriptions, pakdd, vub = credit "
            "scoring, bank = telemarketing), costkeras's make_credit_scoring (8,000 rows), "
            "quality.py's Gaussians (20,000) and digits. Every costkeras row is fitted with "
            "`sample_cost` and decides with each test row's costs; `previous default` is "
            f"today's estimator with `{_PREVIOUS_ARGS}`, which "
            "trains as the default before issue #22 did (the same weights, the same steps); "
            "the blend is the README's recipe (a soft vote of the default network and "
            "`HistGradientBoostingClassifier` inside `MinimumCostClassifier`). The last "
            "table compares the default with the best peer of each real set and gives its "
            "fit time over the previous default's and over the default's before issue #31 "
            f"(`{_BEFORE_31_ARGS}`; CPU seconds in brackets).\n\n" + table,
        )


if __name__ == "__main__":
    main()
