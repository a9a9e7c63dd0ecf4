"""Both notebooks run headless with papermill on the offline sample, and show their figures."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _figures(nb) -> int:
    return sum("image/png" in out.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


def _text(nb) -> str:
    """Everything the notebook printed or displayed as text (not the images)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") + out.get("evalue", ""))
            data = out.get("data", {})
            parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


def _run(name: str, tmp_path, **parameters):
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / name
    papermill.execute_notebook(str(NOTEBOOKS / name), str(out), parameters=parameters,
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


def test_part1_runs_on_the_sample(tmp_path):
    nb = _run("01_eda.ipynb", tmp_path, dataset="sample")
    assert _figures(nb) >= 6
    text = _text(nb)
    assert "not Kuzushiji-49" in text                  # the banner and figure titles say so
    assert "Traceback" not in text and "Glyph" not in text


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_source_notebooks_carry_no_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_part2_runs_on_the_sample_saves_artifacts_and_repeats_exactly(tmp_path):
    import json

    metrics = []
    for run in ("first", "second"):
        out = tmp_path / run
        nb = _run("02_cnn.ipynb", tmp_path / f"{run}-nb", dataset="sample", epochs=2,
                  output_dir=str(out))
        record = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        assert (out / "model.keras").is_file() and (out / "predictions.csv").is_file()
        metrics.append(record)
    assert _figures(nb) >= 10
    text = _text(nb)
    assert "Traceback" not in text and "not Kuzushiji-49" in text
    stderr = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    assert stderr == []                                  # TensorFlow's log noise kept out
    first, second = metrics
    assert first["is_synthetic"] is True and first["epochs"] == 2
    assert 0 < first["balanced_accuracy"] <= 1
    for record in metrics:
        record.pop("training_seconds")
    assert first == second                               # same seed, same machine: same numbers


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_nbval_references_run_the_same_code(name):
    """tests/nbval/ holds expected outputs only: its code must be the notebook's code."""
    source = nbformat.read(NOTEBOOKS / name, as_version=4)
    reference = nbformat.read(Path(__file__).parent / "nbval" / name, as_version=4)
    assert [c.source for c in reference.cells] == [c.source for c in source.cells]
    checked = [c for c in reference.cells
               if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked and all(c.outputs for c in checked)
