"""The heavier computations behind Part 1: histograms, average images, look-alikes, checks.

Part 1 computes its simple statistics (class counts, pixel shares) itself with NumPy;
this module holds what would clutter a notebook. Everything works on uint8 images as
loaded, in chunks where a whole-array temporary would double the memory held (real
K49's training images are 182 MB).

>>> import numpy as np
>>> from k49tut.explore import mean_images, nearest_classes
>>> x = np.zeros((3, 28, 28), np.uint8)
>>> x[1:] = 10                            # class 1: two images of value 10
>>> nearest_classes(mean_images(x, np.array([0, 1, 1]), n_classes=3), ["あ", "い", "う"], k=2)
   a  b  label_a  label_b  distance
0  あ  う        0        2       0.0
1  あ  い        0        1     280.0
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
import pandas as pd

CHUNK = 4_096  # images per chunk: bounds temporaries to a few tens of MB


def intensity_histogram(x: np.ndarray) -> np.ndarray:
    """How many pixels take each value 0..255 (length-256 array).

    >>> intensity_histogram(np.array([[[0, 255], [255, 7]]], np.uint8))[[0, 7, 255]].tolist()
    [1, 1, 2]
    """
    hist = np.zeros(256, np.int64)
    for start in range(0, len(x), CHUNK):
        hist += np.bincount(x[start : start + CHUNK].ravel(), minlength=256)
    return hist


def ink_fraction(x: np.ndarray) -> np.ndarray:
    """Share of non-zero pixels in each image (float32, one value per image)."""
    out = np.empty(len(x), np.float32)
    for start in range(0, len(x), CHUNK):
        out[start : start + CHUNK] = (x[start : start + CHUNK] > 0).mean(axis=(1, 2))
    return out


def mean_images(x: np.ndarray, y: np.ndarray, n_classes: int = 49) -> np.ndarray:
    """The average image of each class, float32 (n_classes, 28, 28)."""
    out = np.zeros((n_classes,) + x.shape[1:], np.float32)
    for c in range(n_classes):
        members = x[y == c]  # one class at a time: a few MB
        if len(members):
            out[c] = members.mean(axis=0, dtype=np.float64)
    return out


def nearest_classes(means: np.ndarray, chars, k: int = 10) -> pd.DataFrame:
    """The ``k`` pairs of classes whose mean images are closest (Euclidean, 0..255 scale).

    Columns: ``a``, ``b`` (characters), ``label_a``, ``label_b``, ``distance``.
    """
    flat = means.reshape(len(means), -1).astype(np.float64)
    sq = (flat**2).sum(1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * flat @ flat.T, 0))
    i, j = np.triu_indices(len(means), k=1)
    order = np.argsort(dist[i, j], kind="stable")[:k]
    return pd.DataFrame(
        {
            "a": [chars[a] for a in i[order]],
            "b": [chars[b] for b in j[order]],
            "label_a": i[order],
            "label_b": j[order],
            "distance": dist[i, j][order],
        }
    )


def data_checks(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    n_classes: int = 49,
) -> pd.DataFrame:
    """Sanity checks a careful analyst runs before modelling, one row per check.

    Columns ``check``, ``train``, ``test``: blank images, exact duplicate images
    (copies beyond the first), duplicates whose copies carry different labels, images
    also present in the other split, and labels outside ``0..n_classes-1``.
    """
    rows = defaultdict(dict)
    seen = {}
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        groups = defaultdict(list)
        for idx, img in enumerate(x):
            groups[hashlib.blake2b(img.tobytes(), digest_size=16).digest()].append(idx)
        dup = [g for g in groups.values() if len(g) > 1]
        rows["blank images"][split] = int((ink_fraction(x) == 0).sum())
        rows["duplicate images (extra copies)"][split] = sum(len(g) - 1 for g in dup)
        rows["duplicates with conflicting labels"][split] = sum(
            len(set(y[g].tolist())) > 1 for g in dup
        )
        seen[split] = set(groups)
    overlap = len(seen["train"] & seen["test"])
    rows["images also in the other split"] = {"train": overlap, "test": overlap}
    rows[f"labels outside 0..{n_classes - 1}"] = {
        split: int(((y < 0) | (y >= n_classes)).sum())
        for split, y in (("train", y_train), ("test", y_test))
    }
    return pd.DataFrame([{"check": check, **row} for check, row in rows.items()])
