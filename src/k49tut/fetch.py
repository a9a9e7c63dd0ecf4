"""``download()``: the K49 files into the data directory, each verified or not at all.

Each file that is not yet verified is fetched (:mod:`k49tut.transfer`) into a staging
folder of this process's own inside the data directory and renamed onto its final
name only once its size and MD5 match. Verified files are never touched, and need no
write access. Two processes downloading into one directory take turns: the second
waits for a lock on the directory, then finds the files verified. Every failure is one
message that says what happened, what was kept, and what to do; a password in the
mirror URL is never printed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from k49tut import paths, storage
from k49tut.errors import ChecksumError, DownloadError, K49TutError, StorageError
from k49tut.files import K49_FILES, RemoteFile, file_status, remember_verified, unreadable_reason
from k49tut.mirror import OFFLINE, Mirror, check_mirror
from k49tut.transfer import fetch_file

#: Each download stages its files in a private folder named ``.partial-XXXX``.
STAGING_PREFIX = ".partial"


def _what_to_do(error: K49TutError, root: Path) -> str:
    if isinstance(error, StorageError):
        first = (
            "What to do: choose another data directory (`--data-dir D`, "
            "`K49TUT_DATA_DIR=D`, `download(data_dir=D)`), or fix this one (free space, "
            "permissions)."
        )
    else:
        first = (
            "What to do: check the network, or use a mirror that holds the files under "
            "their official names (`--mirror URL`, `K49TUT_MIRROR=URL`, "
            f"`download(mirror=URL)`), or copy them into {root} by hand and run "
            "`k49tut info`."
        )
    return f"{first}\n{OFFLINE}"


def _outcome(root: Path, fetched: list[str]) -> str:
    if not fetched:
        return f"Nothing in {root} was changed."
    return (
        f"Kept, verified: {', '.join(fetched)} (fetched before the failure); nothing "
        f"else in {root} was changed."
    )


def _to_fetch(root: Path, files: tuple[RemoteFile, ...], force: bool) -> list[RemoteFile]:
    todo = []
    for spec in files:
        status = file_status(root / spec.name, spec)
        if status == "not a file":
            raise StorageError(
                f"{root / spec.name} is a directory (or another non-file), where the file "
                f"{spec.name} belongs. Move it away, then run again. Nothing was changed.\n"
                + OFFLINE
            )
        if status == "unreadable":
            raise StorageError(
                f"Cannot read {root / spec.name}: {unreadable_reason(root / spec.name)}. "
                "It may be intact, so it is not replaced: fix its permissions (or ask its "
                "owner), or move it away, then run again. Nothing was changed.\n" + OFFLINE
            )
        if force or status != "verified":
            todo.append(spec)
    return todo


def _check_space(root: Path, todo: list[RemoteFile]) -> None:
    need = sum(spec.size for spec in todo)
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        return
    if free < need:
        raise StorageError(
            f"Not enough space in {root}: {storage.amount(free)} free, but the "
            f"{len(todo)} file(s) to fetch need {storage.amount(need)}."
        )


def download(
    data_dir: str | os.PathLike | None = None,
    mirror: str | None = None,
    force: bool = False,
    *,
    files: tuple[RemoteFile, ...] = K49_FILES,
    progress: bool = True,
) -> Path:
    """Download the five K49 files into the data directory and return that directory.

    Files already present and verified are kept and need no write access (``force=True``
    fetches them again, replacing each only once its fresh copy has passed the checksum).
    Each file is streamed into a private ``<data_dir>/.partial-XXXX/`` folder, checked
    against its size and MD5, then moved into place, so an interrupted or corrupted
    transfer never leaves a file under its final name. ``files`` overrides the expected
    sizes and hashes; change it only deliberately (for example, to test a mirror).

    Raises :class:`~k49tut.errors.DownloadError` when a file cannot be fetched,
    :class:`~k49tut.errors.ChecksumError` when its bytes do not match and
    :class:`~k49tut.errors.StorageError` when the data directory cannot take it.

    Example (needs a reachable server)::

        download(mirror="http://127.0.0.1:8765/")   # -> PosixPath('.../data')
    """
    root = paths.data_dir(data_dir)
    source = check_mirror(paths.base_url(mirror))  # before touching the disk
    todo = _to_fetch(root, files, force)
    if not todo:
        return root
    created: list[Path] = []
    fetched: list[str] = []
    try:
        created = storage.ensure_dir(root, "data directory")
        storage.check_writable(root, "data directory")
        _check_space(root, todo)
        with storage.locked(
            root,
            on_wait=lambda: print(
                f"k49tut: another process is downloading into {root}; waiting for it.",
                file=sys.stderr,
                flush=True,
            ),
        ) as alone:
            if not force:  # what another process fetched meanwhile is done
                todo = _to_fetch(root, tuple(todo), force=False)
            _fetch_all(root, todo, source, progress, fetched, clear_stale=alone)
    except (DownloadError, ChecksumError, StorageError) as error:
        storage.remove_empty(created)
        text = str(error) if "was changed" in str(error) else f"{error}\n{_outcome(root, fetched)}"
        text = f"{text}\n{_what_to_do(error, root)}"
        # from None: the causes' messages (requests', ftplib's) may carry the mirror's
        # password, which is never printed, not even by `k49tut --debug`
        raise type(error)(source.scrub(text)) from None
    except BaseException:
        storage.remove_empty(created)
        raise
    return root


def _fetch_all(
    root: Path,
    todo: list[RemoteFile],
    source: Mirror,
    progress: bool,
    fetched: list[str],
    clear_stale: bool,
) -> None:
    """Fetch ``todo`` via a private staging folder, adding each name to ``fetched``.

    With ``clear_stale`` (only under the directory's lock), staging folders left by
    killed downloads are removed first.
    """
    for stale in root.glob(STAGING_PREFIX + "*") if clear_stale else ():
        storage.remove_tree(stale)
    try:
        staging = storage.make_private_dir(root, STAGING_PREFIX + "-")
    except OSError as error:
        raise StorageError(f"Cannot write in {root}: {storage.reason(error)}.") from None
    try:
        for spec in todo:
            fetch_file(spec, root, staging, source, progress)
            remember_verified(root / spec.name, spec.md5)
            fetched.append(spec.name)
    finally:
        storage.remove_tree(staging)
