"""Numbers behind the exploratory analysis: counts, pixel statistics, look-alikes, checks.

Everything works on uint8 images as loaded, in chunks where a whole-array temporary
would double the memory held (real K49's training images are 182 MB).

>>> import numpy as np
>>> from k49tut.explore import class_counts
>>> class_counts(np.array([0, 0, 2]), np.array([1]), ["あ", "い", "う"])
  char  train  test
0    あ      2     0
1    い      0     1
2    う      1     0
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
import pandas as pd

CHUNK = 4_096          # images per chunk: bounds temporaries to a few tens of MB


def overview(ds) -> pd.DataFrame:
    """One row per array of a dataset: shape, dtype, memory in MB, smallest and largest value."""
    rows = []
    for name in ("x_train", "y_train", "x_test", "y_test"):
        a = getattr(ds, name)
        rows.append({"array": name, "shape": str(a.shape), "dtype": str(a.dtype),
                     "MB": round(a.nbytes / 1e6, 1), "min": int(a.min()), "max": int(a.max())})
    return pd.DataFrame(rows).set_index("array")


def class_counts(y_train: np.ndarray, y_test: np.ndarray, chars) -> pd.DataFrame:
    """Images per class in each split: columns ``char``, ``train``, ``test``."""
    n = len(chars)
    return pd.DataFrame({
        "char": list(chars),
        "train": np.bincount(y_train, minlength=n)[:n],
        "test": np.bincount(y_test, minlength=n)[:n],
    })


def imbalance_ratio(counts) -> float:
    """Largest class count divided by the smallest.

    >>> imbalance_ratio([6000, 6000, 392])
    15.306122448979592
    """
    counts = np.asarray(counts)
    return float(counts.max() / counts.min()) if counts.min() > 0 else float("inf")


def intensity_histogram(x: np.ndarray) -> np.ndarray:
    """How many pixels take each value 0..255 (length-256 array).

    >>> intensity_histogram(np.array([[[0, 255], [255, 7]]], np.uint8))[[0, 7, 255]].tolist()
    [1, 1, 2]
    """
    hist = np.zeros(256, np.int64)
    for start in range(0, len(x), CHUNK):
        hist += np.bincount(x[start: start + CHUNK].ravel(), minlength=256)
    return hist


def pixel_stats(ds) -> pd.DataFrame:
    """Mean pixel value and shares of pixels above 0 and 127, per split (from histograms)."""
    out = {}
    for split, x in (("train", ds.x_train), ("test", ds.x_test)):
        hist = intensity_histogram(x)
        total = hist.sum()
        out[split] = {
            "mean pixel value": round(float(hist @ np.arange(256) / total), 1),
            "share of pixels > 0": round(float(hist[1:].sum() / total), 3),
            "share of pixels > 127": round(float(hist[128:].sum() / total), 3),
        }
    return pd.DataFrame(out)


def ink_fraction(x: np.ndarray) -> np.ndarray:
    """Share of non-zero pixels in each image (float32, one value per image)."""
    out = np.empty(len(x), np.float32)
    for start in range(0, len(x), CHUNK):
        out[start: start + CHUNK] = (x[start: start + CHUNK] > 0).mean(axis=(1, 2))
    return out


def mean_images(x: np.ndarray, y: np.ndarray, n_classes: int = 49) -> np.ndarray:
    """The average image of each class, float32 (n_classes, 28, 28)."""
    out = np.zeros((n_classes,) + x.shape[1:], np.float32)
    for c in range(n_classes):
        members = x[y == c]                       # one class at a time: a few MB
        if len(members):
            out[c] = members.mean(axis=0, dtype=np.float64)
    return out


def nearest_classes(means: np.ndarray, chars, k: int = 10) -> pd.DataFrame:
    """The ``k`` pairs of classes whose mean images are closest (Euclidean, 0..255 scale).

    Columns: ``a``, ``b`` (characters), ``label_a``, ``label_b``, ``distance``.
    """
    flat = means.reshape(len(means), -1).astype(np.float64)
    sq = (flat ** 2).sum(1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * flat @ flat.T, 0))
    i, j = np.triu_indices(len(means), k=1)
    order = np.argsort(dist[i, j], kind="stable")[:k]
    return pd.DataFrame({
        "a": [chars[a] for a in i[order]], "b": [chars[b] for b in j[order]],
        "label_a": i[order], "label_b": j[order], "distance": dist[i, j][order],
    })


def _digests(x: np.ndarray) -> list[bytes]:
    return [hashlib.blake2b(img.tobytes(), digest_size=16).digest() for img in x]


def data_checks(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                y_test: np.ndarray, n_classes: int = 49) -> pd.DataFrame:
    """Sanity checks a careful analyst runs before modelling, one row per check.

    Columns ``check``, ``train``, ``test``: blank images, exact duplicate images
    (copies beyond the first), duplicates whose copies carry different labels, images
    also present in the other split, and labels outside ``0..n_classes-1``.
    """
    rows = defaultdict(dict)
    seen = {}
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        digests = _digests(x)
        groups = defaultdict(list)
        for idx, d in enumerate(digests):
            groups[d].append(idx)
        dup = [g for g in groups.values() if len(g) > 1]
        rows["blank images"][split] = sum(
            int((x[s: s + CHUNK].max(axis=(1, 2)) == 0).sum()) for s in range(0, len(x), CHUNK))
        rows["duplicate images (extra copies)"][split] = sum(len(g) - 1 for g in dup)
        rows["duplicates with conflicting labels"][split] = sum(
            len(set(y[g].tolist())) > 1 for g in dup)
        rows["labels outside 0..%d" % (n_classes - 1)][split] = int(
            ((y < 0) | (y >= n_classes)).sum())
        seen[split] = set(groups)
    overlap = len(seen["train"] & seen["test"])
    rows["images also in the other split"] = {"train": overlap, "test": overlap}
    order = ["blank images", "duplicate images (extra copies)",
             "duplicates with conflicting labels", "images also in the other split",
             "labels outside 0..%d" % (n_classes - 1)]
    return pd.DataFrame([{"check": k, **rows[k]} for k in order])
