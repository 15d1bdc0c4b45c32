"""The site's own Sphinx extension and the helpers of its gallery configuration.

The helpers live here, importable by name, because sphinx-gallery resolves a dotted string and
Sphinx caches a configuration only if it pickles (functions defined in conf.py do not).
"""

from __future__ import annotations

import inspect
import itertools
import re
from pathlib import Path

from docstring_sections import parameter_sections, section
from sphinx.util import logging
from sphinx_gallery.sorting import FileNameSortKey

# Where the examples that save a figure write it when the gallery runs them: CI runs every
# example as ``python examples/X.py OUT.png``; the gallery does the same, into the build folder.
ARGV_DIR = Path(__file__).resolve().parents[1] / "_build" / "gallery-argv"


class QuickstartFirst(FileNameSortKey):
    """The quickstart first, then the examples by file name: a new file in examples/ joins
    the gallery with no change here."""

    def __call__(self, filename: str) -> str:
        return ("0" if Path(filename).stem == "quickstart" else "1") + str(filename)


def reset_argv(gallery_conf: dict, script_vars: dict) -> list[str]:
    """The argument list after the script's name: an output path, as CI gives one."""
    ARGV_DIR.mkdir(parents=True, exist_ok=True)
    return [str(ARGV_DIR / (Path(script_vars["src_file"]).stem + ".png"))]


_LABEL = re.compile(r"^\.\. _sphx_glr_.*\.py:\s*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")


def title_untitled_example(app, docname: str, source: list[str]) -> None:
    """Give an example page the title sphinx-gallery reads from its docstring.

    sphinx-gallery takes the first line of an example's docstring as its title, but renders
    the docstring as written: a script whose docstring opens with a plain sentence (as
    examples/ are written, to read well in a terminal) would make a page without a title,
    which Sphinx warns about. Underline that first line, in the generated page only.
    """
    if not docname.startswith("auto_examples/") or docname.endswith("/index"):
        return
    lines = source[0].split("\n")
    label = next((i for i, line in enumerate(lines) if _LABEL.match(line)), None)
    if label is None:
        return
    first = next((j for j in range(label + 1, len(lines)) if lines[j].strip()), None)
    if first is None or _UNDERLINE.match(lines[first]):
        return  # no docstring, or it opens with an overlined title
    if first + 1 < len(lines) and _UNDERLINE.match(lines[first + 1]):
        return  # already a title
    title = lines[first].strip().rstrip(".")
    lines[first : first + 1] = [title, "=" * len(title), ""]
    source[0] = "\n".join(lines)


# :ref:`...`, :term:`...` and :doc:`...` point into scikit-learn's own site, where its
# docstrings come from; without intersphinx they cannot resolve here
_FOREIGN_ROLE = re.compile(r":(?:ref|term|doc):`(?P<title>[^`<]*?)\s*(?:<(?P<target>[^`>]*)>)?`")


def plain_foreign_roles(app, what, name, obj, options, lines: list[str]) -> None:
    """Render the cross-references of docstrings inherited from other libraries (scikit-learn's
    ``set_fit_request``, ``score``) as plain text; costkeras's own keep theirs, checked."""
    module = getattr(obj, "__module__", None) or ""
    if module == "costkeras" or module.startswith("costkeras."):
        return
    lines[:] = [
        _FOREIGN_ROLE.sub(lambda m: m["title"] if m["target"] else f"*{m['title']}*", line)
        for line in lines
    ]


# spans of a reST line whose text is not parsed for references: literals, roles, interpreted
# text and hyperlink references, strong emphasis
_SPANS = re.compile(r"(``.+?``|:[\w:+-]+:`[^`]*`|`[^`]*`_{0,2}|\*\*.+?\*\*)")
# an identifier ending in "_" (``n_features_in_``, ``classes_``) outside those spans: reST
# would read it as a reference to a target of that name
_TRAILING_UNDERSCORE = re.compile(r"\b([A-Za-z]\w*?[A-Za-z0-9])_(?=[\s,.;:)\]]|$)")


def escape_attribute_names(app, what, name, obj, options, lines: list[str]) -> None:
    """Let costkeras's docstrings name fitted attributes in plain text, as scikit-learn's do
    (``shape (n, n_features_in_)``): escape the trailing underscore reST would take for a
    reference."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith(".. "):
            continue
        parts = _SPANS.split(line)
        for j in range(0, len(parts), 2):  # the text between spans
            parts[j] = _TRAILING_UNDERSCORE.sub(r"\1\\_", parts[j])
        lines[i] = "".join(parts)


# numpydoc's sections; it drops any other, with a Python warning a build does not fail on
_NUMPYDOC_SECTIONS = {
    "parameters", "returns", "yields", "receives", "raises", "warns", "other parameters",
    "attributes", "methods", "see also", "notes", "warnings", "references", "examples",
}  # fmt: skip
_logger = logging.getLogger(__name__)


def warn_unknown_sections(app, what, name, obj, options, lines: list[str]) -> None:
    """A section numpydoc does not know (Keras's "Call arguments") vanishes from the page:
    make it a warning of the build, which -W turns into an error."""
    module = getattr(obj, "__module__", None) or ""
    if not (module == "costkeras" or module.startswith("costkeras.")):
        return
    for title, underline in itertools.pairwise(lines):
        heading = title.strip()
        if (
            heading
            and re.fullmatch(r"-{3,}", underline.strip())
            and len(underline.strip()) == len(heading)
            and heading.lower() not in _NUMPYDOC_SECTIONS
        ):
            _logger.warning(
                f"docstring of {name}: section {heading!r} is not a numpydoc section and "
                "would vanish from the page; use Parameters, Notes, ... or the method's own "
                "docstring"
            )


def init_signature(app, what, name, obj, options, signature, return_annotation):
    """The signature of ``__init__`` for costkeras's Keras classes, not ``(*args, **kwargs)``.

    Keras's ``Operation`` defines ``__new__(cls, *args, **kwargs)``, which autodoc prefers to
    ``__init__``: every layer, loss and metric would show ``BayesDecision(*args, **kwargs)``.
    """
    module = getattr(obj, "__module__", None) or ""
    if what != "class" or not module.startswith("costkeras.") or signature != "(*args, **kwargs)":
        return None
    init = inspect.signature(obj.__init__)
    if str(init) == "(self, *args, **kwargs)":
        # a functional keras.Model subclass: the parameters its docstring documents
        names = re.findall(r"^    (\*{0,2}\w+)(?: :|$)", section(obj.__doc__, "Parameters"), re.M)
        return f"({', '.join(names)})", None
    # without self, and without annotations, as autodoc_typehints = "none" shows the others
    parameters = [
        p.replace(annotation=inspect.Parameter.empty) for p in list(init.parameters.values())[1:]
    ]
    return str(init.replace(parameters=parameters, return_annotation=inspect.Signature.empty)), None


def setup(app):
    # before numpydoc's handler (priority 500), on the docstring as written
    app.connect("autodoc-process-docstring", warn_unknown_sections, priority=400)
    app.connect("autodoc-process-docstring", parameter_sections, priority=450)
    app.connect("source-read", title_untitled_example)
    app.connect("autodoc-process-signature", init_signature)
    app.connect("autodoc-process-docstring", plain_foreign_roles)
    # after numpydoc's handler (priority 500), on the reST it makes
    app.connect("autodoc-process-docstring", escape_attribute_names, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
