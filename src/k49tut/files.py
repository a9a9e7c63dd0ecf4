"""The registry of the official K49 files and the check that a local copy is intact.

Every check hashes the file (about 0.3 s for all five on a laptop): a file is called
"verified" only for the bytes it holds now, never from a record of an earlier check.

>>> from k49tut.files import K49_FILES
>>> [f.name for f in K49_FILES][:2]
['k49-train-imgs.npz', 'k49-train-labels.npz']
>>> K49_FILES[0].size
66117696
"""

from __future__ import annotations

import errno
import stat
from dataclasses import dataclass
from pathlib import Path

import pooch

from k49tut import storage
from k49tut.errors import StorageError


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name under the base URL, its size in bytes and its MD5."""

    name: str
    size: int
    md5: str

    @property
    def known_hash(self) -> str:
        """The hash in pooch's ``alg:hex`` notation."""
        return f"md5:{self.md5}"


#: The five official files of Kuzushiji-49 (sizes and MD5s of the 2019-02-05 release).
K49_FILES: tuple[RemoteFile, ...] = (
    RemoteFile("k49-train-imgs.npz", 66_117_696, "7ac088b20481cf51dcd01ceaab89d821"),
    RemoteFile("k49-train-labels.npz", 164_485, "44a8e1b893f81e63ff38d73cad420f7a"),
    RemoteFile("k49-test-imgs.npz", 10_971_201, "d352e201d846ce6b94f42c990966f374"),
    RemoteFile("k49-test-labels.npz", 27_450, "4da6f7a62e67a832d5eb1bd85c5ee448"),
    RemoteFile("k49_classmap.csv", 697, "f7d0d0391f68bdf0fe4cf160ceb85753"),
)


def file_status(path: Path, spec: RemoteFile) -> str:
    """What the local copy ``path`` of ``spec`` is: ``"verified"``, ``"missing"``,
    ``"wrong size"``, ``"wrong checksum"``, ``"unreadable"`` or ``"not a file"``.

    ``"unreadable"`` means the file is there but this user cannot read it (it may be
    intact); ``"not a file"`` means a directory or other non-file holds the name (a
    FIFO included: it is never opened, so nothing waits on it).
    """
    if (status := presence(path)) != "present":
        return status
    try:
        if path.stat().st_size != spec.size:
            return "wrong size"
        actual = pooch.file_hash(str(path), alg="md5")  # in chunks
    except FileNotFoundError:  # it went meanwhile
        return "missing"
    except OSError:
        return "unreadable"
    return "verified" if actual == spec.md5 else "wrong checksum"


def presence(path: Path) -> str:
    """``"present"`` (a regular file), ``"missing"``, ``"unreadable"`` (it cannot even be
    looked at, e.g. in a folder this user may not search) or ``"not a file"``, found
    without reading a byte of the file."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError:
        return "unreadable"
    return "present" if stat.S_ISREG(mode) else "not a file"


def unusable(path: Path, status: str) -> StorageError | None:
    """The error for a copy that is ``"unreadable"`` or ``"not a file"``, else None.

    Neither is ever replaced by k49tut: the file may be intact, the folder may be the
    user's. The message says what to do.
    """
    if status == "not a file":
        return StorageError(
            f"{path} is not a regular file (a directory, a FIFO...), where the data file "
            f"{path.name} belongs. Move it away, then run again."
        )
    if status != "unreadable":
        return None
    elsewhere = "use a copy you can read (--data-dir D, K49TUT_DATA_DIR=D, data_dir=D)"
    try:
        path.stat()
    except OSError as error:  # looking needs no read permission, only search on the way
        if error.errno in (errno.EACCES, errno.EPERM):
            return StorageError(
                f"Cannot look up {path}: {storage.reason(error)}; a folder on its way (or on "
                "the way to a link's target) needs search (x) permission for you. Fix that (or "
                f"ask its owner), or {elsewhere}, then run again."
            )
        why = storage.reason(error)
    else:
        try:
            with open(path, "rb") as f:
                f.read(1)
            why = "it could not be read"
        except OSError as error:
            why = storage.reason(error)
    return StorageError(
        f"Cannot read {path}: {why}. It may be intact, so it is not replaced: fix its "
        f"permissions (or ask its owner), or {elsewhere}, or move it away, then run again."
    )
