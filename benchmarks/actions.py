"""Actions benchmark: approve/decline against approve/review/decline, over several splits.

``costkeras.datasets.make_credit_scoring(4000)``, 5 stratified 50/50 splits (seeds 0-4). Each
applicant's approve/decline costs (n, 2, 2) get a third action, a manual review that costs
``FEE`` per file and catches ``CAUGHT`` of the defaults (examples/actions/plot_manual_review.py).
Every method decides with each test file's own costs and is judged by the same three-action
costs; savings are against the best single action for everyone. Methods, all in one run:
LogisticRegression and HistGradientBoosting (peers) through ``MinimumCostClassifier``, and
the default ``CostSensitiveKerasClassifier`` (fitted with the training files' costs), each
with two and with three actions. The table gives mean +- std of the savings and of the share
of files sent to review.

Run: python benchmarks/actions.py     (writes its section of benchmarks/RESULTS.md)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

ACTIONS = ["approve", "review", "decline"]
FEE, CAUGHT = 500.0, 0.8
SPLITS = 5


def with_review(costs):
    """(n, 2, 2) approve/decline costs -> (n, 2, 3) approve/review/decline costs."""
    loss = costs[:, 1, 0]  # approving a defaulter
    review = np.stack([np.full(len(costs), FEE), FEE + (1 - CAUGHT) * loss], axis=1)
    return np.concatenate([costs[:, :, :1], review[:, :, None], costs[:, :, 1:]], axis=2)


def methods():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from costkeras import CostSensitiveKerasClassifier

    return {
        "LR + Bayes": lambda seed: make_pipeline(StandardScaler(), LogisticRegression()),
        "HGB + Bayes": lambda seed: HistGradientBoostingClassifier(random_state=seed),
        "costkeras default": lambda seed: CostSensitiveKerasClassifier(random_state=seed),
    }


def one_split(seed, X, y, costs):
    import pandas as pd
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import train_test_split

    from costkeras import CostSensitiveKerasClassifier, MinimumCostClassifier
    from costkeras.metrics import savings_score

    X_tr, X_te, y_tr, y_te, c_tr, c_te = train_test_split(
        X, y, costs, test_size=0.5, stratify=y, random_state=seed
    )
    S_tr, S_te = with_review(c_tr), with_review(c_te)
    three = pd.DataFrame(S_tr.mean(axis=0), index=[0, 1], columns=ACTIONS)
    two = pd.DataFrame(c_tr.mean(axis=0), index=[0, 1], columns=["approve", "decline"])
    results = {}
    for name, make in methods().items():
        model = make(seed)
        if isinstance(model, CostSensitiveKerasClassifier):  # it trains with the costs too
            model.fit(X_tr, y_tr, sample_cost=c_tr)
        else:
            model.fit(X_tr, y_tr)
        # one fitted model, decided with two and with three actions
        for label, matrix, test_costs in (("2 actions", two, c_te), ("3 actions", three, S_te)):
            lender = MinimumCostClassifier(FrozenEstimator(model), cost_matrix=matrix)
            decided = lender.fit(X_tr, y_tr).predict(X_te, sample_cost=test_costs)
            results[f"{name}, {label}"] = (
                savings_score(y_te, decided, sample_cost=S_te, actions=ACTIONS),
                float(np.mean(decided == "review")),
            )
    return results


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import keras
    from _results import machine_line, write_section

    from costkeras.datasets import make_credit_scoring

    start = time.perf_counter()
    X, y, costs = make_credit_scoring(4000, random_state=0)
    runs = [one_split(seed, X, y, costs) for seed in range(SPLITS)]
    elapsed = time.perf_counter() - start
    lines = [
        "| method, decisions | savings (mean ± std) | files reviewed (mean ± std) |",
        "|---|---:|---:|",
    ]
    for key in runs[0]:
        savings = [run[key][0] for run in runs]
        reviewed = [run[key][1] for run in runs]
        lines.append(
            f"| {key} | {statistics.mean(savings):.3f} ± {statistics.stdev(savings):.3f} "
            f"| {statistics.mean(reviewed):.1%} ± {statistics.stdev(reviewed):.1%} |"
        )
    table = "\n".join(lines)
    print(table)
    print(f"Keras {keras.__version__} ({keras.backend.backend()}); {elapsed:.0f} s.")
    write_section(
        "actions",
        f"## Actions (`python benchmarks/actions.py`)\n\n{machine_line()}, {elapsed:.0f} s; "
        f"Keras {keras.__version__} on {keras.backend.backend()}. `make_credit_scoring(4000)`, "
        f"{SPLITS} stratified 50/50 splits; a review costs {FEE:.0f} a file and catches "
        f"{CAUGHT:.0%} of the defaults; every method decides with each test file's own costs "
        "and is judged by the same three-action costs (savings against the best single "
        "action for everyone).\n\n" + table,
    )


if __name__ == "__main__":
    main()
