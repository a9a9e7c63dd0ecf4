"""The benchmarks' shared parts: alternating rounds, ratios with their spread, the
reference workload, and the networks taken from the notebooks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import rounds  # noqa: E402
from from_notebooks import definitions  # noqa: E402


def test_order_alternates_forward_and_backward():
    assert rounds.order(["a", "b", "c"], 0) == ["a", "b", "c", "c", "b", "a"]
    assert rounds.order(["a", "b", "c"], 1) == ["c", "b", "a", "a", "b", "c"]


def test_ratio_summary_is_the_median_of_per_round_ratios_with_their_range():
    s = rounds.ratio_summary([10.0, 30.0, 12.0, 8.0], [5.0, 10.0, 4.0, 8.0])
    assert s.ratios == [2.0, 3.0, 3.0, 1.0]
    assert (s.median, s.low, s.high) == (2.5, 1.0, 3.0)
    assert str(s) == "2.50x (rounds: 1.00 to 3.00, n=4)"
    with pytest.raises(ValueError, match="same, non-zero number of rounds"):
        rounds.ratio_summary([1.0], [1.0, 2.0])


def test_alternate_runs_each_call_twice_a_round_in_alternating_order(monkeypatch):
    monkeypatch.setattr(rounds, "reference_gflops", lambda: 100.0)
    monkeypatch.setattr(rounds, "reference_gbps", lambda: 9.5)
    ran, speed = [], {"a": iter([1.0, 3.0, 5.0, 7.0]), "b": iter([2.0, 4.0, 6.0, 8.0])}
    calls = {name: (lambda n=name: ran.append(n) or next(speed[n])) for name in "ab"}
    lines: list[str] = []
    result = rounds.alternate(calls, 2, log=lines.append)
    assert ran == ["a", "b", "b", "a", "b", "a", "a", "b"]
    # round 1: a ran 1 then 3, b 2 then 4; round 2: b 6, a 5, a 7, b 8
    assert result == {"a": [2.0, 6.0], "b": [3.0, 7.0]}
    assert len(lines) == 8 and all(
        "(reference   100 GFLOP/s,  9.5 GB/s)" in line for line in lines
    )
    assert lines[0].startswith("  round 1  a ")


def test_reference_workloads_give_plausible_speeds():
    assert 0.5 < rounds.reference_gflops() < 100_000  # GFLOP/s of a float32 matrix product
    assert 0.1 < rounds.reference_gbps() < 10_000  # GB/s of an elementwise pass


def test_benchmarks_take_the_networks_from_the_notebooks():
    toy = definitions("02_cnn.ipynb", {"toy_cnn"})["toy_cnn"]
    assert toy().count_params() == 97_265 and toy(0.3).count_params() == 97_265
    ns = definitions("03_recipe.ipynb", {"residual_block", "resnet", "augmentation"})
    assert ns["resnet"](24).count_params() == 179_305
    with pytest.raises(LookupError, match="defines none of: no_such_thing"):
        definitions("02_cnn.ipynb", {"no_such_thing"})


def test_part2s_input_pipeline_shuffles_every_epoch_reproducibly_without_tuning():
    batches = definitions("02_cnn.ipynb", {"batches"})["batches"]
    x = np.arange(10, dtype="uint8").reshape(10, 1, 1, 1) * 10
    y = np.arange(10, dtype="int64")

    def epochs(dataset, n=2):
        return [
            [(xb.numpy().ravel().tolist(), yb.numpy().tolist()) for xb, yb in dataset]
            for _ in range(n)
        ]

    stored = epochs(batches(x, y, 4))
    assert (
        stored[0]
        == stored[1]
        == [([0, 10, 20, 30], [0, 1, 2, 3]), ([40, 50, 60, 70], [4, 5, 6, 7]), ([80, 90], [8, 9])]
    )
    first, second = epochs(batches(x, y, 4, seed=3))
    for epoch in (first, second):
        assert [len(b[1]) for b in epoch] == [4, 4, 2]
        labels = [label for _, ys in epoch for label in ys]
        assert sorted(labels) == list(range(10))  # every image once per epoch
        assert all(xs == [10 * v for v in ys] for xs, ys in epoch)  # images stay with labels
    assert first != second  # a new order every epoch
    assert epochs(batches(x, y, 4, seed=3)) == [first, second]  # the same on a rerun
    options = batches(x, y, 4, seed=3).options()
    assert options.autotune.enabled is False
    assert options.threading.private_threadpool_size == 1


def test_fit_inputs_feed_the_arrays_or_the_notebooks_pipeline():
    from epoch_profile import fit_inputs

    batches = definitions("02_cnn.ipynb", {"batches"})["batches"]
    x, y = np.arange(6, dtype="uint8").reshape(6, 1, 1, 1), np.arange(6)
    val = (x[:2], y[:2])
    data, kwargs = fit_inputs(x, y, 4, validation=val)
    assert data == (x, y) and kwargs["batch_size"] == 4
    assert kwargs["validation_data"] is val and kwargs["validation_batch_size"] == 1024
    assert fit_inputs(x, y, 4)[1] == {"batch_size": 4}
    (train,), kwargs = fit_inputs(x, y, 4, validation=val, batches=batches)
    assert sorted(kwargs) == ["validation_data"]
    assert [len(b) for b, _ in train] == [4, 2]  # batches of 4, shuffled with seed 0
    assert sorted(int(v) for _, ys in train for v in ys) == list(range(6))
    assert [ys.numpy().tolist() for _, ys in kwargs["validation_data"]] == [[0, 1]]
    assert fit_inputs(x, y, 4, batches=batches)[1] == {}
