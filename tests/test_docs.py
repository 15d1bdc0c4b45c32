"""The documentation site's sources, checked without building it (CI builds it too).

The build (``sphinx-build -W``, then ``docs/check_site.py``) needs the ``docs`` extra and a
minute and a half; these checks need neither, so a public name added without its reference
entry, or an example the gallery cannot title, fails here first.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT_FOLDERS = {"_build", "generated", "auto_examples"}  # what the build writes under docs/


@pytest.fixture(scope="module")
def check_site():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_is_in_the_api_reference(check_site):
    """Every name in the ``__all__`` of a public module of costkeras has an entry in
    docs/api.rst (under its own path, or the same object under another)."""
    problems: list[str] = []
    count = check_site.check_names(dict.fromkeys(check_site.read_api_page()), problems)
    assert count >= 30, "the public names were not found"
    assert not problems, "\n".join(problems)


EXAMPLES = sorted([*(ROOT / "examples").glob("*.py"), *(ROOT / "examples").glob("*/*.py")])


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=lambda path: path.relative_to(ROOT / "examples").as_posix()
)
def test_example_has_a_docstring_the_gallery_can_title(example):
    """sphinx-gallery titles an example's page with the first line of its module docstring
    and renders the docstring as reStructuredText."""
    docstring = ast.get_docstring(ast.parse(example.read_text(encoding="utf-8")))
    assert docstring, f"examples/{example.name} needs a module docstring: its gallery title"
    assert docstring.splitlines()[0].strip(), f"examples/{example.name}: first line is blank"


# A figure the guide quotes from the benchmarks is in benchmarks/RESULTS.md, which the
# benchmark scripts write: decimals (0.171, 1.088) and thousands (1,734,478), compared as
# values (RESULTS.md writes 1734478.0). The pages' code blocks are out of scope (test_readme
# runs them, and checks the output blocks shown under them). scaling_out.md is another
# page's business for now.
FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+)(?![\w])")
# numbers on the pages that are not measurements: parameters and sizes stated in prose
NOT_MEASURED = {
    "calibration.md": {"50,000": "a loan amount in an example"},
    "serving.md": {"1,000": "the held-out rows the test suite serves"},
    "training_defaults.md": {
        # both checked against the code by test_schedule.py's test of the guide's table
        "3,000": "the step budget of epochs='auto'",
        "2,000": "the size from which early_stopping='auto' is on",
    },
}


def _value(number: str) -> float:
    return round(float(number.replace(",", "")), 6)


def test_the_guides_figures_are_in_the_benchmark_results():
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    measured = {_value(n) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", results) if n[-1] != ","}
    problems = []
    pages = [p for p in sorted((ROOT / "docs" / "guide").glob("*.md")) if p.stem != "scaling_out"]
    for page in [*pages, ROOT / "README.md"]:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        allowed = NOT_MEASURED.get(page.name, {})
        for match in FIGURE.finditer(text):
            if match[1] not in allowed and _value(match[1]) not in measured:
                context = text[max(0, match.start() - 60) : match.end() + 20].replace("\n", " ")
                problems.append(f"{page.name}: {match[1]} is not in RESULTS.md: ...{context}...")
    assert not problems, "\n".join(problems)


def test_the_guide_links_pages_not_repository_paths():
    """The site's pages link the reference, the gallery and the benchmark results; a path in
    the repository (``tests/...``, ``RESULTS.md``) is not a link on a web page."""
    problems = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        if BUILT_FOLDERS.intersection(page.relative_to(ROOT / "docs").parts) or (
            page.stem == "scaling_out"
        ):
            continue
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
        for match in re.finditer(r"`(tests/[^`]*|[^`]*RESULTS\.md)`|this two-core machine", text):
            line = text[: match.start()].count("\n") + 1
            problems.append(f"{page.relative_to(ROOT)}:{line}: {match[0]}")
    assert not problems, "\n".join(problems)


def test_every_parameter_is_documented(check_site):
    """Each parameter of each public class and function has a described entry in its
    docstring's Parameters section, as the reference renders it (docs/sphinxext fills in the
    Keras arguments and "Parameters are those of ..." sections)."""
    import inspect
    import sys

    from numpydoc.docscrape import NumpyDocString

    sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))
    import docstring_sections

    problems, seen = [], set()
    for module_name in check_site.public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            function = obj.__init__ if inspect.isclass(obj) else obj
            parameters = list(inspect.signature(function).parameters.values())
            if inspect.isclass(obj):
                parameters = parameters[1:]  # self
            lines = inspect.getdoc(obj).splitlines()
            docstring_sections.parameter_sections(None, "", name, obj, None, lines)
            entries = {}
            for entry in NumpyDocString("\n".join(lines))["Parameters"]:
                for part in entry.name.split(","):
                    entries[part.strip().lstrip("*")] = "".join(entry.desc).strip()
            for parameter in parameters:
                if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                    continue  # *args, **kwargs: passed on, described where they go
                if not entries.get(parameter.name):
                    problems.append(f"{module_name}.{name}: parameter {parameter.name!r}")
    assert not problems, "undocumented or undescribed:\n" + "\n".join(problems)


def test_the_serving_guides_error_is_the_one_the_tests_meet():
    """The serving guide shows Keras's error for a ``.keras`` file loaded without
    ``import costkeras.keras``; tests/test_serving.py meets it in a fresh process
    (``serving_roundtrip.FORGOTTEN``): the page shows that message."""
    spec = importlib.util.spec_from_file_location(
        "serving_roundtrip", ROOT / "tests" / "serving_roundtrip.py"
    )
    roundtrip = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roundtrip)
    page = (ROOT / "docs" / "guide" / "serving.md").read_text(encoding="utf-8")
    block = page.split("```text\n", 1)[1].split("```", 1)[0]
    assert " ".join(block.split()).startswith("TypeError: " + roundtrip.FORGOTTEN), block
