"""Figures of Part 2: their content matches the numbers they are drawn from."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from k49tut import evaluate, fonts, plots  # noqa: E402
from k49tut.classes import CHARS  # noqa: E402
from k49tut.synth import printed  # noqa: E402


@pytest.fixture(autouse=True)
def _fonts():
    fonts.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield
    plt.close("all")


@pytest.fixture
def predictions():
    rng = np.random.default_rng(0)
    y_true = np.repeat(np.arange(49), 20)
    y_pred = np.where(rng.random(len(y_true)) < 0.8, y_true, rng.integers(0, 49, len(y_true)))
    y_pred[np.flatnonzero(y_true == 27)[:6]] = 22          # true ふ -> ぬ, six times
    return y_true, y_pred


def test_learning_curves_plot_the_history():
    h = pd.DataFrame({"accuracy": [.5, .7, .8], "val_accuracy": [.6, .65, .66],
                      "loss": [1.2, .8, .6], "val_loss": [1.0, .9, .95]}, index=[1, 2, 3])
    fig = plots.learning_curves(h, source="somewhere")
    acc, loss = fig.axes
    assert [list(line.get_ydata()) for line in acc.get_lines()] == [[.5, .7, .8], [.6, .65, .66]]
    assert list(loss.get_lines()[1].get_ydata()) == [1.0, .9, .95]
    assert "somewhere" in fig._suptitle.get_text()
    h["balanced_accuracy"], h["val_balanced_accuracy"] = [.4, .5, .6], [.3, .35, .4]
    fig = plots.learning_curves(h)
    assert [ax.get_ylabel() for ax in fig.axes] == ["accuracy", "balanced accuracy", "loss"]
    assert list(fig.axes[1].get_lines()[1].get_ydata()) == [.3, .35, .4]


def test_compare_scores_bars(predictions):
    table = pd.DataFrame({"accuracy": [0.9, 0.8], "balanced_accuracy": [0.85, 0.7]},
                         index=["a", "b"])
    fig = plots.compare_scores(table)
    assert [round(p.get_height(), 6) for p in fig.axes[0].patches] == [0.9, 0.85, 0.8, 0.7]


def test_per_class_scores_sorted_by_f1(predictions):
    report = evaluate.per_class_report(*predictions, CHARS)
    fig = plots.per_class_scores(report)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == list(report.sort_values("f1").index)
    f1_bars = ax.patches[2 * 49:]
    assert [b.get_width() for b in f1_bars] == pytest.approx(report.sort_values("f1")["f1"].tolist())


def test_precision_recall_annotations(predictions):
    report = evaluate.per_class_report(*predictions, CHARS)
    fig = plots.precision_recall(report)
    notes = {t.get_text(): t.xy for t in fig.axes[0].texts}
    assert set(notes) == set(CHARS)
    assert notes["ふ"] == pytest.approx((report.loc["ふ", "precision"], report.loc["ふ", "recall"]))


def test_confusion_matrix_has_hiragana_axes_and_the_data(predictions):
    cm = evaluate.confusion(*predictions)
    fig = plots.confusion_matrix(cm, CHARS)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CHARS)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CHARS)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), cm)
    norm = evaluate.confusion(*predictions, normalize=True)
    fig = plots.confusion_matrix(norm, CHARS, normalized=True, annotate_above=0.25)
    texts = fig.axes[0].texts
    assert [(round(t.get_position()[1]), round(t.get_position()[0])) for t in texts] == [(27, 22)]
    assert texts[0].get_text() == "30"


def test_top_confusions_bars(predictions):
    top = evaluate.top_confusions(*predictions, CHARS, k=5)
    fig = plots.top_confusions(top)
    ax = fig.axes[0]
    assert [p.get_width() for p in ax.patches] == pytest.approx((100 * top["share"])[::-1].tolist())
    assert ax.get_yticklabels()[-1].get_text() == f"true {top.true[0]} → predicted {top.predicted[0]}"


def test_gallery_shows_the_chosen_images(predictions):
    y_true, y_pred = predictions
    x = (np.arange(len(y_true)) % 256).astype(np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    idx = evaluate.errors(y_true, y_pred, true=27, predicted=22)
    fig = plots.gallery(x, idx, CHARS, 27, 22)
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in shown[:2]] == ["true ふ", "predicted ぬ"]
    np.testing.assert_allclose(shown[1].get_images()[0].get_array(),
                               printed("ぬ")[..., None] / 255 * plots.ACCENT)
    assert [ax.get_title() for ax in shown[2:]] == [f"#{i}" for i in idx]
    for ax, i in zip(shown[2:], idx):
        assert (ax.get_images()[0].get_array() == x[i]).all()


def test_class_errors_rows_by_frequency(predictions):
    y_true, y_pred = predictions
    fig = plots.class_errors(np.zeros((len(y_true), 28, 28), np.uint8), y_true, y_pred, 27, CHARS)
    labels = [ax.get_ylabel() for ax in fig.axes]
    wrong = y_pred[(y_true == 27) & (y_pred != 27)]
    counts = pd.Series(wrong).value_counts()
    assert labels[0] == f"→ ぬ\n({counts[22]})"
    assert len(labels) == min(12, len(counts))
    assert f"{len(wrong)} images" in fig._suptitle.get_text()


def test_convolution_and_pooling_pictures():
    from scipy.signal import correlate2d

    img = np.zeros((28, 28), np.uint8)
    img[:, 12:15] = 255
    fig = plots.convolution(img)
    feature = fig.axes[2].get_images()[0].get_array()
    kernel = plots.concepts.EDGE_KERNELS["vertical strokes"]
    np.testing.assert_allclose(feature, np.maximum(correlate2d(img / 255, kernel, "valid"), 0))
    pooled = [t.get_text() for t in plots.max_pooling().axes[1].texts]
    assert pooled == ["6", "2", "3", "9"]
