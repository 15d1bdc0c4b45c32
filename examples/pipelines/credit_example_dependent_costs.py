"""Example-dependent costs in credit scoring, built in code (offline).

Each applicant (``costkeras.datasets.make_credit_scoring``) asks for a loan.
Refusing a good payer (predicting 1 for a true 0) loses the interest, 20% of
the amount; accepting a defaulter (predicting 0 for a true 1) loses the
amount, or only 10% of it when the loan is secured by collateral. So every
applicant has their own cost matrix, and secured and unsecured loans have very
different Bayes thresholds (0.67 against 0.17).

We report test savings (1 - cost / cost of the best constant decision) of:

- a plain network (argmax);
- the network with one class-level cost matrix (the mean of the training
  applicants' matrices);
- the network trained with per-example costs and deciding with each
  applicant's own matrix;
- scikit-learn's LogisticRegression with per-example Bayes decisions.

Run: python examples/pipelines/credit_example_dependent_costs.py
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier
from costkeras.datasets import make_credit_scoring
from costkeras.decisions import bayes_decision
from costkeras.metrics import savings_score

X, default, costs = make_credit_scoring(4000, random_state=0)
n = len(default)
X_train, X_test, y_train, y_test, c_train, c_test = train_test_split(
    X, default, costs, test_size=0.5, stratify=default, random_state=0
)
print(f"{n} applicants, {default.mean():.0%} default; mean cost matrix of the training half:")
print(np.round(c_train.mean(axis=0)).tolist())


def network(**params):
    return make_pipeline(
        StandardScaler(), CostSensitiveKerasClassifier(epochs=20, random_state=0, **params)
    )


results = {}
plain = network().fit(X_train, y_train)
results["plain network, argmax"] = plain.predict(X_test)
class_level = network(cost_matrix=c_train.mean(axis=0)).fit(X_train, y_train)
results["network, one class-level matrix"] = class_level.predict(X_test)
per_example = network().fit(X_train, y_train, costsensitivekerasclassifier__sample_cost=c_train)
results["network, per-example costs"] = per_example.predict(X_test, sample_cost=c_test)
logistic = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
results["LogisticRegression, per-example Bayes"] = bayes_decision(
    logistic.predict_proba(X_test), c_test
)

savings = {
    name: savings_score(y_test, y_pred, sample_cost=c_test) for name, y_pred in results.items()
}
print(f"\n{'model':>40}  test savings")
for name, value in savings.items():
    print(f"{name:>40}  {value:12.3f}")

# %%
# The test savings side by side.
figure, ax = plt.subplots(figsize=(8, 3))
ax.barh(list(savings), list(savings.values()), color="tab:green")
ax.invert_yaxis()  # the models in the order printed
ax.set_xlabel("test savings (higher is better)")
ax.set_title("Per-example costs in credit scoring")
figure.tight_layout()
if len(sys.argv) > 1:  # CI and the gallery give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)
