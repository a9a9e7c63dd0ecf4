"""The hand-off from Part 3 to Part 4: Part 4 examines Part 3's network only when the
hand-off says it was trained on the same data and split, and says why or why not."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
from keras import layers

from k49tut import data
from k49tut.artifacts import HANDOFF_FILE, load_recipe_network, save_recipe_network


@pytest.fixture(scope="module")
def split():
    return data.validation_split(data.load("sample"), seed=49)


def _network(pooled: bool, policy: str = "float32") -> keras.Model:
    keras.mixed_precision.set_global_policy(policy)
    try:
        inputs = keras.Input((28, 28, 1))
        x = layers.Conv2D(4, 3, strides=2)(layers.Rescaling(1 / 255)(inputs))
        x = layers.GlobalAveragePooling2D()(x) if pooled else layers.Flatten()(x)
        outputs = layers.Activation("softmax", dtype="float32")(layers.Dense(49)(x))
        return keras.Model(inputs, outputs)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_no_network_or_one_without_its_hand_off_is_not_used(tmp_path, split):
    assert load_recipe_network(tmp_path, "sample", split) == (
        None,
        None,
        f"No Part 3 network in {tmp_path} (run Part 3 first, into the same folder)",
    )
    _network(pooled=True).save(tmp_path / "recipe_model.keras")
    model, what, why = load_recipe_network(tmp_path, "sample", split)
    assert model is None and f"has no {HANDOFF_FILE} beside it" in why


def test_a_network_from_other_data_another_split_or_version_is_refused(tmp_path, split):
    save_recipe_network(tmp_path, _network(pooled=True), dataset="sample", split=split, chosen="c")
    assert load_recipe_network(tmp_path, "standin", split)[2] == (
        "Part 3's network was trained on 'sample', not 'standin'"
    )
    other = data.validation_split(data.load("sample"), seed=50)
    assert other.fingerprint != split.fingerprint
    model, _, why = load_recipe_network(tmp_path, "sample", other)
    assert model is None and why.startswith(
        "Part 3's network was trained with another validation split"
    )
    record = json.loads((tmp_path / HANDOFF_FILE).read_text())
    (tmp_path / HANDOFF_FILE).write_text(json.dumps({**record, "version": 2}))
    model, _, why = load_recipe_network(tmp_path, "sample", split)
    assert model is None and "hand-off version 2, and this k49tut reads version 1" in why
    (tmp_path / HANDOFF_FILE).write_text('{"version": 1, "data')
    model, _, why = load_recipe_network(tmp_path, "sample", split)
    assert model is None and why.endswith(
        "cannot be read (Unterminated string starting at: "
        "line 1 column 16 (char 15)); run Part 3 again"
    )
    (tmp_path / HANDOFF_FILE).write_text(json.dumps(record))
    (tmp_path / "recipe_model.keras").unlink()
    model, _, why = load_recipe_network(tmp_path, "sample", split)
    assert model is None and why.endswith(
        "names recipe_model.keras, which is missing; run Part 3 again"
    )


def test_a_network_without_global_pooling_is_refused_naming_the_recipe(tmp_path, split):
    save_recipe_network(
        tmp_path, _network(pooled=False), dataset="sample", split=split, chosen="toy CNN (Adam)"
    )
    model, _, why = load_recipe_network(tmp_path, "sample", split)
    assert model is None and why == (
        "Part 3 chose 'toy CNN (Adam)', a network without global average pooling or a "
        "separate softmax layer"
    )


def test_the_matching_network_comes_back_in_float32_with_its_predictions(tmp_path, split):
    keras.utils.set_random_seed(0)
    trained = _network(pooled=True, policy="mixed_float16")
    written = save_recipe_network(
        tmp_path, trained, dataset="sample", split=split, chosen="+ test-time shifts", epochs=3
    )
    record = json.loads(written["hand-off"].read_text())
    assert record["version"] == 1 and record["settings"] == {"epochs": 3}
    assert record["split"] == {
        "validation_share": 0.3,
        "validation_images": 2400,
        "fingerprint": split.fingerprint,
    }
    model, what, why = load_recipe_network(tmp_path, "sample", split)
    assert what == "Part 3's chosen recipe (+ test-time shifts), without the shifts"
    assert why.startswith("it was trained on 'sample' with the same validation split")
    assert {layer.compute_dtype for layer in model.layers} == {"float32"}
    x = split.x_val[:64]
    assert np.allclose(model.predict(x, verbose=0), trained.predict(x, verbose=0), atol=2e-3)
