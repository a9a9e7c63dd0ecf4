"""Part 4 run on its own, beside a Part 3 network it cannot examine: it trains its own
network, says why, and its sentences still agree with its metrics. (Kept apart from
test_notebooks.py so that pytest-xdist runs it beside the tutorial's run.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_notebooks import _inside_checks, _text
from tutorial_run import execute


def _saved_network(out: Path, chosen: str) -> None:
    """A stand-in for Part 3's hand-off: a toy CNN (no global average pooling) trained
    briefly on the sample, with the split Part 4 draws."""
    import keras
    from keras import layers

    from k49tut import data
    from k49tut.artifacts import save_recipe_network

    ds = data.load("sample")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Rescaling(1 / 255),
            layers.Conv2D(8, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(49, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(ds.x_train[..., None], ds.y_train, epochs=3, batch_size=128, verbose=0)
    split = data.validation_split(ds, seed=49)
    save_recipe_network(out, model, dataset="sample", split=split, chosen=chosen)


@pytest.mark.notebooks
def test_part4_trains_its_own_network_when_part3s_has_no_global_pooling(tmp_path):
    out = tmp_path / "out"
    _saved_network(out, chosen="toy CNN (Adam)")
    nb = execute("04_inside.ipynb", tmp_path / "nb", out, tsne_images=300)
    record = _inside_checks(nb, out)
    assert record["model"] == (
        "a smaller network trained here, on 5,600 training images (budget 'quick')"
    )
    assert (
        "Part 3 chose 'toy CNN (Adam)', a network without global average pooling or a "
        "separate softmax layer; this notebook trains its own."
    ) in _text(nb)
    # Lower bounds of what the label check finds with that network (8 epochs), with 2% of
    # the sample's validation labels flipped at random: measured precision 0.80, recall 0.77.
    assert record["planted_recall"] >= 0.6 and record["planted_precision"] >= 0.6
    # That network reads every bundled hiragana picture right (measured: probabilities 0.74
    # to 0.98 for the top choice), and gives the digit and the letter some hiragana.
    assert record["hiragana_pictures_right"] == 5
    shown = {p["shows"]: p["top_choice"] for p in record["your_pictures"].values()}
    assert [c for c, top in shown.items() if c == top] == ["く", "し", "つ", "あ", "た"]
