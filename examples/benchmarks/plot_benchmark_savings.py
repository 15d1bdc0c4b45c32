"""Savings of each method on each data set, as measured in benchmarks/RESULTS.md.

``benchmarks/tabular.py`` fits the estimator with its defaults, untuned, next to its peers on
real cost-sensitive data with per-example costs (churn: TV subscriptions; PAKDD and VUB: credit
scoring; bank: telemarketing; all from empulse), on costkeras's synthetic credit data, and on
the Gaussians and digits of ``benchmarks/quality.py``. Each method is scored by its test
savings, ``1 - cost / cost of the best constant decision`` (higher is better; 0 is no better
than deciding the same for everyone), mean and standard deviation over 5 stratified 50/50
splits.

A table of seven data sets by eight methods is hard to read; this draws it. Nothing is trained
here: the numbers are read from the section "Real cost-sensitive tabular data" of
``benchmarks/RESULTS.md``, its first table ("The estimator's defaults against every peer, one
run"), which the benchmark rewrites when it runs again.

Run: python examples/benchmarks/plot_benchmark_savings.py [output.png]
"""

import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

try:
    HERE = Path(__file__).resolve().parent
except NameError:  # the documentation's gallery runs the script in its folder, with no __file__
    HERE = Path.cwd()
RESULTS = HERE.parents[1] / "benchmarks" / "RESULTS.md"  # examples/benchmarks/ -> the root
SECTION = "## Real cost-sensitive tabular data"
TABLE = "### The estimator's defaults against every peer, one run"
TITLES = {  # the table's column names, spelt out
    "churn": "churn (TV subscriptions)",
    "pakdd": "PAKDD (credit)",
    "bank": "bank (telemarketing)",
    "vub": "VUB (credit)",
    "credit": "synthetic credit",
    "gaussians": "Gaussians (4 classes)",
    "digits": "digits (10 classes)",
}
CELL = re.compile(r"(?P<mean>-?\d+\.\d+) ± (?P<std>\d+\.\d+)")


def read_savings(path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """The methods, data sets, means and standard deviations of the section's first table."""
    text = path.read_text(encoding="utf-8")
    start = text.index(SECTION)
    start = text.index(TABLE, start)
    lines = text[start:].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| method"))
    header = [cell.strip() for cell in lines[first].strip("|").split("|")]
    datasets = header[1:]
    methods, means, stds = [], [], []
    for line in lines[first + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        methods.append(cells[0])
        row_mean, row_std = [], []
        for cell in cells[1:]:
            match = CELL.match(cell)  # "0.326 ± 0.008 (5.9 s)"; "-" where a method cannot run
            row_mean.append(float(match["mean"]) if match else np.nan)
            row_std.append(float(match["std"]) if match else np.nan)
        means.append(row_mean)
        stds.append(row_std)
    return methods, datasets, np.array(means), np.array(stds)


methods, datasets, means, stds = read_savings(RESULTS)

# %%
# The numbers
# -----------
# As the table in ``benchmarks/RESULTS.md`` gives them (the fit times left out), with the best
# mean of each data set named below.

width = max(len(m) for m in methods)
print(f"{'method':{width}}  " + "  ".join(f"{d:>13}" for d in datasets))
for method, row_mean, row_std in zip(methods, means, stds, strict=True):
    cells = [
        f"{'-':>13}" if np.isnan(m) else f"{m:6.3f} ± {s:.3f}"
        for m, s in zip(row_mean, row_std, strict=True)
    ]
    print(f"{method:{width}}  " + "  ".join(cells))
print()
for j, dataset in enumerate(datasets):
    best = means[:, j] == np.nanmax(means[:, j])  # ties at the table's three decimals: all
    print(f"best on {dataset}: {', '.join(np.array(methods)[best])} ({np.nanmax(means[:, j]):.3f})")

# %%
# One panel per data set
# ----------------------
# A dot is a method's mean test savings, its bar one standard deviation either side. Each panel
# has its own scale: the savings possible differ from one data set to the next (churn's best is
# near 0.15, digits' near 0.95), and what matters is how the methods compare on the same data.
# costkeras's rows are orange; CSLogit and CSBoost (empulse) have no multi-class version, so
# they miss the Gaussians and digits.

colours = ["#d94801" if m.startswith("costkeras") else "#4a5a6a" for m in methods]
figure, axes = plt.subplots(2, 4, figsize=(15, 6.5), sharey=True)
positions = np.arange(len(methods))[::-1]
for j, ax in enumerate(axes.flat):
    if j >= len(datasets):
        ax.axis("off")
        ax.text(
            0.0,
            0.5,
            "orange: costkeras's defaults, untuned,\nfitted with sample_cost\n\n"
            "grey: the peers, deciding by Bayes with\neach test row's costs (CSLogit and\n"
            "CSBoost also train with them)",
            transform=ax.transAxes,
            va="center",
        )
        continue
    for i in np.flatnonzero(~np.isnan(means[:, j])):
        ax.errorbar(
            means[i, j],
            positions[i],
            xerr=stds[i, j],
            fmt="o",
            color=colours[i],
            markersize=6,
            elinewidth=1.5,
            capsize=3,
        )
    best = means[:, j] == np.nanmax(means[:, j])
    ax.scatter(means[best, j], positions[best], s=180, facecolors="none", edgecolors="black")
    ax.set_title(TITLES.get(datasets[j], datasets[j]))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("test savings")
for ax in axes[:, 0]:
    ax.set_yticks(positions, methods)
figure.suptitle(
    "Test savings per data set, mean ± std over 5 splits (circled: the best mean); "
    "from benchmarks/RESULTS.md"
)
figure.tight_layout()

if len(sys.argv) > 1:  # CI (and the documentation's gallery) give a path for the figure
    figure.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
