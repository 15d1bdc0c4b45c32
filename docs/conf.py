"""Sphinx configuration of costkeras's documentation site.

Build (offline, warnings as errors), from the repository root:

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html
    python docs/check_site.py docs/_build/html

The user guide is MyST Markdown (docs/guide/*.md; tests/test_readme.py runs its code
blocks), the API reference numpydoc docstrings through autosummary (docs/api.rst), the
gallery every script of examples/, run once per build by sphinx-gallery.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# before anything imports TensorFlow (the gallery's examples do)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

from numpydoc.xref import DEFAULT_LINKS  # noqa: E402

import costkeras  # noqa: E402

project = "costkeras"
author = "costkeras developers"
copyright = "2026, costkeras developers"
version = release = costkeras.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinx_design",
    "costkeras_sphinx",  # docs/sphinxext: titles for examples whose docstring has none
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "sphinxext",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
    "**/*.codeobj.json",
]
# No intersphinx: the build never touches the network. References to scikit-learn, Keras or
# NumPy in docstrings render as code, unlinked; a reference to costkeras's own names that does
# not resolve is a warning, so an error.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"(?!costkeras\b).*")]

# --- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc's "Parameters" sections say the types
# numpydoc lists members itself only when told; the class template lists them instead
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# the types of "Parameters" and "Attributes" are read as text, not as reST (a shape such as
# ``(n_features_in_,)`` would otherwise be a reference), and link nowhere (no intersphinx)
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
# numpydoc links the words of its DEFAULT_LINKS (None, int, str, callable, array-like, ...)
# to the Python and NumPy sites as ``python:None``, which only intersphinx resolves: offline,
# the page would show that target as literal text. Render each as its plain name
# (docs/check_site.py fails on a literal "python:" left on a page).
numpydoc_xref_aliases = {word: word for word in DEFAULT_LINKS}
numpydoc_attributes_as_param_list = True

# --- MyST (the user guide) ----------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# the page's contents (right-hand column) name a method ``fit``, not
# ``CostSensitiveKerasClassifier.fit`` cut to "CostSensitiveKerasClassifier.…"
toc_object_entries_show_parents = "hide"

# --- gallery ------------------------------------------------------------------------------
GALLERY_SECTIONS = ("pipelines", "keras", "serving", "actions", "benchmarks")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # every script of examples/ runs, whatever its name: a new example joins the gallery
    # without a change here
    "filename_pattern": r"/",
    "ignore_pattern": r"(__init__|/_[^/]*)\.py$",
    # the sections, one folder of examples/ each, in the order of the user guide
    "subsection_order": [f"../examples/{section}" for section in GALLERY_SECTIONS],
    "within_subsection_order": "costkeras_sphinx.QuickstartFirst",
    # the argument CI gives every example: a path for the figure it saves
    "reset_argv": "costkeras_sphinx.reset_argv",
    "image_scrapers": ("matplotlib",),
    "doc_module": ("costkeras",),
    "backreferences_dir": "generated/backreferences",
    # examples import the Keras pieces from costkeras.keras; their pages are under the
    # submodules (costkeras.keras.layers.BayesDecision), which "Examples using" must name
    "prefer_full_module": {r"costkeras\.keras"},
    "min_reported_time": 0,
    "remove_config_comments": True,
    "show_memory": False,
    "download_all_examples": False,
}

# --- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"costkeras {version}"
html_static_path = ["_static"]
html_css_files = ["costkeras.css"]  # gallery cards that do not spill, tables that scroll
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
