"""Approve, review or decline: a decision that is not a class (offline, about 20 s).

A lender's model says how likely an applicant (``costkeras.datasets.make_credit_scoring``) is
to default; the lender does one of three things. Approving a defaulter loses the loan (10%
of it when secured), declining a good payer loses the interest (20% of the amount). A third
action is not a class at all: a manual review costs a fixed 500 per file and catches 80% of
the defaults (the reviewer declines them, and approves the good payers). Each applicant gets
a cost matrix ``S[n, true, action]`` of shape (2 classes, 3 actions), and Bayes's rule
``argmin_a sum_i p_i S[n, i, a]`` decides among the actions.

We compare, on the test half, the lender who can only approve or decline with the one who
can also review, both judged by the same costs (savings: 1 - cost / cost of the best single
action for everyone), and count the files sent to review; then the same for a range of
review fees, and for a network (``CostSensitiveKerasClassifier``) that learns the classes
and decides among the actions. The figure shows the costs by fee and where the test files
went.

Run: python examples/actions/plot_manual_review.py [output.png]
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from costkeras import CostSensitiveKerasClassifier, MinimumCostClassifier
from costkeras.datasets import make_credit_scoring
from costkeras.metrics import savings_score, total_cost
from costkeras.plotting import CostConfusionMatrixDisplay

ACTIONS = ["approve", "review", "decline"]
FEE, CAUGHT = 500.0, 0.8


def with_review(costs, fee, caught=CAUGHT):
    """(n, 2, 2) approve/decline costs -> (n, 2, 3) approve/review/decline costs."""
    loss = costs[:, 1, 0]  # approving a defaulter
    review = np.stack([np.full(len(costs), fee), fee + (1 - caught) * loss], axis=1)
    return np.concatenate([costs[:, :, :1], review[:, :, None], costs[:, :, 1:]], axis=2)


X, y, costs = make_credit_scoring(4000, random_state=0)  # y: 1 = default
X_train, X_test, y_train, y_test, c_train, c_test = train_test_split(
    X, y, costs, test_size=0.5, stratify=y, random_state=0
)
print(f"{len(y)} applicants, {y.mean():.0%} default; test half: {len(y_test)} files")
model = make_pipeline(StandardScaler(), LogisticRegression())

# approve or decline only: the columns of the (n, 2, 2) costs, named
two_way = MinimumCostClassifier(
    model, cost_matrix=c_train.mean(axis=0), actions=["approve", "decline"]
).fit(X_train, y_train)
approve_decline = two_way.predict(X_test, sample_cost=c_test)


def review_lender(fee):
    """The lender who can review too, trained once, deciding with each file's costs."""
    S_train, S_test = with_review(c_train, fee), with_review(c_test, fee)
    frame = pd.DataFrame(S_train.mean(axis=0), index=[0, 1], columns=ACTIONS)
    lender = MinimumCostClassifier(model, cost_matrix=frame).fit(X_train, y_train)
    return lender.predict(X_test, sample_cost=S_test), S_test


decided, S_test = review_lender(FEE)
results = {"approve / decline": approve_decline, "approve / review / decline": decided}
network = make_pipeline(
    StandardScaler(),
    CostSensitiveKerasClassifier(
        cost_matrix=pd.DataFrame(with_review(c_train, FEE).mean(axis=0), columns=ACTIONS),
        epochs=20,
        random_state=0,
    ),
).fit(X_train, y_train)
results["network, approve / review / decline"] = network.predict(X_test, sample_cost=S_test)

print(f"\nreview: {FEE:g} per file, catches {CAUGHT:.0%} of defaults; test results")
print(f"{'decisions':>36} {'total cost':>12} {'savings':>8} {'reviewed':>9} {'declined':>9}")
for name, pred in results.items():
    cost = total_cost(y_test, pred, sample_cost=S_test, actions=ACTIONS)
    savings = savings_score(y_test, pred, sample_cost=S_test, actions=ACTIONS)
    counts = [int((pred == action).sum()) for action in ("review", "decline")]
    print(f"{name:>36} {cost:12,.0f} {savings:8.3f} {counts[0]:9d} {counts[1]:9d}")
constant = {
    a: total_cost(y_test, [a] * len(y_test), sample_cost=S_test, actions=ACTIONS) for a in ACTIONS
}
print("one action for everyone: " + ", ".join(f"{a} {c:,.0f}" for a, c in constant.items()))

fees = [100, 250, 500, 750, 1000, 1500, 2000]
by_fee = [review_lender(fee) for fee in fees]
print(f"\n{'fee':>6} {'cost without review':>20} {'with review':>12} {'reviewed':>9}")
sweep = []
for fee, (pred, S) in zip(fees, by_fee, strict=True):
    row = (
        total_cost(y_test, approve_decline, sample_cost=S, actions=ACTIONS),
        total_cost(y_test, pred, sample_cost=S, actions=ACTIONS),
        int((pred == "review").sum()),
    )
    sweep.append(row)
    print(f"{fee:6d} {row[0]:20,.0f} {row[1]:12,.0f} {row[2]:9d}")

figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
sweep = np.array(sweep)
left.plot(fees, sweep[:, 0] / 1e6, "o-", label="approve / decline")
left.plot(fees, sweep[:, 1] / 1e6, "o-", label="approve / review / decline")
left.set(xlabel="review fee per file", ylabel="test cost (millions)")
left.legend(loc="center right")
reviewed = left.twinx()
reviewed.bar(fees, sweep[:, 2], width=60, alpha=0.25, color="gray")
reviewed.set_ylabel("files sent to review (bars)")
left.set_zorder(reviewed.get_zorder() + 1)  # the cost lines over the bars
left.patch.set_visible(False)
left.set_title(f"Manual review catching {CAUGHT:.0%} of defaults")
display = CostConfusionMatrixDisplay.from_predictions(
    np.where(y_test == 1, "default", "good payer"),
    decided,
    labels=["good payer", "default"],
    actions=ACTIONS,
    sample_cost=S_test,  # rows in the order of labels: good payer (0), then default (1)
    ax=right,
    values_format=",.0f",
)
right.set_title(f"Fee {FEE:g}: files and their cost, total {display.total_cost_:,.0f}")
figure.tight_layout()
path = sys.argv[1] if len(sys.argv) > 1 else "manual_review.png"
figure.savefig(path, dpi=110)
