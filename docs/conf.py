"""Sphinx configuration: ``pip install ".[docs]"``, then, from the repository's root,
``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

The build imports the installed convpool (never ``src/``), runs the gallery examples,
the notebook and the ``plot`` directives, and draws the performance page from the
committed ``bench/results/*.json`` (it never runs a benchmark).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import convpool

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "convpool"
copyright = "the convpool developers"
author = "the convpool developers"
release = convpool.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "matplotlib.sphinxext.plot_directive",
    "convpool_docs",
]

exclude_patterns = [
    "_build", "_generated", "**.ipynb_checkpoints", "examples",
    "auto_examples/**.ipynb", "auto_examples/**.py", "sg_execution_times.rst",
]
templates_path = []
html_static_path = []
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

html_theme = "pydata_sphinx_theme"
html_title = f"convpool {release}"
html_theme_options = {
    "github_url": "https://github.com/convpool/convpool",
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# No network at build time: intersphinx has no inventories to fetch, so it stays off.
intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "show_memory": False,
}

# The notebook runs at build time, so the page shows its pictures (outputs are not stored).
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
myst_enable_extensions = ["colon_fence"]

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.autolayout": True}
