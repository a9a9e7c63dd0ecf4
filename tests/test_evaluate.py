"""Scores, confusions and look-ups: exact results on hand-made predictions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score

from conftest import labelled_dataset
from k49tut import evaluate
from k49tut.classes import CHARS


def test_balanced_accuracy_equals_scikit_learn():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 49, 2000)
    y_pred = np.where(rng.random(2000) < 0.7, y_true, rng.integers(0, 49, 2000))
    s = evaluate.scores(y_true, y_pred)
    assert s["balanced_accuracy"] == balanced_accuracy_score(y_true, y_pred)
    assert s["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    assert s["balanced_accuracy"] == pytest.approx(s["macro_recall"])


def test_balanced_accuracy_weights_rare_classes_equally():
    y_true = np.array([0] * 98 + [1] * 2)
    y_pred = np.zeros(100, int)
    s = evaluate.scores(y_true, y_pred)
    assert s["accuracy"] == 0.98 and s["balanced_accuracy"] == 0.5


def test_top_confusions_exact_on_a_hand_made_confusion():
    # class 0: 10 images, 3 -> 1 and 1 -> 2; class 1: 4 images, 2 -> 0; class 2: 5, all right
    y_true = np.array([0] * 10 + [1] * 4 + [2] * 5)
    y_pred = np.array([0] * 6 + [1] * 3 + [2] + [0, 0, 1, 1] + [2] * 5)
    chars = ["あ", "い", "う"]
    top = evaluate.top_confusions(y_true, y_pred, chars, k=5)
    assert top[["true", "predicted", "count"]].values.tolist() == [
        ["い", "あ", 2], ["あ", "い", 3], ["あ", "う", 1]]
    assert top["share"].tolist() == pytest.approx([0.5, 0.3, 0.1])
    assert top[["true_label", "pred_label"]].values.tolist() == [[1, 0], [0, 1], [0, 2]]


def test_top_confusions_ties_broken_by_count_then_label():
    y_true = np.array([0, 0, 1, 1, 1, 1, 2, 2])
    y_pred = np.array([1, 0, 0, 0, 1, 1, 0, 2])    # 0->1: 1/2, 1->0: 2/4, 2->0: 1/2
    top = evaluate.top_confusions(y_true, y_pred, ["a", "b", "c"], k=3)
    assert top[["true", "predicted"]].values.tolist() == [["b", "a"], ["a", "b"], ["c", "a"]]


def test_confusion_normalised_rows_hold_recall_on_the_diagonal():
    y_true = np.array([0, 0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1, 1, 0])
    cm = evaluate.confusion(y_true, y_pred, 3, normalize=True)
    assert cm.tolist() == [[0.75, 0.25, 0], [0.5, 0.5, 0], [0, 0, 0]]


def test_per_class_report_is_indexed_by_character():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 1, 1, 1])
    report = evaluate.per_class_report(y_true, y_pred, CHARS)
    assert list(report.index[:2]) == ["あ", "い"] and len(report) == 49
    assert report.loc["あ", "recall"] == 0.5 and report.loc["い", "precision"] == pytest.approx(2 / 3)
    assert report.loc["う", "support"] == 0


def test_errors_pick_the_right_indices():
    y_true = np.array([27, 27, 27, 22, 27, 8])
    y_pred = np.array([22, 27, 22, 27, 5, 8])
    assert evaluate.errors(y_true, y_pred).tolist() == [0, 2, 3, 4]
    assert evaluate.errors(y_true, y_pred, true=27, predicted=22).tolist() == [0, 2]
    assert evaluate.errors(y_true, y_pred, true=27).tolist() == [0, 2, 4]
    assert evaluate.errors(y_true, y_pred, predicted=27).tolist() == [3]


def test_predictions_frame_has_characters():
    frame = evaluate.predictions_frame(np.array([27, 0]), np.array([22, 0]), CHARS,
                                       proba=np.eye(49)[[22, 0]] * 0.9)
    assert frame.to_dict("list") == {"true": [27, 0], "predicted": [22, 0],
                                     "true_char": ["ふ", "あ"], "pred_char": ["ぬ", "あ"],
                                     "confidence": [0.9, 0.9]}


def test_metrics_record_and_artifacts(tmp_path):
    import keras

    ds = labelled_dataset(per_class_train=1, per_class_test=2)
    y_pred = ds.y_test.copy()
    y_pred[0] = 1
    record = evaluate.metrics_record(ds, y_pred, epochs=3, seed=7, batch_size=32,
                                     training_seconds=1.234, device="CPU (2 cores)")
    assert record["is_synthetic"] is True and "not Kuzushiji-49" in record["dataset_description"]
    assert record["balanced_accuracy"] == balanced_accuracy_score(ds.y_test, y_pred)
    assert record["per_class"]["あ"]["recall"] == 0.5 and record["epochs"] == 3
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(49)])
    proba = np.full((len(y_pred), 49), 1 / 49)
    paths = evaluate.save_artifacts(tmp_path / "out", model, ds, y_pred, proba, record)
    assert json.loads(paths["metrics"].read_text(encoding="utf-8")) == record
    table = pd.read_csv(paths["predictions"], index_col=0)
    assert table["pred_char"].iloc[0] == "い" and len(table) == len(y_pred)
    assert keras.saving.load_model(paths["model"]).count_params() == model.count_params()
