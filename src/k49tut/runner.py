"""Run the tutorial headless: the notebooks with papermill, then HTML reports and PNG figures.

``k49tut run`` (and ``make run-all`` / ``make demo``) call :func:`run_all`. What it leaves in
the output directory::

    01_eda.ipynb ... 04_inside.ipynb (and .html)      executed notebooks, reports
    figures/01_eda/*.png  figures/02_cnn/*.png  ...   every figure, in order
    model.keras  predictions.csv  metrics.json        Part 2's artifacts
    recipe_model.keras  recipe_metrics.json           Part 3's artifacts
    inside_metrics.json                               Part 4's metrics

If a cell fails, the run stops with exit status 1 and a message naming the notebook and
the cell; the partially executed notebook (and its report) are kept.
"""

from __future__ import annotations

import base64
import logging
import os
import sys
from pathlib import Path

NOTEBOOKS = ("01_eda.ipynb", "02_cnn.ipynb", "03_recipe.ipynb", "04_inside.ipynb")


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the checkout this package runs from."""
    from k49tut.paths import checkout_root

    root = checkout_root()
    return (root or Path.cwd()) / "notebooks"


def export_html(notebook: Path) -> Path:
    """Write ``<name>.html`` beside an executed notebook (nbconvert's standard template)."""
    from nbconvert import HTMLExporter

    logging.getLogger("traitlets").setLevel(logging.ERROR)  # no accessibility nags per figure
    body, _ = HTMLExporter().from_filename(str(notebook))
    out = notebook.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def export_figures(notebook: Path, folder: Path) -> list[Path]:
    """Save every PNG output of an executed notebook as ``folder/NN-cellK.png``."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    saved = []
    for k, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                path = folder / f"{len(saved) + 1:02d}-cell{k}.png"
                path.write_bytes(base64.b64decode(png))
                saved.append(path)
    return saved


def _first_line(notebook: Path, exec_count: int) -> str:
    """First line of the code cell that ran as ``In [exec_count]`` (papermill adds cells)."""
    import nbformat

    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and cell.get("execution_count") == exec_count:
            lines = cell.source.strip().splitlines()
            return lines[0] if lines else ""
    return "?"


def run_all(output_dir: str | os.PathLike = "outputs", dataset: str = "k49",
            data_dir: str | None = None, epochs: int = 10, seed: int = 49,
            batch_size: int = 64, source: Path | None = None) -> int:
    """Execute the notebooks (Parts 1 to 4) into ``output_dir``; returns the exit status.

    ``epochs`` and ``batch_size`` are Part 2's; Part 3 picks its own schedule; Part 4 reads
    Part 3's model from ``output_dir``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    source = source or notebooks_dir()
    out = Path(output_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    common = {"dataset": dataset, "data_dir": data_dir}
    extra = {"02_cnn.ipynb": {"epochs": epochs, "seed": seed, "batch_size": batch_size,
                              "output_dir": str(out)},
             "03_recipe.ipynb": {"seed": seed, "output_dir": str(out)},
             "04_inside.ipynb": {"seed": seed, "output_dir": str(out)}}
    names = [name for name in NOTEBOOKS if (source / name).is_file()]
    if not names:
        print(f"k49tut run: no tutorial notebooks ({', '.join(NOTEBOOKS)}) in {source}; "
              "pass --notebooks DIR.", file=sys.stderr)
        return 1
    for n, name in enumerate(names, 1):
        target = out / name
        print(f"[{n}/{len(names)}] {name} on {dataset!r} -> {target}", flush=True)
        try:
            papermill.execute_notebook(
                str(source / name), str(target), parameters={**common, **extra.get(name, {})},
                cwd=str(source), kernel_name="python3", progress_bar=sys.stderr.isatty(),
                stdout_file=sys.stdout, stderr_file=sys.stderr)  # prints and epoch lines only
        except PapermillExecutionError as error:
            export_html(target)
            print(f"k49tut run: {name} failed at In [{error.exec_count}], the cell starting "
                  f"{_first_line(target, error.exec_count)!r}:\n  {error.ename}: {error.evalue}\n"
                  f"The partly executed notebook is kept: {target} "
                  f"(and {target.with_suffix('.html').name}).", file=sys.stderr)
            return 1
        html = export_html(target)
        figures = export_figures(target, out / "figures" / target.stem)
        print(f"      wrote {html.name} and {len(figures)} figures", flush=True)
    print(f"Done: results in {out}")
    return 0
