"""The tutorial as the tests run it: one set of parameters, one execution per notebook.

Every check of the notebooks reads the outputs of one run of each part (see the
``tutorial`` fixture in ``conftest.py``), and ``scripts/make_references.py`` records the
reference outputs from a run with the same parameters, so what the tests compare is
what the references were recorded from.

Checked outputs follow nbval's lax-mode convention: only code cells tagged
``nbval-check-output`` (a cell tag, which a reader of the notebook does not see) are
compared, and their stream outputs are merged the way nbval merges them. References are
keyed by the cell's id, so editing markdown or comments, or moving a cell, needs no new
references.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REFERENCES = ROOT / "tests" / "references"
#: nbval's cell tag for "compare this cell's outputs" in lax mode.
TAG = "nbval-check-output"

#: What the tests run: each part on the offline sample, sized for minutes on two cores.
#: Part 3 takes its quick budget's path in small (the ablation on a subset, then the
#: finalists on all the images); Part 4 reads Part 3's network from the same folder, run
#: by ``k49tut run --parts 4`` (which passes only the dataset, and defaults).
PARAMETERS: dict[str, dict] = {
    "01_eda.ipynb": {"dataset": "sample"},
    "02_cnn.ipynb": {"dataset": "sample", "epochs": 3},
    "03_recipe.ipynb": {
        "dataset": "sample",
        "epochs": 2,
        "ablation_images": 2000,
        "final_epochs": 1,
        "budget": "quick",
    },
    "04_inside.ipynb": {"dataset": "sample"},
}


def execute(name: str, folder: Path, output_dir: Path, **overrides) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>`` with the test parameters (and ``overrides``) into ``folder``.

    The notebook's results go to ``output_dir``; the executed copy is ``folder/<name>``.
    """
    import papermill

    folder.mkdir(parents=True, exist_ok=True)
    parameters = {**PARAMETERS[name], "output_dir": str(output_dir), **overrides}
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(folder / name),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_name="python3",
    )
    return nbformat.read(folder / name, as_version=4)


def _comparable(outputs: list) -> list[dict]:
    """A cell's outputs as nbval compares them: streams merged by name, text data only."""
    from nbval.plugin import coalesce_streams

    kept = []
    for out in coalesce_streams([nbformat.from_dict(o) for o in outputs]):
        if out.output_type == "stream":
            kept.append({out.name: out.text})
        elif "data" in out:
            kept.append({k: v for k, v in out.data.items() if k in ("text/plain", "text/html")})
        elif out.output_type == "error":
            kept.append({"error": f"{out.ename}: {out.evalue}"})
    return kept


def checked_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The code cells whose outputs are compared, by cell id."""
    return {
        cell.id: cell
        for cell in nb.cells
        if cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])
    }


def checked_outputs(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """``{cell id: {"first line": ..., "outputs": [...]}}`` for the checked cells of ``nb``."""
    return {
        key: {"first line": cell.source.splitlines()[0], "outputs": _comparable(cell.outputs)}
        for key, cell in checked_cells(nb).items()
    }


def reference_path(name: str) -> Path:
    return REFERENCES / f"{Path(name).stem}.json"


def read_references(name: str) -> dict[str, dict]:
    return json.loads(reference_path(name).read_text(encoding="utf-8"))["cells"]


def write_references(name: str, nb: nbformat.NotebookNode) -> Path:
    """Record the checked outputs of an executed notebook as ``tests/references/<stem>.json``."""
    REFERENCES.mkdir(exist_ok=True)
    record = {
        "notebook": f"notebooks/{name}",
        "parameters": PARAMETERS[name],
        "how": "python scripts/make_references.py " + Path(name).stem,
        "cells": checked_outputs(nb),
    }
    path = reference_path(name)
    text = json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
