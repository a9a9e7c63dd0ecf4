"""Part 4's figures draw the numbers they are given, with readable labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib import patheffects
from matplotlib.text import Text

from k49tut import plots
from k49tut.classes import CHARS

pytestmark = pytest.mark.usefixtures("figures")


def test_reliability_diagrams_show_each_bin_and_how_many_images_it_holds():
    table = pd.DataFrame(
        {"confidence": [0.35, 0.72, 0.98], "accuracy": [0.2, 0.8, 0.99], "count": [3, 40, 900]},
        index=pd.Index([5, 10, 14], name="bin"),
    )
    fig = plots.inside.reliability({"validation": (table, 0.02), "test": (table, 0.05)}, "here")
    curve, bars = fig.axes[0], fig.axes[1]
    assert list(curve.get_lines()[1].get_xdata()) == [0.35, 0.72, 0.98]
    assert list(curve.get_lines()[1].get_ydata()) == [0.2, 0.8, 0.99]
    assert curve.get_xlim() == (0, 1) and curve.get_ylim() == (0, 1)  # no score past 1
    assert [p.get_height() for p in bars.patches] == [3, 40, 900]
    centres = [p.get_x() + p.get_width() / 2 for p in bars.patches]
    assert np.allclose(centres, [(5.5) / 15, 10.5 / 15, 14.5 / 15])  # each bar on its bin
    assert bars.get_yscale() == "log" and bars.get_ylabel() == "images"
    assert [ax.get_title() for ax in fig.axes[::2]] == ["validation: ECE 0.020", "test: ECE 0.050"]
    assert [list(line.get_ydata()) for line in bars.get_lines()] == [[20, 20]]  # the cut-off
    assert bars.get_ylim()[0] < 1  # a bin of one image still shows a bar
    hollow = curve.get_lines()[2]  # the bin of 3 images: too few to read
    assert list(hollow.get_xdata()) == [0.35] and hollow.get_markerfacecolor() == "white"
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert key == [
        "perfectly calibrated",
        "this model, one dot per bin",
        "a bin of fewer than 20 images (bars below the dotted line): too few to read",
    ]
    # a dot at accuracy 1 is drawn over the frame, whole; every power of 10 has its tick
    assert all(
        line.get_zorder() > curve.spines["top"].get_zorder() for line in curve.get_lines()[1:]
    )
    # (read from the locator, not drawn: drawing the labels' mathtext makes matplotlib 3.8,
    # the minimum version, warn through a newer pyparsing)
    low, high = bars.get_ylim()
    ticks = bars.yaxis.get_major_locator()()
    assert [v for v in ticks if low <= v <= high] == [1, 10, 100, 1000]
    full = table.assign(count=[30, 40, 900])  # no bin too small: no hollow dot, no key for it
    fig = plots.inside.reliability({"validation": (full, 0.02)})
    assert len(fig.axes[0].get_lines()) == 2 and len(fig.legends[0].get_texts()) == 2


def test_maps_write_each_character_once_in_its_colour_without_overlap():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(49), 12)
    centres = rng.uniform(0, 10, (49, 2))
    raw = centres[labels] + rng.normal(0, 0.8, (len(labels), 2))
    learned = centres[labels] * 3 + rng.normal(0, 0.3, (len(labels), 2))
    fig = plots.inside.maps({"raw pixels": raw, "penultimate layer": learned}, labels, CHARS)
    fig.canvas.draw()
    colours = plots.data.class_colours(49)
    for ax in fig.axes:
        assert sorted(t.get_text() for t in ax.texts) == sorted(CHARS)
        for text in ax.texts:  # a dark shade of the character's colour, outlined in white
            colour = colours[CHARS.index(text.get_text())]
            assert np.allclose(text.get_color()[:3], plots.data.darker(colour))
            assert isinstance(text.get_path_effects()[0], patheffects.withStroke)
        boxes = [Text.get_window_extent(t) for t in ax.texts]
        assert not [1 for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    assert "t-SNE maps of the same 588 test images" in fig.get_suptitle()
    assert "read the labels" in fig.get_suptitle()
