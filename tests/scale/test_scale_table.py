"""The scale table of the guide and of RESULTS.md is what ``benchmarks/scale.py`` measured."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def benchmark():
    spec = importlib.util.spec_from_file_location(
        "scale_benchmark", ROOT / "benchmarks" / "scale.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guide_and_results_show_the_benchmarks_last_measures():
    scale = benchmark()
    results = json.loads(scale.RESULTS_JSON.read_text())
    table = scale.table(results)
    guide = scale.GUIDE.read_text()
    assert scale.guide_with_table(guide, table) == guide, "rerun benchmarks/scale.py"
    assert table in (ROOT / "benchmarks" / "RESULTS.md").read_text()
    assert [size["rows"] for size in results["sizes"]] == [10_000, 100_000, 1_000_000]
    assert {run["rows"] for run in results["decisions"].values()} == {10_000_000}
