"""Figures for comparisons trained with several seeds (Parts 2 and 3).

A network trained once is one draw: these figures show every draw, so a reader sees how
far the runs of one model spread before comparing two models.

>>> import pandas as pd
>>> from k49tut.plots.seeds import seed_scores
>>> scores = pd.DataFrame([[0.90, 0.92, 0.91], [0.95, 0.94, 0.96]],
...                       index=["plain", "+ dropout"], columns=[1, 2, 3])
>>> fig = seed_scores(scores, title="Two models, three seeds")
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['plain', '+ dropout']
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from k49tut.plots.data import _titled
from k49tut.words import plural

MARKERS = "osD^v<>ph*"


def seed_scores(
    scores: pd.DataFrame,
    title: str = "Validation scores, one dot per training seed",
    source: str = "",
    seconds: pd.Series | None = None,
    xlabel: str = "validation balanced accuracy",
) -> Figure:
    """One row per model (first on top), one dot per seed; a bar marks each row's mean.

    ``scores`` has one row per model and one column per seed. Dots of the same seed share
    a marker, sit a little above or below the row's centre (so that equal scores stay
    visible) and are joined by a grey line from row to row, so paired runs can be followed
    down the figure. The mean is printed at the right, with the training time per run when
    ``seconds`` (seconds per run, indexed like ``scores``) is given; a row whose seconds are
    NaN trained nothing of its own (it reuses the row above's networks), and says so. The
    score axis is cut to the range of the dots (never below 0), and its label says when
    it is cut.
    """
    n_rows, n_seeds = scores.shape
    y = np.arange(n_rows)[::-1]  # first row on top
    fig, ax = plt.subplots(figsize=(9, 0.5 * n_rows + 1.9), layout="constrained")
    values = scores.to_numpy(float)
    for k, (seed, dots) in enumerate(zip(scores.columns, values.T)):
        # each seed a little apart, within a third of a row either way: equal scores show
        at = y + min(0.12, 0.6 / max(n_seeds - 1, 1)) * (k - (n_seeds - 1) / 2)
        ax.plot(dots, at, color="0.75", lw=0.8, zorder=1, label=None if k else "same seed")
        marker, colour = MARKERS[k % len(MARKERS)], plt.cm.tab10(k % 10)
        ax.scatter(dots, at, marker=marker, s=36, zorder=2, color=colour, label=f"seed {seed}")
    means = values.mean(axis=1)
    ax.scatter(means, y, marker="|", s=500, color="black", zorder=3, label="mean")
    low, high = np.nanmin(values), np.nanmax(values)
    pad = max(0.01, 0.08 * (high - low))
    ax.set_yticks(y, scores.index, fontsize=11)
    start = max(0.0, low - pad)
    ax.set(xlim=(start, min(1.0, high + pad)), ylim=(-0.6, n_rows - 0.4))
    for i, (row, mean) in enumerate(zip(y, means)):  # right of the axes, on the row
        if seconds is None:
            per_run = ""
        elif np.isnan(seconds.iloc[i]):
            per_run = "  (the row above's networks)"
        else:
            per_run = f"  ({seconds.iloc[i]:.0f} s per run)"
        ax.annotate(
            f"mean {mean:.4f}{per_run}",
            xy=(1.0, row),
            xycoords=("axes fraction", "data"),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=10,
        )
    ax.set_xlabel(f"{xlabel} (axis cut to the range of the runs)" if start > 0 else xlabel)
    ax.grid(axis="x", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=n_seeds + 2, fontsize=9, frameon=False
    )
    return _titled(fig, f"{title} ({plural(n_seeds, 'seed')})", source)


def curves_by_row(
    curves: dict[str, list[list[float]]],
    title: str = "Validation accuracy after each epoch",
    source: str = "",
    ylabel: str = "validation accuracy",
    chance: float | None = None,
) -> Figure:
    """One colour per row of a comparison: a thick line for the mean over seeds, thin
    lines for each seed's run. ``curves`` maps a row's name to one list per seed; a dotted
    line marks ``chance`` when the axis reaches down to it."""
    fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
    lowest = 1.0
    for k, (name, runs) in enumerate(curves.items()):
        runs = np.asarray(runs, float)
        epochs = np.arange(1, runs.shape[1] + 1)
        colour = plt.cm.tab10(k % 10)
        for run in runs:
            ax.plot(epochs, run, color=colour, lw=0.7, alpha=0.45)
        label = f"{name} (mean of {len(runs)})"
        ax.plot(epochs, runs.mean(axis=0), color=colour, lw=2.2, marker="o", ms=3, label=label)
        lowest = min(lowest, float(np.percentile(runs[:, -(runs.shape[1] // 2 + 1) :], 0)))
    ax.set(ylim=(max(0.0, lowest - 0.1), 1.0), xlabel="epoch")
    if chance is not None and chance >= ax.get_ylim()[0]:
        ax.axhline(chance, color="0.3", ls=":", lw=1.2, label=f"chance ({chance:.3f})")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
    ax.set_ylabel(f"{ylabel} (axis cut)" if lowest - 0.1 > 0 else ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best")  # where it covers the fewest points
    return _titled(fig, title, source)
