"""A two-head Keras model with per-output class weights and cost matrices (offline).

The forum's question: a model with two softmax heads, ``output1`` (classes 0
and 1) and ``output2`` (classes 0, 1, 2), where the user wants class weights
``{0: 1, 1: 10}`` on the first head and ``{0: 5, 1: 1, 2: 10}`` on the second.
Keras 3 refuses ``model.fit(..., class_weight=...)`` for any multi-output
model; with costkeras it is one constructor argument. A cost matrix on the
second head then makes its decisions cost-aware too.

Run: python examples/pipelines/multi_output_two_heads.py
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from costkeras import CostSensitiveKerasClassifier
from costkeras.metrics import total_cost


def build_two_head_model(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    return keras.Model(
        inputs,
        [
            keras.layers.Dense(2, activation="softmax", name="output1")(hidden),
            keras.layers.Dense(3, activation="softmax", name="output2")(hidden),
        ],
    )


rng = np.random.default_rng(0)
X = rng.normal(size=(1000, 10))
y1 = (X[:, 0] + 0.5 * rng.normal(size=1000) > 1.0).astype(int)  # rare class 1
y2 = np.digitize(X[:, 1] + 0.5 * rng.normal(size=1000), [-0.5, 1.2])  # rare class 2
Y = np.column_stack([y1, y2])
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.5, random_state=0)

C2 = [[0, 1, 1], [1, 0, 1], [10, 10, 0]]  # missing a true 2 on output2 costs 10
models = {
    "unweighted": {},
    "class weights": {"class_weight": {"output1": {0: 1, 1: 10}, "output2": {0: 5, 1: 1, 2: 10}}},
    "cost matrix on output2": {"cost_matrix": {"output2": C2}},
}
recalls = {}
print(f"{'model':>24}  recall output1=1  recall output2=2  output2 test cost")
for name, params in models.items():
    clf = CostSensitiveKerasClassifier(
        model=build_two_head_model, epochs=20, random_state=0, **params
    ).fit(X_train, Y_train)
    P = clf.predict(X_test)  # shape (n_samples, 2)
    recall1 = np.mean(P[Y_test[:, 0] == 1, 0] == 1)
    recall2 = np.mean(P[Y_test[:, 1] == 2, 1] == 2)
    cost2 = total_cost(Y_test[:, 1], P[:, 1], C2)
    print(f"{name:>24}  {recall1:16.2f}  {recall2:16.2f}  {cost2:17.0f}")
    recalls[name] = (recall1, recall2)

# %%
# The recall of each head's rare class, per model.
figure, ax = plt.subplots(figsize=(7, 3.4))
positions = np.arange(len(recalls))
for offset, head, label in ((-0.2, 0, "output1, class 1"), (0.2, 1, "output2, class 2")):
    ax.bar(positions + offset, [r[head] for r in recalls.values()], width=0.4, label=label)
ax.set_xticks(positions, list(recalls))
ax.set_ylabel("test recall of the rare class")
ax.set_ylim(0, 1)
ax.legend(loc="upper left")
figure.tight_layout()
if len(sys.argv) > 1:  # CI and the gallery give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)
