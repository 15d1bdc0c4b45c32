"""The package's three layers hold: each imports only the layers below it.

Keras-free costs, metrics and decisions at the top of ``costkeras``; the Keras pieces
in ``costkeras.keras`` (no scikit-learn wrapper, no scikeras); the estimator's
machinery in ``costkeras._scikeras``. Each import runs in a fresh interpreter, where
nothing else has loaded the modules first.
"""

import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).parents[1] / "src")
KERAS_FREE = [
    "costkeras",
    "costkeras.costs",
    "costkeras.metrics",
    "costkeras.decisions",
    "costkeras.datasets",
    "costkeras.plotting",
    "costkeras.minimum_cost",
]


def loaded_after(module: str) -> set:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": SRC, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


@pytest.mark.parametrize("module", KERAS_FREE)
def test_the_keras_free_layer_loads_no_deep_learning_library(module):
    loaded = loaded_after(module)
    assert not {"keras", "tensorflow", "jax", "torch", "scikeras"} & loaded
    assert not any(name.startswith(("costkeras.keras", "costkeras._scikeras")) for name in loaded)


def test_the_keras_layer_stays_below_the_estimator():
    loaded = loaded_after("costkeras.keras")
    assert "keras" in loaded
    assert "scikeras" not in loaded
    assert not any(name.startswith("costkeras._scikeras") for name in loaded)
    assert "costkeras.estimator" not in loaded


@pytest.mark.parametrize("module", ["_numbers", "_labels", "_cost_matrix", "_weights"])
def test_costs_and_validation_import_each_other_no_more(module):
    source = (Path(SRC) / "costkeras" / f"{module}.py").read_text()
    assert "from .costs" not in source and "import costkeras.costs" not in source


# Modules with nothing of their own to test, each with its reason.
WITHOUT_TEST_MODULE = {
    "__init__.py": "re-exports the public names of its package",
    "_estimator_doc.py": "docstring text of CostSensitiveKerasClassifier, checked by its doctests",
}
# The test folder of each layer; _compat.py serves them all, its tests sit at tests/.
LAYER_TESTS = {"": "core", "keras": "keras", "_scikeras": "estimator"}
PACKAGE_WIDE = {"_compat.py", "estimator.py"}


def expected_test_module(module: Path) -> Path:
    """tests/<layer>/test_<name>.py for src/costkeras/<layer>/<_name>.py."""
    tests = Path(__file__).parent
    name = f"test_{module.stem.lstrip('_')}.py"
    if module.name in PACKAGE_WIDE and module.parent.name == "costkeras":
        return tests / name if module.name == "_compat.py" else tests / "estimator" / name
    layer = module.parent.relative_to(Path(SRC) / "costkeras").as_posix().replace(".", "")
    return tests / LAYER_TESTS[layer] / name


def test_every_source_module_has_a_test_module_of_its_name_in_its_layers_folder():
    modules = sorted((Path(SRC) / "costkeras").rglob("*.py"))
    missing = [
        f"{module.relative_to(SRC)} -> {expected_test_module(module).relative_to(Path(SRC).parent)}"
        for module in modules
        if module.name not in WITHOUT_TEST_MODULE and not expected_test_module(module).is_file()
    ]
    assert not missing, "source modules without their test module:\n" + "\n".join(missing)
