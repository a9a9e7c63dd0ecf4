"""The ``k49tut`` command: ``download``, ``info``, ``run`` and ``notebooks``.

Exit status: 0 when the command did its work, 1 with one message on standard error
when it could not (the message says what happened and what to do), 2 for a command
line that does not parse, and 130 or 143 when stopped by Ctrl-C or SIGTERM (after
the same clean-up either way).

>>> from k49tut.cli import main
>>> main(["info", "--data-dir", "/nonexistent"])   # doctest: +ELLIPSIS
Data directory: /nonexistent (does not exist yet)
...
1
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys

from k49tut import __version__, defaults, paths
from k49tut.budget import BUDGETS, default_budget
from k49tut.data import DATASETS
from k49tut.errors import K49TutError, StorageError
from k49tut.files import K49_FILES, file_status
from k49tut.mirror import as_option, shown
from k49tut.runner import NOTEBOOKS
from k49tut.storage import not_a_directory
from k49tut.words import plural


def _download(args: argparse.Namespace) -> int:
    from k49tut.data import download

    root = download(
        args.data_dir,
        mirror=args.mirror,
        force=args.force,
        progress=sys.stderr.isatty() or args.progress,
    )
    print(f"All {len(K49_FILES)} K49 files are in {root} and verified.")
    return 0


def _info(args: argparse.Namespace) -> int:
    root = paths.data_dir(args.data_dir)
    if problem := not_a_directory(root):
        raise StorageError(
            f"{problem}: choose another data directory (`--data-dir D` or "
            f"`{paths.DATA_DIR_ENV}=D`)."
        )
    where = "" if root.is_dir() else " (does not exist yet)"
    print(f"Data directory: {root}{where}")
    print(f"Download from:  {shown(paths.base_url(args.mirror))}")
    ok, to_fix = 0, []
    for spec in K49_FILES:
        path = root / spec.name
        status = file_status(path, spec)
        present = status in ("verified", "wrong size", "wrong checksum")
        size = f"{path.stat().st_size:>12,} B" if present else f"{'-':>14}"
        print(f"  {spec.name:<22} {size}  {status}")
        ok += status == "verified"
        if status in ("unreadable", "not a file"):
            to_fix.append(spec.name)
    advice = ""
    if to_fix:
        advice = (
            f" Fix by hand (permissions, or move away): {', '.join(to_fix)}; "
            f"`k49tut download` does not replace {'them' if len(to_fix) > 1 else 'it'}."
        )
    elif ok < len(K49_FILES):
        advice = (
            f" Run `k49tut download --data-dir {shlex.quote(str(root))}{as_option(args.mirror)}` "
            "to fetch what is missing and replace what fails the check."
        )
    print(f"{ok} of {len(K49_FILES)} files verified.{advice}")
    return 1 if advice else 0


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from k49tut.runner import run_all

    return run_all(
        args.output_dir,
        dataset=args.dataset,
        data_dir=args.data_dir,
        epochs=args.epochs,
        seed=args.seed,
        batch_size=args.batch_size,
        budget=args.budget,
        source=Path(args.notebooks) if args.notebooks else None,
        parts=args.parts,
        timeout=args.timeout,
    )


def _notebooks(args: argparse.Namespace) -> int:
    from k49tut.runner import copy_notebooks

    copies = copy_notebooks(args.dest, force=args.force)
    names = ", ".join(p.name for p in copies)
    print(f"Copied {plural(len(copies), 'notebook')} to {args.dest}: {names}.")
    print(f"Open them with: jupyter lab {shlex.quote(str(args.dest))}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``k49tut`` command."""
    p = argparse.ArgumentParser(
        prog="k49tut", description="The Kuzushiji-49 tutorial: data, headless runs and notebooks."
    )
    p.add_argument("--version", action="version", version=f"k49tut {__version__}")
    p.add_argument(
        "--debug", action="store_true", help="on an error, show the traceback with its causes"
    )
    sub = p.add_subparsers(dest="command", required=True)
    data_dir_help = (
        f"data directory (default: ${paths.DATA_DIR_ENV}, the checkout's data/, or the user cache)"
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="D", help=data_dir_help)
    common.add_argument(
        "--mirror",
        metavar="URL",
        help="base URL holding the five files under their official names (default: "
        f"${paths.MIRROR_ENV} or the official host)",
    )
    # each command: the function that does it, and what is left after Ctrl-C or SIGTERM
    # (`run` says that with the cell it stopped in)
    d = sub.add_parser("download", parents=[common], help="download and verify real K49")
    d.set_defaults(
        func=_download, after_stop="; verified files were kept and the partial download removed."
    )
    d.add_argument("--force", action="store_true", help="fetch again even if verified")
    d.add_argument(
        "--progress",
        action="store_true",
        help="show progress bars even when stderr is not a terminal",
    )
    i = sub.add_parser("info", parents=[common], help="show which files are present")
    i.set_defaults(func=_info, after_stop="; nothing was changed.")
    r = sub.add_parser("run", help="execute the notebooks headless (papermill), with reports")
    r.set_defaults(func=_run, after_stop=".")
    r.add_argument(
        "--dataset", default=defaults.DATASET, choices=DATASETS, help="the data (%(default)s)"
    )
    r.add_argument("--data-dir", metavar="D", help=data_dir_help)
    r.add_argument(
        "--epochs",
        type=int,
        default=defaults.EPOCHS,
        help="Part 2's epochs per model (%(default)s)",
    )
    r.add_argument("--seed", type=int, default=defaults.SEED, help="(%(default)s)")
    r.add_argument(
        "--batch-size",
        type=int,
        default=defaults.BATCH_SIZE,
        help="Part 2's batch size (%(default)s)",
    )
    r.add_argument(
        "--budget",
        default=default_budget(),
        choices=BUDGETS,
        help="how much Parts 2-4 train: quick (sized for a CPU: seeded comparisons and "
        "Part 3's ablation on subsets), full, or auto (full with a GPU, else quick; "
        "default: $K49TUT_BUDGET or auto)",
    )
    r.add_argument(
        "--output-dir",
        default=defaults.OUTPUT_DIR,
        help=f"where the executed notebooks, reports and artifacts go ({defaults.OUTPUT_DIR})",
    )
    r.add_argument(
        "--parts",
        type=_parts,
        metavar="N[,N...]",
        help="run only these parts, e.g. 4 or 3,4 (default: all); the other parts' results "
        "in the output directory stay, so Part 4 alone uses Part 3's network",
    )
    r.add_argument(
        "--timeout",
        type=int,
        metavar="SECONDS",
        help="stop a cell that runs longer than this (default: "
        f"{defaults.CELL_TIMEOUT['quick']:,} s with the budget quick or auto, "
        f"{defaults.CELL_TIMEOUT['full']:,} s with full)",
    )
    r.add_argument(
        "--notebooks",
        metavar="DIR",
        help=f"where {', '.join(NOTEBOOKS)} are; those present are run, in order "
        "(default: the checkout's notebooks/, else the copies installed with k49tut)",
    )
    n = sub.add_parser("notebooks", help="copy the notebooks into a folder, to open in Jupyter")
    n.set_defaults(
        func=_notebooks,
        after_stop="; the notebooks copied before were kept whole, and no partial one was left.",
    )
    n.add_argument("dest", metavar="DEST", help="the folder (created if needed)")
    n.add_argument("--force", action="store_true", help="overwrite notebooks already there")
    return p


def _parts(text: str) -> list[int]:
    """``"3,4"`` -> ``[3, 4]``; argparse turns the ValueError into a usage message."""
    parts = [int(p) for p in text.replace(" ", "").split(",") if p]
    if not parts or any(not 1 <= p <= len(NOTEBOOKS) for p in parts):
        raise ValueError(text)
    return parts


_parts.__name__ = "list of parts (1-4)"  # how argparse names the type in its message


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        code = args.func(args)
        sys.stdout.flush()  # a reader that left shows here, not at exit
        return code
    except K49TutError as error:
        if args.debug:
            import traceback

            traceback.print_exc()
        print(f"k49tut {args.command}: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader left (`k49tut info | head -1`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 128 + signal.SIGPIPE
    except KeyboardInterrupt as stop:
        signum = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
        what = "terminated" if signum == signal.SIGTERM else "interrupted"
        print(f"k49tut {args.command}: {what}{args.after_stop}", file=sys.stderr)
        return 128 + signum
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
