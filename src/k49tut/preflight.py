"""What ``k49tut run`` checks and prepares before it starts a kernel.

Parameters that cannot work are refused before anything is written. A relative data
directory is made absolute against the directory the command was run in (the
notebooks run in their own folder, where it would mean something else). The output
directory must be, or become, a writable directory other than the notebooks' folder;
an earlier run's results in it are moved into ``previous-runs/<time>/``, so that
nothing left from before can pass for the new run's.

>>> check_parameters("sample", epochs=0, seed=1, batch_size=64)
Traceback (most recent call last):
...
k49tut.errors.ParameterError: --epochs must be a whole number of at least 1, not 0.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from k49tut import paths, storage
from k49tut.errors import ParameterError, StorageError

#: Where an earlier run's results go when a new run starts in the same directory.
PREVIOUS_RUNS = "previous-runs"
#: Seeds NumPy and Keras accept.
SEED_RANGE = (0, 2**32 - 1)


def check_parameters(
    dataset: str,
    epochs: int,
    seed: int,
    batch_size: int,
    budget: str = "auto",
    timeout: int | None = None,
) -> None:
    """Raise :class:`ParameterError` for parameters of a run that cannot work."""
    from k49tut.budget import BUDGETS, unknown
    from k49tut.data import DATASETS

    if dataset not in DATASETS:
        raise ParameterError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
    limits = (("--epochs", epochs), ("--batch-size", batch_size))
    for flag, value in limits + ((("--timeout", timeout),) if timeout is not None else ()):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(f"{flag} must be a whole number of at least 1, not {value!r}.")
    if budget not in BUDGETS:
        raise ParameterError(unknown(budget))
    low, high = SEED_RANGE
    if isinstance(seed, bool) or not isinstance(seed, int) or not low <= seed <= high:
        raise ParameterError(
            f"--seed must be a whole number from {low} to {high:,}, not {seed!r}."
        )


def check_notebooks(source: Path, names: list[str]) -> None:
    """Refuse, before anything is written or moved, a notebook the run cannot use.

    Each must be readable, a valid notebook, and have a cell tagged ``parameters`` that
    declares ``dataset`` (else the run could not choose its data, and the notebook would
    run on its own default while the runner said otherwise). Raises :class:`ParameterError`.
    """
    import nbformat
    import papermill

    for name in names:
        path = source / name
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except OSError as error:
            why = f"it cannot be read: {storage.reason(error)}"
        except Exception as error:  # nbformat's NotJSONError, jsonschema's ValidationError...
            first = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
            why = f"it is not a valid notebook ({type(error).__name__}: {first})"
        else:
            tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
            if not tagged:
                why = "it has no cell tagged 'parameters', so the run could not pass it --dataset"
            elif "dataset" not in papermill.inspect_notebook(str(path)):
                why = "its 'parameters' cell does not declare dataset, so the run could not set it"
            else:
                continue
        if source.resolve() == paths.notebooks_dir().resolve():  # the tutorial's own copy
            fix = paths.restore_hint(f"notebooks/{name}")
        else:
            fix = "`k49tut notebooks DEST` copies the tutorial's own; then pass --notebooks DEST"
        raise ParameterError(
            f"Cannot run {path}: {why}. Nothing was changed. Get an intact copy: {fix}."
        )


def absolute_data_dir(data_dir: str | os.PathLike | None) -> str | None:
    """``data_dir``, or ``K49TUT_DATA_DIR`` when it is None, as an absolute path (or None).

    Raises :class:`StorageError` when the path can never be a directory.
    """
    if data_dir is None and not os.environ.get(paths.DATA_DIR_ENV):
        return None
    root = paths.data_dir(data_dir)
    if problem := storage.not_a_directory(root):
        raise StorageError(
            f"Cannot use the data directory: {problem}. Choose another with "
            f"--data-dir or {paths.DATA_DIR_ENV}."
        )
    return str(root)


def output_dir(output_dir: str | os.PathLike, notebooks: Path) -> Path:
    """The output directory, absolute, created and checked writable; refuses the notebooks'."""
    out = Path(output_dir).expanduser().resolve()
    if notebooks.is_dir() and out == notebooks.resolve():
        raise ParameterError(
            f"The output directory {out} is the notebooks' folder: the executed notebooks "
            "would overwrite the tutorial's own. Choose another --output-dir."
        )
    hint = "Choose another with --output-dir."
    storage.ensure_dir(out, "output directory", hint)
    storage.check_writable(out, "output directory", hint)
    return out


def _earlier_results(out: Path, results: dict[str, tuple[str, ...]]) -> list[Path]:
    stems = [Path(name).stem for name in results]
    found = [out / f"{stem}{ext}" for stem in stems for ext in (".ipynb", ".html")]
    found += [out / "figures" / stem for stem in stems]
    found += [out / file for files in results.values() for file in files]
    return [p for p in found if os.path.lexists(p)]


def set_aside_earlier(out: Path, results: dict[str, tuple[str, ...]]) -> Path | None:
    """Move an earlier run's results in ``out`` into ``previous-runs/<time>/``; that folder.

    ``results`` maps each notebook about to run to the files it writes (see
    :data:`k49tut.runner.RESULTS`); those files move, with the notebooks' executed copies,
    reports and figures. Nothing else moves: not another notebook's results, nor a file
    of the user's whose name merely resembles them. Returns None when nothing moved.
    """
    for name, what in ((PREVIOUS_RUNS, "earlier runs' results"), ("figures", "the figures")):
        held = out / name
        if held.is_symlink() or (held.exists() and not held.is_dir()):
            kind = "a symbolic link" if held.is_symlink() else "not a directory"
            raise StorageError(
                f"{held} is {kind}, where k49tut keeps {what}; nothing is written through "
                "it. Move it away (or choose another --output-dir), then run again. "
                "Nothing was changed."
            )
    found = _earlier_results(out, results)
    if not found:
        return None
    when = time.strftime("%Y-%m-%d_%H%M%S", time.localtime(max(p.lstat().st_mtime for p in found)))
    dest = out / PREVIOUS_RUNS / when
    n = 1
    while dest.exists():
        n += 1
        dest = out / PREVIOUS_RUNS / f"{when}-{n}"
    try:
        for p in found:
            target = dest / p.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(p, target)
        if (out / "figures").is_dir() and not any((out / "figures").iterdir()):
            (out / "figures").rmdir()
    except OSError as error:
        raise StorageError(
            f"Cannot move the earlier run's results in {out} aside into {dest}: "
            f"{storage.reason(error)}. Move them yourself, or choose another --output-dir."
        ) from error
    return dest
