"""Figures of Part 2: their content matches the numbers they are drawn from."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from sklearn.metrics import classification_report, confusion_matrix

from k49tut import plots
from k49tut.classes import CHARS
from k49tut.synth import printed

pytestmark = pytest.mark.usefixtures("figures")


@pytest.fixture
def predictions():
    rng = np.random.default_rng(0)
    y_true = np.repeat(np.arange(49), 20)
    y_pred = np.where(rng.random(len(y_true)) < 0.8, y_true, rng.integers(0, 49, len(y_true)))
    y_pred[np.flatnonzero(y_true == 27)[:6]] = 22  # true ふ -> ぬ, six times
    return y_true, y_pred


def _report(y_true, y_pred):
    return pd.DataFrame(
        classification_report(
            y_true, y_pred, labels=range(49), target_names=CHARS, output_dict=True, zero_division=0
        )
    ).T.iloc[:49]


def test_learning_curves_plot_the_history_and_mark_the_best_epoch():
    h = pd.DataFrame(
        {
            "accuracy": [0.5, 0.7, 0.8],
            "val_accuracy": [0.6, 0.65, 0.66],
            "loss": [1.2, 0.8, 0.6],
            "val_loss": [1.0, 0.9, 0.95],
        },
        index=[1, 2, 3],
    )
    fig = plots.learning_curves(h, source="somewhere")
    acc, loss = fig.axes
    assert [ax.get_ylabel() for ax in fig.axes] == ["accuracy", "loss"]
    assert [list(line.get_ydata()) for line in acc.get_lines()[:2]] == [
        [0.5, 0.7, 0.8],
        [0.6, 0.65, 0.66],
    ]
    assert list(loss.get_lines()[1].get_ydata()) == [1.0, 0.9, 0.95]
    best = loss.get_lines()[2]
    assert list(best.get_xdata()) == [2, 2] and "epoch 2" in best.get_label()
    assert "somewhere" in fig.get_suptitle()


def test_per_class_scores_sorted_by_f1(predictions):
    report = _report(*predictions)
    fig = plots.per_class_scores(report)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    ordered = report.sort_values("f1-score")
    assert ticks == list(ordered.index)
    f1_dots = ax.collections[2].get_offsets()
    assert list(f1_dots[:, 0]) == pytest.approx(ordered["f1-score"].tolist())
    assert list(f1_dots[:, 1]) == list(range(49))  # worst F1 at the bottom
    # a perfect score's dot sits inside the frame, and no tick promises a score above 1
    fig.canvas.draw()
    right_edge = ax.transData.transform((ax.get_xlim()[1], 0))[0]
    dot_right = ax.transData.transform((1, 0))[0] + np.sqrt(36) / 2 * fig.dpi / 72
    assert dot_right < right_edge
    assert max(ax.get_xticks()) == pytest.approx(1.0)


def test_per_class_scores_equal_scores_all_show(predictions):
    # when precision, recall and F1 are equal, each of the three markers stays visible
    report = _report(*predictions)
    report.loc["ふ", ["precision", "recall", "f1-score"]] = 0.9
    fig = plots.per_class_scores(report)
    ax = fig.axes[0]
    fig.canvas.draw()
    row = list(report.sort_values("f1-score").index).index("ふ")
    x, y = ax.transData.transform((0.9, row))
    y = fig.canvas.get_width_height()[1] - y  # image rows count from the top
    d = int(fig.dpi * 0.2)
    patch = np.asarray(fig.canvas.buffer_rgba())[int(y) - d : int(y) + d, int(x) - d : int(x) + d]
    for colour in ("C0", "C1", "C2"):  # precision, recall, F1
        rgb = np.array(to_rgb(colour)) * 255
        near = np.abs(patch[..., :3].astype(float) - rgb).max(axis=-1) < 30
        assert near.sum() >= 6, f"{colour} hidden"


def _labels(ax):
    """The character labels of a precision-recall figure: every character named, in the
    order named (a repeat shows), the point each labels, and the Text artists."""
    texts = [t for t in ax.texts if "(" not in t.get_text()]
    named = [char for t in texts for char in t.get_text().split(",")]
    return named, {char: t.xy for t in texts for char in t.get_text().split(",")}, texts


def _check_labels_apart_and_inside(ax):
    """No two labels overlap and none is cut off by the axes' edge."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in _labels(ax)[2]]
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert overlaps == 0
    frame = ax.get_window_extent(renderer)
    assert all(
        frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
        for b in boxes
    )


def test_precision_recall_zooms_labels_every_character_once_without_overlap(predictions):
    y_true, y_pred = predictions
    y_pred = y_pred.copy()
    y_pred[y_true == 45] = 0  # ゑ: never found, recall 0
    report = _report(y_true, y_pred)
    fig = plots.precision_recall(report)
    ax = fig.axes[0]
    low = float(re.search(r"below (\d\.\d\d)", fig.get_suptitle()).group(1))
    edge, high = ax.get_xlim()
    assert 0.3 < low < 0.8 and 1 < high < 1.05  # zoomed to where the points are
    assert ax.get_ylim() == (edge, high)  # a margin past 1, so markers at 1 clear the frame
    assert low - 0.1 * (1 - low) < edge < low - 0.03 * (1 - low)  # a band for the red marks
    assert max(ax.get_xticks()) == max(ax.get_yticks()) == 1  # but no score past 1
    assert min(ax.get_xticks()) >= low
    ok = (report.precision >= low) & (report.recall >= low)
    named, inside = _labels(ax)[:2]
    assert sorted(named) == sorted(report.index[ok]) and len(named) >= 45  # each once
    assert inside["ふ"] == pytest.approx(
        (report.loc["ふ", "precision"], report.loc["ふ", "recall"]), abs=0.01 * (1 - low)
    )
    marked = [t.get_text() for t in ax.texts if "(" in t.get_text()]
    assert "ゑ (0.00, 0.00)" in marked and len(marked) == (~ok).sum()
    _check_labels_apart_and_inside(ax)
    assert f"{(~ok).sum()} characters below" in fig.get_suptitle()


def test_precision_recall_markers_at_low_stay_clear_of_the_red_marks_and_the_frame():
    p, r = np.full(49, 0.9), np.linspace(0.85, 1, 49)
    p[:3], r[:3] = (0.9, 0.8, 0.5), (0.8, 0.5, 0.8)  # at low; below it in recall; in precision
    report = pd.DataFrame({"precision": p, "recall": r, "support": np.full(49, 40)}, CHARS)
    fig = plots.precision_recall(report, low=0.8)
    ax = fig.axes[0]
    fig.canvas.draw()
    frame = ax.get_window_extent()
    radius = np.sqrt(20 + 200) / 2 * fig.dpi / 72  # the largest marker, in pixels
    red = np.vstack([c.get_offsets() for c in ax.collections[1:] if c.get_offsets().size])
    assert len(red) == 2
    for x, y in ax.transData.transform([(0.9, 0.8), (0.8, 0.9)]):
        assert min(x, y) - radius > max(frame.x0, frame.y0)  # clear of the frame
        for rx, ry in ax.transData.transform(red):  # and of each red mark (radius ~4 pixels)
            assert np.hypot(x - rx, y - ry) > radius + 4


def test_precision_recall_red_labels_at_one_spot_stand_apart_inside_the_frame():
    p, r = np.full(49, 0.9), np.linspace(0.85, 1, 49)
    p[:5], r[:5] = (1, 1, 1, 0.62, 0.3), (0.2, 0.25, 0.4, 0.1, 0.95)  # as on the stand-in
    report = pd.DataFrame({"precision": p, "recall": r, "support": np.full(49, 40)}, CHARS)
    fig = plots.precision_recall(report, low=0.8)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    red = [t for t in ax.texts if "(" in t.get_text()]
    assert sorted(t.get_text()[0] for t in red) == sorted(CHARS[:5])
    boxes = [Text.get_window_extent(t, renderer) for t in red]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 for b in boxes)


def test_precision_recall_one_label_for_coinciding_points_and_a_size_key():
    # Crowded as near recall 1 on the stand-in: three and two characters at one point, three
    # within 0.001, others close by; then a dense cloud of 35 characters.
    top = [(1, 1)] * 3 + [(1, 0.976)] * 2 + [(0.911, 1), (0.923, 1), (0.932, 1), (0.932, 1)]
    top += [(0.933, 1), (0.953, 1), (0.955, 1), (0.953, 0.976), (0.953, 0.976)]
    rng = np.random.default_rng(3)
    p, r = (np.r_[[t[k] for t in top], rng.uniform(0.87, 0.93, 35)] for k in (0, 1))
    support = np.r_[np.full(14, 40), rng.integers(24, 41, 35)]
    report = pd.DataFrame({"precision": p, "recall": r, "support": support}, index=list(CHARS))
    fig = plots.precision_recall(report, low=0.8)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert {"あ,い,う", "え,お", "く,け,こ", "す,せ"} <= set(texts)  # one label per point
    assert {"か", "き", "さ", "し"} <= set(texts)  # 0.002 apart: labelled one by one
    assert sorted(_labels(ax)[0]) == sorted(CHARS)  # every character named, each once
    _check_labels_apart_and_inside(ax)  # in a crowd, too
    key = ax.get_legend()  # marker size: the fewest and most test images, and between
    names = [t.get_text() for t in key.get_texts()]
    assert names == ["24 test images", "32 test images", "40 test images"]
    assert "test images" in key.get_title().get_text()
    for n, handle in zip((24, 32, 40), key.legend_handles):  # as large as the markers
        assert handle.get_markersize() ** 2 == pytest.approx(20 + 200 * n / 40)
    sizes = ax.collections[0].get_sizes()
    assert sizes[support == 24] == pytest.approx(20 + 200 * 24 / 40)


def test_confusion_matrix_has_hiragana_axes_the_data_and_a_labelled_colour_bar(predictions):
    cm = confusion_matrix(*predictions, labels=range(49))
    fig = plots.confusion_matrix(cm, CHARS)
    ax, bar = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CHARS)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CHARS)
    shown = ax.get_images()[0].get_array()
    np.testing.assert_array_equal(shown.filled(0) if hasattr(shown, "filled") else shown, cm)
    assert "test images" in bar.get_ylabel()
    assert [t.get_text() for t in bar.get_yticklabels()][:3] == ["1", "2", "5"]
    share = cm / cm.sum(axis=1, keepdims=True)
    fig = plots.confusion_matrix(share, CHARS, normalized=True, annotate_above=0.25)
    ax, bar = fig.axes
    texts = ax.texts
    assert [(round(t.get_position()[1]), round(t.get_position()[0])) for t in texts] == [(27, 22)]
    assert texts[0].get_text() == "30" and texts[0].get_fontsize() >= 9
    assert bar.get_ylabel().startswith("%") and ax.get_images()[0].get_clim() == (0, 100)


def test_confusions_ranked_bars_with_right_plurals():
    frame = pd.DataFrame(
        {"true": ["ふ", "あ"], "predicted": ["ぬ", "お"], "count": [6, 1], "share": [0.3, 0.05]}
    )
    fig = plots.confusions(frame)
    ax = fig.axes[0]
    assert [p.get_width() for p in ax.patches] == [1, 6]  # largest on top
    assert ax.get_yticklabels()[-1].get_text() == "true ふ → predicted ぬ"
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["1 image (5.0% of あ)", "6 images (30.0% of ふ)"]


def test_gallery_shows_the_chosen_images(predictions):
    y_true, y_pred = predictions
    x = (np.arange(len(y_true)) % 256).astype(np.uint8)[:, None, None] * np.ones(
        (1, 28, 28), np.uint8
    )
    idx = np.flatnonzero((y_true == 27) & (y_pred == 22))
    fig = plots.gallery(x, idx, CHARS, 27, 22)
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in shown[:2]] == ["true ふ", "predicted ぬ"]
    np.testing.assert_allclose(
        shown[1].get_images()[0].get_array(), printed("ぬ")[..., None] / 255 * plots.ACCENT
    )
    assert [ax.get_title() for ax in shown[2:]] == [f"#{i}" for i in idx]
    for ax, i in zip(shown[2:], idx):
        assert (ax.get_images()[0].get_array() == x[i]).all()
    assert f"all {len(idx)} images" in fig.get_suptitle()


def test_class_errors_rows_by_frequency(predictions):
    y_true, y_pred = predictions
    fig = plots.class_errors(np.zeros((len(y_true), 28, 28), np.uint8), y_true, y_pred, 27, CHARS)
    labels = [ax.get_ylabel() for ax in fig.axes]
    wrong = y_pred[(y_true == 27) & (y_pred != 27)]
    counts = pd.Series(wrong).value_counts()
    assert labels[0] == f"→ ぬ\n({counts[22]})"
    assert len(labels) == min(10, len(counts))
    assert f"{len(wrong)} images" in fig.get_suptitle()


def test_plural():
    assert [plots.plural(n, "image") for n in (0, 1, 2)] == ["0 images", "1 image", "2 images"]


def test_convolution_and_pooling_pictures_draw_what_they_are_given():
    img = np.zeros((28, 28))
    img[:, 12:15] = 1.0
    maps = {name: np.full((26, 26), k + 1.0) for k, name in enumerate(plots.concepts.EDGE_KERNELS)}
    fig = plots.convolution(img, plots.concepts.EDGE_KERNELS, maps, source="somewhere")
    np.testing.assert_array_equal(
        fig.axes[2].get_images()[0].get_array(), maps["vertical strokes"]
    )
    np.testing.assert_array_equal(
        fig.axes[5].get_images()[0].get_array(), maps["horizontal strokes"]
    )
    assert fig.axes[2].get_title() == "feature map 26x26, after ReLU"
    bars = [ax for ax in fig.axes if ax.get_ylabel() == "sum after ReLU"]  # a key per map
    assert [bar.get_ylim() for bar in bars] == [(0, 1), (0, 2)]  # black: 0
    assert fig.get_suptitle().endswith("ReLU keeps the positive sums\nsomewhere")
    no_source = plots.convolution(img, plots.concepts.EDGE_KERNELS, maps)
    assert "\n" not in no_source.get_suptitle()
    assert [t.get_text() for t in fig.axes[1].texts] == ["-1", "2", "-1"] * 3
    grid = np.array([[1, 3, 2, 0], [5, 6, 1, 2], [0, 2, 9, 4], [3, 1, 7, 8]], float)
    fig = plots.max_pooling(grid, np.array([[6.0, 2.0], [3.0, 9.0]]))
    assert [t.get_text() for t in fig.axes[1].texts] == ["6", "2", "3", "9"]
    assert len(fig.axes[0].texts) == 16


def test_seed_scores_draw_every_run_and_the_means():
    scores = pd.DataFrame(
        [[0.90, 0.92, 0.94], [0.95, 0.96, 0.91]],
        index=["toy CNN", "+ deeper"],
        columns=[49, 50, 51],
    )
    fig = plots.seed_scores(scores, "Rows", "somewhere", seconds=pd.Series([10.0, 40.0]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["toy CNN", "+ deeper"]  # first on top
    dots = [c.get_offsets() for c in ax.collections]
    assert [list(np.round(d[:, 0], 2)) for d in dots[:3]] == [
        [0.90, 0.95],
        [0.92, 0.96],
        [0.94, 0.91],
    ]
    assert list(np.round(dots[3][:, 0], 4)) == [0.92, 0.94]  # the means
    # each seed's dots a little apart on its row, the middle seed's on the row itself
    assert [list(np.round(d[:, 1], 2)) for d in dots[:4]] == [
        [0.88, -0.12],
        [1.0, 0.0],
        [1.12, 0.12],
        [1.0, 0.0],
    ]
    many = plots.seed_scores(pd.DataFrame(np.full((2, 10), 0.5), columns=range(10)))
    heights = np.concatenate([c.get_offsets()[:, 1] for c in many.axes[0].collections[:10]])
    assert np.abs(heights - np.round(heights)).max() <= 0.3 + 1e-9  # ten seeds stay on their rows
    assert [t.get_text() for t in ax.texts] == [
        "mean 0.9200  (10 s per run)",
        "mean 0.9400  (40 s per run)",
    ]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["same seed", "seed 49", "seed 50", "seed 51", "mean"]
    fig.canvas.draw()  # the key sits under the axis label, clear of it
    renderer = fig.canvas.get_renderer()
    key = fig.legends[0].get_window_extent(renderer)
    assert key.y1 <= ax.xaxis.label.get_window_extent(renderer).y0
    reused = plots.seed_scores(scores, seconds=pd.Series([10.0, np.nan]))  # trains nothing
    shown = [t.get_text() for t in reused.axes[0].texts]
    assert shown[1] == "mean 0.9400  (the row above's networks)"
    low, high = ax.get_xlim()
    assert 0.85 < low < 0.90 and 0.96 < high <= 1.0 and "axis cut" in ax.get_xlabel()
    near_zero = plots.seed_scores(scores - 0.895)  # too short a run: 0.005 to 0.065
    assert near_zero.axes[0].get_xlim()[0] == 0  # not below 0, and then not called cut
    assert near_zero.axes[0].get_xlabel() == "validation balanced accuracy"
    title = fig.get_suptitle()
    assert "Rows (3 seeds)" in title and "somewhere" in title
    fig = plots.curves_by_row({"a": [[0.5, 0.8, 0.9], [0.6, 0.7, 0.95]], "b": [[0.2, 0.4, 0.6]]})
    ax = fig.axes[0]
    means = [line for line in ax.get_lines() if line.get_linewidth() > 2]
    assert [list(np.round(m.get_ydata(), 3)) for m in means] == [
        [0.55, 0.75, 0.925],
        [0.2, 0.4, 0.6],
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "a (mean of 2)",
        "b (mean of 1)",
    ]
    assert ax.get_ylim()[1] == 1.0
    two = plots.curves_by_row({"a": [[0.1, 0.2]]}, chance=1 / 49).axes[0]  # whole epochs only
    assert [t for t in two.get_xticks() if 1 <= t <= 2] == [1, 2]
    chance = [line for line in two.get_lines() if line.get_linestyle() == ":"]
    assert [list(line.get_ydata()) for line in chance] == [[1 / 49, 1 / 49]]
    assert two.get_legend().get_texts()[-1].get_text() == "chance (0.020)"
    high = plots.curves_by_row({"a": [[0.8, 0.9]]}, chance=1 / 49).axes[0]  # axis cut above it
    assert not [line for line in high.get_lines() if line.get_linestyle() == ":"]


def test_recipe_figures_draw_their_data():
    originals = np.zeros((2, 28, 28))
    variants = np.ones((2, 3, 28, 28))
    fig = plots.recipe.augmented(originals, variants, CHARS, [0, 27])
    assert len(fig.axes) == 8
    assert [ax.get_ylabel() for ax in fig.axes[::4]] == ["あ", "ふ"]
    fig = plots.recipe.learning_rate([0, 1, 2], [0.0, 1e-3, 5e-4], "Warm-up", "the stand-in")
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [0.0, 1e-3, 5e-4]
    assert fig.get_suptitle().splitlines() == ["Warm-up", "the stand-in"]
