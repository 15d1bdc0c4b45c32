"""Quickstart: a cost-sensitive network against a plain one on handwritten digits.

Reading a 4 as a 9 (or 9 as 4, 3 as 8, 8 as 3, 1 as 7, 7 as 1) costs 20;
every other mistake costs 1. Both networks are identical and trained the same
way; the cost-sensitive one decides with the costs (Bayes minimum risk), the
plain one predicts the most probable class.

Run: python examples/quickstart.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras.metrics import total_cost

X, y = load_digits(return_X_y=True)
C = np.ones((10, 10)) - np.eye(10)  # C[true, predicted]
for a, b in [(4, 9), (3, 8), (1, 7)]:
    C[a, b] = C[b, a] = 20
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)

models = {
    "plain network": CostSensitiveKerasClassifier(epochs=30, random_state=0),
    "cost-sensitive network": CostSensitiveKerasClassifier(
        cost_matrix=C, epochs=30, random_state=0
    ),
}
for name, network in models.items():
    model = make_pipeline(StandardScaler(), network).fit(X_train, y_train)
    y_pred = model.predict(X_test)
    expensive = int((C[y_test, y_pred] == 20).sum())
    print(
        f"{name:>24}: test cost {total_cost(y_test, y_pred, C):5.0f}, "
        f"accuracy {np.mean(y_pred == y_test):.3f}, {expensive} expensive confusions"
    )
