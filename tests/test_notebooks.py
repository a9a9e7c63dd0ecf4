"""The notebooks run headless on the offline sample: their figures, artifacts, sentences
and checked outputs. Each part runs once per session (the ``tutorial`` fixture); the
checks read that run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from tutorial_run import (
    NOTEBOOKS,
    PARAMETERS,
    TAG,
    checked_cells,
    checked_outputs,
    execute,
    read_references,
    reference_path,
)

from k49tut import examples


def _figures(nb) -> int:
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def _text(nb) -> str:
    """Everything the notebook printed or displayed as text (not the images)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") + out.get("evalue", ""))
            data = out.get("data", {})
            parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


def test_part1_runs_on_the_sample(tutorial):
    nb = tutorial.notebook("01_eda.ipynb")
    assert _figures(nb) >= 6
    text = _text(nb)
    assert "not Kuzushiji-49" in text  # the banner and figure titles say so
    assert "Traceback" not in text and "Glyph" not in text


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_source_notebooks_carry_no_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def _printed(nb, start: str) -> str:
    """The printed line that starts with ``start`` (exactly one must exist)."""
    lines = [line for line in _text(nb).splitlines() if line.startswith(start)]
    assert len(lines) == 1, (start, lines)
    return lines[0]


def _shows(text: str, value: float) -> bool:
    """Whether ``text`` prints ``value`` to 4 decimals. The metrics files round to 6 digits,
    and rounding twice can move the 4th, so numbers are compared, not strings."""
    return any(
        abs(float(n) - value) <= 0.5e-4 + 2e-6 for n in re.findall(r"[+-]?\d+\.\d{4}(?!\d)", text)
    )


def _agrees_with_curve(sentence: str, val_loss: list[float], loss: list[float]) -> bool:
    """Part 2's rule for its learning curves, applied to the saved losses: overfitting when
    the last 2 epochs of validation loss are both more than twice its typical change per
    epoch (second half) above its low (a rise in the last epoch alone is not called);
    short of that, memorising when validation loss is at least twice the training loss and
    a larger multiple than halfway."""
    val, n = np.array(val_loss), len(val_loss)
    best = int(np.argmin(val)) + 1
    steps = np.abs(np.diff(val[(n - 1) // 2 :]))
    noise = np.median(steps) if len(steps) else 0.0
    turned_up = best < n - 1 and bool((val[-2:] - val.min() > 2 * noise).all())
    ratio, mid = val / np.array(loss), max(n // 2, 1)
    growing_gap = ratio[-1] >= 2 and ratio[-1] > ratio[mid - 1]
    if best == n:
        trend = ["still falling at the last epoch"]
    elif best == n - 1 and val[-1] > val.min():
        trend = [f"lowest after epoch {best} (", "ticked up in the last epoch"]
    else:
        both = "both" if turned_up else "not both"
        trend = [f"lowest after epoch {best} (", f"its last 2 epochs were {both} more than twice"]
    verdict = (
        "overfitting has begun"
        if turned_up
        else "memorising (a large and growing gap), not yet overfitting"
        if growing_gap
        else "no clear overfitting"
    )
    return all(part in sentence for part in [*trend, f": {verdict}. "])


def _seed_verdict(gains: np.ndarray, noise: float) -> str:
    """The notebooks' rule, stated before their results: every seed agrees and the mean
    gain exceeds twice the noise; otherwise the 3 seeds cannot tell."""
    if (gains > 0).all() and gains.mean() > 2 * noise:
        return "helped"
    if (gains < 0).all() and gains.mean() < -2 * noise:
        return "hurt"
    return "cannot tell from 3 seeds"


@pytest.fixture(scope="module")
def part2_runs(tutorial, tmp_path_factory):
    """Part 2 on the sample twice with the same seed: the tutorial's run and one more."""
    runs = [(tutorial.notebook("02_cnn.ipynb"), tutorial.metrics("metrics.json"), tutorial.out)]
    base = tmp_path_factory.mktemp("second")
    nb = execute("02_cnn.ipynb", base, base / "out")
    record = json.loads((base / "out" / "metrics.json").read_text(encoding="utf-8"))
    return [*runs, (nb, record, base / "out")]


def test_part2_runs_on_the_sample_saves_artifacts_and_repeats_exactly(part2_runs):
    (nb, first, out), (_, second, _) = part2_runs
    assert (out / "model.keras").is_file()
    predictions = pd.read_csv(out / "predictions.csv")
    assert (predictions["dataset"] == "sample").all() and len(predictions) == first["test_images"]
    assert _figures(nb) >= 12
    text = _text(nb)
    assert "Traceback" not in text and "not Kuzushiji-49" in text
    stderr = [
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    ]
    assert stderr == []  # no log noise, no warnings
    assert first["is_synthetic"] is True and first["epochs"] == 3
    assert first["dataset"] == "sample" and first["reference_real_k49"]["accuracy"] == 0.8606
    for record in (first, second):
        record.pop("training_seconds")
        for row in record["results"].values():
            row.pop("seconds")
    assert first == second  # same seed, same machine: same numbers


def test_part2_sentences_agree_with_its_numbers(part2_runs):
    nb, record, out = part2_runs[0]
    curves = record["val_loss_per_epoch"]
    for start, key in (
        ("Toy CNN:", "toy CNN"),
        ("With dropout:", "toy CNN + dropout"),
        ("Toy CNN on 1,000 images:", "toy CNN on 1000 images"),
        ("With dropout, on 1,000 images:", "toy CNN + dropout on 1000 images"),
    ):
        sentence = _printed(nb, start)
        assert _agrees_with_curve(sentence, curves[key], record["loss_per_epoch"][key]), sentence
    # the real-K49 reference score is not offered as a yardstick for the stand-in's
    assert _printed(nb, "For reference, ").endswith("cannot be compared with these")
    # the deliberate demonstration overfits on the sample too
    small = curves["toy CNN on 1000 images"]
    assert int(np.argmin(small)) + 1 < len(small) and small[-1] > 1.05 * min(small)
    # the dropout verdict: three seeds, paired, and the rule stated in the notebook
    diff = record["dropout_minus_plain_validation"]
    assert diff["seeds"] == [49, 50, 51]
    per_seed = pd.DataFrame(record["validation_balanced_accuracy_per_seed"])
    gains = (per_seed["toy CNN + dropout"] - per_seed["toy CNN"]).to_numpy()
    assert np.allclose(gains, diff["per_seed"], atol=2e-6)
    assert diff["mean"] == pytest.approx(np.mean(diff["per_seed"]), abs=2e-6)
    assert diff["noise"] >= np.std(diff["per_seed"], ddof=1) / np.sqrt(3)  # training luck at least
    gains = np.array(diff["per_seed"])
    expected = _seed_verdict(gains, diff["noise"])
    assert diff["verdict"] == expected
    verdict = _printed(nb, "Dropout changed validation balanced accuracy")
    assert _shows(verdict, diff["mean"]) and verdict.endswith(f": {expected}.")
    assert all(_shows(verdict.split("per seed:")[1], g) for g in gains)
    assert record["model"] == ("toy CNN + dropout" if expected == "helped" else "toy CNN")
    # the run of the first seed is the one kept and reported
    assert record["results"]["toy CNN"]["val balanced"] == pytest.approx(
        per_seed.loc["49", "toy CNN"], abs=2e-6
    )
    assert _printed(nb, "Chosen on validation data:").endswith(record["model"])
    # validation and test scores printed are the ones saved, and the gap is their difference
    gap = _printed(nb, "Validation balanced accuracy was")
    assert _shows(gap, record["validation_balanced_accuracy"])
    assert _shows(gap, record["balanced_accuracy"] - record["validation_balanced_accuracy"])
    chosen = record["results"][record["model"]]
    assert chosen["test balanced"] == pytest.approx(record["balanced_accuracy"], abs=1e-6)
    # the test score comes with its bootstrap interval, here and in the summary
    low, high = record["balanced_accuracy_ci95"]["test"]
    assert low <= record["balanced_accuracy"] <= high
    summary = _printed(nb, "- Chosen on validation:")
    assert _shows(summary, low) and _shows(summary, high)


def test_part2_test_scores_match_the_saved_predictions(part2_runs):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    _, record, out = part2_runs[0]
    predictions = pd.read_csv(out / "predictions.csv")
    assert accuracy_score(predictions.true, predictions.predicted) == pytest.approx(
        record["accuracy"], abs=1e-6
    )
    assert balanced_accuracy_score(predictions.true, predictions.predicted) == pytest.approx(
        record["balanced_accuracy"], abs=1e-6
    )
    per_class = pd.DataFrame(record["per_class"]).T
    assert per_class["recall"].mean() == pytest.approx(record["balanced_accuracy"], abs=1e-5)


def test_part3_runs_on_the_sample_and_its_sentences_agree_with_its_ablation(tutorial):
    # The quick budget's path at K49's size, in small: the ablation on a subset of the
    # training images, then the finalists on all of them.
    assert PARAMETERS["03_recipe.ipynb"]["ablation_images"] == 2000
    nb, out = tutorial.notebook("03_recipe.ipynb"), tutorial.out
    record = tutorial.metrics("recipe_metrics.json")
    assert (out / "recipe_model.keras").is_file()
    assert record["dataset"] == "sample" and record["is_synthetic"] is True
    assert record["epochs"] == 2 and record["width"] == 24 and record["budget"] == "quick"
    assert record["ablation_images"] == 2000 and record["training_images"] == 5600
    assert record["final_epochs"] == 1 and record["seeds"] == [49, 50, 51]
    curves = record["val_accuracy_per_epoch"]  # every row: one curve per seed
    assert {np.shape(c) for name, c in curves.items() if not name.startswith("final: ")} == {
        (3, 2)
    }
    assert {len(c) for name, c in curves.items() if name.startswith("final: ")} == {1}
    text = _text(nb)
    # the forecast comes before the first network trains, and names every training
    forecast = text.index("Forecast for this machine (budget 'quick'): about ")
    assert forecast < text.index("toy CNN (Adam)             validation balanced accuracy")
    n_curve = -(-2000 * 3 // 7)  # validation images per epoch, counted at a third each
    for what in (
        f"toy CNN, 2 epochs, 3 seeds: {3 * 2 * (2000 + n_curve / 3):,.0f} images",
        "4 residual networks, 2 epochs, 3 seeds each",
        "chosen recipe on all images, 1 epoch:",
        "toy CNN on all images, 1 epoch:",
    ):
        assert what in text, what
    assert "The ablation trains on 2,000 of the 5,600 training images (budget 'quick')" in text
    chosen = record["chosen"]
    trained = chosen.replace("+ test-time shifts", "+ label smoothing, EMA")
    network = f"the network of row {trained!r}" + (
        " (the shifts are added when it predicts)" if chosen != trained else ""
    )
    assert (
        f"Trained {network} and the toy CNN on all 5,600 training images for 1 epoch, seed 49: "
        in text
    )
    assert record["recipe_training_seconds"] > 0 and record["final_toy_cnn_training_seconds"] > 0
    final = _printed(nb, "Trained on all images, on validation:")
    assert _shows(final, record["final_validation_balanced_accuracy"]["recipe"])
    assert _shows(final, record["final_validation_balanced_accuracy"]["toy CNN"])
    ablation = pd.DataFrame(record["ablation"]).T
    assert list(ablation.index) == [
        "toy CNN (Adam)",
        "+ deeper, batch norm",
        "+ augmentation",
        "+ warm-up, cosine",
        "+ label smoothing, EMA",
        "+ test-time shifts",
    ]
    per_seed = pd.DataFrame(record["val_balanced_per_seed"]).T  # rows, one column per seed
    assert list(per_seed.columns) == ["49", "50", "51"]
    assert np.allclose(per_seed.mean(axis=1), ablation["val balanced"].astype(float), atol=2e-6)
    assert np.allclose(per_seed.min(axis=1), ablation["lowest seed"].astype(float), atol=2e-6)
    # chosen on validation among the recipe rows: the best mean, or a simpler row within
    # the noise of it; the toy CNN is the reference, never a candidate
    best = ablation["val balanced"].iloc[1:].astype(float).idxmax()
    assert record["best_on_validation"] == best and record["chosen"] != "toy CNN (Adam)"
    assert list(ablation.index).index(record["chosen"]) <= list(ablation.index).index(best)
    assert _printed(nb, "Best recipe on validation:") == (
        f"Best recipe on validation: {best}. Chosen: {record['chosen']}"
    )
    against = _printed(nb, "Chosen recipe minus the toy CNN, on validation:")
    gains = (per_seed.loc[record["chosen"]] - per_seed.loc["toy CNN (Adam)"]).to_numpy()
    assert _shows(against.split("(")[0], gains.mean()), against
    assert all(_shows(against.split("per seed:")[1], g) for g in gains), against
    for before, (name, row) in zip(ablation.index, ablation.iloc[1:].iterrows()):
        gains = (per_seed.loc[name] - per_seed.loc[before]).to_numpy()
        assert row["gain"] == pytest.approx(gains.mean(), abs=4e-6)
        expected = _seed_verdict(gains, row["noise"])
        assert row["verdict"] == expected, (name, gains, row["noise"])
        gains = [
            line
            for line in _text(nb).splitlines()  # name, then a signed number
            if re.match(re.escape(f"{name:<26} ") + "[+-]", line)
        ]
        assert len(gains) == 1, (name, gains)
        line = gains[0]
        assert _shows(line.split("(")[0], row["gain"]), line
        assert line.endswith(f": {row['verdict']}"), line
    # rows that ended near chance are named (a short run), and only then
    near = [name for name in per_seed.index if per_seed.loc[name].mean() < 5 / 49]
    warned = [line for line in _text(nb).splitlines() if line.startswith("Near chance ")]
    if near:
        assert len(warned) == 1 and f"level of 0.020): {'; '.join(near)}. " in warned[0]
    else:
        assert warned == [], warned
    verdict = _printed(nb, "Synthetic stand-in drawn from fonts, not Kuzushiji-49 (sample): test")
    assert _shows(verdict, record["test_balanced_accuracy"])
    assert _shows(verdict, record["toy_cnn_test_balanced_accuracy"])
    # the test difference's reading follows its interval
    low, high = record["test_difference_ci95"]
    interval = _printed(nb, "95% interval of the difference:")
    assert f"{100 * low:+.1f} to {100 * high:+.1f} points" in interval, interval
    side = "higher than" if low > 0 else "lower than" if high < 0 else None
    reading = f"the recipe scored {side} the toy CNN on test" if side else "no clear difference"
    assert interval.endswith(f"{reading} in this run."), interval
    stderr = [
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    ]
    assert stderr == [] and _figures(nb) >= 4
    assert "target, not a result" in _text(nb) or "a target, not a result" in "".join(
        c.source for c in nb.cells
    )


def test_part2_reads_hand_made_learning_curves_by_its_stated_rule():
    """Part 2's describe_curves on histories whose verdict is known by construction."""
    import sys

    sys.path.insert(0, str(NOTEBOOKS.parent / "benchmarks"))
    from from_notebooks import definitions

    describe = definitions("02_cnn.ipynb", {"describe_curves"}, pd=pd)["describe_curves"]

    def said(val_loss, loss):
        n = len(val_loss)
        history = pd.DataFrame(
            {"val_loss": val_loss, "loss": loss, "accuracy": [0.9] * n, "val_accuracy": [0.8] * n}
        )
        return describe(history, "Net")

    falling = said([0.5, 0.4, 0.3], [0.5, 0.4, 0.3])
    assert "still falling at the last epoch" in falling and ": no clear overfitting." in falling
    assert "still falling" in said([0.5], [0.4])  # one epoch: nothing to compare
    last = said([0.5, 0.4, 0.3, 0.31], [0.5, 0.4, 0.3, 0.3])
    assert "ticked up in the last epoch" in last and ": no clear overfitting." in last
    tie = said([0.5, 0.4, 0.4], [0.5, 0.4, 0.4])  # the low repeated: nothing rose
    assert "ticked up" not in tie and "no clear rise" in tie
    up = said([0.5, 0.3, 0.3, 0.31, 0.3, 0.45, 0.5], [0.5, 0.3, 0.2, 0.15, 0.1, 0.08, 0.06])
    assert "it has turned up" in up and ": overfitting has begun." in up
    gap = said([0.5, 0.45, 0.42, 0.4, 0.39], [0.4, 0.2, 0.1, 0.05, 0.01])  # still falling
    assert "still falling" in gap and ": memorising (a large and growing gap)" in gap
    assert "diverged" in said([0.5, float("nan"), 0.4], [0.5, 0.4, 0.3])


def test_test_time_shifts_never_wrap_ink_round_an_edge():
    """Part 3's shift moves ink by one pixel and drops what leaves the image (np.roll would
    wrap it round to the opposite edge)."""
    import sys

    sys.path.insert(0, str(NOTEBOOKS.parent / "benchmarks"))
    from from_notebooks import definitions

    shift = definitions("03_recipe.ipynb", {"shift"})["shift"]
    x = np.zeros((1, 28, 28, 1), np.uint8)
    x[0, :, 27, 0] = 255  # a stroke along the right edge
    x[0, 0, :, 0] = 200  # and one along the top edge (the corner is 200)
    right = shift(x, 0, 1)
    assert right[0, :, 0, 0].sum() == 0  # nothing wrapped round to the left edge
    assert (right[0, 0, 1:, 0] == 200).all() and right[0, 1:, 27, 0].sum() == 0
    up = shift(x, -1, 0)
    assert up[0, 27, :, 0].sum() == 0 and (up[0, :27, 27, 0] == 255).all()
    down, left = shift(x, 1, 0), shift(x, 0, -1)
    assert (down[0, 1, :27, 0] == 200).all() and down[0, 0, :, 0].sum() == 0
    assert (left[0, 1:, 26, 0] == 255).all() and left[0, :, 27, 0].sum() == 0
    for moved in (right, up, down, left):  # ink only leaves, never appears
        assert moved.dtype == x.dtype and moved.astype(int).sum() < x.astype(int).sum()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28, 1), dtype=np.uint8)
    assert np.array_equal(shift(images, 1, 0)[:, 1:], images[:, :-1])
    assert np.array_equal(shift(images, 0, -1)[:, :, :-1], images[:, :, 1:])
    assert np.array_equal(shift(images, 0, 0), images)


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_references_cover_exactly_the_checked_cells(name):
    """Every checked cell has a reference and every reference a checked cell; this needs
    no run, so a stale reference is found by ``make test-fast``."""
    checked = checked_cells(nbformat.read(NOTEBOOKS / name, as_version=4))
    assert checked, f"{name} has no cell tagged {TAG!r}"
    references = read_references(name)
    assert set(references) == set(checked), (
        f"{reference_path(name)} does not match the checked cells of {name}: run "
        f"`python scripts/make_references.py {Path(name).stem}`"
    )
    assert all(ref["outputs"] for ref in references.values())


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_checked_outputs_match_the_references(name, tutorial):
    got = checked_outputs(tutorial.notebook(name))
    for key, expected in read_references(name).items():
        assert got[key]["outputs"] == expected["outputs"], (
            f"{name}, cell {key} ({got[key]['first line']!r}) printed something else than its "
            f"reference in {reference_path(name)}. If the change is right, record it again: "
            f"python scripts/make_references.py {Path(name).stem}"
        )


def _inside_checks(nb, out: Path) -> dict:
    """Part 4's printed sentences agree with its metrics file; no warnings on stderr."""
    record = json.loads((out / "inside_metrics.json").read_text(encoding="utf-8"))
    assert record["dataset"] == "sample" and record["is_synthetic"] is True
    planted = _printed(nb, "Planted ")
    assert record["planted_flips"] == round(0.02 * 2400) == 48
    p_low, p_high = record["planted_precision_ci95"]
    r_low, r_high = record["planted_recall_ci95"]
    assert (
        f"flagged {record['planted_flagged']}, " in planted
        and f"precision {record['planted_precision']:.2f} (95% interval {p_low:.2f} to "
        f"{p_high:.2f}), recall {record['planted_recall']:.2f} ({r_low:.2f} to {r_high:.2f})."
        in planted
    ), planted
    assert p_low <= record["planted_precision"] <= p_high
    assert r_low <= record["planted_recall"] <= r_high
    assert sum(record["flagged_per_class"].values()) == record["flagged_held_out"]
    assert record["held_out_images"] == 2400 + 1695
    flagged = _printed(nb, "Flagged ")
    assert flagged.startswith(
        f"Flagged {record['flagged_held_out']} of {record['held_out_images']:,} held-out"
    )
    # the most flagged by count: the top three and every character tied with the third
    counts = sorted((n for n in record["flagged_per_class"].values() if n), reverse=True)
    named = flagged.split("by given label: ")[1].split(";")[0].split(", ")
    third = counts[min(2, len(counts) - 1)]
    assert len(named) == sum(n >= third for n in counts), flagged
    # Part 3's comparison with the toy CNN, for the network it handed over (only then)
    against = [line for line in _text(nb).splitlines() if line.startswith("Against the toy")]
    if record["model"].startswith("Part 3's"):
        part3 = json.loads((out / "recipe_metrics.json").read_text(encoding="utf-8"))
        low, high = part3["test_difference_ci95"]
        assert len(against) == 1, against
        assert f"(95% interval {100 * low:+.1f} to {100 * high:+.1f}): " in against[0], against
        side = "a weaker" if high < 0 else "a stronger" if low > 0 else "no clear difference"
        assert against[0].split("): ")[1].startswith(side), against
    else:
        assert against == [], against
    ece = _printed(nb, "ECE on validation")
    assert f"on test {record['ece_test_before']:.4f} -> {record['ece_test_after']:.4f}" in ece
    # the verdict on the test ECE follows its bootstrap interval, not the two numbers alone
    change = _printed(nb, "Change in test ECE with scaling:")
    low, high = record["ece_test_change_ci95"]
    assert _shows(change.split("95% interval")[1].split(" to ")[0], low), change
    assert _shows(change.split(" to ")[1], high), change
    verdict = (
        "lowered the test ECE"
        if high < 0
        else "raised the test ECE"
        if low > 0
        else "made no clear change to the test ECE (the interval includes 0)"
    )
    assert record["ece_test_verdict"] == verdict and f"scaling {verdict}. " in change, change
    assert _printed(nb, "Fitted temperature").startswith(
        f"Fitted temperature T = {record['temperature']:.3f}"
    )
    # why T is above or below 1: this run's own evidence, before scaling
    why = _printed(nb, "Before scaling, on the validation images:")
    claimed, achieved = record["validation_mean_confidence"], record["validation_accuracy"]
    assert _shows(why.split("accuracy")[0], claimed) and _shows(why.split("(")[0], achieved)
    assert ("claimed less" in why) == (claimed < achieved)
    assert ("T is below 1" in why) == (record["temperature"] < 1)
    # the rule fixed in advance: both splits get the scaled probabilities, whatever the ECEs
    scaled = f"scaled, T = {record['temperature']:.2f}"
    assert record["probabilities_shown"] == {"validation": scaled, "test": scaled}
    assert _printed(nb, "From here on, ").startswith(
        f"From here on, sections 4 and 5 use the probabilities scaled with "
        f"T = {record['temperature']:.2f} on validation and test alike"
    )
    # the two t-SNE maps: the counts printed are the metrics', the reading follows the interval
    same = record["tsne_same_character_neighbour"]
    assert len(same) == 2 and record["tsne_images"] in (300, 1000)
    for name, share in same.items():
        assert f"{name}: nearest neighbour on the map is the same character for {share:.0%} " in (
            _text(nb)
        )
    maps = _printed(nb, "Penultimate layer minus raw pixels:")
    low, high = record["tsne_features_minus_pixels_ci95"]
    assert (
        f"(95% interval {100 * low:+.1f} to {100 * high:+.1f} over the {record['tsne_images']:,} "
        in maps
    ), maps
    # (the metrics file rounds to 6 digits)
    assert abs((low + high) / 2 - (same[list(same)[1]] - same[list(same)[0]])) < 2e-6
    reading = (
        "features keep a character's images together more often"
        if low > 0
        else "pixels keep a character's images together more often"
        if high < 0
        else "cannot tell the two maps apart"
    )
    assert reading in maps, maps
    completeness = _printed(nb, "Integrated gradients check")
    assert float(completeness.split("within ")[1].split(" ")[0]) < 0.05, completeness
    stderr = [
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    ]
    assert stderr == [] and _figures(nb) == 9
    # the pictures from outside the dataset: the sentence counts what the metrics record
    yours = record["your_pictures"]
    assert list(yours) == list(examples.bundled())
    hiragana = [name for name, p in examples.bundled().items() if p.hiragana]
    right = sum(yours[name]["top_choice"] == yours[name]["shows"] for name in hiragana)
    assert record["hiragana_pictures"] == len(hiragana) == 5
    assert record["hiragana_pictures_right"] == right
    assert f"The top choice is right for {right} of the 5 hiragana pictures." in _text(nb)
    assert "The 2 pictures that show no hiragana still get a top probability of " in _text(nb)
    return record


def test_part4_uses_part3s_network_and_its_sentences_agree_with_its_metrics(tutorial):
    nb = tutorial.notebook("04_inside.ipynb")
    record = _inside_checks(nb, tutorial.out)
    chosen = tutorial.metrics("recipe_metrics.json")["chosen"]
    shifts = ", without the shifts" if chosen == "+ test-time shifts" else ""
    assert record["model"] == f"Part 3's chosen recipe ({chosen}){shifts}"
    handoff = tutorial.metrics("recipe_network.json")
    assert (
        f"Examining {record['model']}: it was trained on 'sample' with the same validation "
        f"split (fingerprint {handoff['split']['fingerprint']})"
    ) in _text(nb)
    assert handoff["version"] == 1 and handoff["chosen"] == chosen


def test_the_output_folder_holds_what_the_runner_knows_each_part_writes(tutorial):
    from k49tut.runner import RESULTS

    for name in RESULTS:
        tutorial.notebook(name)
    expected = {file for files in RESULTS.values() for file in files}
    expected |= {"04_inside.ipynb", "04_inside.html", "figures"}  # Part 4 ran by k49tut run
    assert {p.name for p in tutorial.out.iterdir()} == expected


def _site_builder():
    """scripts/build_site.py, and the browser that tests the site: without Sphinx or
    Chromium the test is skipped, unless K49TUT_REQUIRE_SITE is set (as in CI)."""
    import importlib.util
    import os

    from site_browser import CHROMEDRIVER, CHROMIUM

    missing = [
        what
        for what, there in (
            (
                "Sphinx, myst-nb and the book theme (pip install -e '.[dev,site]')",
                importlib.util.find_spec("myst_nb"),
            ),
            ("Selenium", importlib.util.find_spec("selenium")),
            (
                "Chromium and its driver (apt-get install chromium chromium-driver)",
                CHROMIUM and CHROMEDRIVER,
            ),
        )  # fmt: skip
        if not there
    ]
    if missing:
        if os.environ.get("K49TUT_REQUIRE_SITE"):
            pytest.fail("The site test needs " + "; ".join(missing))
        pytest.skip("needs " + "; ".join(missing))
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_site.py"
    spec = importlib.util.spec_from_file_location("build_site", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_of_this_run_works_in_a_browser_without_japanese_fonts(tutorial, tmp_path):
    import shutil

    import site_browser as sb

    builder = _site_builder()
    run = tmp_path / "run"
    run.mkdir()
    for name in PARAMETERS:
        tutorial.notebook(name)
        done = (
            tutorial.out / name
            if name == "04_inside.ipynb"
            else tutorial.base / "notebooks" / name
        )
        shutil.copy2(done, run / name)
    with pytest.raises(
        builder.SiteError,
        match="lacks the executed notebooks 01_eda, 02_cnn, 03_recipe, 04_inside. Run the",
    ):
        builder.build(tmp_path / "nothing", tmp_path / "nowhere")  # what a user is told
    root = builder.build(run, tmp_path / "site").parent
    with sb.served(root) as base, sb.browser(tmp_path / "chromium") as driver:
        pages = sb.crawl(driver, base)
        names = {url.removeprefix(base) for url in pages}
        docs = (Path(__file__).resolve().parents[1] / "docs").glob("*.md")
        assert names == {"index.html"} | {f"notebooks/{Path(n).stem}.html" for n in PARAMETERS} | {
            f"docs/{p.stem}.html" for p in docs
        }
        for url, page in pages.items():
            # every page says where its outputs come from; nothing of the site's own fails
            assert "Every output and figure on this site comes from the synthetic stand-in, not " \
                "Kuzushiji-49." in page["text"], url  # fmt: skip
            own = [e for e in page["console"] if base in e["message"] or e["source"] != "network"]
            assert own == [], (url, own)
            assert all(ok for src, ok in page["images"] if src.startswith(base)), url
        figures = sum(src.startswith(base) for page in pages.values() for src, _ in page["images"])
        assert figures >= sum(_figures(tutorial.notebook(n)) for n in PARAMETERS)
        assert sb.broken_links(pages, base, root) == []
        # hiragana as the page draws them: glyphs, not the same empty box twice
        part1 = base + "notebooks/01_eda.html"
        a, i = sb.glyph_shots(driver, part1, "あい")
        assert a != i and sb.font_loaded(driver)
        boxes = sb.glyph_shots(driver, part1, "あい", family="NoSuchFont")
        assert boxes[0] == boxes[1]  # the check can fail: without the served font, boxes
        assert sb.search_hits(driver, base, "calibration") >= 2
