"""Serving the decision with ONNX Runtime: the decisions of ``predict``, without scikit-learn.

A lender's applicants (``costkeras.datasets.make_credit_scoring``): accepting a defaulter
costs twice as much as refusing a good payer, so the Bayes decision refuses an applicant
whose probability of default exceeds 1/3, not 1/2. ``clf.decision_model()`` puts
the network and that decision in one Keras model; exported to ONNX, it runs in ONNX Runtime
(here from Python; from Node.js with ``examples/serving/node/decide.mjs``, see the serving
guide), and decides every test applicant as ``clf.predict`` does, both ways.

Run: python examples/serving/plot_serve_onnx.py (needs ``pip install ".[export,plot]"``)
"""

import os
import sys
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
from sklearn.model_selection import train_test_split

from costkeras import CostSensitiveKerasClassifier
from costkeras.datasets import make_credit_scoring
from costkeras.decisions import binary_threshold

# Keras's ONNX exporter probes NumPy for np.object, which NumPy 2 answers with a FutureWarning
warnings.filterwarnings("ignore", message=r".*np\.object", category=FutureWarning)

X, y, _ = make_credit_scoring(3000, random_state=0)
X = X.astype("float32")  # ONNX Runtime takes float32 features
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
C = [[0, 1], [2, 0]]  # C[true, predicted]: 1 = refuse (predicted default)
clf = CostSensitiveKerasClassifier(cost_matrix=C, epochs=20, random_state=0).fit(X_train, y_train)

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "decide.onnx")
    clf.decision_model().export(path, format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(path)
    probabilities, decision = session.run(["probabilities", "decision"], {"features": X_test})

agree = np.array_equal(clf.classes_[decision], clf.predict(X_test))
print(f"ONNX Runtime decides as clf.predict on all {len(X_test)} test applicants: {agree}")
print(f"Bayes threshold on p(default): {binary_threshold(C):.3f}")
for position, name in enumerate(("approved", "refused")):
    print(f"{name}: {np.sum(decision == position)} applicants")

# %%
# The served probabilities of default, coloured by the served decision: the refusals start
# at the Bayes threshold, far below one half.
figure, ax = plt.subplots(figsize=(7, 3.4))
p_default = probabilities[:, 1]
bins = np.linspace(0, 1, 41)
for position, name in enumerate(("approved", "refused")):
    ax.hist(p_default[decision == position], bins=bins, label=name)
ax.axvline(binary_threshold(C), color="black", linestyle="--", label="Bayes threshold")
ax.set_xlabel("probability of default, from ONNX Runtime")
ax.set_ylabel("test applicants")
ax.legend()
figure.tight_layout()
if len(sys.argv) > 1:  # CI and the gallery give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)
