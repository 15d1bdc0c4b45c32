"""How the Bayes decision moves as a missed positive gets more expensive.

A binary problem where a false alarm (predicting 1 for a true 0) costs 1 and a missed
positive (predicting 0 for a true 1) costs ``r``: the cost matrix ``C = [[0, 1], [r, 0]]``,
``C[true, predicted]``. Bayes's minimum-risk decision predicts 1 as soon as
``p(1) > 1 / (1 + r)`` (:func:`costkeras.decisions.binary_threshold`), so the region where
the model says 1 grows as ``r`` grows, while the network itself stays the same.

We train one network once, with plain cross-entropy, and only change the decision: the
pictures show its decision regions for four ratios, then the threshold and the test cost of
Bayes decisions against the most probable class as ``r`` runs from 1 to 100.

Run: python examples/pipelines/plot_cost_ratio_decision.py [output.png]
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import ScalarFormatter
from sklearn.model_selection import train_test_split

from costkeras import CostSensitiveKerasClassifier
from costkeras.decisions import bayes_decision, binary_threshold
from costkeras.metrics import mean_cost

# %%
# Data and one network
# --------------------
# Two overlapping clouds: 800 negatives around (0, 0), 200 positives around (1.5, 1.5). The
# network is trained once, without costs; ``predict_proba`` gives ``p(1)`` everywhere.

rng = np.random.default_rng(0)
X = np.vstack([rng.normal(0.0, 1.0, size=(800, 2)), rng.normal(1.5, 1.0, size=(200, 2))])
y = np.repeat([0, 1], [800, 200])
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)

network = CostSensitiveKerasClassifier(hidden_layer_sizes=(32,), epochs=40, random_state=0)
network.fit(X_train, y_train)
proba_test = network.predict_proba(X_test)


def costs(r):
    """C[true, predicted]: a false alarm costs 1, a missed positive r."""
    return np.array([[0.0, 1.0], [r, 0.0]])


# %%
# Decision regions for four cost ratios
# -------------------------------------
# Shaded: where Bayes's decision is "1". The line is the threshold ``p(1) = 1 / (1 + r)``; at
# ``r = 1`` it is the network's own 0.5, and it slides towards the negatives as a missed
# positive gets dearer.

grid_x, grid_y = np.meshgrid(np.linspace(-3.5, 5.0, 200), np.linspace(-3.5, 5.0, 200))
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
proba_grid = network.predict_proba(grid)

ratios = [1, 3, 10, 30]
figure, axes = plt.subplots(1, 4, figsize=(16, 4.4), sharex=True, sharey=True)
for ax, r in zip(axes, ratios, strict=True):
    decided = bayes_decision(proba_grid, costs(r)).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, decided, levels=[-0.5, 0.5, 1.5], colors=["white", "#fdd0a2"])
    ax.contour(
        grid_x,
        grid_y,
        proba_grid[:, 1].reshape(grid_x.shape),
        levels=[binary_threshold(costs(r))],
        colors="#d94801",
        linewidths=1.5,
    )
    for label, colour, marker in [(0, "#4292c6", "o"), (1, "#a50f15", "^")]:
        rows = y_test == label
        ax.scatter(*X_test[rows].T, s=9, c=colour, marker=marker, alpha=0.7, label=f"true {label}")
    flagged = bayes_decision(proba_test, costs(r)).mean()
    ax.set_title(
        f"r = {r}: threshold {binary_threshold(costs(r)):.3f}\n"
        f"{flagged:.0%} of test rows predicted 1"
    )
    ax.set_xlabel("feature 1")
axes[0].set_ylabel("feature 2")
axes[0].legend(loc="lower right")
figure.tight_layout()

# %%
# The threshold and the cost, ratio by ratio
# ------------------------------------------
# Left: the Bayes threshold on ``p(1)``. Right: the mean test cost per row, judged with each
# ratio's own matrix, of the most probable class (argmax, which ignores ``r``), of Bayes's
# decision with the same probabilities, and of the best constant decision (everyone 0, or
# everyone 1), the yardstick of the savings score.

grid_r = np.geomspace(1, 100, 40)
argmax_pred = proba_test.argmax(axis=1)
argmax_cost = [mean_cost(y_test, argmax_pred, costs(r), labels=[0, 1]) for r in grid_r]
bayes_cost = [
    mean_cost(y_test, bayes_decision(proba_test, costs(r)), costs(r), labels=[0, 1]) for r in grid_r
]
constant_cost = [
    min(mean_cost(y_test, np.full_like(y_test, guess), costs(r), labels=[0, 1]) for guess in (0, 1))
    for r in grid_r
]

curves, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
left.plot(grid_r, [binary_threshold(costs(r)) for r in grid_r], color="#d94801")
left.set_xscale("log")
left.set_xlabel("cost ratio r (missed positive / false alarm)")
left.set_ylabel("predict 1 when p(1) exceeds")
left.set_title("Bayes threshold 1 / (1 + r)")
right.plot(grid_r, argmax_cost, label="most probable class (argmax)", color="#6a51a3")
right.plot(grid_r, bayes_cost, label="Bayes decision with C", color="#d94801")
right.plot(grid_r, constant_cost, label="best constant decision", color="grey", ls="--")
right.set_xscale("log")
right.set_xlabel("cost ratio r (missed positive / false alarm)")
right.set_ylabel("mean test cost per row")
right.set_title("Same network, two decisions")
right.legend()
for ax in (left, right):
    ax.xaxis.set_major_formatter(ScalarFormatter())
curves.tight_layout()

print(" ratio  threshold  predicted 1  cost argmax  cost Bayes")
for r in [1, 2, 5, 10, 20, 50, 100]:
    decided = bayes_decision(proba_test, costs(r))
    print(
        f"{r:6g}  {binary_threshold(costs(r)):9.3f}  {decided.mean():11.1%}"
        f"  {mean_cost(y_test, argmax_pred, costs(r), labels=[0, 1]):11.3f}"
        f"  {mean_cost(y_test, decided, costs(r), labels=[0, 1]):10.3f}"
    )

# %%
# The same decisions come from the estimator itself: ``CostSensitiveKerasClassifier(
# cost_matrix=costs(r))`` trains this network and predicts by this rule, and
# ``MinimumCostClassifier(FrozenEstimator(network), cost_matrix=costs(r))`` re-decides a
# fitted one without training it again.

if len(sys.argv) > 1:  # CI (and the documentation's gallery) give a path for the figures
    figure.savefig(sys.argv[1], dpi=100)
    curves.savefig(sys.argv[1].removesuffix(".png") + "_curves.png", dpi=100)
else:
    plt.show()
