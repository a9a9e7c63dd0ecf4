"""Scores, per-class reports, confusions, error look-ups and saved artifacts.

>>> import numpy as np
>>> from k49tut.evaluate import scores, top_confusions
>>> y_true = np.array([0, 0, 0, 1, 1, 2])
>>> y_pred = np.array([0, 0, 1, 1, 1, 1])
>>> round(scores(y_true, y_pred)["balanced_accuracy"], 4)     # (2/3 + 1 + 0) / 3
0.5556
>>> top_confusions(y_true, y_pred, ["あ", "い", "う"], k=2)[["true", "predicted", "share", "count"]]
  true predicted     share  count
0    う         い  1.000000      1
1    あ         い  0.333333      1
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix,
                             precision_recall_fscore_support)

from k49tut.classes import N_CLASSES


def predict(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Class probabilities (N, 49) for uint8 images, fed batch by batch."""
    from k49tut.train import dataset

    return model.predict(dataset(x, batch_size=batch_size), verbose=0)


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Accuracy, balanced accuracy (K49's official metric) and macro precision/recall/F1."""
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_precision": float(p),
        "macro_recall": float(r),
        "macro_f1": float(f),
    }


def per_class_report(y_true: np.ndarray, y_pred: np.ndarray, chars) -> pd.DataFrame:
    """Precision, recall, F1 and support per class, indexed by character, in label order."""
    labels = np.arange(len(chars))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return pd.DataFrame({"label": labels, "precision": p, "recall": r, "f1": f, "support": s},
                        index=pd.Index(list(chars), name="char"))


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = N_CLASSES,
              normalize: bool = False) -> np.ndarray:
    """The confusion matrix (rows: true class, columns: predicted class).

    ``normalize=True`` divides each row by its total, so the diagonal holds each
    class's recall and row ``i`` shows where the images of class ``i`` went.
    """
    cm = confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))
    return _row_shares(cm) if normalize else cm


def _row_shares(cm: np.ndarray) -> np.ndarray:
    totals = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, totals, out=np.zeros(cm.shape, float), where=totals > 0)


def top_confusions(y_true: np.ndarray, y_pred: np.ndarray, chars, k: int = 10) -> pd.DataFrame:
    """The ``k`` most frequent mistakes, relative to the true class's size.

    Columns: ``true``, ``predicted`` (characters), ``true_label``, ``pred_label``,
    ``share`` (of the true class's images that went to ``predicted``) and ``count``.
    Ties in share are broken by count, then by label order.
    """
    cm = confusion(y_true, y_pred, len(chars))
    share = _row_shares(cm)
    t, p = np.nonzero(cm * (1 - np.eye(len(chars), dtype=cm.dtype)))
    frame = pd.DataFrame({"true": [chars[i] for i in t], "predicted": [chars[j] for j in p],
                          "true_label": t, "pred_label": p, "share": share[t, p],
                          "count": cm[t, p]})
    frame = frame.sort_values(["share", "count", "true_label", "pred_label"],
                              ascending=[False, False, True, True], kind="stable")
    return frame.head(k).reset_index(drop=True)


def errors(y_true: np.ndarray, y_pred: np.ndarray, true: int | None = None,
           predicted: int | None = None) -> np.ndarray:
    """Indices of misclassified images, optionally of one true and/or predicted class.

    >>> errors(np.array([1, 1, 2, 1]), np.array([1, 2, 2, 0]), true=1).tolist()
    [1, 3]
    """
    mask = y_true != y_pred
    if true is not None:
        mask &= y_true == true
    if predicted is not None:
        mask &= y_pred == predicted
    return np.flatnonzero(mask)


def predictions_frame(y_true: np.ndarray, y_pred: np.ndarray, chars,
                      proba: np.ndarray | None = None) -> pd.DataFrame:
    """One row per test image: true and predicted labels and characters (and confidence)."""
    chars = np.asarray(list(chars))
    frame = pd.DataFrame({"true": y_true.astype(int), "predicted": y_pred.astype(int),
                          "true_char": chars[y_true], "pred_char": chars[y_pred]})
    if proba is not None:
        frame["confidence"] = proba.max(axis=1)
    frame.index.name = "test_index"
    return frame


def library_versions() -> dict:
    """Versions of the libraries a result depends on."""
    import keras
    import matplotlib
    import sklearn
    import tensorflow as tf

    import k49tut

    return {"python": platform.python_version(), "k49tut": k49tut.__version__,
            "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
            "matplotlib": matplotlib.__version__}


def metrics_record(ds, y_pred: np.ndarray, *, epochs: int, seed: int | None,
                   batch_size: int, training_seconds: float, device: str,
                   models: dict | None = None) -> dict:
    """Everything ``metrics.json`` holds about one evaluated model, JSON-ready."""
    report = per_class_report(ds.y_test, y_pred, ds.chars)
    return {
        "dataset": ds.name,
        "dataset_description": ds.description,
        "is_synthetic": bool(ds.is_synthetic),
        "test_images": int(len(ds.y_test)),
        **scores(ds.y_test, y_pred),
        "per_class": {c: {k: (int(v) if k in ("label", "support") else round(float(v), 6))
                          for k, v in row.items()} for c, row in report.iterrows()},
        "epochs": epochs, "batch_size": batch_size, "seed": seed,
        "training_seconds": round(training_seconds, 2), "device": device,
        "compared_models": models or {},
        "versions": library_versions(),
    }


def save_artifacts(output_dir, model, ds, y_pred: np.ndarray, proba: np.ndarray,
                   record: dict) -> dict[str, Path]:
    """Write ``model.keras``, ``predictions.csv`` and ``metrics.json``; returns their paths."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"model": out / "model.keras", "predictions": out / "predictions.csv",
             "metrics": out / "metrics.json"}
    model.save(paths["model"])
    predictions_frame(ds.y_test, y_pred, ds.chars, proba).to_csv(paths["predictions"])
    paths["metrics"].write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    return paths
