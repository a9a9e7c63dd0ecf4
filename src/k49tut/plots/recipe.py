"""Figures of Part 3: augmented images, the learning-rate schedule, the ablation chart.

>>> import numpy as np
>>> from k49tut.plots.recipe import learning_rate
>>> fig = learning_rate(np.arange(10), np.linspace(0, 1e-3, 10))
>>> fig.axes[0].get_ylabel()
'learning rate'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from k49tut.plots.data import _grid, _titled


def augmented(
    originals: np.ndarray, variants: np.ndarray, chars, labels, source: str = ""
) -> Figure:
    """Each original image (first column) beside its augmented variants.

    ``originals``: (N, 28, 28); ``variants``: (N, K, 28, 28), values 0..255 or 0..1.
    """
    n, k = variants.shape[:2]
    fig, axes = _grid(n, k + 1, (1.1 * (k + 1), 1.15 * n + 0.7))
    for row, img, more, label in zip(axes, originals, variants, labels):
        for ax, image in zip(row, [img, *more]):
            ax.imshow(np.squeeze(image), cmap="gray", vmin=0, vmax=float(np.max(image)) or 1)
            ax.set(xticks=[], yticks=[])
        row[0].set_ylabel(chars[label], rotation=0, fontsize=14, ha="right", va="center")
    for col, ax in enumerate(axes[0]):
        ax.set_title(f"variant {col}" if col else "original", fontsize=9)
    return _titled(fig, "Random augmentation: each training step sees new variants", source)


def learning_rate(
    steps, values, title: str = "Learning-rate schedule", source: str = ""
) -> Figure:
    """The learning rate at each training step; ``source`` (the data's description) goes on
    a second title line."""
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.plot(steps, values)
    ax.set(xlabel="training step", ylabel="learning rate")
    ax.grid(alpha=0.3)
    return _titled(fig, title, source)
