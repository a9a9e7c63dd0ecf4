"""Numbers behind Part 1: exact results on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pytest

from k49tut import explore


def test_histogram_and_ink_are_exact_across_chunks():
    x = np.zeros((5000, 28, 28), np.uint8)  # more than one chunk
    x[0, 0, :4] = [1, 127, 128, 255]
    x[4999, 5, 5] = 200
    hist = explore.intensity_histogram(x)
    assert hist.sum() == x.size and hist[0] == x.size - 5
    assert hist[[1, 127, 128, 200, 255]].tolist() == [1, 1, 1, 1, 1]
    ink = explore.ink_fraction(x)
    assert ink[0] == pytest.approx(4 / 784) and ink[4999] == pytest.approx(1 / 784)
    assert ink[1:4999].sum() == 0


def test_mean_images_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (300, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 49, 300)
    y[y == 17] = 16  # class 17 has no image: its mean stays 0
    means = explore.mean_images(x, y)
    assert means.shape == (49, 28, 28) and means.dtype == np.float32
    for c in (0, 16, 48):
        np.testing.assert_allclose(means[c], x[y == c].mean(axis=0), rtol=1e-6)
    assert not means[17].any()


def test_nearest_classes_on_hand_made_means():
    means = np.zeros((4, 28, 28), np.float32)
    means[1] += 10  # distance 0-1: 10 * 28 = 280
    means[2] += 100
    means[3] += 101  # distance 2-3: 28: the closest pair
    pairs = explore.nearest_classes(means, list("abcd"), k=2)
    assert pairs[["a", "b"]].values.tolist() == [["c", "d"], ["a", "b"]]
    assert pairs[["label_a", "label_b"]].values.tolist() == [[2, 3], [0, 1]]
    assert pairs["distance"].tolist() == pytest.approx([28.0, 280.0])


def test_data_checks_find_each_problem():
    rng = np.random.default_rng(3)
    x_train = rng.integers(1, 256, (20, 28, 28), dtype=np.uint8)  # all distinct, none blank
    y_train = np.arange(20) % 49
    x_test = rng.integers(1, 256, (6, 28, 28), dtype=np.uint8)
    y_test = np.arange(6)
    x_train[0] = 0  # a blank image
    x_train[2] = x_train[1]  # a duplicate with a conflicting label (1 vs 2)
    x_train[4] = x_train[3]  # two more copies of image 3, labels 3, 4, 3
    x_train[5] = x_train[3]
    y_train[5] = 3
    x_test[1] = x_train[10]  # a training image in the test split
    y_test[0] = 49  # a label out of range
    table = explore.data_checks(x_train, y_train, x_test, y_test).set_index("check")
    assert table.loc["blank images"].tolist() == [1, 0]
    assert table.loc["duplicate images (extra copies)"].tolist() == [3, 0]
    assert table.loc["duplicates with conflicting labels"].tolist() == [2, 0]
    assert table.loc["images also in the other split"].tolist() == [1, 1]
    assert table.loc["labels outside 0..48"].tolist() == [0, 1]


def test_data_checks_clean_data():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 256, (60, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 49, 60)
    table = explore.data_checks(x[:40], y[:40], x[40:], y[40:]).set_index("check")
    assert (table.values == 0).all()
