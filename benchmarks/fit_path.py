"""How long the road from ``CostSensitiveKerasClassifier.fit`` to ``keras.Model.fit`` is.

Traces one fit on tiny data (``sys.setprofile``) and prints, for a default fit and for
one with a cost matrix that trains (``cost_loss="expected_cost"``):

- hops: the frames between the estimator's ``fit`` and Keras's ``Model.fit`` when it
  starts (all of them, and costkeras's own);
- the distinct costkeras functions called during the whole fit, and the files they
  live in;
- calls of the estimator's ``get_params()``;
- reads of y (``read_target``, and scikit-learn's ``type_of_target`` on a 1-D or 2-D y
  of the fit's length) and checks of ``sample_weight``;

and, read from the source, the ``params[...]`` lookups of a ``get_params()`` dict in
the estimator's modules. The numbers count structure, not time: they are the same on
any machine.

Run: python benchmarks/fit_path.py
"""

from __future__ import annotations

import ast
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SRC = Path(__file__).resolve().parents[1] / "src" / "costkeras"


def _is_ours(filename: str) -> bool:
    return filename.startswith(str(SRC))


def _is_keras_fit(code) -> bool:
    path = code.co_filename.replace(os.sep, "/")
    return code.co_name == "fit" and "/keras/src/backend/" in path and "trainer" in path


def trace_fit(estimator, X, y, **fit_kwargs) -> dict:
    """Trace ``estimator.fit(X, y, **fit_kwargs)``; return what the module docstring lists."""
    functions: set = set()
    counts: Counter = Counter()
    callers: Counter = Counter()  # who calls get_params()
    hops: dict = {}

    def profile(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if _is_ours(code.co_filename):
            functions.add((code.co_filename, code.co_firstlineno, code.co_qualname))
            if code.co_name == "read_target":
                counts["y reads"] += 1
            if code.co_name == "check_sample_weight":
                counts["sample_weight checks"] += 1
        elif code.co_name == "_check_sample_weight":
            counts["sample_weight checks"] += 1
        if code.co_name == "get_params" and frame.f_locals.get("self") is estimator:
            counts["get_params calls"] += 1
            callers[frame.f_back.f_code.co_qualname] += 1
        if not hops and _is_keras_fit(code):
            chain, caller = [], frame.f_back
            while caller is not None and not (
                caller.f_code.co_name == "fit"
                and caller.f_code.co_filename.endswith("estimator.py")
            ):
                chain.append(caller.f_code)
                caller = caller.f_back
            hops["all"] = len(chain) + 1
            hops["costkeras"] = sum(_is_ours(c.co_filename) for c in chain)
            hops["chain"] = [c.co_qualname for c in reversed(chain)] + ["Model.fit"]

    sys.setprofile(profile)
    try:
        estimator.fit(X, y, **fit_kwargs)
    finally:
        sys.setprofile(None)
    files = sorted({Path(f).relative_to(SRC.parent).as_posix() for f, _, _ in functions})
    return {"hops": hops, "functions": len(functions), "files": files, "callers": callers, **counts}


def params_lookups() -> Counter:
    """``params[...]``/``params.get(...)`` lookups of a parameters dict, by module."""
    found: Counter = Counter()
    modules = [SRC / "estimator.py", *sorted((SRC / "_scikeras").glob("*.py"))]
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            target = None
            if isinstance(node, ast.Subscript):
                target = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
            ):
                target = node.func.value
            if isinstance(target, ast.Name) and target.id == "params":
                found[path.relative_to(SRC.parent).as_posix()] += 1
    return found


def main() -> None:
    import numpy as np

    from costkeras import CostSensitiveKerasClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype("float32")
    y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)
    weights = np.ones(60)
    settings = {  # name: (constructor parameters, fit's keyword arguments)
        "default fit": ({}, {}),
        "default fit with sample_weight": ({}, {"sample_weight": weights}),
        "cost_matrix + expected_cost, sample_weight": (
            {"cost_matrix": [[0, 1], [5, 0]], "cost_loss": "expected_cost"},
            {"sample_weight": weights},
        ),
    }
    # a first fit pays Python's and TensorFlow's imports, which are no part of the path
    CostSensitiveKerasClassifier(epochs=1, random_state=0).fit(X, y)
    for name, (params, fit_kwargs) in settings.items():
        clf = CostSensitiveKerasClassifier(epochs=2, random_state=0, **params)
        found = trace_fit(clf, X, y, **fit_kwargs)
        print(
            f"== {name}: CostSensitiveKerasClassifier(**{params}).fit(X[60x4], y, "
            f"{', '.join(fit_kwargs) or ''})"
        )
        print(
            f"hops estimator.fit -> Model.fit: {found['hops']['all']} frames, "
            f"{found['hops']['costkeras']} of them costkeras's"
        )
        print("  " + " -> ".join(found["hops"]["chain"]))
        print(
            f"distinct costkeras functions called: {found['functions']} "
            f"in {len(found['files'])} files"
        )
        for label in ("get_params calls", "y reads", "sample_weight checks"):
            print(f"{label}: {found.get(label, 0)}")
        print("  get_params callers: " + ", ".join(f"{k} {v}" for k, v in found["callers"].items()))
        print("  files: " + ", ".join(found["files"]))
    lookups = params_lookups()
    print(f"params[...] lookups: {sum(lookups.values())} in {len(lookups)} modules")
    for module, count in sorted(lookups.items()):
        print(f"  {module}: {count}")


if __name__ == "__main__":
    main()
