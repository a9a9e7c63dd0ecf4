"""Small pictures of the ideas behind a CNN: activations, convolution, max pooling.

The notebook computes the feature maps and the pooled grid (in visible NumPy); these
functions only draw them.

>>> import numpy as np
>>> from k49tut.plots.concepts import max_pooling
>>> grid = np.arange(16.0).reshape(4, 4)
>>> fig = max_pooling(grid, np.array([[5.0, 7.0], [13.0, 15.0]]))
>>> fig.axes[1].get_title()
'after 2x2 max pooling'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from k49tut.plots.data import _grid, _titled

#: Two hand-made 3x3 kernels: they respond to vertical and to horizontal strokes.
EDGE_KERNELS = {
    "vertical strokes": np.array([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], float),
    "horizontal strokes": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], float),
}


def activations() -> Figure:
    """The sigmoid of logistic regression beside tanh and ReLU, the CNN's choice."""
    z = np.linspace(-5, 5, 201)
    curves = {
        "sigmoid  1 / (1 + e^-z)": 1 / (1 + np.exp(-z)),
        "tanh(z)": np.tanh(z),
        "ReLU  max(0, z)": np.maximum(0, z),
    }
    fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharex=True, layout="constrained")
    for ax, (name, values) in zip(axes, curves.items()):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(z, values, lw=2)
        ax.set_title(name)
        ax.set_xlabel("z (weighted sum of inputs plus bias)")
    fig.suptitle("Activation functions")
    return fig


def _heat(ax, values, cmap="coolwarm"):  # colours centred on zero
    limit = np.abs(values).max() or 1
    ax.imshow(values, cmap=cmap, vmin=-limit, vmax=limit)


def _show_matrix(ax, values, cmap="coolwarm"):
    _heat(ax, values, cmap)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=11)
    ax.set(xticks=[], yticks=[])


def convolution(image: np.ndarray, kernels: dict, feature_maps: dict, source: str = "") -> Figure:
    """For each kernel: the image, the 3x3 kernel, and its feature map after ReLU, with a
    colour bar (black: 0, a zero or negative sum; bright: a large positive sum).

    ``image`` is one 28x28 image; ``kernels`` and ``feature_maps`` map the same names to a
    kernel and to the feature map computed with it (ReLU already applied). ``source`` (the
    data's description) goes on a second title line.
    """
    fig, axes = _grid(len(kernels), 3, (8.8, 2.8 * len(kernels)))
    for row, (name, kernel) in zip(axes, kernels.items()):
        feature = feature_maps[name]
        row[0].imshow(image, cmap="gray")
        row[0].set_title(f"input {image.shape[0]}x{image.shape[1]}")
        _show_matrix(row[1], kernel)
        row[1].set_title(f"3x3 kernel: {name}")
        shown = row[2].imshow(feature, cmap="magma", vmin=0)
        row[2].set_title(f"feature map {feature.shape[0]}x{feature.shape[1]}, after ReLU")
        fig.colorbar(shown, ax=row[2], shrink=0.8).set_label("sum after ReLU", fontsize=9)
        row[0].axis("off")
        row[2].axis("off")
    what = "A convolution slides a kernel over the image; ReLU keeps the positive sums"
    return _titled(fig, what, source)


def max_pooling(values: np.ndarray, pooled: np.ndarray) -> Figure:
    """A grid (4x4 in the notebook) beside its 2x2 max pooling, both with their numbers."""
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 3.2), width_ratios=[2, 1], layout="constrained")
    _show_matrix(axes[0], values, cmap="Blues")
    for draw, size in ((axes[0].axhline, values.shape[0]), (axes[0].axvline, values.shape[1])):
        for k in np.arange(1.5, size - 1, 2):  # between the 2x2 blocks
            draw(k, color="k", lw=2)
    axes[0].set_title(f"input {values.shape[0]}x{values.shape[1]}")
    _show_matrix(axes[1], pooled, cmap="Blues")
    axes[1].set_title("after 2x2 max pooling")
    return fig
