"""Figures for the data: each function returns a matplotlib Figure, titled with its source.

Call :func:`k49tut.fonts.setup` first so the hiragana render. Titles end with the data's
description (``ds.description``), so a figure made from the synthetic stand-in says so.

>>> import pandas as pd
>>> from k49tut import fonts, plots
>>> _ = fonts.setup()
>>> counts = pd.DataFrame({"char": ["あ", "い", "う"], "train": [6, 1, 3], "test": [1, 1, 1]})
>>> fig = plots.class_distribution(counts, source="three classes")
>>> [ax.get_title(loc="left") for ax in fig.axes]
['train: 10 images, largest/smallest class = 6.0', 'test: 3 images, largest/smallest class = 1.0']
"""

from __future__ import annotations

import colorsys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure

from k49tut import explore
from k49tut.synth import printed
from k49tut.words import plural

ACCENT = np.array([1.0, 0.6, 0.1])  # printed glyphs are drawn in orange


def _titled(fig: Figure, what: str, source: str) -> Figure:
    """Title a figure with what it shows and, on a second line, the data it came from."""
    fig.suptitle(f"{what}\n{source}" if source else what, fontsize=12)
    return fig


def _grid(rows: int, cols: int, figsize, **kwargs):
    """``plt.subplots`` as every figure here uses it: constrained layout, a 2-D array of axes."""
    return plt.subplots(rows, cols, figsize=figsize, layout="constrained", squeeze=False, **kwargs)


def _no_ticks(axes) -> None:
    for ax in np.ravel(axes):
        ax.set(xticks=[], yticks=[])


def _show_images(axes, images, titles, fontsize: int = 10, **imshow) -> None:
    """Each image on its own axes, titled; every axes in ``axes`` left without its axis."""
    axes = np.ravel(axes)
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles):
        ax.imshow(image, **imshow)
        ax.set_title(title, fontsize=fontsize)


def _pick(y: np.ndarray, label: int, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = np.flatnonzero(y == label)
    return rng.choice(idx, size=min(n, len(idx)), replace=False) if len(idx) else idx


def strip(images, printed_glyph: np.ndarray | None = None) -> np.ndarray:
    """Images side by side as one RGB array, with an optional printed glyph first, in orange.

    >>> strip(np.zeros((3, 28, 28), np.uint8)).shape
    (28, 86, 3)
    """
    tiles = [] if printed_glyph is None else [printed_glyph[..., None] / 255.0 * ACCENT]
    tiles += [np.repeat(img[..., None] / 255.0, 3, axis=2) for img in images]
    if not tiles:
        return np.zeros((28, 28, 3))
    gap = np.full((28, 1, 3), 0.35)
    parts = [tiles[0]]
    for tile in tiles[1:]:
        parts += [gap, tile]
    return np.concatenate(parts, axis=1)


def class_distribution(counts: pd.DataFrame, source: str) -> Figure:
    """Images per class from a table with columns ``char``, ``train``, ``test``: one panel
    per split, the three rarest training classes in red, ``source`` in the title."""
    rare = set(np.argsort(counts["train"].to_numpy(), kind="stable")[:3])
    colors = ["tab:red" if i in rare else "tab:blue" for i in range(len(counts))]
    fig, axes = plt.subplots(2, 1, figsize=(14, 6), sharex=True, layout="constrained")
    for ax, split in zip(axes, ("train", "test")):
        n = counts[split]
        ax.bar(np.arange(len(counts)), n, color=colors)
        ax.set_ylabel(f"{split} images")
        ratio = f"largest/smallest class = {n.max() / n.min():.1f}"
        ax.set_title(f"{split}: {plural(n.sum(), 'image')}, {ratio}", fontsize=10, loc="left")
    axes[1].set_xticks(np.arange(len(counts)), counts["char"], fontsize=12)
    return _titled(fig, "How many images of each character", source)


def examples_grid(
    ds, per_class: int = 5, split: str = "train", seed: int = 0, with_printed: bool = False
) -> Figure:
    """A 7x7 grid, one cell per class, each showing ``per_class`` random examples.

    With ``with_printed=True`` each cell starts with the character as printed by the
    bundled font (in orange), for comparison with the forms in the data.
    """
    x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
    rng = np.random.default_rng(seed)
    n = len(ds.chars)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig, axes = _grid(rows, cols, (cols * 0.45 * (per_class + with_printed), rows * 0.75))
    glyphs = [printed(char) if with_printed else None for char in ds.chars]
    images = [strip(x[_pick(y, label, per_class, rng)], g) for label, g in enumerate(glyphs)]
    titles = [f"{char}  ({label})" for label, char in enumerate(ds.chars)]
    _show_images(axes, images, titles, fontsize=11)
    what = "Printed form (orange) beside random examples" if with_printed else "Random examples"
    return _titled(fig, f"{what}, {split} split", ds.description)


def pixel_histogram(ds) -> Figure:
    """Share of pixels at each value, per split: value 0 (background) as bars labelled with
    their share, values 1..255 (ink) as lines on a log scale."""
    fig, (zero, ink) = plt.subplots(
        1, 2, figsize=(10, 4), width_ratios=[1, 4], layout="constrained"
    )
    for i, (split, x) in enumerate((("train", ds.x_train), ("test", ds.x_test))):
        hist = explore.intensity_histogram(x)
        share = hist / hist.sum()
        zero.bar_label(zero.bar(i, share[0], color=f"C{i}"), [f"{share[0]:.1%}"])
        ink.step(np.arange(1, 256), share[1:], where="mid", color=f"C{i}", label=split)
    zero.set_xticks([0, 1], ["train", "test"])
    zero.set(ylim=(0, 1), ylabel="share of pixels")
    zero.set_title("value 0 (background)", fontsize=10)
    ink.set(yscale="log", xlim=(0.5, 255.5), xlabel="pixel value (255 = full ink)")
    ink.set_ylabel("share of pixels (log scale)")
    ink.set_title("values 1..255 (ink)", fontsize=10)
    ink.legend(loc="lower center", ncol=2)
    return _titled(fig, "Pixel values", ds.description)


def ink_by_class(ds, ink: np.ndarray) -> Figure:
    """Box plot per class of ``ink``, each training image's share of pixels > 0; a line above
    the axes says what the box, the line and the whiskers mark."""
    groups = [ink[ds.y_train == c] for c in range(len(ds.chars))]
    fig, ax = plt.subplots(figsize=(14, 4.2), layout="constrained")
    ax.boxplot(groups, whis=1.5, showfliers=False, widths=0.6)  # whis=1.5: the default
    ax.set_xticks(np.arange(1, len(ds.chars) + 1), ds.chars, fontsize=12)
    ax.set(xlabel="character", ylabel="share of pixels > 0")
    key = (
        "box: the middle half of the images; orange line: the median; whiskers: the farthest "
        "images within 1.5 box heights of the box (images beyond them not drawn)"
    )
    ax.set_title(key, fontsize=10, loc="left")
    return _titled(fig, "Ink per image, by character (training split)", ds.description)


#: The colour map of average images: bad values (NaN, the gap between a pair) in white.
MEAN_CMAP = plt.get_cmap("magma").with_extremes(bad="white")


def _mean_key(fig: Figure, axes, label: str, **kwargs) -> None:
    """A colour bar for average images drawn with MEAN_CMAP from 0 to 255."""
    image = np.ravel(axes)[0].get_images()[0]
    bar = fig.colorbar(image, ax=axes, ticks=[0, 64, 128, 192, 255], **kwargs)
    bar.set_label(label, fontsize=10)


def mean_images(ds, means: np.ndarray | None = None) -> Figure:
    """The average training image of each class in a 7x7 grid, with a colour bar: a pixel's
    mean value over the class's images (0: no ink there in any image, 255: full ink in all)."""
    means = explore.mean_images(ds.x_train, ds.y_train, len(ds.chars)) if means is None else means
    fig, axes = plt.subplots(7, 7, figsize=(8.8, 8.6), layout="constrained")
    _show_images(
        axes, means[: len(ds.chars)], ds.chars, fontsize=13, cmap=MEAN_CMAP, vmin=0, vmax=255
    )
    label = "mean pixel value over the character's images\n(0: no ink there in any image, "
    _mean_key(fig, axes, label + "255: full ink in every image)", shrink=0.6)
    return _titled(fig, "Average image of each character (training split)", ds.description)


def nearest_pairs(ds, k: int = 8, means: np.ndarray | None = None) -> Figure:
    """The ``k`` pairs of classes with the most similar average images, side by side."""
    means = explore.mean_images(ds.x_train, ds.y_train, len(ds.chars)) if means is None else means
    pairs = explore.nearest_classes(means, ds.chars, k)
    fig, axes = plt.subplots(1, k, figsize=(1.6 * k + 0.8, 2.4), layout="constrained")
    gap = np.full((28, 2), np.nan)  # white
    for ax, row in zip(np.atleast_1d(axes), pairs.itertuples()):
        pair = np.hstack([means[row.label_a], gap, means[row.label_b]])
        ax.imshow(pair, cmap=MEAN_CMAP, vmin=0, vmax=255)
        ax.set_title(f"{row.a} / {row.b}\n{row.distance:.0f}", fontsize=12)
        ax.axis("off")
    _mean_key(fig, axes, "mean pixel value", shrink=0.8, pad=0.01)
    what = "Closest average images (Euclidean distance above each pair)"
    return _titled(fig, what, ds.description)


def spread(points: np.ndarray, size: float) -> np.ndarray:
    """Label positions near ``points`` (axes fractions, 0..1) whose ``size`` x ``size``
    squares do not overlap: each point in turn takes the nearest free spot on rings
    around it, in steps of half a square.

    >>> spread(np.array([[0.5, 0.5], [0.5, 0.5], [0.9, 0.1]]), 0.1).round(2).tolist()
    [[0.5, 0.5], [0.6, 0.5], [0.9, 0.1]]
    """
    angles = [np.linspace(0, 2 * np.pi, 6 * k, endpoint=False) for k in range(1, 41)]
    rings = [k * size / 2 * np.c_[np.cos(a), np.sin(a)] for k, a in enumerate(angles, 1)]
    spots = np.vstack([[0, 0], *rings])  # ring k: 6k spots
    placed = np.empty((0, 2))
    for point in points:
        near = np.clip(point + spots, size / 2, 1 - size / 2)
        free = [(np.abs(placed - at) >= size - 1e-9).any(axis=1).all() for at in near]
        placed = np.vstack([placed, near[free.index(True) if any(free) else 0]])
    return placed


def class_colours(n: int = 49) -> np.ndarray:
    """``n`` distinct, fairly dark colours (RGBA), one per class: tab20, tab20b, tab20c and Dark2,
    their lightest shades left out, so that a label written in its class's colour stays
    readable on white."""
    names = ("tab20", "tab20b", "tab20c", "Dark2")
    palette = np.vstack([plt.get_cmap(name).colors for name in names])
    palette = palette[palette[:, :3].mean(axis=1) < 0.75]
    return np.c_[palette[np.arange(n) % len(palette)], np.ones(n)]


def darker(colour, lightness: float = 0.35) -> tuple:
    """The same hue at most this light (0: black, 1: white), for text on white.

    >>> darker((1.0, 0.8, 0.8))
    (0.7, 0.0, 0.0)
    """
    hue, light, saturation = colorsys.rgb_to_hls(*colour[:3])
    return tuple(round(c, 6) for c in colorsys.hls_to_rgb(hue, min(light, lightness), saturation))


#: Said in the title of every map: 49 colours cannot all look different.
MAP_NOTE = "one colour per character, some alike: read the labels"


def draw_map(
    ax, xy: np.ndarray, labels: np.ndarray, chars, fontsize: int = 14, label_size: float = 0.04
) -> None:
    """Scatter 2-D points coloured by class, each character written in a darker shade of its
    class's colour, outlined in white, near its cluster's centre. Where labels would collide,
    one moves aside; one moved farther than a label's width gets a thin grey line to a dot at its
    centre."""
    colours = class_colours(len(chars))
    ax.scatter(xy[:, 0], xy[:, 1], c=colours[labels], s=4, alpha=0.5)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    lo, hi = lo - (hi - lo) * 0.03, hi + (hi - lo) * 0.03
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xticks=[], yticks=[])
    present = np.unique(labels)
    centres = np.array([np.median(xy[labels == c], axis=0) for c in present])
    places = (centres - lo) / (hi - lo)
    at = spread(places, size=label_size)
    line = {"arrowstyle": "-", "color": "0.6", "lw": 0.5, "shrinkA": 1, "shrinkB": 2}
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    style = dict(textcoords="axes fraction", ha="center", va="center", path_effects=outline)
    for label, centre, place, pos in zip(present, centres, places, at):
        ink = darker(colours[label])
        moved = np.abs(place - pos).max() > 1.25 * label_size
        ax.annotate(
            chars[label],
            centre,
            pos,
            fontsize=fontsize,
            color=ink,
            arrowprops=line if moved else None,
            **style,
        )
        if moved:
            ax.plot(*centre, "o", ms=3, color=ink, mec="white", mew=0.5)


def embedding(xy: np.ndarray, labels: np.ndarray, chars, what: str, source: str = "") -> Figure:
    """A 2-D map (t-SNE coordinates ``xy``) of the images described by ``what``, one colour
    per character, each character written near its cluster's centre."""
    fig, ax = plt.subplots(figsize=(9, 9), layout="constrained")
    draw_map(ax, xy, labels, chars)
    return _titled(fig, f"t-SNE map of {what} ({MAP_NOTE})", source)
