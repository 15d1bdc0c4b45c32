"""The serving guide's Node.js recipe decides as ``clf.predict``.

``examples/serving/node/decide.mjs`` runs a decision model exported to ONNX in
onnxruntime-node. CI installs it (``ONNXRUNTIME_NODE_INSTALL=skip npm ci`` in that folder,
.ci/run); the test skips only where Node.js itself is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_RECIPE = ROOT / "examples" / "serving" / "node"


@pytest.mark.slow
def test_node_recipe_decides_as_predict(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed here: the Node.js serving recipe cannot run")
    assert (NODE_RECIPE / "node_modules" / "onnxruntime-node").is_dir(), (
        "onnxruntime-node is missing: run `ONNXRUNTIME_NODE_INSTALL=skip npm ci` in "
        "examples/serving/node (.ci/run does)"
    )
    from costkeras import CostSensitiveKerasClassifier
    from costkeras.datasets import make_credit_scoring

    X, y, _ = make_credit_scoring(800, random_state=0)
    X = X.astype("float32")
    # a missed default costs two refusals: the decision threshold is p(default) > 1/3
    clf = CostSensitiveKerasClassifier(cost_matrix=[[0, 1], [2, 0]], epochs=20, random_state=0)
    clf.fit(X[:600], y[:600])
    model = tmp_path / "decide.onnx"
    clf.decision_model().export(str(model), format="onnx", verbose=False)
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps(X[600:].tolist()))

    result = subprocess.run(
        [node, str(NODE_RECIPE / "decide.mjs"), str(model), str(rows)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    decided = np.array(json.loads(result.stdout))
    expected = clf.predict(X[600:])
    assert np.array_equal(clf.classes_[decided], expected)
    # a check that could fail: the served model decides both classes on these rows
    assert set(decided.tolist()) == {0, 1}
