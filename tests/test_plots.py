"""Figures of Part 1: check what they show, not only that they draw."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import labelled_dataset  # noqa: E402
from k49tut import explore, fonts, plots  # noqa: E402
from k49tut.classes import CHARS  # noqa: E402
from k49tut.synth import printed  # noqa: E402


@pytest.fixture(autouse=True)
def _fonts():
    fonts.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)   # e.g. "Glyph ... missing"
        yield
    plt.close("all")


@pytest.fixture
def ds():
    return labelled_dataset(per_class_train=6, per_class_test=4)


def _texts(labels):
    return [t.get_text() for t in labels]


def test_class_distribution_bars_are_the_counts(ds):
    ds.y_train[:10] = 3                       # make え more common than the rest
    fig = plots.class_distribution(ds)
    counts = np.bincount(ds.y_train, minlength=49)
    top, bottom = fig.axes
    assert [p.get_height() for p in top.patches] == counts.tolist()
    assert [p.get_height() for p in bottom.patches] == np.bincount(ds.y_test).tolist()
    assert _texts(bottom.get_xticklabels()) == list(CHARS)
    assert "not Kuzushiji-49" in fig._suptitle.get_text()


def test_real_data_titles_say_kuzushiji_49():
    fig = plots.class_distribution(labelled_dataset(synthetic=False))
    assert fig._suptitle.get_text().endswith("Kuzushiji-49")
    assert "stand-in" not in fig._suptitle.get_text()


def test_examples_grid_shows_each_class_in_its_cell(ds):
    fig = plots.examples_grid(ds, per_class=3, seed=0)
    cells = [ax for ax in fig.axes if ax.get_images()]
    assert len(cells) == 49
    for label, ax in enumerate(cells):
        assert ax.get_title().split()[0] == CHARS[label]
        img = ax.get_images()[0].get_array()
        tiles = [img[:, i * 29: i * 29 + 28, 0] for i in range(3)]
        for tile in tiles:                    # every tile is an image of this class
            assert np.allclose(tile, (5 * label + 5) / 255)


def test_examples_grid_with_printed_glyph_first(ds):
    fig = plots.examples_grid(ds, per_class=2, with_printed=True)
    ax = [a for a in fig.axes if a.get_images()][27]
    img = ax.get_images()[0].get_array()
    np.testing.assert_allclose(img[:, :28], printed("ふ")[..., None] / 255 * plots.ACCENT)
    assert "Printed" in fig._suptitle.get_text()


def test_mean_images_show_the_class_means(ds):
    fig = plots.mean_images(ds)
    shown = [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]
    np.testing.assert_allclose(np.array(shown), explore.mean_images(ds.x_train, ds.y_train))
    assert _texts([ax.title for ax in fig.axes if ax.get_images()]) == list(CHARS)


def test_pixel_histogram_lines_are_shares(ds):
    fig = plots.pixel_histogram(ds)
    train_line = fig.axes[0].get_lines()[0]
    hist = explore.intensity_histogram(ds.x_train)
    np.testing.assert_allclose(train_line.get_ydata(), hist / hist.sum())


def test_ink_by_class_medians(ds):
    ds.x_train[ds.y_train == 5, :14] = 0       # half of each か image blank: ink 0.5
    fig = plots.ink_by_class(ds)
    medians = [line.get_ydata()[0] for line in fig.axes[0].get_lines()[4::6]]
    assert len(medians) == 49
    assert medians[5] == pytest.approx(0.5) and medians[0] == pytest.approx(1.0)
    assert _texts(fig.axes[0].get_xticklabels()) == list(CHARS)


def test_nearest_pairs_titles_follow_the_distances(ds):
    fig = plots.nearest_pairs(ds, k=3)
    pairs = explore.nearest_classes(explore.mean_images(ds.x_train, ds.y_train), ds.chars, 3)
    titles = [ax.get_title().split("\n")[0] for ax in fig.axes]
    assert titles == [f"{a} / {b}" for a, b in zip(pairs.a, pairs.b)]


def test_embedding_writes_every_present_character(ds):
    fig = plots.embedding(ds, n=120, seed=0)
    written = {t.get_text() for t in fig.axes[0].texts}
    assert written == {CHARS[c] for c in np.unique(ds.y_test)}
