"""The docstring sections the reference fills in, with no Sphinx import.

``costkeras_sphinx`` connects :func:`parameter_sections` to autodoc; the test suite
(tests/test_docs.py) runs it on every public docstring without the docs extras installed.
"""

from __future__ import annotations

import importlib
import re


def section(docstring: str | None, title: str) -> str:
    """The text of a numpydoc section of ``docstring``, "" if it has none."""
    pattern = rf"^    {title}\n    -+\n(.*?)(?=^    \S[^\n]*\n    -{{3,}}$|\Z)"
    match = re.search(pattern, docstring or "", re.M | re.S)
    return match[1] if match else ""


# The arguments every Keras loss and metric takes, described once: their docstrings list them
# with their defaults, as Keras's own do, and would otherwise show them undescribed.
KERAS_ARGUMENTS = {
    "name": "The name Keras logs it under (``val_`` + name for the validation data).",
    "reduction": (
        "How Keras reduces the per-example values of a batch, as its own losses take it: "
        '``"sum_over_batch_size"`` (the mean), ``"sum"``, ``"mean"`` or None.'
    ),
    "dtype": "The dtype it computes in; None: Keras's ``keras.config.floatx()``.",
}
_ENTRY = re.compile(r"^(?P<names>\*{0,2}\w+(?:, \*{0,2}\w+)*) : ")
_SAME_AS = re.compile(r"Parameters are those of :func:`~?(?P<target>[\w.]+)`")


def parameter_sections(app, what, name, obj, options, lines: list[str]) -> None:
    """Each parameter of costkeras's docstrings described on its page.

    A Keras argument listed without a description (``name``, ``reduction``, ``dtype``) gets
    Keras's meaning; a docstring that says "Parameters are those of :func:`total_cost`" gets
    that function's Parameters section, so that its page lists them.
    """
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("costkeras"):
        return
    for i in range(len(lines) - 1, -1, -1):
        entry = _ENTRY.match(lines[i])
        described = i + 1 < len(lines) and lines[i + 1].startswith(" ") and lines[i + 1].strip()
        if entry and not described and entry["names"] in KERAS_ARGUMENTS:
            lines.insert(i + 1, "    " + KERAS_ARGUMENTS[entry["names"]])
    same = next((m for line in lines if (m := _SAME_AS.search(line))), None)
    if same is None or any(line.strip() == "Parameters" for line in lines):
        return
    target = same["target"]
    home = importlib.import_module(module) if "." not in target else None
    source = getattr(home, target, None) if home else None
    if source is None:
        path, _, attribute = target.rpartition(".")
        source = getattr(importlib.import_module(path), attribute)
    parameters = section(source.__doc__, "Parameters")
    body = [line[4:] if line.startswith("    ") else line for line in parameters.splitlines()]
    at = next((i for i, line in enumerate(lines) if line.strip() == "Returns"), len(lines))
    lines[at:at] = ["Parameters", "----------", *body, ""]
