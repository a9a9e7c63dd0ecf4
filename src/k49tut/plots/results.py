"""Figures of Part 2: learning curves, scores, confusions and galleries of mistakes.

The notebook computes every number (with Keras, NumPy and scikit-learn) and passes it
here to be drawn. ``source`` (usually ``ds.description``) is added to each title, so a
figure made on the synthetic stand-in says so.

>>> import pandas as pd
>>> from k49tut.plots.results import learning_curves
>>> h = pd.DataFrame({"accuracy": [.5, .7], "val_accuracy": [.6, .65],
...                   "loss": [1.2, .8], "val_loss": [1.0, .9]}, index=[1, 2])
>>> [ax.get_ylabel() for ax in learning_curves(h).axes]
['accuracy', 'loss']
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from k49tut.plots.data import _grid, _no_ticks, _show_images, _titled, strip
from k49tut.synth import printed
from k49tut.words import plural

#: The colour bar's ticks for counts, those up to the largest count shown.
COUNT_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def learning_curves(
    history: pd.DataFrame, title: str = "Learning curves", source: str = ""
) -> Figure:
    """Accuracy and loss per epoch, training and validation (index: epoch numbers).

    The epoch with the lowest validation loss is marked with a dotted line. The loss
    axis turns logarithmic when the losses span more than a factor of 20, so that a
    late rise of the validation loss stays visible.
    """
    metrics = [m for m in ("accuracy", "loss") if m in history]
    fig, axes = _grid(1, len(metrics), (5.5 * len(metrics), 3.8))
    best = history["val_loss"].idxmin() if "val_loss" in history else None
    step = max(1, len(history) // 15)
    for ax, metric in zip(axes[0], metrics):
        ax.plot(history.index, history[metric], marker="o", ms=3, label="training")
        if f"val_{metric}" in history:
            ax.plot(history.index, history[f"val_{metric}"], marker="o", ms=3, label="validation")
        if best is not None:
            ax.axvline(best, color="0.5", ls=":", label=f"lowest validation loss (epoch {best})")
        ax.set(xlabel="epoch", ylabel=metric)
        values = history[[c for c in (metric, f"val_{metric}") if c in history]].to_numpy(float)
        if metric == "loss" and values.min() > 0 and values.max() / values.min() > 20:
            ax.set(yscale="log", ylabel="loss (log scale)")
        ax.set_xticks(history.index[::step])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    return _titled(fig, title, source)


def _ticks_to_one(ticks, low: float) -> list:
    """The ticks from ``low`` to 1 (give or take float noise): none promises a score past 1."""
    return [t for t in ticks if low - 1e-9 <= t <= 1 + 1e-9]


def per_class_scores(report: pd.DataFrame, source: str = "") -> Figure:
    """Precision, recall and F1 of each character as markers (a row per character, the worst
    F1 at the bottom). F1 is a ring on the row, precision and recall triangles just above
    and below it, so equal scores never hide each other. Markers need no zero baseline, so
    the score axis is cut to the range of the scores, and its label says so."""
    ordered = report.sort_values("f1-score")
    fig, ax = plt.subplots(figsize=(8, 14), layout="constrained")
    y = np.arange(len(ordered))
    rows = (("precision", "<", 0.25), ("recall", ">", -0.25), ("f1-score", "o", 0))
    for metric, marker, dy in rows:
        look = {"facecolors": "none", "edgecolors": "C2", "lw": 1.5} if marker == "o" else {}
        at = (ordered[metric], y + dy)
        ax.scatter(*at, marker=marker, s=40 if dy else 36, label=metric, clip_on=False, **look)
    ax.set_yticks(y, ordered.index, fontsize=13)
    low = float(ordered[["precision", "recall", "f1-score"]].min().min())
    start = max(0.0, low - 0.03)
    # a little room right of 1, so that a perfect score's dot is not cut by the frame
    ax.set(xlim=(start, 1 + 0.02 * (1 - start)), ylim=(-0.6, len(ordered) - 0.4))
    ax.set_xticks(_ticks_to_one(ax.get_xticks(), start))
    ax.set_xlabel("score (axis cut to the range of the scores)" if low > 0.03 else "score")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False)
    return _titled(fig, "Per-class scores on the test set, sorted by F1", source)


#: Where _place_labels may put a label relative to its point, in points, and how the label
#: is aligned there: eight close spots first (a label left of its point ends there), then
#: rings of 16 directions at growing distances (those get a leader line).
_CLOSE = [
    (5, 4, "left"),
    (5, -12, "left"),
    (-1, 4, "right"),
    (-1, -12, "right"),
    (0, 9, "center"),
    (0, -16, "center"),
    (9, -4, "left"),
    (-5, -4, "right"),
]
_ANGLES = np.linspace(0, 2 * np.pi, 16, endpoint=False)
_RINGS = [
    (r * np.cos(a), r * np.sin(a) - 5, "center") for r in (18, 26, 36, 48, 62, 80) for a in _ANGLES
]
_OFFSETS = _CLOSE + _RINGS


def _place_labels(ax, xs, ys, texts, fontsize: int = 13, markers=()) -> list:
    """Write each text next to its point where it overlaps no earlier label or leader line and
    stays inside the axes; labels moved farther than the close spots get a thin line to their
    point, which may cross no other label. ``markers`` (boxes in display coordinates) are
    the other points' markers, which a label avoids covering too.

    Returns the Text artists. A label that fits nowhere takes the inside spot with the
    fewest clashes, where a line across a label is the lesser evil.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    chosen = []  # (artist, box) of each label placed
    lines = []  # each leader line drawn, as a path in display coordinates

    def annotate_at(text, xy, offset, line=None):
        *offset, ha = offset
        at = {"xytext": offset, "textcoords": "offset points", "ha": ha}
        artist = ax.annotate(text, xy, fontsize=fontsize, arrowprops=line, **at)
        artist.update_positions(renderer)  # then the text's own box, without its line
        return artist, Text.get_window_extent(artist, renderer)

    def clashes(box, path, own):  # on a label 3, on another point's marker 2, a line 1
        boxes = [other.padded(7) for _, other in chosen]  # labels stay 7 pixels apart
        count = 3 * sum(box.overlaps(other) for other in boxes)
        count += 2 * sum(box.overlaps(m) for m in markers if not m.contains(*own))
        count += sum(line.intersects_bbox(box) for line in lines)
        return count + sum(path.intersects_bbox(other) for other in boxes) if path else count

    for x, y, text in sorted(zip(xs, ys, texts), key=lambda t: (-t[1], t[0])):
        best = None
        point = ax.transData.transform((x, y))
        for k, offset in enumerate(_OFFSETS):
            line = {"arrowstyle": "-", "color": "0.5", "lw": 0.6} if k >= len(_CLOSE) else None
            artist, box = annotate_at(text, (x, y), offset, line)
            path = Path([point, ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)]) if line else None
            count = clashes(box, path, point)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and (best is None or count < best[0]):
                if best is not None:
                    best[1].remove()
                best = (count, artist, box, path)
                if count == 0:
                    break
            else:
                artist.remove()
        if best is None:  # no spot inside the axes: the first one
            chosen.append(annotate_at(text, (x, y), _CLOSE[0]))
        else:
            chosen.append(best[1:3])
            lines += [best[3]] if best[3] else []
    return [artist for artist, _ in chosen]


def _in_a_row(ax, labels: list, gap: float = 8) -> None:
    """Move labels written left to right along one line apart, each at least ``gap`` pixels
    after the one before, and back inside the axes' right edge, keeping their order."""
    renderer = ax.figure.canvas.get_renderer()
    boxes = []
    for label in labels:
        label.update_positions(renderer)
        boxes.append(Text.get_window_extent(label, renderer))
    starts = [box.x0 for box in boxes]
    for i in range(1, len(boxes)):  # past the label before
        starts[i] = max(starts[i], starts[i - 1] + boxes[i - 1].width + gap)
    end = ax.get_window_extent(renderer).x1 - 4
    for i in reversed(range(len(boxes))):  # before the edge, then before the label after
        end = min(starts[i], end - boxes[i].width) + boxes[i].width
        starts[i] = end - boxes[i].width
        end = starts[i] - gap
    for label, box, start in zip(labels, boxes, starts):
        dx, dy = label.xyann
        label.xyann = (dx + (start - box.x0) * 72 / ax.figure.dpi, dy)


def _groups(xs, ys, texts, tol: float):
    """Points closer than ``tol`` on both axes as one: their mean position and their texts
    joined with commas (in the given order), so that one label names them all.

    >>> _groups([1, 0.5, 1.0], [1, 0.5, 0.999], ["し", "あ", "す"], tol=0.01)
    [(1.0, 0.9995, 'し,す'), (0.5, 0.5, 'あ')]
    """
    groups = []  # [xs, ys, texts] of each group, the first point its anchor
    for x, y, text in zip(xs, ys, texts):
        near = [g for g in groups if abs(g[0][0] - x) < tol and abs(g[1][0] - y) < tol]
        if near:
            for values, value in zip(near[0], (x, y, text)):
                values.append(value)
        else:
            groups.append([[x], [y], [text]])
    return [(float(np.mean(gx)), float(np.mean(gy)), ",".join(gt)) for gx, gy, gt in groups]


def precision_recall(report: pd.DataFrame, source: str = "", low: float | None = None) -> Figure:
    """Each character placed by its precision (x) and recall (y); marker size ~ support, with a
    key above the axes.

    The axes zoom to where the points are: from ``low`` (default: 0.05 below the 10th
    percentile of both scores, rounded down to a multiple of 0.05) to a little past 1, so
    that markers at 1 stay clear of the frame. Characters at (nearly) the same point share
    one label. Characters below ``low`` are marked with a red triangle and their true
    scores in a grey band along the edge, clear of the markers at ``low``.
    """
    p, r = report["precision"].to_numpy(float), report["recall"].to_numpy(float)
    if low is None:
        low = float(np.floor(20 * min(np.percentile(p, 10), np.percentile(r, 10))) / 20) - 0.05
        low = min(max(low, 0.0), 0.9)
    inside = (p >= low) & (r >= low)
    fig, ax = plt.subplots(figsize=(9, 8.5), layout="constrained")
    support = report["support"].to_numpy(float)

    def area(n):  # a marker's area in points², by the character's test images
        return 20 + 200 * np.asarray(n) / support.max()

    ax.scatter(p[inside], r[inside], s=area(support[inside]), alpha=0.35, clip_on=False)
    span = 1 - low
    edge = low - 0.08 * span if (~inside).any() else low  # room for the band below low
    ax.set(xlim=(edge, 1 + 0.04 * span), ylim=(edge, 1 + 0.04 * span))
    ticks = _ticks_to_one(ax.get_xticks(), low)
    ax.set(xticks=ticks, yticks=ticks)
    outside = [(c, pc, rc) for c, pc, rc, ok in zip(report.index, p, r, inside) if not ok]
    if outside:
        for band in (ax.axvspan, ax.axhspan):
            band(edge, low, color="0.92", lw=0, zorder=0)
    in_band = []  # the labels along the bottom band, in order of precision
    for k, (char, pc, rc) in enumerate(sorted(outside, key=lambda t: t[1])):
        x, y = max(pc, edge + 0.015 * span), max(rc, edge + 0.015 * span)
        ax.scatter([x], [y], marker="v" if rc < low else "<", color="tab:red", s=60, clip_on=False)
        # Near the right edge, write the label leftwards; below low, in a row above the marks.
        dx, ha = (-8, "right") if x > low + 0.7 * span and rc >= low else (0, "left")
        dy = 5 if rc < low else 6 + 14 * (k % 3)
        at = {"xytext": (dx, dy), "textcoords": "offset points", "ha": ha, "va": "bottom"}
        text = f"{char} ({pc:.2f}, {rc:.2f})"
        label = ax.annotate(text, (x, y), color="tab:red", fontsize=11, **at)
        in_band += [label] if rc < low else []
    ax.set_xlabel("precision (of the images predicted as the character, share right)")
    ax.set_ylabel("recall (of the images of the character, share found)")
    ax.grid(alpha=0.3)
    refs = np.unique(np.round(np.linspace(support.min(), support.max(), 3)))  # least to most
    keys = [Line2D([], [], ls="", marker="o", ms=np.sqrt(area(n)), alpha=0.35) for n in refs]
    ax.legend(
        keys,
        [plural(int(n), "test image") for n in refs],
        loc="lower right",
        bbox_to_anchor=(1, 1),
        ncols=len(refs),
        frameon=False,
        title_fontsize=10,
        title="marker size: the character's test images",
        alignment="right",
    )
    note = f"; {plural(len(outside), 'character')} below {low:.2f} in red on the grey band"
    note = note if outside else ""
    _titled(fig, f"Recall against precision, one marker per character{note}", source)
    fig.draw_without_rendering()  # the final layout, before the labels are placed
    _in_a_row(ax, in_band)
    centres = ax.transData.transform(np.c_[p[inside], r[inside]])
    radii = np.sqrt(area(support[inside])) / 2 * fig.dpi / 72  # marker radius, in pixels
    markers = [Bbox.from_extents(x - d, y - d, x + d, y + d) for (x, y), d in zip(centres, radii)]
    if groups := _groups(p[inside], r[inside], report.index[inside], tol=0.01 * span):
        _place_labels(ax, *zip(*groups), markers=markers)  # one label per point
    return fig


def confusion_matrix(
    cm: np.ndarray, chars, normalized: bool = False, source: str = "", annotate_above: float = 0.05
) -> Figure:
    """The 49x49 confusion matrix with hiragana on both axes.

    Counts use a logarithmic colour scale so that rare mistakes stay visible. A
    row-normalised matrix (``normalized=True``, rows summing to 1) is drawn in percent
    and prints each off-diagonal cell of at least ``annotate_above`` in it, dark on
    light cells and light on dark ones.
    """
    fig, ax = plt.subplots(figsize=(13, 12), layout="constrained")
    values = 100 * np.asarray(cm, float) if normalized else np.asarray(cm)
    if normalized:
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=100)
        label = "% of the true character's test images"
        off = np.asarray(cm) * (1 - np.eye(len(cm)))
        for i, j in zip(*np.nonzero(off >= annotate_above)):
            ink = "white" if values[i, j] > 55 else "black"
            ax.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=9, color=ink)
        what = (
            f"Confusion matrix, rows as % of each true character (cells of "
            f"{100 * annotate_above:.0f}% or more off the diagonal printed)"
        )
    else:
        norm = LogNorm(vmin=1, vmax=max(int(values.max()), 2))
        image = ax.imshow(np.where(values > 0, values, np.nan), cmap="viridis", norm=norm)
        label = "test images (log scale; a blank cell: no images)"
        what = "Confusion matrix (counts of test images)"
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(label, fontsize=11)
    if not normalized:
        steps = [t for t in COUNT_TICKS if t <= values.max()]
        bar.set_ticks(steps, labels=[f"{t:,}" for t in steps])
    chars = list(chars)  # any iterable of characters, e.g. a generator
    ticks = np.arange(len(chars))
    ax.set_xticks(ticks, chars, fontsize=10)
    ax.set_yticks(ticks, chars, fontsize=10)
    ax.set_xlabel("predicted character", fontsize=11)
    ax.set_ylabel("true character", fontsize=11)
    return _titled(fig, what, source)


def confusions(
    frame: pd.DataFrame, source: str = "", title: str = "Most frequent confusions"
) -> Figure:
    """Horizontal bars of mistakes by count, largest on top, each with its share printed.

    ``frame`` has columns ``true``, ``predicted`` (characters), ``count`` and ``share``
    (of the true character's images).
    """
    ordered = frame.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(frame) + 1.6), layout="constrained")
    bars = ax.barh(np.arange(len(ordered)), ordered["count"], color="tab:orange")
    rows = list(zip(ordered["true"], ordered["predicted"], ordered["count"], ordered["share"]))
    labels = [f"{plural(int(c), 'image')} ({100 * s:.1f}% of {t})" for t, _, c, s in rows]
    ax.bar_label(bars, labels=labels, fontsize=10, padding=3)
    ticks = [f"true {t} → predicted {p}" for t, p, _, _ in rows]
    ax.set_yticks(np.arange(len(ordered)), ticks, fontsize=12)
    ax.set_xlabel("test images")
    ax.margins(x=0.45)
    return _titled(fig, title, source)


def gallery(
    x: np.ndarray,
    indices,
    chars,
    true: int,
    predicted: int,
    cols: int = 10,
    limit: int = 40,
    source: str = "",
) -> Figure:
    """Images of class ``true`` that the model called ``predicted``.

    The first row starts with both characters as printed by the bundled font (orange),
    for comparison; each image is titled with its index in the test set.
    """
    total = len(indices)
    indices = np.asarray(indices)[:limit]
    rows = int(np.ceil((len(indices) + 2) / cols))
    fig, axes = _grid(rows, cols, (cols * 1.1, rows * 1.3 + 0.6))
    glyphs = [strip([], printed(chars[label])) for label in (true, predicted)]
    _show_images(
        axes, glyphs, [f"true {chars[true]}", f"predicted {chars[predicted]}"], fontsize=11
    )
    images = [x[i] for i in indices]
    _show_images(axes.flat[2:], images, [f"#{i}" for i in indices], fontsize=8, cmap="gray")
    shown = ("all " if len(indices) == total else f"{len(indices)} of ") + plural(total, "image")
    return _titled(fig, f"True {chars[true]} predicted as {chars[predicted]}: {shown}", source)


def class_errors(
    x: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    label: int,
    chars,
    per_row: int = 8,
    max_rows: int = 10,
    source: str = "",
) -> Figure:
    """The mistakes on one class, one row per wrong answer (most frequent first).

    Each row starts with the wrongly predicted character as printed (orange), then up to
    ``per_row`` of the images that received it; past ``max_rows`` rows, the title counts
    the rarer answers not shown.
    """
    wrong = np.flatnonzero((y_true == label) & (y_pred != label))
    answers = pd.Series(y_pred[wrong]).value_counts().sort_values(ascending=False, kind="stable")
    shown = answers.iloc[:max_rows]
    rows = max(len(shown), 1)
    fig, axes = _grid(rows, 1, (1.1 * (per_row + 1) + 1.5, 1.0 * rows + 0.9))
    for ax, (pred, count) in zip(axes[:, 0], shown.items()):
        idx = wrong[y_pred[wrong] == pred][:per_row]
        ax.imshow(strip(x[idx], printed(chars[pred])))
        ax.set_ylabel(
            f"→ {chars[pred]}\n({count})", rotation=0, ha="right", va="center", fontsize=12
        )
        _no_ticks(ax)
    if not len(shown):
        axes[0, 0].axis("off")
    rarer = len(answers) - len(shown)
    what = f"Misclassified {chars[label]}: {plural(len(wrong), 'image')}, "
    what += plural(len(answers), "different wrong answer")
    what += f", {plural(rarer, 'rarer answer')} not shown" if rarer else ""
    return _titled(fig, what, source)
