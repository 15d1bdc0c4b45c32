"""Where the cost goes: plain vs cost-sensitive network on digits, as two pictures.

Saves a PNG with two cost-weighted confusion matrices side by side: every cell shows
its count and, below it, what those mistakes cost; colour is cost, the title the total.
Reading a 4 as a 9 (and 3/8, 1/7) costs 20, any other mistake 1.

Run: python examples/pipelines/plot_cost_confusion_matrix.py [output.png]
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras.plotting import CostConfusionMatrixDisplay

X, y = load_digits(return_X_y=True)
C = np.ones((10, 10)) - np.eye(10)
for a, b in [(4, 9), (3, 8), (1, 7)]:
    C[a, b] = C[b, a] = 20
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)

figure, axes = plt.subplots(1, 2, figsize=(15, 6.5))
for ax, (name, costs) in zip(
    axes, [("plain network", None), ("cost-sensitive network", C)], strict=True
):
    network = CostSensitiveKerasClassifier(cost_matrix=costs, epochs=30, random_state=0)
    model = make_pipeline(StandardScaler(), network).fit(X_train, y_train)
    display = CostConfusionMatrixDisplay.from_predictions(
        y_test, model.predict(X_test), C, ax=ax, fontsize=7
    )
    ax.set_title(f"{name}: total cost {display.total_cost_:g}")
figure.tight_layout()
path = sys.argv[1] if len(sys.argv) > 1 else "cost_confusion_matrices.png"
figure.savefig(path, dpi=110)
