"""The documentation site's sources, checked without building it (CI builds it too).

The build (``sphinx-build -W``, then ``docs/check_site.py``) needs the ``docs`` extra and a
minute and a half; these checks need neither, so a public name added without its reference
entry, or an example the gallery cannot title, fails here first.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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
