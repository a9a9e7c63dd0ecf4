"""Figures for the data: each function returns a matplotlib Figure, titled with its source.

Call :func:`k49tut.fonts.setup` first so the hiragana render. Titles end with
``ds.description``, so a figure made from the synthetic stand-in says so.

>>> from k49tut import data, fonts, plots
>>> _ = fonts.setup()
>>> fig = plots.class_distribution(data.load("sample"))
>>> [t.get_text() for t in fig.axes[1].get_xticklabels()][:3]
['あ', 'い', 'う']
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from k49tut import explore
from k49tut.synth import printed

RARE = "tab:red"
ACCENT = np.array([1.0, 0.6, 0.1])      # printed glyphs are drawn in orange


def _titled(fig: Figure, what: str, ds) -> Figure:
    fig.suptitle(f"{what}\n{ds.description}", fontsize=12)
    return fig


def _pick(y: np.ndarray, label: int, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = np.flatnonzero(y == label)
    return rng.choice(idx, size=min(n, len(idx)), replace=False) if len(idx) else idx


def strip(images, printed_glyph: np.ndarray | None = None) -> np.ndarray:
    """Images side by side as one RGB array, with an optional printed glyph first, in orange.

    >>> strip(np.zeros((3, 28, 28), np.uint8)).shape
    (28, 86, 3)
    """
    tiles = []
    if printed_glyph is not None:
        tiles.append(printed_glyph[..., None] / 255.0 * ACCENT)
    tiles += [np.repeat(img[..., None] / 255.0, 3, axis=2) for img in images]
    gap = np.full((28, 1, 3), 0.35)
    parts = []
    for i, tile in enumerate(tiles):
        parts += [gap, tile] if i else [tile]
    return np.concatenate(parts, axis=1) if parts else np.zeros((28, 28, 3))


def class_distribution(ds) -> Figure:
    """Images per class, training split above and test split below; rare classes in red."""
    counts = explore.class_counts(ds.y_train, ds.y_test, ds.chars)
    rare = set(counts.nsmallest(3, "train").index)
    colors = [RARE if i in rare else "tab:blue" for i in range(len(counts))]
    fig, axes = plt.subplots(2, 1, figsize=(14, 6), sharex=True, layout="constrained")
    for ax, split in zip(axes, ("train", "test")):
        ax.bar(np.arange(len(counts)), counts[split], color=colors)
        ax.set_ylabel(f"{split} images")
        ratio = explore.imbalance_ratio(counts[split])
        ax.set_title(f"{split}: {counts[split].sum():,} images, largest/smallest class = "
                     f"{ratio:.1f}", fontsize=10, loc="left")
    axes[1].set_xticks(np.arange(len(counts)), counts["char"], fontsize=12)
    return _titled(fig, "How many images of each character", ds)


def examples_grid(ds, per_class: int = 5, split: str = "train", seed: int = 0,
                  with_printed: bool = False) -> Figure:
    """A 7x7 grid, one cell per class, each showing ``per_class`` random examples.

    With ``with_printed=True`` each cell starts with the character as printed by the
    bundled font (in orange), for comparison with the handwritten forms.
    """
    x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
    rng = np.random.default_rng(seed)
    n = len(ds.chars)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.45 * (per_class + with_printed),
                                                  rows * 0.75), layout="constrained")
    for label, ax in enumerate(axes.flat):
        ax.axis("off")
        if label >= n:
            continue
        glyph = printed(ds.chars[label]) if with_printed else None
        ax.imshow(strip(x[_pick(y, label, per_class, rng)], glyph))
        ax.set_title(f"{ds.chars[label]}  ({label})", fontsize=11)
    what = "Printed (orange) beside handwritten" if with_printed else "Random examples"
    return _titled(fig, f"{what}, {split} split", ds)


def pixel_histogram(ds) -> Figure:
    """Distribution of pixel values in both splits (share of pixels, log scale)."""
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    for split, x in (("train", ds.x_train), ("test", ds.x_test)):
        hist = explore.intensity_histogram(x)
        ax.step(np.arange(256), hist / hist.sum(), where="mid", label=split)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value (0 = background, 255 = full ink)")
    ax.set_ylabel("share of pixels")
    ax.set_xlim(0, 255)
    ax.legend()
    return _titled(fig, "Pixel values", ds)


def ink_by_class(ds) -> Figure:
    """Box plot per class of the share of inked pixels in each training image."""
    ink = explore.ink_fraction(ds.x_train)
    groups = [ink[ds.y_train == c] for c in range(len(ds.chars))]
    fig, ax = plt.subplots(figsize=(14, 4), layout="constrained")
    ax.boxplot(groups, showfliers=False, widths=0.6)
    ax.set_xticks(np.arange(1, len(ds.chars) + 1), ds.chars, fontsize=12)
    ax.set_ylabel("share of pixels > 0")
    return _titled(fig, "Ink per image, by character (training split)", ds)


def mean_images(ds, means: np.ndarray | None = None) -> Figure:
    """The average training image of each class in a 7x7 grid."""
    means = explore.mean_images(ds.x_train, ds.y_train, len(ds.chars)) if means is None else means
    fig, axes = plt.subplots(7, 7, figsize=(8, 8.6), layout="constrained")
    for label, ax in enumerate(axes.flat):
        ax.axis("off")
        if label < len(ds.chars):
            ax.imshow(means[label], cmap="magma", vmin=0, vmax=255)
            ax.set_title(ds.chars[label], fontsize=13)
    return _titled(fig, "Average image of each character (training split)", ds)


def nearest_pairs(ds, k: int = 8, means: np.ndarray | None = None) -> Figure:
    """The ``k`` pairs of classes with the most similar average images, side by side."""
    means = explore.mean_images(ds.x_train, ds.y_train, len(ds.chars)) if means is None else means
    pairs = explore.nearest_classes(means, ds.chars, k)
    fig, axes = plt.subplots(1, k, figsize=(1.6 * k, 2.4), layout="constrained")
    for ax, row in zip(np.atleast_1d(axes), pairs.itertuples()):
        pair = np.concatenate([means[row.label_a], np.full((28, 2), 128.0),
                               means[row.label_b]], axis=1)
        ax.imshow(pair, cmap="magma", vmin=0, vmax=255)
        ax.set_title(f"{row.a} / {row.b}\n{row.distance:.0f}", fontsize=12)
        ax.axis("off")
    return _titled(fig, "Closest average images (Euclidean distance below each pair)", ds)


def embedding(ds, n: int = 2_000, seed: int = 0) -> Figure:
    """A t-SNE map of ``n`` test images; each character is written at its cluster's centre."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    rng = np.random.default_rng(seed)
    idx = rng.choice(len(ds.x_test), size=min(n, len(ds.x_test)), replace=False)
    flat = ds.x_test[idx].reshape(len(idx), -1).astype(np.float32) / 255.0
    reduced = PCA(n_components=min(50, len(idx) - 1), random_state=seed).fit_transform(flat)
    xy = TSNE(n_components=2, init="pca", random_state=seed,
              perplexity=min(30.0, (len(idx) - 1) / 3)).fit_transform(reduced)
    labels = ds.y_test[idx]
    fig, ax = plt.subplots(figsize=(9, 9), layout="constrained")
    ax.scatter(xy[:, 0], xy[:, 1], c=labels, cmap="nipy_spectral", s=4, alpha=0.5)
    for label in np.unique(labels):
        cx, cy = np.median(xy[labels == label], axis=0)
        ax.text(cx, cy, ds.chars[label], fontsize=15, ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0})
    ax.set_xticks([])
    ax.set_yticks([])
    return _titled(fig, f"t-SNE map of {len(idx):,} test images", ds)
