"""Hiragana render as real glyphs after fonts.setup(), with no fontproperties= needed."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from sklearn.metrics import ConfusionMatrixDisplay

from k49tut import fonts
from k49tut.classes import CHARS

MISSING = "\ue000"  # a private-use code point no font here has: drawn as the missing-glyph box


@pytest.fixture(autouse=True)
def _setup_and_close():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" would fail the test
        fonts.setup()
        yield
    plt.close("all")


def _pixels(text: str) -> np.ndarray:
    fig = plt.figure(figsize=(0.6, 0.6), dpi=100)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=30)
    fig.canvas.draw()
    out = np.asarray(fig.canvas.buffer_rgba())[..., 0].copy()
    plt.close(fig)
    return out


def test_setup_returns_the_bundled_font_and_is_idempotent():
    prop = fonts.setup()
    n_fonts = len(font_manager.fontManager.ttflist)
    family = list(mpl.rcParams["font.family"])
    prop2 = fonts.setup()
    assert prop.get_name() == prop2.get_name() == fonts.FAMILY
    assert len(font_manager.fontManager.ttflist) == n_fonts
    assert mpl.rcParams["font.family"] == family
    assert family[-1] == fonts.FAMILY and family.count(fonts.FAMILY) == 1
    assert fonts.font_path().is_file() and fonts.font_path().suffix == ".ttf"


def test_latin_text_keeps_its_usual_font():
    latin = font_manager.FontProperties(family=mpl.rcParams["font.family"])
    found = font_manager.fontManager._find_fonts_by_props(latin)
    assert "DejaVuSans" in str(found[0])
    assert str(found[-1]).endswith(fonts.FONT_FILE)


def test_every_class_character_renders_as_a_distinct_real_glyph():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference box itself warns
        box = _pixels(MISSING)
    blank = _pixels(" ")
    images = {c: _pixels(c) for c in CHARS}
    for char, img in images.items():
        assert not np.array_equal(img, blank), f"{char} drew nothing"
        assert not np.array_equal(img, box), f"{char} drew the missing-glyph box"
    assert len({img.tobytes() for img in images.values()}) == len(CHARS)


def test_confusion_matrix_display_labels_are_hiragana():
    rng = np.random.default_rng(0)
    y = np.arange(49).repeat(3)
    pred = np.where(rng.random(len(y)) < 0.8, y, rng.integers(0, 49, len(y)))
    fig, ax = plt.subplots(figsize=(12, 12))
    disp = ConfusionMatrixDisplay.from_predictions(
        y, pred, display_labels=list(CHARS), ax=ax, colorbar=False, include_values=False
    )
    fig.canvas.draw()
    labels = disp.ax_.get_xticklabels()
    assert [t.get_text() for t in labels] == list(CHARS)
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == list(CHARS)
    canvas = np.asarray(fig.canvas.buffer_rgba())[..., 0]
    height = canvas.shape[0]
    crops = []
    for label in labels:
        box = label.get_window_extent()
        crop = canvas[
            int(height - box.y1) : int(height - box.y0) + 1, int(box.x0) : int(box.x1) + 1
        ]
        assert crop.size and crop.min() < 128, f"tick label {label.get_text()} is empty"
        crops.append(crop.tobytes())
    assert len(set(crops)) == len(CHARS)  # 49 boxes would all look the same
