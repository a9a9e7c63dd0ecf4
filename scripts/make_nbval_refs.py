#!/usr/bin/env python3
"""Re-record the reference outputs that nbval compares against (tests/nbval/*.ipynb).

The notebooks in notebooks/ are committed without outputs. nbval, run in lax mode, only
compares the cells marked ``# NBVAL_CHECK_OUTPUT`` (shapes, class counts, the parameter
count, ...), and it needs their expected outputs: this script executes each notebook on
the offline sample (``K49TUT_DATASET=sample``, no injected parameters, so the code stays
identical) and keeps the outputs of those cells only.

    python scripts/make_nbval_refs.py              # all notebooks, or: make nbval-refs
    python scripts/make_nbval_refs.py 04_inside    # only the notebooks named
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = ROOT / "notebooks", ROOT / "tests" / "nbval"
MARK = "# NBVAL_CHECK_OUTPUT"


def main(names: list[str]) -> None:
    os.environ["K49TUT_DATASET"] = "sample"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["K49TUT_OUTPUT_DIR"] = tmp
        for source in sorted(SOURCE.glob("[0-9][0-9]_*.ipynb")):
            if names and source.stem not in names:
                continue
            executed = Path(tmp) / source.name
            papermill.execute_notebook(
                str(source),
                str(executed),
                cwd=str(SOURCE),
                kernel_name="python3",
                progress_bar=False,
            )
            nb = nbformat.read(executed, as_version=4)
            reference = nbformat.read(source, as_version=4)
            for ref, run in zip(reference.cells, nb.cells):
                if ref.cell_type == "code" and ref.source.startswith(MARK):
                    ref.outputs = run.outputs
                    ref.execution_count = run.execution_count
            nbformat.write(reference, TARGET / source.name)
            kept = sum(
                c.cell_type == "code" and c.source.startswith(MARK) for c in reference.cells
            )
            print(f"{TARGET / source.name}: {kept} checked cells")


if __name__ == "__main__":
    main(sys.argv[1:])
