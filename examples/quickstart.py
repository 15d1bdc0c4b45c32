"""Quickstart: a cost-sensitive network against a plain one on handwritten digits.

Reading a 4 as a 9 (or 9 as 4, 3 as 8, 8 as 3, 1 as 7, 7 as 1) costs 20;
every other mistake costs 1. Both networks are identical and trained the same
way; the cost-sensitive one decides with the costs (Bayes minimum risk), the
plain one predicts the most probable class. One split of the data could favour
either by luck, so both run on five random halvings of the digits, and the
script prints the test cost of each on each split, then the totals.

Run: python examples/quickstart.py
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras.metrics import total_cost

X, y = load_digits(return_X_y=True)
C = np.ones((10, 10)) - np.eye(10)  # C[true, predicted]
for a, b in [(4, 9), (3, 8), (1, 7)]:
    C[a, b] = C[b, a] = 20

models = {
    "plain": CostSensitiveKerasClassifier(epochs=30, random_state=0),
    "cost-sensitive": CostSensitiveKerasClassifier(cost_matrix=C, epochs=30, random_state=0),
}
results = {name: [] for name in models}  # per split: (test cost, mistakes costing 20)
print("        test cost (mistakes costing 20)")
print("split   plain network   cost-sensitive network")
splits = StratifiedShuffleSplit(n_splits=5, test_size=0.5, random_state=0)
for split, (train, test) in enumerate(splits.split(X, y), 1):
    for name, network in models.items():
        model = make_pipeline(StandardScaler(), network).fit(X[train], y[train])
        y_pred = model.predict(X[test])
        results[name].append((total_cost(y[test], y_pred, C), (C[y[test], y_pred] == 20).sum()))
    plain, sensitive = (
        f"{cost:.0f} ({expensive})" for cost, expensive in (results[name][-1] for name in models)
    )
    print(f"{split:5d}   {plain:>13}   {sensitive:>22}")
totals = {name: np.sum(rows, axis=0) for name, rows in results.items()}
plain, sensitive = (f"{cost:.0f} ({expensive:.0f})" for cost, expensive in totals.values())
print(f"total   {plain:>13}   {sensitive:>22}")
saved = 1 - totals["cost-sensitive"][0] / totals["plain"][0]
print(f"deciding with the costs cut the test cost by {saved:.0%} over the five splits")

# %%
# The test costs as a figure, drawn when matplotlib is installed (``pip install ".[plot]"``;
# the quickstart itself needs only the core install) and saved where a path is given:
# ``python examples/quickstart.py costs.png``.
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    figure, ax = plt.subplots(figsize=(7, 3.6))
    positions = np.arange(1, 6)
    for offset, (name, rows) in zip((-0.2, 0.2), results.items(), strict=True):
        ax.bar(positions + offset, [cost for cost, _ in rows], width=0.4, label=f"{name} network")
    ax.set_xticks(positions, [f"split {split}" for split in positions])
    ax.set_ylabel("test cost (lower is better)")
    ax.set_title("The same network, deciding with and without the costs")
    ax.legend()
    figure.tight_layout()
    if len(sys.argv) > 1:
        figure.savefig(sys.argv[1], dpi=100)
