"""Small helpers for the notebooks' setup sections.

>>> from k49tut.notebook import in_colab
>>> in_colab()
False
"""

from __future__ import annotations

import sys

#: Where the notebooks and the Colab installer fetch k49tut from.
REPOSITORY = "https://github.com/k49tut/k49tut"


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def banner_html(dataset: str) -> str:
    """An HTML notice saying which data the notebook runs on (loud when it is synthetic).

    >>> "not Kuzushiji-49" in banner_html("sample")
    True
    """
    if dataset == "k49":
        return ("<div style='padding:.6em;border-left:6px solid #2a7;background:#eefaf3'>"
                "<b>Data: Kuzushiji-49</b> (real data, downloaded from CODH).</div>")
    return ("<div style='padding:.6em;border-left:6px solid #d33;background:#fdeeee'>"
            f"<b>Data: the synthetic stand-in ({dataset!r}), not Kuzushiji-49.</b> It is drawn "
            "from fonts so that this notebook runs offline. Every number and figure below "
            "describes the stand-in, <b>not</b> K49; run with <code>dataset = \"k49\"</code> "
            "for the real thing.</div>")


def show_banner(dataset: str) -> None:
    """Display :func:`banner_html` in the notebook (prints plain text elsewhere)."""
    try:
        from IPython.display import HTML, display

        display(HTML(banner_html(dataset)))
    except ImportError:  # pragma: no cover - IPython ships with the notebook tools
        print(banner_html(dataset))
