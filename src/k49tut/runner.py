"""Run the tutorial headless: the notebooks with papermill, then HTML reports and PNG figures.

``k49tut run`` (and ``make run-all`` / ``make demo``) call :func:`run_all`. What it leaves in
the output directory::

    01_eda.ipynb  02_cnn.ipynb  03_recipe.ipynb (and .html)     executed notebooks, reports
    figures/01_eda/*.png  figures/02_cnn/*.png  ...             every figure, in order
    model.keras  predictions.csv  metrics.json                  Part 2's artifacts
    recipe_model.keras  recipe_metrics.json                     Part 3's artifacts

If a cell fails, the run stops with exit status 1 and a message naming the notebook and
the cell; the partially executed notebook (and its report) are kept.

The notebooks run are those of :data:`NOTEBOOKS` found in :func:`notebooks_dir`; each
receives the options of the run that its ``parameters`` cell declares.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import os
import sys
import tempfile
from pathlib import Path

from k49tut.paths import notebooks_dir

#: The tutorial, in the order it is run. A notebook added to ``notebooks/`` and to this
#: list is run, shipped in the wheel and copied by ``k49tut notebooks``.
NOTEBOOKS = ("01_eda.ipynb", "02_cnn.ipynb", "03_recipe.ipynb")

#: Options of the run that only one notebook takes (Part 3 picks its own schedule).
ONLY_FOR = {"epochs": "02_cnn.ipynb", "batch_size": "02_cnn.ipynb"}

#: Modules ``k49tut run`` needs beyond the library: the ``notebooks`` extra.
TOOLS = ("papermill", "nbconvert", "nbformat", "ipykernel", "traitlets")


def missing_tools() -> list[str]:
    """The modules of :data:`TOOLS` that are not installed.

    >>> missing_tools()
    []
    """
    return [name for name in TOOLS if importlib.util.find_spec(name) is None]


def copy_notebooks(
    dest: str | os.PathLike, force: bool = False, source: Path | None = None
) -> list[Path]:
    """Copy the tutorial's notebooks into ``dest`` (created if needed); returns the copies.

    Refuses, copying nothing, if a notebook of that name is already there, unless
    ``force``: a copy may hold the reader's own edits and outputs.

    >>> import tempfile
    >>> [p.name for p in copy_notebooks(tempfile.mkdtemp())][:2]
    ['01_eda.ipynb', '02_cnn.ipynb']
    """
    import shutil

    from k49tut.errors import K49TutError

    source = Path(source) if source is not None else notebooks_dir()
    names = [name for name in NOTEBOOKS if (source / name).is_file()]
    if not names:
        raise K49TutError(f"No tutorial notebooks ({', '.join(NOTEBOOKS)}) in {source}.")
    dest = Path(dest)
    taken = [dest / name for name in names if (dest / name).exists()]
    if taken and not force:
        raise K49TutError(
            f"{', '.join(str(p) for p in taken)} already "
            f"{'exists' if len(taken) == 1 else 'exist'}; nothing was copied. Choose another "
            "folder, or pass --force (force=True) to overwrite."
        )
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(source / name, dest / name)) for name in names]


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


def _parameters(notebook: Path, options: dict) -> dict:
    """The options that ``notebook`` declares in its ``parameters`` cell."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    return {
        key: value
        for key, value in options.items()
        if key in declared and ONLY_FOR.get(key, notebook.name) == notebook.name
    }


def _kernel_config(folder: str):
    """Kernels that talk over Unix sockets in ``folder`` (private), where the OS has them.

    jupyter_client's default transport is TCP on 127.0.0.1, over which ipykernel 7 warns,
    at every start, that the traffic is not encrypted; sockets in a folder only this user
    can open have nothing to warn about. On Windows the default stays.
    """
    from traitlets.config import Config

    if os.name != "posix":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})


def run_all(
    output_dir: str | os.PathLike = "outputs",
    dataset: str = "k49",
    data_dir: str | None = None,
    epochs: int = 10,
    seed: int = 49,
    batch_size: int = 64,
    source: Path | None = None,
) -> int:
    """Execute the tutorial's notebooks into ``output_dir``; returns the exit status.

    ``epochs`` and ``batch_size`` are Part 2's; Part 3 picks its own schedule. The
    notebooks run with ``output_dir`` as their working directory.
    """
    missing = missing_tools()
    if missing:
        print(
            f"k49tut run: running the notebooks needs {', '.join(missing)}, not installed "
            "here. Install the notebook tools with\n  pip install 'k49tut[notebooks]'\n"
            "(in a checkout of k49tut: make install).",
            file=sys.stderr,
        )
        return 1
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # ipykernel 6 loads the debugger at start-up, which then warns about frozen modules
    # on stderr; nobody debugs a headless run.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    source = Path(source) if source is not None else notebooks_dir()
    out = Path(output_dir).resolve()
    names = [name for name in NOTEBOOKS if (source / name).is_file()]
    if not names:
        print(
            f"k49tut run: no tutorial notebooks ({', '.join(NOTEBOOKS)}) in {source}; "
            "pass --notebooks DIR.",
            file=sys.stderr,
        )
        return 1
    out.mkdir(parents=True, exist_ok=True)
    options = {
        "dataset": dataset,
        "data_dir": data_dir,
        "epochs": epochs,
        "seed": seed,
        "batch_size": batch_size,
        "output_dir": str(out),
    }
    with tempfile.TemporaryDirectory(prefix="k49tut-kernel-") as sockets:
        for n, name in enumerate(names, 1):
            target = out / name
            print(f"[{n}/{len(names)}] {name} on {dataset!r} -> {target}", flush=True)
            try:
                papermill.execute_notebook(
                    str(source / name),
                    str(target),
                    parameters=_parameters(source / name, options),
                    cwd=str(out),
                    kernel_name="python3",
                    progress_bar=sys.stderr.isatty(),
                    stdout_file=sys.stdout,
                    stderr_file=sys.stderr,  # prints and epoch lines
                    config=_kernel_config(sockets),
                )
            except PapermillExecutionError as error:
                export_html(target)
                print(
                    f"k49tut run: {name} failed at In [{error.exec_count}], the cell "
                    f"starting {_first_line(target, error.exec_count)!r}:\n  {error.ename}: "
                    f"{error.evalue}\nThe partly executed notebook is kept: {target} "
                    f"(and {target.with_suffix('.html').name}).",
                    file=sys.stderr,
                )
                return 1
            html = export_html(target)
            figures = export_figures(target, out / "figures" / target.stem)
            print(f"      wrote {html.name} and {len(figures)} figures", flush=True)
    print(f"Done: results in {out}")
    return 0
