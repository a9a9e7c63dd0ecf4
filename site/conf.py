"""Sphinx configuration of the tutorial's website (scripts/build_site.py lays out the rest)."""

from pathlib import Path

project = "k49tut"
author = "k49tut contributors"
copyright = "k49tut contributors; Kuzushiji-49 by CODH (CC BY-SA 4.0)"

extensions = ["myst_nb"]
nb_execution_mode = "off"  # the notebooks come executed from a `k49tut run` output folder
myst_heading_anchors = 3
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "sphinx_book_theme"
html_title = "k49tut: CNNs on Kuzushiji-49"
html_static_path = ["_static"]
html_css_files = ["k49tut.css"]
html_theme_options = {
    "announcement": (Path(__file__).parent / "announcement.txt").read_text(encoding="utf-8"),
    "repository_url": "https://github.com/k49tut/k49tut",
    "use_repository_button": True,
    "show_toc_level": 2,
}
# A static page cannot run the upload button of Part 4: no widget JavaScript from a CDN
nb_ipywidgets_js = {}
html_context = {"default_mode": "light"}  # no "invalid theme mode" error on a first visit
html_favicon = "_static/favicon.png"  # drawn by scripts/build_site.py from the bundled font
