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

from k49tut.plots.data import ACCENT, _titled, plural, strip
from k49tut.synth import printed


def learning_curves(
    history: pd.DataFrame, title: str = "Learning curves", source: str = ""
) -> Figure:
    """Accuracy and loss per epoch, training and validation (index: epoch numbers).

    The epoch with the lowest validation loss is marked with a dotted line. The loss
    axis turns logarithmic when the losses span more than a factor of 20, so that a
    late rise of the validation loss stays visible.
    """
    metrics = [m for m in ("accuracy", "loss") if m in history]
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.5 * len(metrics), 3.8), layout="constrained", squeeze=False
    )
    best = history["val_loss"].idxmin() if "val_loss" in history else None
    step = max(1, len(history) // 15)
    for ax, metric in zip(axes[0], metrics):
        ax.plot(history.index, history[metric], marker="o", ms=3, label="training")
        if f"val_{metric}" in history:
            ax.plot(history.index, history[f"val_{metric}"], marker="o", ms=3, label="validation")
        if best is not None:
            ax.axvline(best, color="0.5", ls=":", label=f"lowest validation loss (epoch {best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        values = history[[c for c in (metric, f"val_{metric}") if c in history]].to_numpy(float)
        if metric == "loss" and values.min() > 0 and values.max() / values.min() > 20:
            ax.set_yscale("log")
            ax.set_ylabel("loss (log scale)")
        ax.set_xticks(history.index[::step])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    return _titled(fig, title, source)


def compare_scores(
    table: pd.DataFrame,
    source: str = "",
    title: str = "Scores",
    errors: pd.DataFrame | None = None,
) -> Figure:
    """Grouped bars: one group per score column, one bar per model (row), values printed.

    ``errors`` (same shape as ``table``) draws symmetric error bars, e.g. half the width
    of a 95% interval.
    """
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    width = 0.8 / len(table)
    x = np.arange(len(table.columns))
    for k, (name, row) in enumerate(table.iterrows()):
        err = None if errors is None else errors.loc[name, table.columns].to_numpy(float)
        bars = ax.bar(
            x + k * width - 0.4 + width / 2,
            row.to_numpy(float),
            width,
            label=name,
            yerr=err,
            capsize=3,
        )
        ax.bar_label(bars, fmt="%.3f", fontsize=9, padding=2)
    ax.set_xticks(x, [c.replace("_", " ") for c in table.columns])
    low = float(np.nanmin(table.to_numpy(float)))
    ax.set_ylim(max(0.0, low - 0.15) if low > 0.3 else 0, 1.02)
    ax.legend(loc="lower right", fontsize=9)
    return _titled(fig, title, source)


def per_class_scores(report: pd.DataFrame, source: str = "") -> Figure:
    """Precision, recall and F1 of each character, sorted so the worst F1 is at the bottom."""
    ordered = report.sort_values("f1-score")
    fig, ax = plt.subplots(figsize=(8, 14), layout="constrained")
    y = np.arange(len(ordered))
    for k, metric in enumerate(("precision", "recall", "f1-score")):
        ax.barh(y + (k - 1) * 0.27, ordered[metric], height=0.27, label=metric)
    ax.set_yticks(y, ordered.index, fontsize=13)
    ax.set_xlim(
        max(0.0, float(ordered[["precision", "recall", "f1-score"]].min().min()) - 0.05), 1
    )
    ax.set_xlabel("score")
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False)
    return _titled(fig, "Per-class scores on the test set, sorted by F1", source)


def _boxes_overlap(a, b, pad: float = 1.0) -> bool:
    return not (a.x1 + pad < b.x0 or b.x1 + pad < a.x0 or a.y1 + pad < b.y0 or b.y1 + pad < a.y0)


def place_labels(ax, xs, ys, texts, fontsize: int = 13) -> list:
    """Write each text next to its point, trying eight directions to avoid earlier labels.

    Returns the Text artists. A label that fits nowhere keeps the first position.
    Offsets run in two rings around the point (points, not data units).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    offsets = [
        (5, 4),
        (5, -12),
        (-14, 4),
        (-14, -12),
        (0, 9),
        (0, -16),
        (9, -4),
        (-18, -4),
        (12, 14),
        (-24, 14),
        (12, -24),
        (-24, -24),
        (20, -4),
        (-30, -4),
        (0, 20),
        (0, -28),
    ]
    placed, artists = [], []
    for x, y, text in sorted(zip(xs, ys, texts), key=lambda t: (-t[1], t[0])):
        for dx, dy in offsets:
            artist = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize
            )
            box = artist.get_window_extent(renderer)
            if not any(_boxes_overlap(box, other) for other in placed):
                break
            artist.remove()
        else:
            dx, dy = offsets[0]
            artist = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize
            )
            box = artist.get_window_extent(renderer)
        placed.append(box)
        artists.append(artist)
    return artists


def precision_recall(report: pd.DataFrame, source: str = "", low: float | None = None) -> Figure:
    """Each character placed by its precision (x) and recall (y); marker size ~ support.

    The axes zoom to where the points are: from ``low`` (default: 0.05 below the 10th
    percentile of both scores, rounded down to a multiple of 0.05) to 1. Characters outside
    the window are marked on its edge with a triangle and their true scores.
    """
    p, r = report["precision"].to_numpy(float), report["recall"].to_numpy(float)
    if low is None:
        low = float(np.floor(20 * min(np.percentile(p, 10), np.percentile(r, 10))) / 20) - 0.05
        low = min(max(low, 0.0), 0.9)
    inside = (p >= low) & (r >= low)
    fig, ax = plt.subplots(figsize=(9, 8.5), layout="constrained")
    size = 20 + 200 * report["support"] / report["support"].max()
    ax.scatter(p[inside], r[inside], s=size[inside], alpha=0.35)
    ax.set_xlim(low, 1.02)
    ax.set_ylim(low, 1.02)
    place_labels(ax, p[inside], r[inside], list(report.index[inside]))
    span = 1.02 - low
    outside = [(c, pc, rc) for c, pc, rc, ok in zip(report.index, p, r, inside) if not ok]
    for k, (char, pc, rc) in enumerate(outside):
        x, y = max(pc, low + 0.01 * span), max(rc, low + 0.01 * span)
        ax.scatter([x], [y], marker="v" if rc < low else "<", color="tab:red", s=60, clip_on=False)
        left = x > low + 0.7 * span  # near the right edge: write the label leftwards
        ax.annotate(
            f"{char} ({pc:.2f}, {rc:.2f})",
            (x, y),
            color="tab:red",
            fontsize=11,
            xytext=(-8 if left else 6, 6 + 14 * (k % 3)),
            textcoords="offset points",
            ha="right" if left else "left",
        )
    ax.set_xlabel("precision (of the images predicted as the character, share right)")
    ax.set_ylabel("recall (of the images of the character, share found)")
    ax.grid(alpha=0.3)
    note = (
        f"; {plural(len(outside), 'character')} below {low:.2f} marked in red on the edge"
        if outside
        else ""
    )
    return _titled(fig, f"Recall against precision (marker size: test images{note})", source)


def confusion_matrix(
    cm: np.ndarray, chars, normalized: bool = False, source: str = "", annotate_above: float = 0.05
) -> Figure:
    """The 49x49 confusion matrix with hiragana on both axes.

    Counts use a logarithmic colour scale so that rare mistakes stay visible. A
    row-normalised matrix (``normalized=True``, rows summing to 1) is drawn in percent
    and prints each off-diagonal cell of at least ``annotate_above`` in it, dark on
    light cells and light on dark ones.
    """
    chars = list(chars)
    fig, ax = plt.subplots(figsize=(13, 12), layout="constrained")
    values = 100 * np.asarray(cm, float) if normalized else np.asarray(cm)
    if normalized:
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=100)
        label = "% of the true character's test images"
        off = np.asarray(cm) * (1 - np.eye(len(cm)))
        for i, j in zip(*np.nonzero(off >= annotate_above)):
            ax.text(
                j,
                i,
                f"{values[i, j]:.0f}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if values[i, j] > 55 else "black",
            )
    else:
        image = ax.imshow(
            np.where(values > 0, values, np.nan),
            cmap="viridis",
            norm=LogNorm(vmin=1, vmax=max(int(values.max()), 2)),
        )
        label = "test images (log scale; empty cells: none)"
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(label, fontsize=11)
    if not normalized:
        steps = [
            t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if t <= values.max()
        ]
        bar.set_ticks(steps, labels=[f"{t:,}" for t in steps])
    ticks = np.arange(len(chars))
    ax.set_xticks(ticks, chars, fontsize=10)
    ax.set_yticks(ticks, chars, fontsize=10)
    ax.set_xlabel("predicted character", fontsize=11)
    ax.set_ylabel("true character", fontsize=11)
    what = (
        f"Confusion matrix, rows as % of each true character (cells of "
        f"{100 * annotate_above:.0f}% or more off the diagonal printed)"
        if normalized
        else "Confusion matrix (counts of test images)"
    )
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
    ax.bar_label(
        bars,
        labels=[
            f"{plural(int(c), 'image')} ({100 * s:.1f}% of {t})"
            for c, s, t in zip(ordered["count"], ordered["share"], ordered["true"])
        ],
        fontsize=10,
        padding=3,
    )
    ax.set_yticks(
        np.arange(len(ordered)),
        [f"true {t} → predicted {p}" for t, p in zip(ordered["true"], ordered["predicted"])],
        fontsize=12,
    )
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
    n = len(indices) + 2
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * 1.1, rows * 1.3 + 0.6), layout="constrained", squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, label, word in ((axes.flat[0], true, "true"), (axes.flat[1], predicted, "predicted")):
        ax.imshow(printed(chars[label])[..., None] / 255 * ACCENT)
        ax.set_title(f"{word} {chars[label]}", fontsize=11)
    for ax, i in zip(axes.flat[2:], indices):
        ax.imshow(x[i], cmap="gray")
        ax.set_title(f"#{i}", fontsize=8)
    shown = (
        f"all {plural(total, 'image')}"
        if len(indices) == total
        else f"{len(indices)} of {plural(total, 'image')}"
    )
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
    """All mistakes on one class, one row per wrong answer (most frequent first).

    Each row starts with the wrongly predicted character as printed (orange), then up to
    ``per_row`` of the images that received it.
    """
    wrong = np.flatnonzero((y_true == label) & (y_pred != label))
    answers = pd.Series(y_pred[wrong]).value_counts().sort_values(ascending=False, kind="stable")
    shown = answers.iloc[:max_rows]
    fig, axes = plt.subplots(
        len(shown) or 1,
        1,
        figsize=(1.1 * (per_row + 1) + 1.5, 1.0 * max(len(shown), 1) + 0.9),
        layout="constrained",
        squeeze=False,
    )
    for ax, (pred, count) in zip(axes[:, 0], shown.items()):
        idx = wrong[y_pred[wrong] == pred][:per_row]
        ax.imshow(strip(x[idx], printed(chars[pred])))
        ax.set_ylabel(
            f"→ {chars[pred]}\n({count})", rotation=0, ha="right", va="center", fontsize=12
        )
        ax.set_xticks([])
        ax.set_yticks([])
    if not len(shown):
        axes[0, 0].axis("off")
    more = (
        f", {plural(len(answers) - len(shown), 'rarer answer')} not shown"
        if len(answers) > len(shown)
        else ""
    )
    return _titled(
        fig,
        f"Misclassified {chars[label]}: {plural(len(wrong), 'image')}, "
        f"{plural(len(answers), 'different wrong answer')}{more}",
        source,
    )
