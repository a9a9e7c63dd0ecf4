"""Part 4 examines Part 3's network only when it was trained on the same data and split."""

from __future__ import annotations

import json

from k49tut.artifacts import load_recipe_network


def test_a_network_from_other_data_or_another_seed_is_refused_with_the_reason(tmp_path):
    assert load_recipe_network(tmp_path, "sample", 49) == (None, f"No part 3 model in {tmp_path}")
    (tmp_path / "recipe_model.keras").write_bytes(b"not opened: the record decides first")
    record = tmp_path / "recipe_metrics.json"
    record.write_text(json.dumps({"dataset": "sample", "seed": 7, "chosen": "x"}), "utf-8")
    model, why = load_recipe_network(tmp_path, "sample", 49)
    assert model is None and why == (
        f"Part 3's model in {tmp_path} was trained on 'sample' with seed 7, "
        "not 'sample' with seed 49"
    )
    model, why = load_recipe_network(tmp_path, "standin", 7)
    assert model is None and "trained on 'sample' with seed 7, not 'standin' with seed 7" in why
    record.unlink()  # no record: nothing says where the network came from
    model, why = load_recipe_network(tmp_path, "sample", 49)
    assert model is None and "trained on None with seed None" in why
