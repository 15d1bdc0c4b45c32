"""Ecosystem check: the estimator used with the libraries data scientists use around it.

Each check uses ``CostSensitiveKerasClassifier`` (a few with ``MinimumCostClassifier``) with
one client library the way a user would, on small real data (breast cancer and wine from
scikit-learn; VUB credit scoring with its per-applicant costs from empulse when installed),
and asserts something real about the result: predictions of the right shape and labels, a
reloaded model that gives identical probabilities, scores that are finite costs, weights that
reach the network. Each runs in its own try/except under a time limit (SIGALRM); a client that
is not installed is reported as such and counts as no failure. Results: ``works``,
``caveat: ...`` (works, with something a user must know or do), ``fails: <first error line>``.

Run: python benchmarks/ecosystem.py                      (all checks, writes benchmarks/RESULTS.md)
     python benchmarks/ecosystem.py --only pickle,skops   (a subset by name, no write)
     python benchmarks/ecosystem.py --list                (the check names)
     python benchmarks/ecosystem.py --traceback           (full tracebacks of failures)
     python benchmarks/ecosystem.py --no-write            (all checks, RESULTS.md untouched)

Setup: pip install -e ".[test]" plus the clients (skops mlflow imbalanced-learn optuna
optuna-integration shap mapie polars empulse cloudpickle skore yellowbrick sklearn-compat
fairlearn category_encoders scikit-optimize lime skrub dalex); about 4 minutes on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import importlib.metadata
import importlib.util
import io
import logging
import os
import pickle
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
from sklearn import config_context
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, check_cv, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

import costkeras

sys.path.insert(0, str(Path(__file__).parent))

# A missed malignant tumour (true 0 predicted 1) costs 10, a false alarm 1; as in quality.py.
C_BC = [[0.0, 10.0], [1.0, 0.0]]
C_BC_MILD = [[0.0, 3.0], [1.0, 0.0]]
# Wine: calling a class-2 wine class 0 costs 5, other errors 1.
C_WINE = [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [5.0, 1.0, 0.0]]
EPOCHS = 5


# ----------------------------------------------------------------------------- the registry
class CheckTimeout(Exception):
    """A check ran past its time limit."""


@dataclass
class Check:
    name: str
    client: str
    dist: str  # the distribution whose version is reported
    tried: str
    func: object
    requires: tuple[str, ...]
    timeout: int


CHECKS: list[Check] = []


def check(name, client, dist, tried, requires=(), timeout=120):
    """Register a check; it returns None (works) or a caveat string, or raises (fails)."""

    def register(func):
        CHECKS.append(Check(name, client, dist, tried, func, tuple(requires), timeout))
        return func

    return register


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def missing(modules) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


@contextlib.contextmanager
def time_limit(seconds: int):
    def on_alarm(signum, frame):
        raise CheckTimeout(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def first_line(exc: BaseException, limit: int = 220) -> str:
    """The exception's first line; for scikit-learn's "All the N fits failed", the cause."""
    # an array printed into a message spans lines; shorten it to keep the first line useful
    message = re.sub(r"\[[\d\s.,eE+-]{30,}\]", "[...]", str(exc))
    text = message.strip().splitlines()
    line = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    if "fits failed" in line:
        causes = [t for t in text if re.match(r"^[\w.]+(Error|Exception|Warning): ", t)]
        if causes:
            line = f"{line} ({causes[-1].strip()})"
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and len(line) > limit // 2:
        line = line[: limit // 2].rstrip() + "..."
    if cause is not None:
        cause_lines = str(cause).strip().splitlines()
        said = f": {cause_lines[0]}" if cause_lines else ""
        line += f" (from {type(cause).__name__}{said})"
    return line if len(line) <= limit else line[: limit - 3] + "..."


# ----------------------------------------------------------------------------- data and models
@functools.cache
def cancer():
    """Breast cancer (569 x 30, 0 = malignant): a stratified 70/30 split."""
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@functools.cache
def wine():
    X, y = load_wine(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@functools.cache
def credit():
    """A credit DataFrame with string columns and per-applicant 2x2 costs.

    VUB credit scoring (empulse; 800 applicants, 8 string and 8 numeric columns, the loan's
    loss and the lost interest per applicant) when empulse is installed; else costkeras's
    synthetic credit data with a string column. Returns X_train, X_test, y_train, y_test,
    S_train, S_test, numeric columns, string columns, source.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedShuffleSplit

    if importlib.util.find_spec("empulse") is not None:
        import empulse.datasets as ed
        from tabular import _empulse_costs

        dataset = ed.load_vub_credit_scoring(backend=pd)
        X = dataset.data.reset_index(drop=True)
        y = np.asarray(dataset.target, dtype=int)
        S = _empulse_costs(dataset)
        source = "VUB credit (empulse)"
    else:
        from costkeras.datasets import make_credit_scoring

        values, y, S = make_credit_scoring(4000, random_state=0)
        columns = ["log_income", "debt_ratio", "late", "age", "log_amount", "secured"]
        X = pd.DataFrame(values, columns=columns)
        X["secured"] = np.where(X["secured"] > 0.5, "secured", "unsecured")
        source = "costkeras.datasets.make_credit_scoring"
    keep, _ = next(StratifiedShuffleSplit(1, train_size=800, random_state=0).split(X, y))
    keep = np.sort(keep)
    X, y, S = X.iloc[keep].reset_index(drop=True), y[keep], S[keep]
    train, test = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=0)
    strings = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numbers = [c for c in X.columns if c not in strings]
    return (
        X.iloc[train].reset_index(drop=True),
        X.iloc[test].reset_index(drop=True),
        y[train],
        y[test],
        S[train],
        S[test],
        numbers,
        strings,
        source,
    )


def net(**params):
    """The estimator as the checks use it: small, seeded, a few epochs."""
    from costkeras import CostSensitiveKerasClassifier

    settings = {
        "cost_matrix": C_BC,
        "hidden_layer_sizes": (16,),
        "epochs": EPOCHS,
        "batch_size": 32,
        "random_state": 0,
    }
    settings.update(params)
    return CostSensitiveKerasClassifier(**settings)


@functools.cache
def fitted():
    """One estimator fitted on the breast cancer training rows; checks must not change it."""
    X_train, _, y_train, _ = cancer()
    return net().fit(X_train, y_train)


def credit_pipeline(**one_hot):
    """StandardScaler on the numbers, OneHotEncoder on the strings, then the estimator."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    _, _, _, _, _, _, numbers, strings, _ = credit()
    columns = ColumnTransformer(
        [
            ("numbers", StandardScaler(), numbers),
            ("strings", OneHotEncoder(handle_unknown="ignore", **one_hot), strings),
        ]
    )
    return make_pipeline(columns, net(cost_matrix=None))


@functools.cache
def credit_model():
    """The credit pipeline (dense one-hot) fitted on the credit rows with their own costs."""
    X_train, _, y_train, _, S_train, _, _, _, _ = credit()
    model = credit_pipeline(sparse_output=False)
    return model.fit(X_train, y_train, costsensitivekerasclassifier__sample_cost=S_train)


def cost_scorer(C=None, **kwargs):
    from costkeras.metrics import make_cost_scorer

    return make_cost_scorer(C_BC if C is None else C, **kwargs)


def assert_proba(proba, n, k):
    proba = np.asarray(proba)
    assert proba.shape == (n, k), f"predict_proba shape {proba.shape}, expected {(n, k)}"
    assert np.all(np.isfinite(proba)), "predict_proba has non-finite values"
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5), "probabilities do not sum to 1"


def assert_labels(pred, n, labels):
    pred = np.asarray(pred)
    assert pred.shape == (n,), f"predict shape {pred.shape}, expected {(n,)}"
    extra = set(pred.tolist()) - set(np.asarray(labels).tolist())
    assert not extra, f"predicted labels {extra} not among {list(labels)}"


def fresh():
    """A newly fitted estimator, not yet predicted with.

    The first two predictions of a fitted model run eagerly, later ones through
    ``predict_on_batch`` (``costkeras._scikeras.fast_predict``), and the two may differ in the last
    float32 bit; a model and its reloaded copy are compared in the same phase.
    """
    X_train, _, y_train, _ = cancer()
    return net().fit(X_train, y_train)


def same_proba(model, reloaded, X):
    """None when the reloaded model's probabilities are identical, a caveat when only close.

    Call it on a model not yet predicted with (``fresh()``).
    """
    a, b = np.asarray(model.predict_proba(X)), np.asarray(reloaded.predict_proba(X))
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    if np.array_equal(a, b):
        np.testing.assert_array_equal(model.predict(X), reloaded.predict(X))
        return None
    gap = float(np.max(np.abs(a - b)))
    assert gap < 1e-6, f"reloaded predict_proba differs by up to {gap:.3g}"
    return f"probabilities equal to {gap:.1g}, not bit for bit"


# ----------------------------------------------------------------------------- scikit-learn
@check("clone", "sklearn.base.clone", "scikit-learn", "clone a fitted estimator")
def _clone():
    model = fitted()
    copy_ = clone(model)
    assert copy_ is not model
    try:
        check_is_fitted(copy_)
    except NotFittedError:
        pass
    else:
        raise AssertionError("clone of a fitted estimator is fitted")
    assert copy_.get_params()["cost_matrix"] == C_BC
    assert copy_.get_params().keys() == model.get_params().keys()


@check("params", "get_params / set_params", "scikit-learn", "set_params(cost_matrix, epochs), fit")
def _params():
    X_train, _, y_train, _ = cancer()
    est = net()
    assert {"cost_matrix", "cost_loss", "epochs", "class_weight"} <= est.get_params().keys()
    est.set_params(cost_matrix=C_BC_MILD, epochs=2).fit(X_train, y_train)
    np.testing.assert_array_equal(est.cost_matrix_, C_BC_MILD)
    assert len(est.history_["loss"]) == 2, f"{len(est.history_['loss'])} epochs, expected 2"


@check("pipeline", "Pipeline", "scikit-learn", "StandardScaler + estimator, Bayes decisions")
def _pipeline():
    from costkeras.decisions import bayes_decision

    X_train, X_test, y_train, _ = cancer()
    pipe = make_pipeline(StandardScaler(), net()).fit(X_train, y_train)
    proba = pipe.predict_proba(X_test)
    assert_proba(proba, len(X_test), 2)
    pred = pipe.predict(X_test)
    assert_labels(pred, len(X_test), [0, 1])
    np.testing.assert_array_equal(pred, pipe.classes_[bayes_decision(proba, C_BC)])


@check(
    "long_session",
    "a notebook session (TensorFlow's log)",
    "tensorflow",
    "6 fitted models, each predicted 3 times: retracing warnings printed",
)
def _long_session():
    X_train, X_test, y_train, _ = cancer()
    retracing = Retracing()
    logging.getLogger("tensorflow").addHandler(retracing)
    try:
        for seed in range(6):
            model = net(random_state=seed, epochs=1).fit(X_train, y_train)
            for _ in range(3):
                assert_proba(model.predict_proba(X_test), len(X_test), 2)
    finally:
        logging.getLogger("tensorflow").removeHandler(retracing)
    if retracing.count:
        return (
            f"TensorFlow printed {retracing.count} 'triggered tf.function retracing' warnings: "
            "from its third call each model predicts through its own traced predict_on_batch"
        )
    return None


@check(
    "column_transformer",
    "ColumnTransformer",
    "scikit-learn",
    "OneHotEncoder + StandardScaler on credit strings/numbers, per-applicant costs",
    requires=("pandas",),
)
def _column_transformer():
    from costkeras.metrics import savings_score

    X_train, X_test, y_train, y_test, S_train, S_test, _, strings, source = credit()
    assert strings, "no string columns"
    # as a user writes it: OneHotEncoder's default sparse output, which ColumnTransformer
    # keeps when the stacked result is sparse enough (sparse_threshold=0.3)
    try:
        credit_pipeline().fit(X_train, y_train, costsensitivekerasclassifier__sample_cost=S_train)
    except TypeError as exc:
        if "sparse" not in str(exc):
            raise
        credit_model()  # the work-around named in the error
        raise TypeError(
            f"{str(exc).splitlines()[0]} [OneHotEncoder(sparse_output=False) works]"
        ) from None
    model = credit_model()
    pred = model.predict(X_test, sample_cost=S_test)
    assert_labels(pred, len(X_test), [0, 1])
    assert_proba(model.predict_proba(X_test), len(X_test), 2)
    savings = savings_score(y_test, pred, sample_cost=S_test)
    assert np.isfinite(savings)
    print(f"    {source}: test savings {savings:.3f}")


@check("grid_search", "GridSearchCV", "scikit-learn", "2 cost matrices x 3 folds, cost scorer")
def _grid_search():
    from sklearn.model_selection import GridSearchCV

    X_train, X_test, y_train, _ = cancer()
    search = GridSearchCV(
        net(), {"cost_matrix": [C_BC, C_BC_MILD]}, scoring=cost_scorer(), cv=3
    ).fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2 and np.all(np.isfinite(scores)) and np.all(scores <= 0), scores
    assert search.best_params_["cost_matrix"] in (C_BC, C_BC_MILD)
    assert_labels(search.predict(X_test), len(X_test), [0, 1])


@check(
    "randomized_search",
    "RandomizedSearchCV",
    "scikit-learn",
    "cost_loss x loguniform cost_loss_weight, 2 draws",
)
def _randomized_search():
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV

    X_train, _, y_train, _ = cancer()
    space = {
        "cost_loss": ["expected_cost", "class_weighted"],
        "cost_loss_weight": loguniform(0.1, 10),
    }
    search = RandomizedSearchCV(
        net(), space, n_iter=2, scoring=cost_scorer(), cv=2, random_state=0
    ).fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 2
    for params in search.cv_results_["params"]:
        assert 0.1 <= params["cost_loss_weight"] <= 10
    assert search.best_estimator_.cost_loss == search.best_params_["cost_loss"]


@check(
    "halving_search",
    "HalvingGridSearchCV",
    "scikit-learn",
    "2 cost matrices, resource n_samples from 150, factor 2, cv=2",
)
def _halving_search():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    X_train, _, y_train, _ = cancer()
    grid = {"cost_matrix": [C_BC, C_BC_MILD]}
    search = HalvingGridSearchCV(
        net(), grid, factor=2, min_resources=150, cv=2, scoring=cost_scorer(), random_state=0
    ).fit(X_train, y_train)
    assert search.n_iterations_ >= 2, search.n_iterations_
    assert search.n_resources_[-1] > search.n_resources_[0]
    assert search.best_params_["cost_matrix"] in (C_BC, C_BC_MILD)


@check(
    "cross_val_score",
    "cross_val_score",
    "scikit-learn",
    "cv=3 with make_cost_scorer; cv=int stratifies",
)
def _cross_val_score():
    from sklearn.model_selection import cross_val_score

    X_train, _, y_train, _ = cancer()
    est = net()
    assert is_classifier(est), "is_classifier is False: cv=3 would not stratify"
    assert isinstance(check_cv(3, y_train, classifier=is_classifier(est)), StratifiedKFold)
    scores = cross_val_score(est, X_train, y_train, scoring=cost_scorer(), cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores)) and np.all(scores <= 0), scores


@check(
    "cross_validate",
    "cross_validate",
    "scikit-learn",
    "cost, savings, roc_auc, neg_log_loss scorers; return_estimator",
)
def _cross_validate():
    from sklearn.model_selection import cross_validate

    X_train, _, y_train, _ = cancer()
    scoring = {
        "cost": cost_scorer(),
        "savings": cost_scorer(kind="savings"),
        "roc_auc": "roc_auc",
        "log_loss": "neg_log_loss",
    }
    result = cross_validate(
        net(), X_train, y_train, scoring=scoring, cv=3, return_estimator=True, error_score="raise"
    )
    for name in scoring:
        values = result[f"test_{name}"]
        assert values.shape == (3,) and np.all(np.isfinite(values)), (name, values)
    assert np.all(result["test_roc_auc"] > 0.5), result["test_roc_auc"]
    assert len(result["estimator"]) == 3 and all(hasattr(e, "model_") for e in result["estimator"])


@check(
    "cross_val_predict",
    "cross_val_predict",
    "scikit-learn",
    'method="predict_proba", cv=3, on wine (3 classes, a 3x3 cost matrix)',
)
def _cross_val_predict():
    from sklearn.model_selection import cross_val_predict

    from costkeras.decisions import bayes_decision

    X_train, _, y_train, _ = wine()
    est = net(cost_matrix=C_WINE)
    proba = cross_val_predict(est, X_train, y_train, cv=3, method="predict_proba")
    assert_proba(proba, len(y_train), 3)
    pred = cross_val_predict(est, X_train, y_train, cv=3)
    # each fold's decisions are Bayes decisions on that fold model's probabilities
    np.testing.assert_array_equal(pred, bayes_decision(proba, C_WINE))


@check(
    "calibrated_cv",
    "CalibratedClassifierCV",
    "scikit-learn",
    "sigmoid, cv=3, then predict_min_cost on the calibrated probabilities",
)
def _calibrated_cv():
    from sklearn.calibration import CalibratedClassifierCV

    from costkeras.decisions import predict_min_cost

    X_train, X_test, y_train, _ = cancer()
    calibrated = CalibratedClassifierCV(net(), method="sigmoid", cv=3).fit(X_train, y_train)
    assert len(calibrated.calibrated_classifiers_) == 3
    assert_proba(calibrated.predict_proba(X_test), len(X_test), 2)
    assert_labels(predict_min_cost(calibrated, X_test, C_BC), len(X_test), [0, 1])


@check(
    "tuned_threshold",
    "TunedThresholdClassifierCV",
    "scikit-learn",
    "threshold tuned on the cost scorer, cv=3",
)
def _tuned_threshold():
    from sklearn.model_selection import TunedThresholdClassifierCV

    X_train, X_test, y_train, _ = cancer()
    tuned = TunedThresholdClassifierCV(net(), scoring=cost_scorer(), cv=3).fit(X_train, y_train)
    assert 0 <= tuned.best_threshold_ <= 1, tuned.best_threshold_
    proba = tuned.predict_proba(X_test)[:, 1]
    pred = tuned.predict(X_test)
    np.testing.assert_array_equal(pred, (proba >= tuned.best_threshold_).astype(int))


@check(
    "fixed_threshold",
    "FixedThresholdClassifier",
    "scikit-learn",
    "binary_threshold(C) on a FrozenEstimator: same decisions as Bayes",
)
def _fixed_threshold():
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier

    from costkeras.decisions import binary_threshold

    X_train, X_test, y_train, _ = cancer()
    model = fitted()
    threshold = binary_threshold(C_BC)
    fixed = FixedThresholdClassifier(
        FrozenEstimator(model), threshold=threshold, response_method="predict_proba"
    ).fit(X_train, y_train)
    proba = model.predict_proba(X_test)[:, 1]
    decided = fixed.predict(X_test)
    ties = np.isclose(proba, threshold, atol=1e-7)
    np.testing.assert_array_equal(decided[~ties], model.predict(X_test)[~ties])


@check(
    "frozen_estimator",
    "FrozenEstimator",
    "scikit-learn",
    "CalibratedClassifierCV(FrozenEstimator(fitted)) on held-out rows; no refit",
)
def _frozen_estimator():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    _, X_test, _, y_test = cancer()
    model = fitted()
    before = model.predict_proba(X_test)
    method = "temperature" if _sklearn_at_least(1, 8) else "sigmoid"
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method=method)
    calibrated.fit(X_test, y_test)
    np.testing.assert_array_equal(model.predict_proba(X_test), before)  # not refitted
    assert_proba(calibrated.predict_proba(X_test), len(X_test), 2)


def _sklearn_at_least(major, minor):
    import sklearn

    return tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (major, minor)


@check(
    "stacking",
    "StackingClassifier",
    "scikit-learn",
    "estimator + LogisticRegression, cv=3, LogisticRegression on top",
)
def _stacking():
    from sklearn.ensemble import StackingClassifier

    X_train, X_test, y_train, _ = cancer()
    stack = StackingClassifier(
        [("net", net()), ("lr", make_pipeline(StandardScaler(), LogisticRegression()))],
        final_estimator=LogisticRegression(),
        cv=3,
    ).fit(X_train, y_train)
    assert stack.transform(X_test).shape == (len(X_test), 2)
    assert_labels(stack.predict(X_test), len(X_test), [0, 1])
    assert_proba(stack.predict_proba(X_test), len(X_test), 2)


@check(
    "voting_soft",
    "VotingClassifier",
    "scikit-learn",
    'voting="soft" with LogisticRegression: probabilities are the mean',
)
def _voting():
    from sklearn.ensemble import VotingClassifier

    X_train, X_test, y_train, _ = cancer()
    vote = VotingClassifier(
        [("net", net()), ("lr", make_pipeline(StandardScaler(), LogisticRegression()))],
        voting="soft",
    ).fit(X_train, y_train)
    parts = [e.predict_proba(X_test) for e in vote.estimators_]
    np.testing.assert_allclose(vote.predict_proba(X_test), np.mean(parts, axis=0), atol=1e-6)


@check("bagging", "BaggingClassifier", "scikit-learn", "2 bootstrap estimators")
def _bagging():
    from sklearn.ensemble import BaggingClassifier

    X_train, X_test, y_train, _ = cancer()
    bag = BaggingClassifier(net(), n_estimators=2, random_state=0).fit(X_train, y_train)
    assert len(bag.estimators_) == 2
    parts = [e.predict_proba(X_test) for e in bag.estimators_]
    np.testing.assert_allclose(bag.predict_proba(X_test), np.mean(parts, axis=0), atol=1e-6)


@check(
    "one_vs_rest",
    "OneVsRestClassifier",
    "scikit-learn",
    "wine (3 classes), one binary network per class",
)
def _one_vs_rest():
    from sklearn.multiclass import OneVsRestClassifier

    X_train, X_test, y_train, _ = wine()
    ovr = OneVsRestClassifier(net(cost_matrix=None)).fit(X_train, y_train)
    assert len(ovr.estimators_) == 3
    assert_proba(ovr.predict_proba(X_test), len(X_test), 3)
    assert_labels(ovr.predict(X_test), len(X_test), [0, 1, 2])


@check(
    "multi_output",
    "MultiOutputClassifier",
    "scikit-learn",
    "2 binary targets, one network each",
)
def _multi_output():
    from sklearn.multioutput import MultiOutputClassifier

    X_train, X_test, y_train, _ = cancer()
    second = (X_train[:, 0] > np.median(X_train[:, 0])).astype(int)
    Y = np.column_stack([y_train, second])
    multi = MultiOutputClassifier(net()).fit(X_train, Y)
    assert multi.predict(X_test).shape == (len(X_test), 2)
    proba = multi.predict_proba(X_test)
    assert len(proba) == 2
    for p in proba:
        assert_proba(p, len(X_test), 2)


@check(
    "permutation_importance",
    "permutation_importance",
    "scikit-learn",
    "cost scorer, 2 repeats",
)
def _permutation_importance():
    from sklearn.inspection import permutation_importance

    _, X_test, _, y_test = cancer()
    result = permutation_importance(
        fitted(), X_test, y_test, scoring=cost_scorer(), n_repeats=2, random_state=0
    )
    assert result.importances.shape == (X_test.shape[1], 2)
    assert np.all(np.isfinite(result.importances))


@check(
    "partial_dependence",
    "PartialDependenceDisplay",
    "scikit-learn",
    "from_estimator, 2 features, predict_proba",
    requires=("matplotlib",),
)
def _partial_dependence():
    import matplotlib.pyplot as plt
    from sklearn.inspection import PartialDependenceDisplay

    _, X_test, _, _ = cancer()
    display = PartialDependenceDisplay.from_estimator(
        fitted(), X_test, [0, 1], response_method="predict_proba", grid_resolution=8
    )
    assert len(display.pd_results) == 2
    for result in display.pd_results:
        values = np.asarray(result["average"])
        assert values.shape[-1] == 8 and np.all((values >= 0) & (values <= 1))
    plt.close("all")


@check(
    "displays",
    "RocCurveDisplay, CalibrationDisplay",
    "scikit-learn",
    "from_estimator on the test rows",
    requires=("matplotlib",),
)
def _displays():
    import matplotlib.pyplot as plt
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import RocCurveDisplay, roc_auc_score

    _, X_test, _, y_test = cancer()
    model = fitted()
    roc = RocCurveDisplay.from_estimator(model, X_test, y_test)
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    assert np.isclose(np.ravel(roc.roc_auc)[0], auc), (roc.roc_auc, auc)
    assert auc > 0.5, auc
    calibration = CalibrationDisplay.from_estimator(model, X_test, y_test, n_bins=5)
    assert np.all((calibration.prob_true >= 0) & (calibration.prob_true <= 1))
    plt.close("all")


@check("learning_curve", "learning_curve", "scikit-learn", "2 sizes x cv=2, cost scorer")
def _learning_curve():
    from sklearn.model_selection import learning_curve

    X_train, _, y_train, _ = cancer()
    sizes, train, test = learning_curve(
        net(), X_train, y_train, train_sizes=[0.5, 1.0], cv=2, scoring=cost_scorer()
    )
    assert train.shape == test.shape == (2, 2) and np.all(np.isfinite(test)), test
    assert sizes[0] < sizes[1] <= len(y_train), sizes


@check("validation_curve", "validation_curve", "scikit-learn", "epochs in (1, 3), cv=2")
def _validation_curve():
    from sklearn.model_selection import validation_curve

    X_train, _, y_train, _ = cancer()
    train, test = validation_curve(
        net(), X_train, y_train, param_name="epochs", param_range=[1, 3], cv=2
    )
    assert train.shape == test.shape == (2, 2) and np.all((test >= 0) & (test <= 1)), test


@check(
    "routing_sample_cost",
    "metadata routing: sample_cost",
    "scikit-learn",
    "cross_val_score(pipeline, params={'sample_cost': S}), routed cost scorer",
)
def _routing_sample_cost():
    from sklearn.model_selection import cross_val_score

    from costkeras.datasets import make_credit_scoring
    from costkeras.metrics import make_cost_scorer

    X, y, S = make_credit_scoring(600, random_state=0)
    with config_context(enable_metadata_routing=True):
        est = net(cost_matrix=None).set_fit_request(sample_cost=True)
        scorer = make_cost_scorer().set_score_request(sample_cost=True)
        pipe = make_pipeline(StandardScaler(), est)
        scores = cross_val_score(pipe, X, y, scoring=scorer, cv=3, params={"sample_cost": S})
    assert scores.shape == (3,) and np.all(np.isfinite(scores)) and np.all(scores <= 0), scores


@check(
    "routing_sample_weight",
    "metadata routing: sample_weight",
    "scikit-learn",
    "GridSearchCV(pipeline).fit(sample_weight=w): refit equals a direct weighted fit",
)
def _routing_sample_weight():
    from sklearn.model_selection import GridSearchCV

    X_train, X_test, y_train, _ = cancer()
    weights = np.where(y_train == 0, 3.0, 1.0)
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            net().set_fit_request(sample_weight=True),
        )
        search = GridSearchCV(
            pipe,
            {"costsensitivekerasclassifier__cost_matrix": [C_BC]},
            cv=2,
            scoring=cost_scorer().set_score_request(sample_weight=True),
        ).fit(X_train, y_train, sample_weight=weights)
        direct = clone(pipe).fit(X_train, y_train, sample_weight=weights)
        unweighted = clone(pipe).fit(X_train, y_train)
    routed = search.best_estimator_.predict_proba(X_test)
    np.testing.assert_allclose(routed, direct.predict_proba(X_test), atol=1e-6)
    assert not np.allclose(routed, unweighted.predict_proba(X_test), atol=1e-6), (
        "the weights changed nothing: were they routed?"
    )


@check(
    "check_estimator",
    "check_estimator",
    "scikit-learn",
    "every check of the installed scikit-learn, on_fail=None",
    timeout=420,
)
def _check_estimator():
    from sklearn.utils.estimator_checks import check_estimator

    from costkeras import CostSensitiveKerasClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(net(cost_matrix=None, epochs=5), on_fail=None)
    failed = sorted({r["check_name"] for r in results if r["status"] == "failed"})
    declared = set(CostSensitiveKerasClassifier._xfail_checks)
    undeclared = [name for name in failed if name not in declared]
    assert not undeclared, f"{len(undeclared)} checks fail: {', '.join(undeclared)}"
    if failed:
        return (
            f"{len(results) - len(failed)} of {len(results)} pass; the {len(failed)} that fail "
            f"are the estimator's declared _xfail_checks ({', '.join(failed)}), so "
            "check_estimator(est) raises unless given expected_failed_checks"
        )
    return None


# ----------------------------------------------------------------------------- parallelism
@check(
    "joblib_loky",
    "joblib n_jobs=2 (loky)",
    "joblib",
    "cross_val_score(n_jobs=2) equals n_jobs=1",
    timeout=240,
)
def _joblib_loky():
    from sklearn.model_selection import cross_val_score

    X_train, _, y_train, _ = cancer()
    one = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer())
    two = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer(), n_jobs=2)
    np.testing.assert_allclose(two, one, rtol=0, atol=1e-12)


@check(
    "joblib_threading",
    "joblib threading backend",
    "joblib",
    "cross_val_score(n_jobs=2) in 2 threads equals n_jobs=1",
)
def _joblib_threading():
    import joblib
    from sklearn.model_selection import cross_val_score

    X_train, _, y_train, _ = cancer()
    one = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer())
    with joblib.parallel_backend("threading", n_jobs=2):
        two = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer(), n_jobs=2)
    np.testing.assert_allclose(two, one, rtol=0, atol=1e-12)


@check(
    "dask_joblib",
    "joblib dask backend",
    "distributed",
    "LocalCluster(2 workers), cross_val_score equals sequential",
    requires=("dask", "distributed"),
    timeout=300,
)
def _dask_joblib():
    import joblib
    from dask.distributed import Client, LocalCluster
    from sklearn.model_selection import cross_val_score

    X_train, _, y_train, _ = cancer()
    one = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer())
    threads = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, env=threads, dashboard_address=None
        ) as cluster,
        Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        two = cross_val_score(net(), X_train, y_train, cv=2, scoring=cost_scorer(), n_jobs=-1)
    np.testing.assert_allclose(two, one, rtol=0, atol=1e-12)


@check(
    "dask_ml_incremental",
    "dask-ml Incremental",
    "dask-ml",
    "partial_fit over 4 dask-array blocks, predict",
    requires=("dask_ml",),
)
def _dask_ml_incremental():
    import dask.array as da
    from dask_ml.wrappers import Incremental

    X_train, X_test, y_train, _ = cancer()
    Xd = da.from_array(X_train, chunks=100)
    yd = da.from_array(y_train, chunks=100)
    inc = Incremental(net(), scoring=cost_scorer()).fit(Xd, yd, classes=[0, 1])
    assert len(inc.estimator_.history_["loss"]) >= 1
    pred = inc.predict(da.from_array(X_test, chunks=100)).compute()
    assert_labels(pred, len(X_test), [0, 1])


@check(
    "dask_ml_grid_search",
    "dask-ml GridSearchCV",
    "dask-ml",
    "2 cost matrices x cv=2, dask's threaded scheduler",
    requires=("dask_ml",),
)
def _dask_ml_grid_search():
    from dask_ml.model_selection import GridSearchCV

    X_train, X_test, y_train, _ = cancer()
    search = GridSearchCV(
        net(), {"cost_matrix": [C_BC, C_BC_MILD]}, scoring=cost_scorer(), cv=2
    ).fit(X_train, y_train)
    scores = np.asarray(search.cv_results_["mean_test_score"])
    assert scores.shape == (2,) and np.all(np.isfinite(scores)), scores
    assert_labels(search.predict(X_test), len(X_test), [0, 1])


# ----------------------------------------------------------------------------- persistence
@check("pickle", "pickle", "python", "dumps/loads: identical predict_proba")
def _pickle():
    _, X_test, _, _ = cancer()
    model = fresh()
    return same_proba(model, pickle.loads(pickle.dumps(model)), X_test)


@check("joblib_dump", "joblib.dump / load", "joblib", "to a file: identical predict_proba")
def _joblib_dump():
    import joblib

    _, X_test, _, _ = cancer()
    model = fresh()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.joblib"
        joblib.dump(model, path)
        return same_proba(model, joblib.load(path), X_test)


@check(
    "cloudpickle",
    "cloudpickle",
    "cloudpickle",
    "dumps/loads: identical predict_proba",
    requires=("cloudpickle",),
)
def _cloudpickle():
    import cloudpickle

    _, X_test, _, _ = cancer()
    model = fresh()
    return same_proba(model, cloudpickle.loads(cloudpickle.dumps(model)), X_test)


@check(
    "deepcopy",
    "copy.deepcopy",
    "python",
    "identical predict_proba; refitting the copy leaves the original",
)
def _deepcopy():
    X_train, X_test, y_train, _ = cancer()
    model = fresh()
    twin = copy.deepcopy(model)
    caveat = same_proba(model, twin, X_test)
    before = model.predict_proba(X_test)
    twin.set_params(epochs=1, cost_matrix=C_BC_MILD).fit(X_train[:100], y_train[:100])
    assert not np.allclose(twin.predict_proba(X_test), before, atol=1e-3)
    # within the last float32 bit: the third call runs predict_on_batch (see fresh())
    np.testing.assert_allclose(model.predict_proba(X_test), before, atol=1e-6)
    return caveat


def _skops_round_trip(model, X_test):
    import skops.io as sio

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.skops"
        sio.dump(model, path)
        untrusted = sio.get_untrusted_types(file=path)
        # what the README says to trust; anything else skops would list is a finding
        extra = set(untrusted) - set(costkeras.SKOPS_TRUSTED_TYPES)
        assert not extra, f"untrusted types beyond costkeras's: {sorted(extra)}"
        reloaded = sio.load(path, trusted=costkeras.SKOPS_TRUSTED_TYPES)
    caveat = same_proba(model, reloaded, X_test)
    return caveat, untrusted


@check(
    "skops",
    "skops.io",
    "skops",
    "dump, get_untrusted_types, load(trusted=...): identical predict_proba",
    requires=("skops",),
)
def _skops():
    _, X_test, _, _ = cancer()
    caveat, untrusted = _skops_round_trip(fresh(), X_test)
    print(f"    {len(untrusted)} untrusted types to review: {', '.join(untrusted[:6])}")
    return caveat


@check(
    "skops_minimum_cost",
    "skops.io (MinimumCostClassifier)",
    "skops",
    "MinimumCostClassifier(LogisticRegression) dump/load",
    requires=("skops",),
)
def _skops_minimum_cost():
    from costkeras import MinimumCostClassifier

    X_train, X_test, y_train, _ = cancer()
    model = make_pipeline(
        StandardScaler(), MinimumCostClassifier(LogisticRegression(), cost_matrix=C_BC)
    ).fit(X_train, y_train)
    caveat, untrusted = _skops_round_trip(model, X_test)
    print(f"    untrusted types: {', '.join(untrusted) or 'none'}")
    return caveat


@contextlib.contextmanager
def _mlflow_run():
    import mlflow

    # MLflow 3 refuses new file-store ("./mlruns") tracking; a SQLite file is its local default
    with tempfile.TemporaryDirectory() as folder:
        previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(f"sqlite:///{Path(folder, 'mlflow.db')}")
        try:
            experiment = mlflow.create_experiment(
                "ecosystem", artifact_location=Path(folder, "artifacts").as_uri()
            )
            with mlflow.start_run(experiment_id=experiment) as run:
                yield mlflow, run
        finally:
            mlflow.set_tracking_uri(previous)


def _mlflow_round_trip(**log_kwargs):
    import pandas as pd

    _, X_test, _, _ = cancer()
    model = fresh()
    notes = []
    with _mlflow_run() as (mlflow, _):
        try:
            # MLflow 3.17 already checks at logging time that skops would load the model
            info = mlflow.sklearn.log_model(model, name="model", **log_kwargs)
            reloaded = mlflow.sklearn.load_model(info.model_uri)
        except Exception as exc:
            if log_kwargs or "untrusted" not in str(exc).lower():
                raise
            # what its error asks for: name the skops types to trust when logging
            import skops.io as sio

            types = costkeras.SKOPS_TRUSTED_TYPES
            assert set(sio.get_untrusted_types(data=sio.dumps(model))) <= set(types)
            info = mlflow.sklearn.log_model(model, name="trusted", skops_trusted_types=types)
            reloaded = mlflow.sklearn.load_model(info.model_uri)
            notes.append(
                "load_model needs log_model(skops_trusted_types=costkeras.SKOPS_TRUSTED_TYPES)"
            )
        notes.append(same_proba(model, reloaded, X_test))
        served = mlflow.pyfunc.load_model(info.model_uri).predict(pd.DataFrame(X_test))
    np.testing.assert_array_equal(np.asarray(served).ravel(), model.predict(X_test))
    return "; ".join(filter(None, notes)) or None


@check(
    "mlflow_default",
    "mlflow.sklearn (default format)",
    "mlflow",
    "log_model in a local SQLite-store run, load_model and pyfunc: identical predictions",
    requires=("mlflow",),
    timeout=300,
)
def _mlflow_default():
    return _mlflow_round_trip()


@check(
    "mlflow_cloudpickle",
    "mlflow.sklearn (cloudpickle format)",
    "mlflow",
    'log_model(serialization_format="cloudpickle"), load_model, pyfunc',
    requires=("mlflow",),
    timeout=300,
)
def _mlflow_cloudpickle():
    return _mlflow_round_trip(serialization_format="cloudpickle")


@check(
    "mlflow_autolog",
    "mlflow.sklearn.autolog",
    "mlflow",
    "fit alone, then in a Pipeline: params, training metrics, model logged",
    requires=("mlflow",),
    timeout=300,
)
def _mlflow_autolog():
    X_train, _, y_train, _ = cancer()
    logged = {}
    for kind in ("alone", "pipeline"):
        model = net() if kind == "alone" else make_pipeline(StandardScaler(), net())
        with _mlflow_run() as (mlflow, run):
            mlflow.sklearn.autolog(silent=True)
            try:
                model.fit(X_train, y_train)
            finally:
                mlflow.sklearn.autolog(disable=True)
            data = mlflow.get_run(run.info.run_id).data
            models = mlflow.search_logged_models(
                experiment_ids=[run.info.experiment_id], output_format="list"
            )
        logged[kind] = (data.params, data.metrics, models)
    params, metrics, models = logged["pipeline"]
    assert params.get("costsensitivekerasclassifier__epochs") == str(EPOCHS), params
    assert params.get("costsensitivekerasclassifier__cost_matrix"), "cost_matrix not logged"
    assert "training_roc_auc" in metrics, f"training metrics: {sorted(metrics)}"
    assert models, "no model logged"
    if not any(logged["alone"]):
        return (
            "a bare estimator's fit logs nothing (autolog patches scikit-learn's own "
            "classes); inside a Pipeline params, metrics and the model are logged"
        )
    return None


@check(
    "mlflow_keras_autolog",
    "mlflow.keras.autolog",
    "mlflow",
    "the inner keras.Model.fit autologged: fit params, per-epoch loss",
    requires=("mlflow",),
    timeout=300,
)
def _mlflow_keras_autolog():
    X_train, _, y_train, _ = cancer()
    with _mlflow_run() as (mlflow, run):
        mlflow.keras.autolog(silent=True, log_models=False)
        try:
            net().fit(X_train, y_train)
        finally:
            mlflow.keras.autolog(disable=True)
        data = mlflow.get_run(run.info.run_id).data
        history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
    assert data.params.get("epochs") == str(EPOCHS), data.params
    assert len(history) == EPOCHS, f"{len(history)} loss values logged for {EPOCHS} epochs"


@check(
    "keras_file",
    "keras .keras file of model_",
    "keras",
    "model_.save / keras.models.load_model: identical outputs",
)
def _keras_file():
    import keras

    _, X_test, _, _ = cancer()
    model = fitted()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.keras"
        model.model_.save(path)
        reloaded = keras.models.load_model(path)
        outputs = np.asarray(reloaded.predict_on_batch(X_test.astype("float32")))
    np.testing.assert_allclose(outputs, model.predict_proba(X_test), atol=1e-6)


@check(
    "tf_saved_model",
    "TensorFlow SavedModel (TF Serving)",
    "tensorflow",
    'model_.export(format="tf_saved_model"), tf.saved_model.load, serve',
)
def _tf_saved_model():
    import tensorflow as tf

    _, X_test, _, _ = cancer()
    model = fitted()
    with tempfile.TemporaryDirectory() as folder:
        with contextlib.redirect_stdout(io.StringIO()):
            model.model_.export(folder, format="tf_saved_model")
        served = tf.saved_model.load(folder)
        outputs = np.asarray(served.serve(tf.constant(X_test, dtype=tf.float32)))
    np.testing.assert_allclose(outputs, model.predict_proba(X_test), atol=1e-6)


# ----------------------------------------------------------------------------- data frames
@check(
    "set_output_pandas",
    'set_output(transform="pandas")',
    "pandas",
    "DataFrame through a pandas-output pipeline; feature names kept",
    requires=("pandas",),
)
def _set_output_pandas():
    import pandas as pd

    X_train, X_test, y_train, _ = cancer()
    names = list(load_breast_cancer().feature_names)
    frame_train = pd.DataFrame(X_train, columns=names)
    frame_test = pd.DataFrame(X_test, columns=names)
    pipe = make_pipeline(StandardScaler(), net()).set_output(transform="pandas")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe.fit(frame_train, y_train)
        pred = pipe.predict(frame_test)
    assert_labels(pred, len(X_test), [0, 1])
    assert list(pipe.feature_names_in_) == names
    inner = getattr(pipe[-1], "feature_names_in_", None)
    assert inner is not None, "the estimator did not record feature_names_in_"
    assert list(inner) == names
    named = [str(w.message) for w in caught if "feature names" in str(w.message)]
    assert not named, named[0]


@check(
    "pandas_string_labels",
    "pandas DataFrame / Series, string labels",
    "pandas",
    "y as 'benign'/'malignant', cost matrix as a labelled DataFrame",
    requires=("pandas",),
)
def _pandas_string_labels():
    import pandas as pd

    X_train, X_test, y_train, y_test = cancer()
    names = np.array(["malignant", "benign"])
    costs = pd.DataFrame(
        [[0, 10], [1, 0]], index=["malignant", "benign"], columns=["malignant", "benign"]
    )
    est = net(cost_matrix=costs).fit(pd.DataFrame(X_train), pd.Series(names[y_train]))
    assert list(est.classes_) == ["benign", "malignant"]
    # the matrix follows classes_: a missed malignant case still costs 10
    np.testing.assert_array_equal(est.cost_matrix_, [[0, 1], [10, 0]])
    pred = est.predict(pd.DataFrame(X_test))
    assert_labels(pred, len(X_test), ["benign", "malignant"])
    score = cost_scorer(costs)(est, pd.DataFrame(X_test), pd.Series(names[y_test]))
    assert np.isfinite(score) and score <= 0


@check(
    "polars",
    "polars DataFrame / Series",
    "polars",
    "polars X and string y: fit, predict, predict_proba",
    requires=("polars",),
)
def _polars():
    import polars as pl

    X_train, X_test, y_train, _ = cancer()
    names = np.array(["malignant", "benign"])
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    frame_train = pl.DataFrame(X_train, schema=columns)
    frame_test = pl.DataFrame(X_test, schema=columns)
    cost = {"malignant": {"benign": 10}, "benign": {"malignant": 1}}
    est = net(cost_matrix=cost).fit(frame_train, pl.Series("y", names[y_train]))
    assert_labels(est.predict(frame_test), len(X_test), ["benign", "malignant"])
    assert_proba(est.predict_proba(frame_test), len(X_test), 2)


# ----------------------------------------------------------------------------- tuning
@check(
    "optuna",
    "optuna study",
    "optuna",
    "2 trials, each cross_val_score with the cost scorer",
    requires=("optuna",),
)
def _optuna():
    import optuna
    from sklearn.model_selection import cross_val_score

    X_train, _, y_train, _ = cancer()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        est = net(
            cost_loss="expected_cost",
            cost_loss_weight=trial.suggest_float("cost_loss_weight", 0.1, 10, log=True),
        )
        return cross_val_score(est, X_train, y_train, cv=2, scoring=cost_scorer()).mean()

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=2)
    assert len(study.trials) == 2 and np.isfinite(study.best_value) and study.best_value <= 0


@check(
    "optuna_search_cv",
    "OptunaSearchCV",
    "optuna-integration",
    "FloatDistribution over cost_loss_weight, 2 trials, cv=2",
    requires=("optuna_integration",),
)
def _optuna_search_cv():
    import optuna
    from optuna_integration import OptunaSearchCV

    X_train, X_test, y_train, _ = cancer()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning
        search = OptunaSearchCV(
            net(cost_loss="expected_cost"),
            {"cost_loss_weight": optuna.distributions.FloatDistribution(0.1, 10, log=True)},
            n_trials=2,
            cv=2,
            scoring=cost_scorer(),
            random_state=0,
        ).fit(X_train, y_train)
    assert 0.1 <= search.best_params_["cost_loss_weight"] <= 10
    assert len(search.trials_) == 2
    assert_labels(search.predict(X_test), len(X_test), [0, 1])


@check(
    "skopt",
    "scikit-optimize BayesSearchCV",
    "scikit-optimize",
    "Real(0.1, 10, log-uniform) cost_loss_weight, 2 iterations, cv=2",
    requires=("skopt",),
)
def _skopt():
    from skopt import BayesSearchCV
    from skopt.space import Real

    X_train, _, y_train, _ = cancer()
    search = BayesSearchCV(
        net(cost_loss="expected_cost"),
        {"cost_loss_weight": Real(0.1, 10, prior="log-uniform")},
        n_iter=2,
        cv=2,
        scoring=cost_scorer(),
        random_state=0,
    ).fit(X_train, y_train)
    assert 0.1 <= search.best_params_["cost_loss_weight"] <= 10
    assert len(search.cv_results_["params"]) == 2


# ----------------------------------------------------------------------------- imbalance, fairness
@check(
    "imblearn_pipeline",
    "imbalanced-learn Pipeline",
    "imbalanced-learn",
    "SMOTE + estimator in imblearn's Pipeline, cross_val_score",
    requires=("imblearn",),
)
def _imblearn_pipeline():
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline as make_imb_pipeline
    from sklearn.model_selection import cross_val_score

    X_train, X_test, y_train, _ = cancer()
    pipe = make_imb_pipeline(StandardScaler(), SMOTE(random_state=0), net())
    scores = cross_val_score(pipe, X_train, y_train, cv=2, scoring=cost_scorer())
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    pipe.fit(X_train, y_train)
    counts = pipe.named_steps["smote"].sampling_strategy_
    assert counts, "SMOTE resampled nothing"
    assert_labels(pipe.predict(X_test), len(X_test), [0, 1])


@check(
    "fairlearn",
    "fairlearn",
    "fairlearn",
    "MetricFrame by group; ThresholdOptimizer(prefit) on predict_proba",
    requires=("fairlearn", "pandas"),
)
def _fairlearn():
    from fairlearn.metrics import MetricFrame, selection_rate
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.metrics import recall_score

    X_train, X_test, y_train, y_test, _, _, numbers, _, _ = credit()
    model = credit_model()
    column = "age" if "age" in numbers else numbers[0]
    group_train = np.where(X_train[column] > X_train[column].median(), "older", "younger")
    group_test = np.where(X_test[column] > X_train[column].median(), "older", "younger")
    frame = MetricFrame(
        metrics={"recall": recall_score, "selection_rate": selection_rate},
        y_true=y_test,
        y_pred=model.predict(X_test),
        sensitive_features=group_test,
    )
    assert set(frame.by_group.index) == {"older", "younger"}
    optimizer = ThresholdOptimizer(
        estimator=model,
        constraints="demographic_parity",
        prefit=True,
        predict_method="predict_proba",
    ).fit(X_train, y_train, sensitive_features=group_train)
    pred = optimizer.predict(X_test, sensitive_features=group_test, random_state=0)
    assert_labels(pred, len(X_test), [0, 1])


# ----------------------------------------------------------------------------- explanations
@check(
    "shap",
    "shap PermutationExplainer",
    "shap",
    "on predict_proba, 5 rows: values add up to the probabilities",
    requires=("shap",),
)
def _shap():
    import shap

    X_train, X_test, _, _ = cancer()
    model = fitted()
    explainer = shap.PermutationExplainer(
        model.predict_proba, shap.maskers.Independent(X_train, max_samples=50), seed=0
    )
    explanation = explainer(X_test[:5])
    assert explanation.values.shape == (5, X_test.shape[1], 2), explanation.values.shape
    total = explanation.values.sum(axis=1) + explanation.base_values
    np.testing.assert_allclose(total, model.predict_proba(X_test[:5]), atol=1e-4)


@check(
    "lime",
    "lime LimeTabularExplainer",
    "lime",
    "explain_instance on predict_proba, 5 features",
    requires=("lime",),
)
def _lime():
    from lime.lime_tabular import LimeTabularExplainer

    X_train, X_test, _, _ = cancer()
    model = fitted()
    explainer = LimeTabularExplainer(
        X_train,
        feature_names=list(load_breast_cancer().feature_names),
        class_names=["malignant", "benign"],
        random_state=0,
    )
    explanation = explainer.explain_instance(
        X_test[0], model.predict_proba, num_features=5, num_samples=500
    )
    assert len(explanation.as_list()) == 5
    np.testing.assert_allclose(
        explanation.predict_proba, model.predict_proba(X_test[:1])[0], atol=1e-6
    )


# ----------------------------------------------------------------------------- cost-sensitive peers
@check(
    "empulse_metrics",
    "empulse metrics",
    "empulse",
    "savings_score / expected_cost_loss on our decisions and probabilities, per-applicant costs",
    requires=("empulse", "pandas"),
)
def _empulse_metrics():
    from empulse.metrics import expected_cost_loss
    from empulse.metrics import savings_score as empulse_savings

    from costkeras.metrics import savings_score, total_cost

    _, X_test, _, y_test, _, S_test, _, _, _ = credit()
    model = credit_model()
    costs = {
        "tn_cost": S_test[:, 0, 0],
        "fp_cost": S_test[:, 0, 1],
        "fn_cost": S_test[:, 1, 0],
        "tp_cost": S_test[:, 1, 1],
    }
    pred = model.predict(X_test, sample_cost=S_test)
    ours = savings_score(y_test, pred, sample_cost=S_test)
    theirs = empulse_savings(y_test, pred, **costs)
    assert np.isclose(ours, theirs), f"savings: costkeras {ours:.6f}, empulse {theirs:.6f}"
    proba = model.predict_proba(X_test)[:, 1]
    expected = expected_cost_loss(y_test, proba, **costs)
    by_hand = np.mean(
        (1 - y_test) * ((1 - proba) * costs["tn_cost"] + proba * costs["fp_cost"])
        + y_test * ((1 - proba) * costs["fn_cost"] + proba * costs["tp_cost"])
    )
    assert np.isclose(expected, by_hand), (expected, by_hand)
    assert total_cost(y_test, pred, sample_cost=S_test) >= 0


@check(
    "empulse_cs_threshold",
    "empulse CSThresholdClassifier",
    "empulse",
    "around the fitted network (calibrator=None, after the encoding: it takes numeric X only): "
    "same per-applicant Bayes decisions",
    requires=("empulse", "pandas"),
)
def _empulse_cs_threshold():
    from empulse.models import CSThresholdClassifier
    from sklearn.frozen import FrozenEstimator

    X_train, X_test, y_train, _, _, S_test, _, _, _ = credit()
    model = credit_model()
    encode, network = model[:-1], model[-1]
    wrapped = CSThresholdClassifier(FrozenEstimator(network), calibrator=None)
    wrapped.fit(encode.transform(X_train), y_train)
    codes = encode.transform(X_test)
    theirs = wrapped.predict(codes, fp_cost=S_test[:, 0, 1], fn_cost=S_test[:, 1, 0])
    ours = network.predict(codes, sample_cost=S_test)
    agree = float(np.mean(np.asarray(theirs) == ours))
    assert agree > 0.99, f"decisions agree on {agree:.1%} of applicants"


@check(
    "dalex",
    "dalex Explainer",
    "dalex",
    "Explainer(model, X, y): model_performance, model_parts",
    requires=("dalex",),
)
def _dalex():
    import dalex as dx

    _, X_test, _, y_test = cancer()
    explainer = dx.Explainer(fitted(), X_test, y_test, verbose=False)
    performance = explainer.model_performance()
    assert 0.5 < float(performance.result["auc"].iloc[0]) <= 1, performance.result
    parts = explainer.model_parts(N=50, B=2, random_state=0)
    assert len(parts.result) > X_test.shape[1]


@check(
    "mapie",
    "MAPIE SplitConformalClassifier",
    "mapie",
    "prefit, conformalize on held-out rows, 90% prediction sets",
    requires=("mapie",),
)
def _mapie():
    from mapie.classification import SplitConformalClassifier

    _, X_test, _, y_test = cancer()
    X_conf, X_new, y_conf, y_new = train_test_split(
        X_test, y_test, test_size=0.5, stratify=y_test, random_state=0
    )
    mapie = SplitConformalClassifier(fitted(), confidence_level=0.9, prefit=True)
    mapie.conformalize(X_conf, y_conf)
    points, sets = mapie.predict_set(X_new)
    assert_labels(points, len(X_new), [0, 1])
    sets = np.asarray(sets)
    assert sets.shape[:2] == (len(X_new), 2), sets.shape
    coverage = float(np.mean(sets[np.arange(len(y_new)), y_new, 0]))
    assert coverage >= 0.75, f"coverage {coverage:.2f} of a 90% prediction set"


# ----------------------------------------------------------------------------- tabular tooling
@check(
    "category_encoders",
    "category_encoders TargetEncoder",
    "category-encoders",
    "TargetEncoder on the credit string columns + estimator",
    requires=("category_encoders", "pandas"),
)
def _category_encoders():
    import category_encoders as ce

    X_train, X_test, y_train, _, _, _, _, strings, _ = credit()
    pipe = make_pipeline(ce.TargetEncoder(cols=strings), net(cost_matrix=[[0, 1], [5, 0]]))
    pipe.fit(X_train, y_train)
    assert_labels(pipe.predict(X_test), len(X_test), [0, 1])
    assert pipe[-1].n_features_in_ == X_train.shape[1]


@check(
    "skrub",
    "skrub tabular_pipeline",
    "skrub",
    "TableVectorizer in front of the estimator on the credit DataFrame",
    requires=("skrub", "pandas"),
)
def _skrub():
    import skrub

    X_train, X_test, y_train, _, _, _, _, _, _ = credit()
    pipe = skrub.tabular_pipeline(net(cost_matrix=[[0, 1], [5, 0]])).fit(X_train, y_train)
    assert any("TableVectorizer" in type(step).__name__ for _, step in pipe.steps)
    assert_labels(pipe.predict(X_test), len(X_test), [0, 1])
    assert_proba(pipe.predict_proba(X_test), len(X_test), 2)


@check(
    "skore",
    "skore EstimatorReport",
    "skore",
    "report on the train/test split: metrics summary, predictions",
    requires=("skore",),
)
def _skore():
    import pandas as pd
    import skore
    from sklearn.metrics import accuracy_score

    X_train, X_test, y_train, y_test = cancer()
    report = skore.EstimatorReport(
        net(), X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test
    )
    accuracy = report.metrics.accuracy()
    expected = accuracy_score(y_test, report.estimator_.predict(X_test))
    assert np.isclose(float(np.ravel(accuracy)[0]), expected), (accuracy, expected)
    summary = report.metrics.summarize()
    frame = summary.frame() if hasattr(summary, "frame") else summary
    assert isinstance(frame, pd.DataFrame | pd.Series), type(frame)
    named = {str(name).lower() for name in frame.index}
    assert {"accuracy", "roc_auc"} <= named, sorted(named)


@check(
    "yellowbrick",
    "yellowbrick ClassificationReport",
    "yellowbrick",
    "is_fitted=True visualizer, score on the test rows",
    requires=("yellowbrick", "matplotlib"),
)
def _yellowbrick():
    import matplotlib.pyplot as plt
    from sklearn.metrics import accuracy_score
    from yellowbrick.classifier import ClassificationReport

    _, X_test, _, y_test = cancer()
    model = fitted()
    visualizer = ClassificationReport(model, is_fitted=True, classes=["malignant", "benign"])
    score = visualizer.score(X_test, y_test)
    assert np.isclose(score, accuracy_score(y_test, model.predict(X_test))), score
    plt.close("all")


@check(
    "sklearn_compat",
    "sklearn-compat get_tags",
    "sklearn-compat",
    "the tags libraries read through sklearn-compat",
    requires=("sklearn_compat",),
)
def _sklearn_compat():
    from sklearn_compat.utils import get_tags

    tags = get_tags(net())
    assert tags.estimator_type == "classifier", tags.estimator_type
    assert tags.target_tags.required, "target_tags.required is False"
    assert tags.classifier_tags is not None


@check(
    "html_repr",
    "HTML repr (Jupyter)",
    "scikit-learn",
    "estimator_html_repr of a pipeline; repr shows the changed parameters",
)
def _html_repr():
    from sklearn.utils import estimator_html_repr

    pipe = make_pipeline(StandardScaler(), net())
    html = estimator_html_repr(pipe)
    assert "CostSensitiveKerasClassifier" in html
    text = repr(net())
    assert "cost_matrix" in text and len(text) < 400, text


# ----------------------------------------------------------------------------- the run
# What was found behind each failure, caveat or absence of the run of 2026-11-26; printed under
# the table only while the check still does not simply work.
DIAGNOSES = {
    "long_session": (
        "from its third call a fitted model predicts through Keras's predict_on_batch, one "
        "tf.function per model; from the fifth such model TensorFlow logs its retracing "
        "warning (twice per process). Cosmetic; costkeras could call the model eagerly for "
        "small inputs or silence that one message."
    ),
    "check_estimator": (
        "the three failing checks are declared in CostSensitiveKerasClassifier._xfail_checks "
        "(scikeras's legacy _more_tags and its BaseEstimator-before-ClassifierMixin order, "
        "which a subclass cannot reorder; and stochastic training for the sample-weight "
        "check). A user must pass expected_failed_checks=est._xfail_checks, a private name."
    ),
    "mlflow_default": (
        "MLflow 3 saves scikit-learn models with skops by default and loads them trusting only "
        "the types named at logging time: log_model(..., "
        "skops_trusted_types=costkeras.SKOPS_TRUSTED_TYPES), as the README says."
    ),
    "mlflow_autolog": (
        "mlflow.sklearn.autolog patches only the classes of sklearn.utils.all_estimators(), "
        "so a bare estimator's fit is not logged; a Pipeline around it is, and "
        "mlflow.keras.autolog logs the inner Keras fit. Not costkeras's to fix."
    ),
    "dalex": (
        "dalex 1.8 pins pandas<3, so installing it would downgrade pandas; it was left out. "
        "Installed with --no-deps next to pandas 3.1.1 this check passed (2026-11-26)."
    ),
}


@dataclass
class Result:
    check: Check
    version: str
    status: str  # works, caveat, fails, not installed
    detail: str
    seconds: float
    retracing: int = 0  # TensorFlow's retracing warnings printed during the check

    @property
    def text(self) -> str:
        if self.status in ("works", "not installed"):
            return self.status + (f" ({self.detail})" if self.detail else "")
        return f"{self.status}: {self.detail}"


class Retracing(logging.Handler):
    """Counts TensorFlow's "triggered tf.function retracing" warnings, which users see."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if "retracing" in record.getMessage():
            self.count += 1


def run(selected: list[Check], show_traceback: bool) -> list[Result]:
    results = []
    for item in selected:
        absent = missing(item.requires)
        if item.dist == "python":
            ver = f"Python {sys.version.split()[0]}"
        else:
            ver = f"{item.dist} {version(item.dist)}"
        if absent:
            result = Result(item, ver, "not installed", ", ".join(absent), 0.0)
        else:
            start = time.perf_counter()
            retracing = Retracing()
            logging.getLogger("tensorflow").addHandler(retracing)
            try:
                with time_limit(item.timeout), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    caveat = item.func()
                status, detail = ("caveat", caveat) if caveat else ("works", "")
            except Exception as exc:
                status, detail = "fails", first_line(exc)
                if show_traceback:
                    traceback.print_exc()
            finally:
                logging.getLogger("tensorflow").removeHandler(retracing)
            result = Result(item, ver, status, detail, time.perf_counter() - start)
            result.retracing = retracing.count
        results.append(result)
        print(
            f"[{len(results):2d}/{len(selected)}] {item.name:<22} {result.seconds:6.1f} s  "
            f"{result.text}",
            flush=True,
        )
    return results


def table(results: list[Result]) -> str:
    rows = [
        "| # | client | version | tried | result | s |",
        "|---:|---|---|---|---|---:|",
    ]
    for i, r in enumerate(results, 1):
        text = r.text.replace("|", "\\|")
        rows.append(
            f"| {i} | {r.check.client} | {r.version} | {r.check.tried} | {text} | {r.seconds:.1f} |"
        )
    return "\n".join(rows)


def summary(results: list[Result]) -> str:
    counts = {
        s: sum(r.status == s for r in results)
        for s in ("works", "caveat", "fails", "not installed")
    }
    return (
        f"{len(results)} checks: {counts['works']} work, {counts['caveat']} work with a "
        f"caveat, {counts['fails']} fail, {counts['not installed']} not installed."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated check names (see --list); no write")
    parser.add_argument("--list", action="store_true", help="print the check names and exit")
    parser.add_argument("--traceback", action="store_true", help="print failures' tracebacks")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    if args.list:
        for item in CHECKS:
            print(f"{item.name:<22} {item.client}: {item.tried}")
        return
    selected = CHECKS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(names) - {c.name for c in CHECKS})
        if unknown:
            parser.error(f"unknown check(s): {', '.join(unknown)}; see --list")
        selected = [c for c in CHECKS if c.name in names]

    start = time.perf_counter()
    import costkeras  # noqa: F401  (imports TensorFlow once, outside every check's clock)
    from costkeras import CostSensitiveKerasClassifier  # noqa: F401

    results = run(selected, args.traceback)
    elapsed = time.perf_counter() - start
    core = ", ".join(
        f"{d} {version(d)}"
        for d in (
            "costkeras",
            "scikeras",
            "keras",
            "tensorflow",
            "scikit-learn",
            "numpy",
            "pandas",
            "joblib",
        )
    )
    report = table(results)
    notes = [
        f"- {r.check.name} ({r.status}): {DIAGNOSES[r.check.name]}"
        for r in results
        if r.status != "works" and r.check.name in DIAGNOSES
    ]
    if notes:
        report += "\n\nWhat is behind the failures, caveats and absences:\n\n" + "\n".join(notes)
    traced = [f"{r.check.name} ({r.retracing})" for r in results if r.retracing]
    if traced:
        report += (
            "\n\nTensorFlow printed 'triggered tf.function retracing' warnings during: "
            + ", ".join(traced)
            + " (the count per check depends on the models fitted before it; see long_session)."
        )
    print()
    print(report)
    print()
    print(summary(results))
    print(f"Versions: {core}.")
    print(f"Finished in {elapsed / 60:.1f} minutes.")
    if not args.only and not args.no_write:
        from _results import machine_line, write_section

        source = credit()[-1] if importlib.util.find_spec("pandas") else "-"
        write_section(
            "ecosystem",
            "## Ecosystem (`python benchmarks/ecosystem.py`)\n\n"
            f"{machine_line()}, {elapsed / 60:.1f} minutes. {core}.\n\n"
            "Each client used as a user would, on small real data (breast cancer and wine "
            f"from scikit-learn, 800 applicants of {source} with their own costs), "
            f"{EPOCHS} epochs of a 16-unit network; each check asserts its result (shapes, "
            "labels, identical reloaded probabilities, finite costs). A client not installed "
            "is no failure of ours. A reloaded model is compared with its original in the same "
            "phase: a fitted model's first two predictions run eagerly, later ones through "
            "Keras's predict_on_batch, and the two can differ in the last float32 bit (1.2e-7 "
            "seen on the same model and rows).\n\n"
            f"{summary(results)}\n\n{report}\n",
        )


if __name__ == "__main__":
    main()
