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


def test_part2_runs_on_the_sample_and_saves_artifacts(tmp_path):
    import json

    out = tmp_path / "artifacts"
    nb = _run("02_cnn.ipynb", tmp_path, dataset="sample", epochs=2, output_dir=str(out))
    assert _figures(nb) >= 10
    text = _text(nb)
    assert "Traceback" not in text and "not Kuzushiji-49" in text
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["is_synthetic"] is True and metrics["epochs"] == 2
    assert 0 < metrics["balanced_accuracy"] <= 1
    assert (out / "model.keras").is_file() and (out / "predictions.csv").is_file()
    stderr = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    assert stderr == []                                  # TensorFlow's log noise kept out
