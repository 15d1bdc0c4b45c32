"""The Keras forum's 10-class weight-matrix case, on scikit-learn's digits (offline).

Keras issue 2115 and Stack Overflow 56696069 answer "how do I make some
confusions cost more?" with a weight matrix ``W`` (ones, larger entries for the
expensive confusions) multiplying the cross-entropy by ``W[true, argmax(pred)]``.
Here, as in the forum's MNIST example, confusing 4 and 9, 3 and 8, or 1 and 7
is expensive. We compare the test cost of:

- a plain network (cross-entropy, argmax);
- the forum loss, exactly as in the answers (``cost_loss="argmax_weighted"``,
  argmax decisions) with the forum's ``W`` (costkeras builds ``W = 1 + C`` from
  a cost matrix, so the forum's matrix is passed as ``W - 1``);
- costkeras's default: plain cross-entropy and Bayes minimum-risk decisions
  with the cost matrix ``C`` (1 per mistake, 20 per expensive confusion);
- the expected-cost loss (``CE + sum_j p_j C[y, j]``), with argmax and with Bayes decisions.

Run: python examples/pipelines/forum_weight_matrix_digits.py
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras.metrics import total_cost

# The prices: a mistake costs 1, an expensive confusion 20 (C[true, predicted]).
C = np.ones((10, 10)) - np.eye(10)
# The forum's weight matrix: ones everywhere, 20 for the expensive confusions.
W = np.ones((10, 10))
for a, b in [(4, 9), (3, 8), (1, 7)]:
    C[a, b] = C[b, a] = W[a, b] = W[b, a] = 20

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)

configurations = {
    "plain cross-entropy, argmax": {},
    "forum loss CE*W[y, argmax p], argmax": {"cost_matrix": W - 1, "cost_loss": "argmax_weighted"},
    "cross-entropy, Bayes decisions (default)": {"cost_matrix": C},
    "CE + expected cost, argmax": {
        "cost_matrix": C,
        "cost_loss": "expected_cost",
        "decision": "argmax",
    },
    "CE + expected cost, Bayes": {"cost_matrix": C, "cost_loss": "expected_cost"},
}
test_costs = {}
print(f"{'configuration':>42}  test cost  expensive confusions")
for name, params in configurations.items():
    network = CostSensitiveKerasClassifier(epochs=30, random_state=0, **params)
    model = make_pipeline(StandardScaler(), network).fit(X_train, y_train)
    y_pred = model.predict(X_test)
    expensive = int((C[y_test, y_pred] == 20).sum())
    test_costs[name] = total_cost(y_test, y_pred, C)
    print(f"{name:>42}  {test_costs[name]:9.0f}  {expensive:20d}")

# %%
# The test costs side by side.
figure, ax = plt.subplots(figsize=(8, 3.2))
ax.barh(list(test_costs), list(test_costs.values()), color="tab:blue")
ax.invert_yaxis()  # the configurations in the order printed
ax.set_xlabel(f"test cost on {len(y_test)} digits (lower is better)")
ax.set_title("The forum's loss against the Bayes decision")
figure.tight_layout()
if len(sys.argv) > 1:  # CI and the gallery give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)
