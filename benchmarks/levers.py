"""The lever table of one ``tabular.py`` run: each row against a baseline row of that run.

Reads the raw results ``tabular.py --json`` (or ``--log``, JSON lines) saved and prints, per
data set and row: mean ± std of the test savings over the splits (mean fit time), the
fit-time ratio over the baseline row (in brackets the ratio of CPU seconds, which the load of
other processes moves less), the mean paired difference of savings (the same splits), its
standard error over the splits, and the mean number of epochs trained. Only rows of one run
are compared: their fits ran side by side, a split's methods together.

Run: python benchmarks/levers.py out.json                        (baseline: the first row)
     python benchmarks/levers.py out.json --baseline "est:steps_per_execution=16,draw=0"
     python benchmarks/levers.py out.json --baseline "est:steps_per_execution=16,draw={draw}"
     (``{draw}``: each row against the baseline of its own ``draw=``, 0 where none is named)
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np


def read(path: str) -> list[dict]:
    """The results of one run, from ``--json`` or a ``--log`` JSON-lines file."""
    text = Path(path).read_text()
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line]
    return json.loads(text)["results"]


def cell(rows: list[dict], base: list[dict]) -> str:
    """One data set's cell of one row, against the baseline's rows of the same splits."""
    by_split = {r["split"]: r for r in base}
    savings = np.array([r["savings"] for r in rows])
    fit, cpu = np.mean([r["fit_s"] for r in rows]), np.mean([r["fit_cpu_s"] for r in rows])
    paired = [r for r in rows if r["split"] in by_split]
    ratio = fit / np.mean([by_split[r["split"]]["fit_s"] for r in paired])
    cpu_ratio = cpu / np.mean([by_split[r["split"]]["fit_cpu_s"] for r in paired])
    diff = np.array([r["savings"] - by_split[r["split"]]["savings"] for r in paired])
    epochs = np.mean([np.mean(r["epochs"]) for r in rows if "epochs" in r] or [np.nan])
    return (
        f"{savings.mean():.4f} ± {savings.std():.4f} ({fit:.1f} s) x{ratio:.2f} "
        f"[{cpu_ratio:.2f}], {diff.mean():+.4f} ± {diff.std(ddof=1) / np.sqrt(len(diff)):.4f}, "
        f"{epochs:.0f} ep"
    )


def table(results: list[dict], baseline: str | None = None) -> str:
    """Markdown: one row per method, one column per data set."""
    results = [r for r in results if "savings" in r]
    methods = list(dict.fromkeys(r["method"] for r in results))
    sets = list(dict.fromkeys(r["data"] for r in results))
    baseline = baseline or methods[0]
    lines = ["| row | " + " | ".join(sets) + " |", "|---|" + "---:|" * len(sets)]
    for method in methods:
        draw = re.search(r"draw=(\d+)", method)
        against = baseline.format(draw=draw.group(1) if draw else 0)
        cells = []
        for name in sets:
            rows = [r for r in results if r["method"] == method and r["data"] == name]
            base = [r for r in results if r["method"] == against and r["data"] == name]
            cells.append(cell(rows, base) if rows and base else "-")
        lines.append(f"| `{method}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="tabular.py's --json file or --log JSON lines")
    parser.add_argument("--baseline", default=None, help="the row compared with (the first)")
    args = parser.parse_args()
    print(table(read(args.results), args.baseline))


if __name__ == "__main__":
    main()
