"""Every figure of the tutorial; each function returns a matplotlib Figure, except three
helpers that are not figures: :func:`plural` (``"3 epochs"``, from :mod:`k49tut.words`,
also used in the notebooks' printed sentences), :func:`strip` (images side by side, as
one array) and the accent colour :data:`ACCENT`.

- :mod:`k49tut.plots.data`: the data (Part 1), titled with the dataset's description.
- :mod:`k49tut.plots.concepts`: small illustrations of how a CNN works (Part 2).
- :mod:`k49tut.plots.results`: training curves and evaluation (Part 2).
- :mod:`k49tut.plots.recipe`: augmented images and schedules (Part 3).
- :mod:`k49tut.plots.seeds`: comparisons trained with several seeds (Parts 2 and 3).
- :mod:`k49tut.plots.inside`: kernels, feature maps, attributions, calibration, doubtful
  labels (Part 4).

Call :func:`k49tut.fonts.setup` first so that hiragana render.
"""

from k49tut.plots import inside, recipe
from k49tut.plots.concepts import activations, convolution, max_pooling
from k49tut.plots.data import (
    ACCENT,
    class_distribution,
    embedding,
    examples_grid,
    ink_by_class,
    mean_images,
    nearest_pairs,
    pixel_histogram,
    strip,
)
from k49tut.plots.results import (
    class_errors,
    confusion_matrix,
    confusions,
    gallery,
    learning_curves,
    per_class_scores,
    precision_recall,
)
from k49tut.plots.seeds import curves_by_row, seed_scores
from k49tut.words import plural

__all__ = [
    "ACCENT",
    "activations",
    "inside",
    "recipe",
    "class_distribution",
    "class_errors",
    "confusion_matrix",
    "confusions",
    "curves_by_row",
    "convolution",
    "embedding",
    "examples_grid",
    "gallery",
    "ink_by_class",
    "learning_curves",
    "max_pooling",
    "mean_images",
    "nearest_pairs",
    "per_class_scores",
    "pixel_histogram",
    "plural",
    "precision_recall",
    "seed_scores",
    "strip",
]
