"""The package's three layers hold: each imports only the layers below it.

Keras-free costs, metrics and decisions at the top of ``costkeras``; the Keras pieces
in ``costkeras.keras`` (no scikit-learn wrapper, no scikeras); the estimator's
machinery in ``costkeras._scikeras``. Each import runs in a fresh interpreter, where
nothing else has loaded the modules first. The tests follow the layers: each
source module has a test module of its name in its layer's folder of tests/.
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


# The only modules without a test module of their own name, each with its reason.
WITHOUT_TEST_MODULE = {
    "costkeras/__init__.py": "re-exports the public API",
    "costkeras/keras/__init__.py": "re-exports the Keras pieces",
    "costkeras/_scikeras/__init__.py": "a package docstring",
    "costkeras/_estimator_doc.py": "the estimator's docstring text, run by the doctests",
}
# Each layer's tests: the package folder -> the folder under tests/.
TEST_FOLDERS = {"costkeras": "core", "costkeras/keras": "keras", "costkeras/_scikeras": "estimator"}
# Top-level modules outside the core: the estimator, and the table of other libraries'
# private names that every layer uses, whose tests sit at tests/ itself.
OUTSIDE_THE_CORE = {"costkeras/estimator.py": "estimator", "costkeras/_compat.py": "."}


def test_every_source_module_has_a_test_module_of_its_name_in_its_layers_folder():
    tests = Path(__file__).parent
    missing = []
    for path in sorted((Path(SRC) / "costkeras").rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module in WITHOUT_TEST_MODULE:
            continue
        folder = (
            OUTSIDE_THE_CORE.get(module) or TEST_FOLDERS[path.parent.relative_to(SRC).as_posix()]
        )
        expected = tests / folder / f"test_{path.stem.lstrip('_')}.py"
        if not expected.is_file():
            missing.append(f"{module}: {expected.relative_to(tests.parent).as_posix()}")
    assert not missing, "source modules without their test module:\n" + "\n".join(missing)
