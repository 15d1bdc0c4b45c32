"""Every ```python snippet of README.md and of the documentation's Markdown pages runs as written.

The documents are README.md and every ``docs/**/*.md`` page (the user guide), outside the
folders the site's build writes. A snippet runs on its own, in a fresh namespace named
``__main__`` (as a script would), unless its first line is the comment
``# continues the snippet above``: then it runs after its document's previous snippet, in that
snippet's namespace, and both must sit in the same ``##`` section. One test case per snippet,
named by its document, line and heading, run in a temporary folder; the global state a snippet
may change (scikit-learn's configuration, environment variables, warning filters, matplotlib
figures) is put back afterwards.

A snippet followed by the comment ``<!-- what the snippet above prints -->`` and a fenced block
must print exactly that block: the numbers a page shows are what its code gives.

A snippet that needs a newer library says so in an HTML comment just above its fence,
``<!-- requires: scikit-learn>=1.8 (why) -->``, and is skipped, with that reason, where the
requirement does not hold. Nothing else is skipped: a snippet added later that does not run
as written fails here. The site's reStructuredText pages hold no Python code (it would go
untested): ``test_docs_rst_hold_no_python`` checks it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import os
import re
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import sklearn
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# what sphinx-build, autosummary and sphinx-gallery write under docs/: not sources
BUILT = {"_build", "generated", "auto_examples"}


def doc_sources(suffix: str) -> list[Path]:
    """The documentation's source pages with this suffix, outside the build's folders."""
    return sorted(
        path
        for path in DOCS.rglob(f"*{suffix}")
        if not BUILT.intersection(path.relative_to(DOCS).parts[:-1])
    )


DOCUMENTS = [README, *doc_sources(".md")]

CONTINUES = re.compile(r"#\s*continues the snippet above\b")
REQUIRES = re.compile(r"<!--\s*requires:\s*(?P<requirement>[^\s(]+)(?P<why>.*?)-->")
FENCE = re.compile(r"^(?P<indent>\s*)```\s*(?P<info>\S*)")
PYTHON = ("python", "py", "python3")


@dataclass(frozen=True, repr=False)
class Snippet:
    path: Path  # the document: README.md or a page under docs/
    index: int  # position among all the documents' python snippets
    line: int  # line of the code's first line in its document (1-based)
    code: str
    section: str  # the enclosing "## " heading
    heading: str  # the nearest heading of any level
    requires: tuple[str, ...]  # requirement strings from <!-- requires: ... --> comments
    # the lines of the ```text block under a "<!-- what the snippet above prints -->" comment
    # just below the snippet, or None: what it must print, line for line
    prints: tuple[str, ...] | None = None

    @property
    def continues(self) -> bool:
        first = self.code.lstrip("\n").splitlines()[0] if self.code.strip() else ""
        return CONTINUES.match(first) is not None

    @property
    def where(self) -> str:
        """``README.md:12`` or ``docs/guide/saving.md:30``."""
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"

    def __repr__(self) -> str:
        return f"<{self.where} {self.heading!r}>"

    @property
    def id(self) -> str:
        words = re.sub(r"[^A-Za-z0-9]+", "-", self.heading).strip("-").lower()
        document = self.path.relative_to(ROOT).with_suffix("").as_posix().replace("/", "-")
        return f"{document}-L{self.line}-{words}"


def readme_snippets(text: str, path: Path = README, start: int = 0) -> list[Snippet]:
    """The ```python (or ```py) blocks of a Markdown text, in order, with their context;
    ``start`` is the index of the first."""
    snippets: list[Snippet] = []
    section = heading = ""
    pending: list[str] = []  # <!-- requires --> comments since the last non-blank line
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].lstrip().startswith("```")), None
            )
            assert end is not None, f"{path.name}:{i + 1}: code block never closed"
            if fence["info"].lower() in PYTHON:
                snippets.append(
                    Snippet(
                        path=path,
                        index=start + len(snippets),
                        line=i + 2,
                        code=textwrap.dedent("\n".join(lines[i + 1 : end]) + "\n"),
                        section=section,
                        heading=heading,
                        requires=tuple(pending),
                        prints=printed_below(lines, end + 1),
                    )
                )
            pending = []
            i = end + 1
            continue
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if line.startswith("## "):
                section = heading
        if (match := REQUIRES.search(line)) is not None:
            pending.append(f"{match['requirement']} {match['why'].strip()}".strip())
        elif line.strip():
            pending = []
        i += 1
    return snippets


PRINTS = "<!-- what the snippet above prints"


def printed_below(lines: list[str], after: int) -> tuple[str, ...] | None:
    """The output block shown under a snippet that ends on line ``after - 1``: a comment
    ``<!-- what the snippet above prints -->`` (after blank lines only), then a fenced block."""
    i = after
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not lines[i].startswith(PRINTS):
        return None
    assert lines[i + 1].startswith("```"), f"line {i + 2}: no code block under {lines[i]!r}"
    end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
    return tuple(line.rstrip() for line in lines[i + 2 : end])


def all_snippets(documents: list[Path]) -> list[Snippet]:
    snippets: list[Snippet] = []
    for path in documents:
        snippets += readme_snippets(path.read_text(encoding="utf-8"), path, len(snippets))
    return snippets


SNIPPETS = all_snippets(DOCUMENTS)


def unmet(requirement: str) -> str | None:
    """Why ``requirement`` (``dist>=version (why)``) does not hold here, or None if it does."""
    req = Requirement(requirement.split()[0])
    try:
        version = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return f"{req.name} is not installed"
    if not req.specifier.contains(version, prereleases=True):
        return f"{req.name} {version} installed"
    return None


def chain(snippet: Snippet) -> list[Snippet]:
    """The snippets to run, in order, to run ``snippet`` as its reader would."""
    if not snippet.continues:
        return [snippet]
    previous = SNIPPETS[snippet.index - 1] if snippet.index > 0 else None
    if previous is None or (previous.path, previous.section) != (snippet.path, snippet.section):
        pytest.fail(
            f"{snippet.where} continues the snippet above, but there is none in its "
            f"section {snippet.section!r}"
        )
    return [*chain(previous), snippet]


# The namespace each snippet left behind, for the snippet that continues it (there is at most
# one: a snippet continues only the one just before it). A case that finds its predecessor's
# namespace missing (another xdist worker ran it, or -k left it out) reruns the chain.
_LEFT_BEHIND: dict[int, tuple[dict, dict]] = {}


def run(snippet: Snippet, namespace: dict) -> None:
    # Compiled under its document's path with the code at its own line numbers, so a
    # traceback points at the line that failed.
    padded = "\n" * (snippet.line - 1) + snippet.code
    exec(compile(padded, str(snippet.path), "exec"), namespace)


def failure_message(snippet: Snippet, failed: Snippet, error: Exception) -> str:
    """Python's traceback from the document's frame down: one source line per frame (pytest's
    own would print the document from its first line)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    where = "" if failed is snippet else f", in the snippet it continues (line {failed.line})"
    return f"{snippet.where} ({snippet.heading}) failed{where}:\n" + "".join(
        traceback.format_exception(type(error), error, tb)
    )


@contextlib.contextmanager
def restored_globals():
    """Put back, when the case ends (pass or fail), the global state a snippet may change:
    scikit-learn's configuration (metadata routing), environment variables, warning filters,
    open matplotlib figures."""
    environ = dict(os.environ)
    try:
        with sklearn.config_context(), warnings.catch_warnings():
            yield
    finally:
        for name in set(os.environ) - set(environ):
            del os.environ[name]
        os.environ.update(environ)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def test_readme_snippets_parse():
    """Fast: every snippet compiles (the run below is slow), and each document is found."""
    assert any(s.path == README for s in SNIPPETS), "README.md's ```python blocks were not found"
    guide = [s for s in SNIPPETS if s.path.parent == DOCS / "guide"]
    assert len(guide) >= 10, "the user guide's ```python blocks (docs/guide/*.md) were not found"
    assert any(s.prints for s in SNIPPETS), "no snippet shows its output: the parser lost them"
    for snippet in SNIPPETS:
        compile("\n" * (snippet.line - 1) + snippet.code, str(snippet.path), "exec")


PYTHON_IN_RST = re.compile(r"^\s*(\.\. (code-block|code|sourcecode|ipython|doctest)::|>>> )")


def test_docs_rst_hold_no_python():
    """Code goes in the Markdown pages, where the test above runs it; a reStructuredText page
    of the site (the API reference's frame) holding Python would hold untested code."""
    pages = doc_sources(".rst")
    assert DOCS / "api.rst" in pages
    for page in pages:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            assert not PYTHON_IN_RST.match(line), (
                f"{page.relative_to(ROOT)}:{number}: Python code in a reStructuredText page is "
                "not tested; put it in a ```python block of a Markdown page instead"
            )


@pytest.mark.slow
@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_readme_snippet_runs(snippet, tmp_path, monkeypatch):
    snippets = chain(snippet)
    for requirement in dict.fromkeys(r for s in snippets for r in s.requires):
        if (why := unmet(requirement)) is not None:
            pytest.skip(f"{snippet.where} requires {requirement}: {why}")
    monkeypatch.chdir(tmp_path)  # anything a snippet writes lands in a temporary folder
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib

        matplotlib.use("Agg")  # no window, whatever the machine has
    with restored_globals():
        cached = _LEFT_BEHIND.pop(snippets[-2].index, None) if len(snippets) > 1 else None
        if cached is not None:
            namespace, config = cached
            sklearn.set_config(**config)
            snippets = snippets[-1:]
        else:
            # a script's name: a snippet may guard its main part (Dask's worker processes)
            namespace = {"__name__": "__main__"}
        for s in snippets:
            stdout = io.StringIO()
            try:
                with contextlib.redirect_stdout(stdout):
                    run(s, namespace)
            except Exception as error:
                failure = failure_message(snippet, s, error)
                break
            printed = tuple(line.rstrip() for line in stdout.getvalue().splitlines())
            if s is snippet and s.prints is not None and printed != s.prints:
                failure = (
                    f"{s.where} ({s.heading}) prints what its page does not show:\n"
                    + "\n".join(printed)
                    + "\nthe page shows:\n"
                    + "\n".join(s.prints)
                )
                break
        else:
            failure = None
            if snippet.index + 1 < len(SNIPPETS) and SNIPPETS[snippet.index + 1].continues:
                _LEFT_BEHIND[snippet.index] = (namespace, sklearn.get_config())
    if failure is not None:
        pytest.fail(failure, pytrace=False)


QUICKSTART_OUTPUT = "<!-- what `python examples/quickstart.py` prints"


def shown_output(page: Path, marker: str) -> list[str]:
    """The lines of the ```text block just below the HTML comment ``marker`` in ``page``."""
    lines = page.read_text(encoding="utf-8").splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith(marker)]
    assert len(at) == 1, f"{page.name}: {len(at)} comments {marker!r}, expected one"
    start = at[0] + 1
    assert lines[start].startswith("```"), f"{page.name}:{start + 1}: no code block below"
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lines[start + 1 : end]


@pytest.mark.slow
def test_the_quickstarts_printed_lines_are_what_it_prints(tmp_path):
    """README.md and the site's front page show, line for line, what
    ``examples/quickstart.py`` prints, and the costs cut the test cost on every split."""
    import subprocess

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=True,
    )
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    for page in (README, DOCS / "index.md"):
        shown = shown_output(page, QUICKSTART_OUTPUT)
        assert shown == printed, f"{page.name} shows {shown}, the quickstart prints {printed}"
    # the demonstration demonstrates: a lower test cost on every split
    splits = [line.split() for line in printed if re.match(r"\s+\d+\s", line)]
    assert len(splits) == 5, printed
    for split, plain, _, sensitive, _ in splits:
        assert float(sensitive) < float(plain), f"split {split}: {printed}"
