"""Characters drawn from fonts: the printed glyph shown beside K49's images.

:func:`draw` renders a character large, :func:`fit` crops it to its ink and scales it into
the 28-pixel frame, white on black like Kuzushiji-49. The stand-in's generator
(``scripts/standin.py``) distorts what :func:`draw` gives before it fits it.

>>> img = printed("ふ")
>>> img.shape, img.dtype, int(img.max()) > 128
((28, 28), dtype('uint8'), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CANVAS = 96  # drawing size, before any distortion and the fit to 28x28
FONT_SIZE = 64


@dataclass(frozen=True)
class FontSpec:
    """A font file to draw from: a short name, its path (and face index), its style."""

    name: str
    path: str
    style: str  # "brush", "handwriting", "mincho" or "gothic"
    index: int = 0  # face inside a .ttc collection
    package: str = ""  # the Debian package that installs it


@lru_cache(maxsize=64)
def _font(path: str, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, FONT_SIZE, index=index)


def draw(char: str, font: FontSpec, stroke: int) -> np.ndarray:
    """``char`` centred on a CANVAS x CANVAS float image in [0, 1], strokes widened by
    ``stroke`` pixels."""
    image = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(image).text(
        (CANVAS / 2, CANVAS / 2),
        char,
        fill=255,
        font=_font(font.path, font.index),
        anchor="mm",
        stroke_width=stroke,
        stroke_fill=255,
    )
    return np.asarray(image, dtype=np.float32) / 255.0


def fit(img: np.ndarray, size: int = 28) -> np.ndarray:
    """Crop to the ink and scale so the long side spans ``size`` pixels, centred."""
    ys, xs = np.nonzero(img > 0.05)
    if len(ys) == 0:
        return np.zeros((size, size), np.float32)
    crop = img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = crop.shape
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray((crop * 255).astype(np.uint8)).resize((nw, nh), Image.LANCZOS)
    out = np.zeros((size, size), np.float32)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = np.asarray(small, np.float32) / 255.0
    return out


def printed(char: str, font: FontSpec | None = None) -> np.ndarray:
    """``char`` as printed by a font (default: the bundled one), fitted to 28x28, uint8.

    >>> printed("あ").shape
    (28, 28)
    """
    if font is None:
        from k49tut.fonts import font_path

        font = FontSpec("bundled", str(font_path()), "gothic")
    return np.round(fit(draw(char, font, 1)) * 255).astype(np.uint8)
