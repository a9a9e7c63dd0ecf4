"""Japanese text in every matplotlib figure, with one call.

>>> from k49tut import fonts
>>> prop = fonts.setup()
>>> prop.get_name()
'K49tut Sans JP'

After :func:`setup`, titles, tick labels, annotations, legends, pandas plots and
scikit-learn displays render hiragana with no ``fontproperties=`` argument. Latin text
keeps matplotlib's usual font; only characters that font lacks fall through to the
bundled "K49tut Sans JP" (a subset of BIZ UDGothic, SIL Open Font License).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

FAMILY = "K49tut Sans JP"
FONT_FILE = "K49tutSansJP-Regular.ttf"


def font_path() -> Path:
    """Path of the bundled font file (inside the installed package)."""
    return Path(str(resources.files("k49tut") / "resources" / FONT_FILE)).resolve()


def setup() -> font_manager.FontProperties:
    """Register the bundled font and make matplotlib fall back to it; idempotent.

    Returns a :class:`~matplotlib.font_manager.FontProperties` for explicit use
    (``ax.set_title("ふ", fontproperties=prop)``), which is never required.
    """
    path = font_path()
    if not any(Path(f.fname).resolve() == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    # matplotlib falls back glyph by glyph along the font.family list: the usual font
    # first (Latin keeps its look), the bundled one last (it supplies the kana).
    families = [f for f in mpl.rcParams["font.family"] if f != FAMILY]
    mpl.rcParams["font.family"] = families + [FAMILY]
    return font_manager.FontProperties(fname=str(path))
