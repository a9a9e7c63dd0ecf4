"""Figures of Part 4: kernels, feature maps, attributions, maps of features, calibration and
galleries of doubtful images. The notebook computes every array; these functions draw.

>>> import numpy as np, pandas as pd
>>> from k49tut.plots.inside import reliability
>>> table = pd.DataFrame({"confidence": [0.3, 0.9], "accuracy": [0.2, 0.95],
...                       "count": [10, 90]}, index=[4, 13])
>>> fig = reliability({"before": (table, 0.047)})
>>> fig.axes[0].get_title()
'before: ECE 0.047'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator

from k49tut.plots.concepts import _heat, _show_matrix
from k49tut.plots.data import (
    MAP_NOTE,
    _grid,
    _no_ticks,
    _show_images,
    _titled,
    draw_map,
    plural,
)


def kernels(learned: np.ndarray, hand_made: dict, cols: int = 12, source: str = "") -> Figure:
    """The first layer's 3x3 kernels (``learned``: (3, 3, 1, K)) below hand-made ones.

    Each learned kernel is scaled to its own largest absolute weight (batch normalisation
    after the convolution makes the overall scale meaningless): red positive, blue negative.
    """
    weights = np.moveaxis(learned[:, :, 0, :], -1, 0)
    rows = int(np.ceil(len(weights) / cols))
    fig = plt.figure(figsize=(cols * 0.8, 1.9 + rows * 0.85), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.9, rows * 0.85])
    axes = top.subplots(1, len(hand_made), squeeze=False)[0]
    for ax, (name, kernel) in zip(axes, hand_made.items()):
        _show_matrix(ax, kernel)
        ax.set_title(f"hand-made: {name}", fontsize=10)
    grid = bottom.subplots(rows, cols, squeeze=False)
    for ax in grid.flat:
        ax.axis("off")
    for ax, w in zip(grid.flat, weights):
        _heat(ax, w)
    what = f"learned: the {plural(len(weights), 'kernel')} of the first convolution"
    bottom.suptitle(what, fontsize=10)
    return _titled(fig, "First-layer kernels", source)


def feature_maps(
    image: np.ndarray, maps: dict, per_stage: int = 8, title: str = "", source: str = ""
) -> Figure:
    """One image, then the first ``per_stage`` channels of each stage's output.

    ``maps``: stage name -> array (H, W, C) for this image.
    """
    size = (1.15 * (per_stage + 1) + 1.2, 1.25 * len(maps) + 0.8)
    fig, axes = _grid(len(maps), per_stage + 1, size)
    _no_ticks(axes)
    for ax in axes.flat:
        ax.spines[:].set_visible(False)
    axes[0, 0].imshow(np.squeeze(image), cmap="gray")
    axes[0, 0].set_title("input", fontsize=9)
    for row, (name, values) in zip(axes, maps.items()):
        row[0].set_ylabel(
            f"{name}\n{values.shape[2]} channels", rotation=0, ha="right", va="center", fontsize=9
        )
        for ax, k in zip(row[1:], range(values.shape[-1])):
            ax.imshow(values[..., k], cmap="magma")
    return _titled(fig, title or "Feature maps, stage by stage", source)


def _grad_cam(ax, image: np.ndarray, cam: np.ndarray, **scale) -> None:
    """``image`` in grey under its Grad-CAM map ``cam``, brightest where the map peaks."""
    ax.imshow(image, cmap="gray", **scale)
    ax.imshow(cam, cmap="inferno", alpha=0.55, vmin=0, vmax=cam.max() or 1)


def attributions(
    images: np.ndarray, pixel_maps: np.ndarray, cams: np.ndarray, captions, source: str = ""
) -> Figure:
    """Per image: the image, a pixel attribution and a Grad-CAM heat map over the image.

    ``captions``: one short text per image (e.g. ``"あ → あ  0.98"``).
    """
    n = len(images)
    fig, axes = _grid(3, n, (1.6 * n + 1.4, 5.6))
    for k in range(n):
        img = np.squeeze(images[k]).astype(float)
        axes[0, k].imshow(img, cmap="gray")
        axes[0, k].set_title(captions[k], fontsize=11)
        _heat(axes[1, k], np.squeeze(pixel_maps[k]))
        _grad_cam(axes[2, k], img, cams[k])
    _no_ticks(axes)
    names = (
        "image",
        "integrated gradients\nred: raises the\nprobability,\nblue: lowers it",
        "Grad-CAM\nbright: the region\nthat raises\nthe logit",
    )
    for ax, name in zip(axes[:, 0], names):
        ax.set_ylabel(name, fontsize=9)
    return _titled(fig, "Where the evidence lies, for the predicted character", source)


def maps(coordinates: dict, labels: np.ndarray, chars, source: str = "") -> Figure:
    """Side-by-side 2-D maps (e.g. t-SNE) of the same images, one per representation."""
    fig, axes = _grid(1, len(coordinates), (7.5 * len(coordinates), 7.8))
    for ax, (name, xy) in zip(axes[0], coordinates.items()):
        draw_map(ax, xy, labels, chars, fontsize=12, label_size=0.05)
        ax.set_title(name, fontsize=12)
    what = f"t-SNE maps of the same {plural(len(labels), 'test image')} ({MAP_NOTE})"
    return _titled(fig, what, source)


def reliability(panels: dict, source: str = "", bins: int = 15, few: int = 20) -> Figure:
    """Reliability diagrams: accuracy against confidence per confidence bin, two per row,
    each above a bar chart of how many images its bins hold (log scale). A bin of fewer
    than ``few`` images gets a hollow dot: its accuracy is too noisy to read (a bin of
    one image is right or wrong, 1 or 0).

    ``panels``: name -> (table, ECE), the table with ``confidence``, ``accuracy`` and
    ``count`` per bin, indexed by bin number (0 to ``bins - 1``, equal widths). Points
    below the diagonal mean overconfidence.
    """
    cols = min(len(panels), 2)
    rows = int(np.ceil(len(panels) / cols))
    fig = plt.figure(figsize=(4.8 * cols, 5.6 * rows), layout="constrained")
    subfigs = fig.subfigures(rows, cols, squeeze=False).ravel()
    for sub in subfigs[len(panels) :]:
        sub.subplots().axis("off")
    for sub, (name, (table, ece)) in zip(subfigs, panels.items()):
        top, bottom = sub.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        top.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--", label="perfectly calibrated")
        label = "this model, one dot per bin"
        top.plot(
            table["confidence"],
            table["accuracy"],
            "-o",
            color="tab:blue",
            lw=1,
            ms=4,
            clip_on=False,
            zorder=3,  # over the frame: a dot at accuracy 1 shows whole
            label=label,
        )
        sparse = table[table["count"] < few]
        if len(sparse):
            top.plot(
                sparse["confidence"],
                sparse["accuracy"],
                "o",
                color="tab:blue",
                mfc="white",
                ms=4,
                clip_on=False,
                zorder=3,
                label=f"a bin of fewer than {few} images (bars below the dotted line): "
                "too few to read",
            )
        top.set(xlim=(0, 1), ylim=(0, 1), ylabel="accuracy")
        top.set_title(f"{name}: ECE {ece:.3f}", fontsize=11)
        top.grid(alpha=0.3)
        centres = (np.asarray(table.index, float) + 0.5) / bins
        bottom.bar(centres, table["count"], width=0.9 / bins, color="tab:blue", alpha=0.6)
        bottom.axhline(few, color="0.3", lw=0.8, ls=":")  # below it, a hollow dot
        bottom.set(yscale="log", ylim=(0.5, 2 * max(table["count"].max(), few)), ylabel="images")
        bottom.yaxis.set_major_locator(LogLocator(numticks=10))  # each power of 10 labelled
        bottom.set_xlabel("confidence (top probability)")
        bottom.grid(alpha=0.3, axis="y")
    keys = {}  # each key once, though a panel may have no hollow dots
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            keys.setdefault(label, handle)
    fig.legend(keys.values(), keys.keys(), loc="outside lower center", ncols=cols + 1, fontsize=9)
    return _titled(fig, "Reliability diagrams: accuracy against confidence", source)


def per_class_bars(values: pd.Series, ylabel: str, title: str, source: str = "") -> Figure:
    """A bar per character (index: characters), e.g. the share of its images flagged."""
    fig, ax = plt.subplots(figsize=(13, 3.4), layout="constrained")
    ax.bar(range(len(values)), values.to_numpy(), color="tab:orange")
    ax.set_xticks(range(len(values)), values.index, fontsize=12)
    ax.set(xlim=(-0.7, len(values) - 0.3), ylabel=ylabel)
    ax.grid(axis="y", alpha=0.3)
    return _titled(fig, title, source)


def captioned(images: np.ndarray, captions, title: str, cols: int = 8, source: str = "") -> Figure:
    """A grid of images, each with a caption of one or two short lines."""
    rows = int(np.ceil(max(len(images), 1) / cols))
    fig, axes = _grid(rows, cols, (cols * 1.35, rows * 1.75 + 0.7))
    _show_images(axes, [np.squeeze(image) for image in images], captions, cmap="gray")
    return _titled(fig, title, source)


def your_pictures(
    pictures: list, converted: np.ndarray, cams: np.ndarray, proba: np.ndarray, chars,
    captions: list[str], source: str = "",
) -> Figure:  # fmt: skip
    """Per picture, one row: the picture, its K49-format version, Grad-CAM for the top
    choice, and the five most probable characters.

    ``pictures``: RGB arrays; ``proba``: (N, 49); ``captions``: what each picture shows.
    """
    n = len(pictures)
    fig, axes = _grid(n, 4, (9.6, 1.9 * n + 0.8), width_ratios=[1.4, 1, 1, 2.2])
    for k, row in enumerate(axes):
        top = np.argsort(proba[k])[::-1][:5]
        image = np.squeeze(converted[k])
        row[0].imshow(pictures[k])
        row[0].set_title(captions[k], fontsize=10, loc="left")
        row[1].imshow(image, cmap="gray", vmin=0, vmax=255)
        _grad_cam(row[2], image, cams[k], vmin=0, vmax=255)
        _no_ticks(row[:3])
        bars = row[3].barh(range(5), proba[k, top][::-1], color="tab:blue")
        bars[-1].set_color("tab:orange")
        row[3].set_yticks(range(5), [chars[i] for i in top][::-1], fontsize=12)
        row[3].set(xlim=(0, 1.15), xticks=[0, 0.25, 0.5, 0.75, 1])
        row[3].bar_label(bars, fmt="%.2f", padding=2, fontsize=9)
        row[3].spines[["top", "right"]].set_visible(False)
    for ax, name in zip(axes[0], ("the picture", "in K49's format", "Grad-CAM, top choice",
                                  "top 5 probabilities (as trained)")):  # fmt: skip
        ax.set_xlabel(name, fontsize=9)
        ax.xaxis.set_label_position("top")
    return _titled(fig, "What the network says to pictures from outside the dataset", source)
