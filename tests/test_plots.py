"""Figures of Part 1: check what they show, not only that they draw."""

from __future__ import annotations

import colorsys

import numpy as np
import pandas as pd
import pytest
from conftest import labelled_dataset
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.text import Text

from k49tut import explore, plots
from k49tut.classes import CHARS
from k49tut.plots.data import spread
from k49tut.synth import printed

pytestmark = pytest.mark.usefixtures("figures")


@pytest.fixture
def ds():
    return labelled_dataset(per_class_train=6, per_class_test=4)


def _texts(labels):
    return [t.get_text() for t in labels]


def _counts(ds):
    return pd.DataFrame(
        {
            "char": ds.chars,
            "train": np.bincount(ds.y_train, minlength=49),
            "test": np.bincount(ds.y_test, minlength=49),
        }
    )


def test_class_distribution_bars_are_the_counts(ds):
    ds.y_train[:5] = 3  # あ keeps 1 image, え gets 11
    ds.y_train[-6:-3] = 47  # ゝ keeps 3, ん gets 9
    counts = _counts(ds)
    fig = plots.class_distribution(counts, source=ds.description)
    top, bottom = fig.axes
    assert [p.get_height() for p in top.patches] == counts["train"].tolist()
    assert [p.get_height() for p in bottom.patches] == [4] * 49
    assert _texts(bottom.get_xticklabels()) == list(CHARS)
    red = [i for i, p in enumerate(top.patches) if p.get_facecolor() == to_rgba("tab:red")]
    assert red == [0, 1, 48]  # 1 and 3 images, then the first of the 6s
    assert top.get_title(loc="left") == "train: 294 images, largest/smallest class = 11.0"
    assert bottom.get_title(loc="left") == "test: 196 images, largest/smallest class = 1.0"
    assert fig.get_suptitle().endswith("\n" + ds.description)
    assert "not Kuzushiji-49" in fig.get_suptitle()


def test_class_distribution_says_one_image(ds):
    counts = pd.DataFrame({"char": ["あ"], "train": [1], "test": [1]})
    fig = plots.class_distribution(counts, source="Kuzushiji-49")
    assert fig.axes[0].get_title(loc="left") == "train: 1 image, largest/smallest class = 1.0"
    assert fig.get_suptitle().endswith("\nKuzushiji-49")


def test_real_data_titles_say_kuzushiji_49():
    fig = plots.mean_images(labelled_dataset(synthetic=False))
    assert fig.get_suptitle().endswith("\nKuzushiji-49")
    assert "stand-in" not in fig.get_suptitle()


def test_examples_grid_shows_each_class_in_its_cell(ds):
    fig = plots.examples_grid(ds, per_class=3, seed=0)
    cells = [ax for ax in fig.axes if ax.get_images()]
    assert len(cells) == 49
    for label, ax in enumerate(cells):
        assert ax.get_title().split()[0] == CHARS[label]
        img = ax.get_images()[0].get_array()
        tiles = [img[:, i * 29 : i * 29 + 28, 0] for i in range(3)]
        for tile in tiles:  # every tile is an image of this class
            assert np.allclose(tile, (5 * label + 5) / 255)


def test_examples_grid_with_printed_glyph_first(ds):
    fig = plots.examples_grid(ds, per_class=2, with_printed=True)
    ax = [a for a in fig.axes if a.get_images()][27]
    img = ax.get_images()[0].get_array()
    np.testing.assert_allclose(img[:, :28], printed("ふ")[..., None] / 255 * plots.ACCENT)
    assert "Printed" in fig.get_suptitle()


def test_mean_images_show_the_class_means(ds):
    fig = plots.mean_images(ds)
    shown = [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]
    np.testing.assert_allclose(np.array(shown), explore.mean_images(ds.x_train, ds.y_train))
    assert _texts([ax.title for ax in fig.axes if ax.get_images()]) == list(CHARS)
    bar = fig.axes[-1]  # the colour bar says what bright means
    assert bar.get_ylim() == (0, 255) and "mean pixel value" in bar.get_ylabel()
    assert "255: full ink in every image" in bar.get_ylabel()


def test_pixel_histogram_shows_the_zero_share_and_the_ink(ds):
    ds.x_train[:, :14] = 0  # the top half of every training image blank
    ds.x_test[:, :7] = 0  # a quarter of every test image
    fig = plots.pixel_histogram(ds)
    zero, ink = fig.axes
    assert [p.get_height() for p in zero.patches] == [0.5, 0.25]
    assert _texts(zero.texts) == ["50.0%", "25.0%"]
    train_line, test_line = ink.get_lines()
    assert train_line.get_xdata().tolist() == list(range(1, 256))
    expected = np.bincount(ds.x_train[:, 14:].ravel(), minlength=256)[1:] / ds.x_train.size
    np.testing.assert_allclose(train_line.get_ydata(), expected)
    assert test_line.get_ydata().sum() == pytest.approx(0.75)


def test_ink_by_class_medians(ds):
    ds.x_train[ds.y_train == 5, :14] = 0  # half of each か image blank: ink 0.5
    fig = plots.ink_by_class(ds, explore.ink_fraction(ds.x_train))
    medians = [line.get_ydata()[0] for line in fig.axes[0].get_lines()[5::6]]
    assert len(medians) == 49
    assert medians[5] == pytest.approx(0.5) and medians[0] == pytest.approx(1.0)
    assert _texts(fig.axes[0].get_xticklabels()) == list(CHARS)
    assert fig.axes[0].get_xlabel() == "character"
    key = fig.axes[0].get_title(loc="left")  # what the box, line and whiskers mean
    assert "middle half" in key and "median" in key and "1.5 box heights" in key


def test_ink_by_class_uses_given_ink(ds):
    ink = np.linspace(0, 1, len(ds.y_train))
    ink[np.flatnonzero(ds.y_train == 0)[0]] = 5.0  # an outlier: beyond the whisker
    fig = plots.ink_by_class(ds, ink)
    lines = fig.axes[0].get_lines()
    medians = [line.get_ydata()[0] for line in lines[5::6]]
    np.testing.assert_allclose(medians, [np.median(ink[ds.y_train == c]) for c in range(49)])
    a = ink[ds.y_train == 0]
    q1, q3 = np.percentile(a, [25, 75])
    assert lines[2].get_ydata()[1] == a[a <= q3 + 1.5 * (q3 - q1)].max() < 5  # upper whisker


def test_nearest_pairs_titles_follow_the_distances(ds):
    fig = plots.nearest_pairs(ds, k=3)
    pairs = explore.nearest_classes(explore.mean_images(ds.x_train, ds.y_train), ds.chars, 3)
    titles = [ax.get_title().split("\n")[0] for ax in fig.axes if ax.get_images()]
    assert titles == [f"{a} / {b}" for a, b in zip(pairs.a, pairs.b)]
    assert fig.axes[-1].get_ylabel() == "mean pixel value"  # the colour bar
    assert fig.axes[0].get_images()[0].get_array().mask[:, 28:30].all()  # NaN: a white gap


def test_spread_keeps_free_points_and_separates_crowded_ones():
    points = np.array([[0.5, 0.5]] * 5 + [[0.0, 1.0]])
    at = spread(points, size=0.1)
    assert at[0].tolist() == [0.5, 0.5]
    assert at[5] == pytest.approx([0.05, 0.95])  # pulled inside the frame
    gaps = np.abs(at[:, None] - at[None]).max(axis=2) + np.eye(6)
    assert gaps.min() >= 0.1 - 1e-9  # no two squares overlap
    assert np.abs(at[:5] - 0.5).max() <= 0.1 + 1e-9  # each moved at most one ring


def test_embedding_writes_every_present_character_in_its_colour_without_overlap(ds):
    from sklearn.manifold import TSNE

    idx = np.random.default_rng(0).choice(len(ds.x_train), 120, replace=False)
    pixels = ds.x_train[idx].reshape(120, -1) / 255.0
    xy = TSNE(n_components=2, init="pca", perplexity=30, random_state=0).fit_transform(pixels)
    labels = ds.y_train[idx]
    fig = plots.embedding(xy, labels, ds.chars, "120 training images", ds.description)
    ax = fig.axes[0]
    written = [t.get_text() for t in ax.texts]
    assert sorted(written) == sorted({CHARS[c] for c in np.unique(labels)})
    colours = plots.data.class_colours(49)
    assert len({tuple(c) for c in colours}) == 49  # 49 different colours
    dots = ax.collections[0].get_facecolors()
    for text in ax.texts:  # each label in a dark shade of its character's dots, outlined
        label = CHARS.index(text.get_text())
        assert np.allclose(text.get_color()[:3], plots.data.darker(colours[label]))
        assert np.allclose(dots[labels == label][0][:3], colours[label][:3])
        assert colorsys.rgb_to_hls(*text.get_color())[1] <= 0.35 + 1e-6  # dark on white
        assert isinstance(text.get_path_effects()[0], patheffects.withStroke)
    fig.canvas.draw()
    # The characters' own boxes: an annotation's extent also covers its leader line, which
    # may pass beside another label (t-SNE's layout differs slightly between CPUs).
    boxes = [Text.get_window_extent(t) for t in ax.texts]
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    assert overlaps == []
    assert fig.get_suptitle().startswith("t-SNE map of 120 training images")
    assert "some alike: read the labels" in fig.get_suptitle()


def test_darker_keeps_the_hue_and_leaves_dark_colours_alone():
    assert plots.data.darker((0.1, 0.2, 0.3)) == pytest.approx((0.1, 0.2, 0.3))
    hue, light, _ = colorsys.rgb_to_hls(*plots.data.darker((0.6, 0.9, 0.6)))  # pale green
    assert light == pytest.approx(0.35) and hue == pytest.approx(1 / 3)
