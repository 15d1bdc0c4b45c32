"""Check a built documentation site: every public name has its reference page, every example
its gallery page with what it printed, a figure and its own thumbnail, every guide page and
the site's other pages (getting started, glossary, related projects, release notes, citing)
their page, no page shows a type as unresolved ``python:int`` text or the build
machine's paths, and no reference page's signature is a bare ``(*args, **kwargs)``.

Run after the build (CI does, in .ci/run):

    sphinx-build -W --keep-going -b html docs docs/_build/html
    python docs/check_site.py docs/_build/html

The public names are read from the package, not from a list kept here: every module of
costkeras whose name has no leading underscore, and each name in its ``__all__``. A name is
documented when the site's object inventory (``objects.inv``) holds it, or holds the same
object under another path (``costkeras.losses.ExpectedCostCrossEntropy`` is documented as
``costkeras.keras.losses.ExpectedCostCrossEntropy``), and the page it points to exists. The
examples are read from examples/ and its section folders: a new example needs its page, a
figure and a thumbnail other than sphinx-gallery's placeholder, whether or not anyone
remembered to add it here.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_NAMES = {"__version__"}  # a string, described on the API page's text
PYTHON_ROLES = ("py:class", "py:function", "py:data", "py:attribute", "py:module", "py:method")


def public_modules(package: str = "costkeras") -> list[str]:
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def resolve(dotted: str):
    """The object a dotted name points to, or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


def read_inventory(site: Path) -> dict[str, str]:
    """``{dotted name: page}`` of the Python objects the site documents."""
    from sphinx.util.inventory import InventoryFile

    with open(site / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    if hasattr(inventory, "data"):  # Sphinx >= 8.2: an _Inventory object
        inventory = inventory.data
    documented = {}
    for role in PYTHON_ROLES:
        for name, item in inventory.get(role, {}).items():
            uri = item[2] if isinstance(item, tuple) else item.uri
            documented[name] = uri.split("#", 1)[0]
    return documented


def read_api_page(path: Path = ROOT / "docs" / "api.rst") -> set[str]:
    """The dotted names docs/api.rst documents (its automodule and autosummary entries), read
    from its text: what the site will document, known without building it."""
    names: set[str] = set()
    module = ""
    in_autosummary = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\.\. (current)?module:: (\S+)", line) or re.match(
            r"\.\. automodule:: (\S+)", line
        ):
            module = match.groups()[-1]
            if line.startswith(".. automodule::"):
                names.add(module)
            in_autosummary = False
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and re.match(r"   [A-Za-z_]\w*$", line):
            names.add(f"{module}.{line.strip()}")
        elif line and not line.startswith(" "):
            in_autosummary = False
    return names


def check_names(documented: dict[str, str | None], problems: list[str]) -> int:
    """Every public name is documented, under its own path or as the same object under
    another (``{dotted name: page or None}``); returns how many names were checked."""
    by_object: dict[int, str | None] = {}
    for name, page in documented.items():
        obj = resolve(name)
        if obj is not None and not isinstance(obj, (str, int, float, bool)):
            by_object.setdefault(id(obj), page)
    count = 0
    package = importlib.import_module("costkeras")
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", [])
        # a module whose every name the package itself exports (costkeras.estimator) is where
        # they are written, documented under costkeras.*; any other needs an entry of its own
        home_only = module is not package and all(
            name in package.__all__ and getattr(package, name) is getattr(module, name)
            for name in names
        )
        if not home_only and module_name not in documented:
            problems.append(f"module {module_name}: no reference entry (add it to docs/api.rst)")
        for name in names:
            if name in SKIPPED_NAMES:
                continue
            count += 1
            dotted = f"{module_name}.{name}"
            obj_id = id(getattr(module, name))
            if dotted not in documented and obj_id not in by_object:
                problems.append(f"{dotted}: no reference page (add it to docs/api.rst)")
    return count


def check_reference(site: Path, problems: list[str]) -> int:
    documented = read_inventory(site)
    count = check_names(documented, problems)
    for name, page in documented.items():
        if name.startswith("costkeras") and not (site / page).is_file():
            problems.append(f"{name}: its page {page} is missing")
    return count


def stock_thumbnails() -> set[bytes]:
    """The thumbnails sphinx-gallery makes for an example that draws nothing (its logo) or
    that failed, scaled as it scales every thumbnail."""
    import tempfile

    from sphinx_gallery import glr_path_static
    from sphinx_gallery.utils import scale_image

    stock = set()
    with tempfile.TemporaryDirectory() as folder:
        for name in ("no_image.png", "broken_example.png"):
            out = Path(folder) / name
            scale_image(Path(glr_path_static()) / name, out, 400, 280)
            stock.add(out.read_bytes())
    return stock


def gallery_examples() -> list[Path]:
    """examples/*.py and examples/<section>/*.py, as sphinx-gallery reads them."""
    return sorted(
        p
        for p in (ROOT / "examples").rglob("*.py")
        if not p.name.startswith("_") and len(p.relative_to(ROOT / "examples").parts) <= 2
    )


def check_gallery(site: Path, problems: list[str]) -> int:
    examples = gallery_examples()
    stock = stock_thumbnails()
    for example in examples:
        name = example.relative_to(ROOT / "examples").as_posix()
        page = site / "auto_examples" / Path(name).with_suffix(".html")
        if not page.is_file():
            problems.append(f"examples/{name}: no gallery page {page.relative_to(site)}")
            continue
        html = page.read_text(encoding="utf-8")
        source = example.read_text(encoding="utf-8")
        if "sphx-glr-script-out" not in html and "print(" in source:
            problems.append(f"examples/{name}: its page shows no printed output")
        images = re.findall(rf'src="([^"]*sphx_glr_{re.escape(example.stem)}_\d+\.png)"', html)
        if not images:
            problems.append(f"examples/{name}: no figure on its page (every example draws one)")
        for src in images:
            if not (page.parent / src).resolve().is_file():
                problems.append(f"examples/{name}: figure {src} missing from the site")
        thumbnail = site / "_images" / f"sphx_glr_{example.stem}_thumb.png"
        if not thumbnail.is_file():
            problems.append(f"examples/{name}: no thumbnail {thumbnail.relative_to(site)}")
        elif thumbnail.read_bytes() in stock:
            problems.append(f"examples/{name}: its thumbnail is sphinx-gallery's placeholder")
    if not (site / "auto_examples" / "index.html").is_file():
        problems.append("the gallery's index page is missing")
    return len(examples)


def check_guide(site: Path, problems: list[str]) -> int:
    pages = sorted((ROOT / "docs" / "guide").glob("*.md"))
    for source in pages:
        if not (site / "guide" / f"{source.stem}.html").is_file():
            problems.append(f"docs/guide/{source.name}: no page in the site")
    return len(pages)


# the pages every library site has, besides the guide, the reference and the gallery
PAGES = (
    "index", "getting_started", "glossary", "related_projects", "release_notes", "citing",
    "benchmark_results",
)  # fmt: skip
# numpydoc's type links to the Python and NumPy sites (``python:None``, ``numpy:array_like``)
# left unresolved render as literal text: there is no intersphinx offline
LITERAL_TARGET = re.compile(r'<span class="pre">(?:python|numpy):')


def check_pages(site: Path, problems: list[str]) -> int:
    """The site's own pages exist, and no page shows an unresolved type target as text or a
    path of the machine that built it."""
    for name in PAGES:
        if not (site / f"{name}.html").is_file():
            problems.append(f"docs/{name}.md: no page {name}.html in the site")
    machine_paths = {str(ROOT), str(Path.home())} - {"/"}
    pages = [p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_")]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(site).as_posix()
        if found := LITERAL_TARGET.findall(html):
            problems.append(f"{where}: {len(found)} type names shown as 'python:...' text")
        for path in machine_paths:
            if path in html:
                problems.append(f"{where}: shows the build machine's path {path}")
        if 'class="toc-backref"' in html:
            problems.append(f"{where}: its headings are links back to its contents")
        if where.startswith("generated/") and _GENERIC_SIGNATURE.search(
            re.sub(r"<[^>]+>", "", _signature(html, page.stem))
        ):
            problems.append(f"{where}: its signature is (*args, **kwargs), not its parameters")
    return len(pages)


_GENERIC_SIGNATURE = re.compile(r"\(\*args, \*\*kwargs\)")


def _signature(html: str, name: str) -> str:
    """The HTML of the signature line of the object a reference page is about."""
    match = re.search(
        rf'<dt class="sig sig-object py" id="{re.escape(name)}">(.*?)</dt>', html, re.S
    )
    return match[1] if match else ""


def main(site: Path) -> int:
    if not (site / "objects.inv").is_file():
        print(f"{site}: no built site (objects.inv missing); run sphinx-build first")
        return 2
    problems: list[str] = []
    names = check_reference(site, problems)
    examples = check_gallery(site, problems)
    guide = check_guide(site, problems)
    check_pages(site, problems)
    pages = sum(1 for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))
    figures = sum(1 for p in (site / "_images").glob("sphx_glr_*.png") if "_thumb" not in p.name)
    print(
        f"{site}: {pages} HTML pages; {names} public names, {examples} gallery examples "
        f"({figures} figures), {guide} guide pages checked"
    )
    for problem in problems:
        print(f"  PROBLEM {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "_build" / "html")))
