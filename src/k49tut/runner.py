"""Run the tutorial headless: the notebooks with papermill, then HTML reports and PNG figures.

The notebooks run are those of :data:`NOTEBOOKS` found in :func:`notebooks_dir`; each
receives the options of the run that its ``parameters`` cell declares.

``k49tut run`` (and ``make run-all`` / ``make demo``) call :func:`run_all`. What it leaves in
the output directory::

    01_eda.ipynb ... 04_inside.ipynb (and .html)   executed notebooks, reports
    figures/01_eda/*.png  figures/02_cnn/*.png ...  every figure, in order
    model.keras  predictions.csv  metrics.json     Part 2's artifacts
    recipe_model.keras  recipe_metrics.json        Part 3's artifacts
    recipe_network.json                            Part 3's hand-off to Part 4
    inside_metrics.json                            Part 4's metrics

If a cell fails, runs past its time limit, or the kernel dies (killed for lack of
memory, or the code ends the process), the run stops with exit status 1 and a message
naming the notebook and the cell; the partially executed notebook (and its report) are
kept. Parameters that cannot work are refused before anything runs
(:mod:`k49tut.preflight`), and the results an earlier run of the same notebooks left in
the output directory are first moved into ``previous-runs/<time>/``; those of the other
notebooks stay, so Part 4 run alone still finds Part 3's network.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from k49tut import defaults, storage
from k49tut.budget import default_budget, duration
from k49tut.errors import K49TutError, StorageError
from k49tut.paths import notebooks_dir
from k49tut.words import plural

#: The tutorial, in the order it is run. A notebook added to ``notebooks/`` and to this
#: list is run, shipped in the wheel and copied by ``k49tut notebooks``.
NOTEBOOKS = ("01_eda.ipynb", "02_cnn.ipynb", "03_recipe.ipynb", "04_inside.ipynb")

#: What each notebook writes into the output directory besides its executed copy, report
#: and figures (a test checks these against a run of the tutorial).
RESULTS = {
    "01_eda.ipynb": (),
    "02_cnn.ipynb": ("model.keras", "predictions.csv", "metrics.json"),
    "03_recipe.ipynb": ("recipe_metrics.json", "recipe_model.keras", "recipe_network.json"),
    "04_inside.ipynb": ("inside_metrics.json",),
}

#: Options of the run that only one notebook takes (Parts 2-4 size their work by the
#: budget, and Part 4's ``epochs`` is only for the network it trains when Part 3's is
#: missing). ``budget`` goes to every notebook that declares it.
ONLY_FOR = {"epochs": "02_cnn.ipynb", "batch_size": "02_cnn.ipynb"}

#: Modules ``k49tut run`` needs beyond the library: the ``notebooks`` extra.
TOOLS = ("papermill", "nbconvert", "nbformat", "nbclient", "ipykernel", "traitlets")


def _no_kernel_died_line(record: logging.LogRecord) -> bool:
    """Drop nbclient's "Kernel died" and "Timeout waiting" lines: the run's message says more."""
    text = record.getMessage()
    return "Kernel died" not in text and "Timeout waiting for execute reply" not in text


def _no_orphaned_kernel_error(record: logging.LogRecord) -> bool:
    """Drop asyncio's "Task exception was never retrieved" for a kernel that died: after
    Ctrl-C, nbclient may leave a task that saw the kernel go, and the run has said so."""
    from nbclient.exceptions import DeadKernelError

    error = record.exc_info[1] if record.exc_info else None
    return not (
        record.getMessage().startswith("Task exception was never retrieved")
        and isinstance(error, DeadKernelError)
    )


def missing_tools() -> list[str]:
    """The modules of :data:`TOOLS` that are not installed.

    >>> missing_tools()
    []
    """
    return [name for name in TOOLS if importlib.util.find_spec(name) is None]


def copy_notebooks(dest: str | os.PathLike, force: bool = False) -> list[Path]:
    """Copy the tutorial's notebooks into ``dest`` (created if needed); returns the copies.

    Refuses, copying nothing, if a notebook of that name is already there, unless
    ``force``: a copy may hold the reader's own edits and outputs. Each copy is written
    under a fresh name in ``dest`` and renamed into place, so a failure (a full disk)
    leaves no partial notebook, and a link planted at a notebook's name is replaced, never
    written through. Raises :class:`~k49tut.errors.StorageError` when ``dest`` cannot
    take them.

    >>> import tempfile
    >>> [p.name for p in copy_notebooks(tempfile.mkdtemp())][:2]
    ['01_eda.ipynb', '02_cnn.ipynb']
    """
    source = notebooks_dir()
    names = [name for name in NOTEBOOKS if (source / name).is_file()]
    if not names:
        raise K49TutError(f"No tutorial notebooks ({', '.join(NOTEBOOKS)}) in {source}.")
    if not str(dest).strip():
        raise K49TutError("The destination folder is an empty name; give a folder, e.g. `.`.")
    dest = Path(os.path.abspath(Path(dest).expanduser()))
    hint = "Choose another folder. Nothing was copied."
    taken = [dest / name for name in names if os.path.lexists(dest / name)]
    if folders := [p for p in taken if p.is_dir() and not p.is_symlink()]:
        raise StorageError(
            f"{folders[0]} is a directory, where a notebook would go: move it away, or choose "
            "another folder. Nothing was copied."
        )
    if taken and not force:
        raise K49TutError(
            f"{', '.join(str(p) for p in taken)} already "
            f"{'exists' if len(taken) == 1 else 'exist'}; nothing was copied. Choose another "
            "folder, or pass --force (force=True) to overwrite."
        )
    created = storage.ensure_dir(dest, "destination folder", hint)
    copies: list[Path] = []
    try:
        storage.check_writable(dest, "destination folder", hint)
        for name in names:
            copy = functools.partial(shutil.copyfile, source / name)
            copies.append(storage.atomic_write(dest / name, copy))
    except OSError as error:
        if not copies:
            storage.remove_empty(created)
        kept = f"; kept the copies made before: {', '.join(p.name for p in copies)}"
        raise StorageError(
            f"Could not copy the notebooks into {dest}: {storage.reason(error)}. No partial "
            f"notebook was left{kept if copies else ''}. Free some space, or choose another "
            "folder."
        ) from error
    except (StorageError, KeyboardInterrupt):  # a folder made for the copies goes if empty
        storage.remove_empty(created)
        raise
    return copies


def export_html(notebook: Path) -> Path:
    """Write ``<name>.html`` beside an executed notebook (nbconvert's standard template)."""
    from nbconvert import HTMLExporter

    logging.getLogger("traitlets").setLevel(logging.ERROR)  # no accessibility nags per figure
    body, _ = HTMLExporter().from_filename(str(notebook))
    return storage.atomic_write(
        notebook.with_suffix(".html"), lambda path: path.write_text(body, encoding="utf-8")
    )


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
            if png := out.get("data", {}).get("image/png"):
                image = base64.b64decode(png)
                path = folder / f"{len(saved) + 1:02d}-cell{k}.png"
                saved.append(storage.atomic_write(path, lambda p, b=image: p.write_bytes(b)))
    return saved


def _notebooks_in(source: Path, parts: list[int] | None = None) -> list[str]:
    """The tutorial notebooks in ``source`` (of ``parts`` 1-4 if given), in order."""
    if not source.is_dir():
        what = "is not a directory" if source.exists() else "does not exist"
        raise StorageError(f"The notebooks folder {source} {what}; pass --notebooks DIR.")
    names = [name for name in NOTEBOOKS if (source / name).is_file()]
    if not names:
        raise StorageError(
            f"No tutorial notebooks ({', '.join(NOTEBOOKS)}) in {source}; pass --notebooks DIR."
        )
    wanted = [NOTEBOOKS[part - 1] for part in sorted(set(parts))] if parts else names
    if missing := [name for name in wanted if name not in names]:
        raise StorageError(f"{', '.join(missing)} not in {source}; pass --notebooks DIR.")
    return wanted


def _read_notebook(notebook: Path):
    """The notebook, or None when missing or unreadable (a full disk can cut a write short)."""
    import nbformat

    try:
        return nbformat.read(notebook, as_version=4)
    except Exception:  # not written yet, cut-off JSON, not a notebook
        return None


def _last_started(notebook: Path) -> str:
    """``In [n], the cell starting '...'`` for the last cell that began to run."""
    nb = _read_notebook(notebook)
    if nb is None:
        return "an unknown cell"
    started = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c.source.strip()
        and c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if not started:
        return "its start, before any cell ran"
    # a fresh kernel numbers the non-empty code cells it runs 1, 2, ...; the last one's
    # own number may be missing when the kernel died before announcing it
    count = started[-1].get("execution_count") or len(started)
    return f"In [{count}], the cell starting {started[-1].source.strip().splitlines()[0]!r}"


def _first_line(notebook: Path, exec_count: int) -> str:
    """First line of the code cell that ran as ``In [exec_count]`` (papermill adds cells)."""
    nb = _read_notebook(notebook)
    for cell in nb.cells if nb is not None else ():
        if cell.cell_type == "code" and cell.get("execution_count") == exec_count:
            lines = cell.source.strip().splitlines()
            return lines[0] if lines else ""
    return "?"


def _export_partial(target: Path) -> None:
    """Write the report of a partly executed notebook, if there is one to write."""
    with contextlib.suppress(Exception):  # no notebook yet, or one papermill left unreadable
        export_html(target)


def _parameters(notebook: Path, options: dict) -> dict:
    """The options that ``notebook`` declares in its ``parameters`` cell."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    return {
        key: value
        for key, value in options.items()
        if key in declared and ONLY_FOR.get(key, notebook.name) == notebook.name
    }


#: Each run's private folder for its kernel's sockets: ``k49tut-kernel-<pid>-XXXX``.
KERNEL_PREFIX = "k49tut-kernel-"


def _remove_stale_kernel_folders() -> None:
    """Remove the kernel folders of this user's runs that were killed (SIGKILL leaves them)."""
    for folder in Path(tempfile.gettempdir()).glob(KERNEL_PREFIX + "*-*"):
        pid = folder.name[len(KERNEL_PREFIX) :].split("-")[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.lstat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # raises when no such process is left
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's process (EPERM), or the folder went meanwhile
            continue


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
    output_dir: str | os.PathLike = defaults.OUTPUT_DIR,
    dataset: str = defaults.DATASET,
    data_dir: str | None = None,
    epochs: int = defaults.EPOCHS,
    seed: int = defaults.SEED,
    batch_size: int = defaults.BATCH_SIZE,
    source: Path | None = None,
    budget: str | None = None,
    parts: list[int] | None = None,
    timeout: int | None = None,
) -> int:
    """Execute the tutorial's notebooks into ``output_dir``; returns the exit status.

    ``epochs`` and ``batch_size`` are Part 2's; Part 3 sizes its work by ``budget``
    (see :mod:`k49tut.budget`; default: ``$K49TUT_BUDGET``, else ``"auto"``); Part 4
    reads Part 3's model from ``output_dir``. The notebooks run with ``output_dir`` as
    their working directory. ``parts`` (1-4) runs only those parts. A cell that runs
    longer than ``timeout`` seconds is stopped (default:
    :func:`k49tut.defaults.cell_timeout` of the budget).
    """
    from k49tut import preflight

    if missing := missing_tools():
        print(
            f"k49tut run: running the notebooks needs {', '.join(missing)}, not installed "
            "here. Install the notebook tools with\n  pip install 'k49tut[notebooks]'\n"
            "(in a checkout of k49tut: make install).",
            file=sys.stderr,
        )
        return 1
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # ipykernel 6 loads the debugger at start-up, which then warns about frozen modules
    # on stderr; nobody debugs a headless run.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.getLogger("papermill").addFilter(_no_kernel_died_line)
    logging.getLogger("asyncio").addFilter(_no_orphaned_kernel_error)
    source = Path(source) if source is not None else notebooks_dir()
    budget = default_budget() if budget is None else budget
    preflight.check_parameters(dataset, epochs, seed, batch_size, budget, timeout)
    names = _notebooks_in(source, parts)
    preflight.check_notebooks(source, names)
    data_dir = preflight.absolute_data_dir(data_dir)
    out = preflight.output_dir(output_dir, source)
    earlier = preflight.set_aside_earlier(out, {name: RESULTS[name] for name in names})
    if earlier:
        print(f"Moved the earlier run's results to {earlier}", flush=True)
    options = {
        "dataset": dataset,
        "data_dir": data_dir,
        "epochs": epochs,
        "seed": seed,
        "batch_size": batch_size,
        "budget": budget,
        "output_dir": str(out),
    }
    limit = timeout or defaults.cell_timeout(budget)
    _remove_stale_kernel_folders()
    with tempfile.TemporaryDirectory(prefix=f"{KERNEL_PREFIX}{os.getpid()}-") as sockets:
        return _run_each(names, source, out, options, sockets, limit)


def _run_each(
    names: list[str], source: Path, out: Path, options: dict, sockets: str, limit: int
) -> int:
    """Execute ``names`` from ``source`` into ``out`` in turn; returns the exit status."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    stopped = (PapermillExecutionError, CellTimeoutError, DeadKernelError, KeyboardInterrupt)
    for n, name in enumerate(names, 1):
        target = out / name
        print(f"[{n}/{len(names)}] {name} on {options['dataset']!r} -> {target}", flush=True)
        start = time.monotonic()
        try:
            papermill.execute_notebook(
                str(source / name),
                str(target),
                parameters=_parameters(source / name, options),
                cwd=str(out),
                kernel_name="python3",
                progress_bar=sys.stderr.isatty(),
                stdout_file=sys.stdout,
                stderr_file=sys.stderr,  # prints and epoch lines only
                config=_kernel_config(sockets),  # no TCP warning from ipykernel 7
                shutdown_kernel="immediate",  # a stopped run leaves no kernel behind
                execution_timeout=limit,
            )
            html = export_html(target)
            figures = export_figures(target, out / "figures" / target.stem)
        except stopped as error:
            _export_partial(target)
            print(f"k49tut run: {_why_stopped(error, name, target, limit)}", file=sys.stderr)
            if isinstance(error, KeyboardInterrupt):
                raise
            return 1
        except OSError as error:  # the disk filled up, the kernel could not start...
            if _read_notebook(target) is not None:
                _export_partial(target)
                kept = f"The partly executed notebook is kept: {target}."
            else:  # cut off mid-write: a file that no tool could open
                target.unlink(missing_ok=True)
                kept = "The partly executed notebook could not be saved whole and was removed."
            raise StorageError(
                f"{name} stopped: {storage.reason(error)}"
                f"{f' ({error.filename})' if error.filename else ''}. {kept} What the "
                f"parts before it wrote is kept in {out}."
            ) from error
        print(
            f"      wrote {html.name} and {plural(len(figures), 'figure')}; "
            f"it ran for {duration(time.monotonic() - start)}",
            flush=True,
        )
    print(f"Done: results in {out}")
    return 0


def _why_stopped(error: BaseException, name: str, target: Path, limit: int) -> str:
    """What ``k49tut run`` says when ``error`` stopped notebook ``name``, kept at ``target``."""
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):  # a cell raised
        first = _first_line(target, error.exec_count)
        why = (
            f"{name} failed at In [{error.exec_count}], the cell starting {first!r}:\n"
            f"  {error.ename}: {error.evalue}"
        )
    else:
        cell = _last_started(target)
        if isinstance(error, KeyboardInterrupt):
            return f"stopped {name} during {cell}; the partly executed notebook is kept: {target}."
        if isinstance(error, CellTimeoutError):
            why = (
                f"{name} stopped at {cell}, which ran longer than the time limit of {limit:,} s "
                "per cell (--timeout)."
            )
        else:  # nbclient's DeadKernelError
            smaller = "try a smaller --batch-size, or " if ONLY_FOR["batch_size"] == name else ""
            why = (
                f"the kernel running {name} died during {cell}: its process was killed (often "
                f"for lack of memory: {smaller}close other programs) or the code ended it."
            )
    html = target.with_suffix(".html")
    kept = f"{target} (and {html.name})" if html.is_file() else str(target)
    return f"{why}\nThe partly executed notebook is kept: {kept}."
