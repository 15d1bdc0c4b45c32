"""Plain Keras, no scikit-learn: the forum's weight matrix, a cost metric, a decision layer.

The Keras forum's answer to "a true 4 read as a 9 costs more" multiplies the
cross-entropy by a weight table ``W[true, argmax(pred)]``, and its askers feed
integer labels. ``costkeras.keras`` takes that code with one line changed (the
loss), watches the validation cost per epoch with ``MeanCost``, stops on it, and
puts the Bayes decision inside the model with ``BayesDecision``, which saves and
reloads like any layer. The printout compares the decisions' test cost with the
network's argmax.

Run: python examples/keras/keras_native.py
"""

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from costkeras.keras import ArgmaxWeightedCrossEntropy, BayesDecision, MeanCost

# Costs C[true, predicted]: reading a 4 as a 9 (and 3/8, 1/7, either way) costs 20.
C = 1.0 - np.eye(10)
for a, b in [(4, 9), (3, 8), (1, 7)]:
    C[a, b] = C[b, a] = 20.0
W = 1.0 + C  # the forum's weight table: ones on the diagonal

digits = load_digits()
x = (digits.images / 16.0).astype("float32")  # (n, 8, 8) images
y = digits.target  # integer labels, as the forum's code feeds them
rng = np.random.default_rng(0)
order = rng.permutation(len(y))
train, valid, test = order[:1000], order[1000:1300], order[1300:]

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(
    optimizer="adam",
    loss=ArgmaxWeightedCrossEntropy(W),  # was: loss="sparse_categorical_crossentropy"
    metrics=["accuracy", MeanCost(C)],
)
stop = keras.callbacks.EarlyStopping(monitor="val_mean_cost", patience=5, restore_best_weights=True)
history = model.fit(
    x[train],
    y[train],
    validation_data=(x[valid], y[valid]),
    epochs=60,
    batch_size=32,
    callbacks=[stop],
    verbose=0,
)
costs = history.history["val_mean_cost"]
print(f"trained {len(costs)} epochs; val_mean_cost {costs[0]:.3f} -> best {min(costs):.3f}")

# %%
# ``MeanCost`` per epoch, the quantity early stopping watched.
figure, ax = plt.subplots(figsize=(7, 3.4))
epochs = np.arange(1, len(costs) + 1)
ax.plot(epochs, history.history["mean_cost"], label="training batches")
ax.plot(epochs, costs, label="validation set")
ax.axvline(1 + int(np.argmin(costs)), color="grey", linestyle=":", label="weights kept")
ax.set_xlabel("epoch")
ax.set_ylabel("mean cost per digit")
ax.legend()
figure.tight_layout()
if len(sys.argv) > 1:  # CI and the gallery give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)

# %%

# The decision inside the model: images in, the class of least expected cost out.
decide = keras.Model(model.inputs, BayesDecision(C, name="decision")(model.outputs[0]))
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "decide.keras")
    decide.save(path)
    decided = np.asarray(keras.saving.load_model(path).predict(x[test], verbose=0))

argmax = model.predict(x[test], verbose=0).argmax(axis=1)
for name, predicted in (("argmax", argmax), ("BayesDecision (reloaded)", decided)):
    cost = C[y[test], predicted].sum()
    expensive = int(np.sum(C[y[test], predicted] == 20))
    accuracy = np.mean(predicted == y[test])
    print(
        f"{name:>25}: test cost {cost:5.0f}, accuracy {accuracy:.3f}, "
        f"{expensive} expensive confusions"
    )
