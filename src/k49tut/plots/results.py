"""Figures of Part 2: learning curves, scores, confusions and galleries of mistakes.

``source`` (usually ``ds.description``) is added to each title, so a figure made on
the synthetic stand-in says so.

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
from sklearn.metrics import ConfusionMatrixDisplay

from k49tut.evaluate import errors
from k49tut.plots.data import ACCENT, strip
from k49tut.synth import printed


def _title(fig: Figure, what: str, source: str) -> Figure:
    fig.suptitle(f"{what}\n{source}" if source else what, fontsize=12)
    return fig


def learning_curves(history: pd.DataFrame, title: str = "Learning curves",
                    source: str = "") -> Figure:
    """Accuracy (and balanced accuracy, when tracked) and loss per epoch, training and validation."""
    metrics = [m for m in ("accuracy", "balanced_accuracy", "loss") if m in history]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4),
                             layout="constrained")
    for ax, metric in zip(axes, metrics):
        ax.plot(history.index, history[metric], marker="o", label="training")
        if f"val_{metric}" in history:
            ax.plot(history.index, history[f"val_{metric}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric.replace("_", " "))
        ax.set_xticks(history.index)
        ax.grid(alpha=0.3)
        ax.legend()
    return _title(fig, title, source)


def compare_scores(table: pd.DataFrame, source: str = "") -> Figure:
    """Grouped bars: one group per score column, one bar per model (row), values printed."""
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    width = 0.8 / len(table)
    x = np.arange(len(table.columns))
    for k, (name, row) in enumerate(table.iterrows()):
        bars = ax.bar(x + k * width - 0.4 + width / 2, row.values, width, label=name)
        ax.bar_label(bars, fmt="%.3f", fontsize=9)
    ax.set_xticks(x, [c.replace("_", " ") for c in table.columns])
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower right")
    return _title(fig, "Test-set scores", source)


def per_class_scores(report: pd.DataFrame, source: str = "") -> Figure:
    """Precision, recall and F1 of each character, sorted so the worst F1 is at the bottom."""
    ordered = report.sort_values("f1")
    fig, ax = plt.subplots(figsize=(8, 15), layout="constrained")
    y = np.arange(len(ordered))
    for k, metric in enumerate(("precision", "recall", "f1")):
        ax.barh(y + (k - 1) * 0.27, ordered[metric], height=0.27, label=metric)
    ax.set_yticks(y, ordered.index, fontsize=13)
    ax.set_xlim(max(0.0, float(ordered[["precision", "recall", "f1"]].min().min()) - 0.05), 1)
    ax.set_xlabel("score")
    ax.legend(loc="lower right")
    return _title(fig, "Per-class scores, sorted by F1", source)


def precision_recall(report: pd.DataFrame, source: str = "") -> Figure:
    """Each character placed by its precision (x) and recall (y); marker size ~ support."""
    fig, ax = plt.subplots(figsize=(9, 9), layout="constrained")
    size = 20 + 200 * report["support"] / report["support"].max()
    ax.scatter(report["precision"], report["recall"], s=size, alpha=0.35)
    for char, row in report.iterrows():
        ax.annotate(char, (row["precision"], row["recall"]), fontsize=14,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel("precision (of the images predicted as the character, share right)")
    ax.set_ylabel("recall (of the images of the character, share found)")
    ax.grid(alpha=0.3)
    return _title(fig, "Recall against precision (marker size: test images)", source)


def confusion_matrix(cm: np.ndarray, chars, normalized: bool = False, source: str = "",
                     annotate_above: float = 0.05) -> Figure:
    """The 49x49 confusion matrix with hiragana on both axes.

    Counts use a logarithmic colour scale so that rare mistakes stay visible; a
    row-normalised matrix (``normalized=True``) prints each off-diagonal share of at
    least ``annotate_above`` in its cell.
    """
    fig, ax = plt.subplots(figsize=(13, 12), layout="constrained")
    disp = ConfusionMatrixDisplay(cm, display_labels=list(chars))
    disp.plot(ax=ax, include_values=False, cmap="viridis", colorbar=True, xticks_rotation=0)
    if normalized:
        disp.im_.set_clim(0, 1)
        off = cm * (1 - np.eye(len(cm)))
        for i, j in zip(*np.nonzero(off >= annotate_above)):
            ax.text(j, i, f"{100 * cm[i, j]:.0f}", ha="center", va="center", color="w",
                    fontsize=7)
    else:
        disp.im_.set_norm(LogNorm(vmin=1, vmax=max(int(cm.max()), 2)))
    ax.tick_params(labelsize=10)
    ax.set_xlabel("predicted character")
    ax.set_ylabel("true character")
    what = ("Confusion matrix, each row divided by its total (numbers: % of the row)"
            if normalized else "Confusion matrix (counts, log colour scale)")
    return _title(fig, what, source)


def top_confusions(frame: pd.DataFrame, source: str = "") -> Figure:
    """Horizontal bars of the most frequent mistakes (share of the true class), largest on top."""
    ordered = frame.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(frame) + 1.5), layout="constrained")
    bars = ax.barh(np.arange(len(ordered)), 100 * ordered["share"], color="tab:orange")
    ax.bar_label(bars, labels=[f"{c} images" for c in ordered["count"]], fontsize=9, padding=3)
    ax.set_yticks(np.arange(len(ordered)),
                  [f"true {t} → predicted {p}" for t, p in zip(ordered["true"],
                                                               ordered["predicted"])],
                  fontsize=12)
    ax.set_xlabel("% of the true character's test images")
    ax.margins(x=0.2)
    return _title(fig, "Most frequent confusions", source)


def gallery(x: np.ndarray, indices, chars, true: int, predicted: int, cols: int = 10,
            limit: int = 40, source: str = "") -> Figure:
    """Test images of class ``true`` that the model called ``predicted``.

    The first row starts with both characters as printed by the bundled font (orange),
    for comparison; each image is titled with its index in the test set.
    """
    indices = np.asarray(indices)[:limit]
    n = len(indices) + 2
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.3), layout="constrained",
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, label, word in ((axes.flat[0], true, "true"), (axes.flat[1], predicted, "predicted")):
        ax.imshow(printed(chars[label])[..., None] / 255 * ACCENT)
        ax.set_title(f"{word} {chars[label]}", fontsize=11)
    for ax, i in zip(axes.flat[2:], indices):
        ax.imshow(x[i], cmap="gray")
        ax.set_title(f"#{i}", fontsize=8)
    return _title(fig, f"True {chars[true]} predicted as {chars[predicted]}: "
                  f"{len(indices)} shown", source)


def class_errors(x: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, label: int, chars,
                 per_row: int = 8, max_rows: int = 12, source: str = "") -> Figure:
    """All mistakes on one class, one row per wrong answer (most frequent first).

    Each row starts with the wrongly predicted character as printed (orange), then up to
    ``per_row`` of the test images that received it.
    """
    wrong = errors(y_true, y_pred, true=label)
    answers = pd.Series(y_pred[wrong]).value_counts(sort=True)
    answers = answers.sort_values(ascending=False, kind="stable")
    shown = answers.iloc[:max_rows]
    fig, axes = plt.subplots(len(shown) or 1, 1, figsize=(1.1 * (per_row + 1) + 1.5,
                                                          1.0 * max(len(shown), 1) + 0.8),
                             layout="constrained", squeeze=False)
    for ax, (pred, count) in zip(axes[:, 0], shown.items()):
        idx = wrong[y_pred[wrong] == pred][:per_row]
        ax.imshow(strip(x[idx], printed(chars[pred])))
        ax.set_ylabel(f"→ {chars[pred]}\n({count})", rotation=0, ha="right", va="center",
                      fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
    if not len(shown):
        axes[0, 0].axis("off")
    more = f", {len(answers) - len(shown)} rarer answers not shown" if len(answers) > len(shown) else ""
    return _title(fig, f"Misclassified {chars[label]}: {len(wrong)} images, "
                  f"{len(answers)} different wrong answers{more}", source)
