"""Directories and files that k49tut writes, and plain words for what goes wrong with them.

Every file k49tut writes (:func:`atomic_write`) is first created under a fresh, random
name in its final directory (``O_EXCL``: a name planted in advance, or a symbolic link, is
never written through) and then renamed onto its final name, so a crash never leaves half a file
under that name. New files get the permissions the user's umask allows, as any file
a program creates does.

>>> import errno
>>> reason(OSError(errno.ENOSPC, "No space left on device"))
'no space left on the device (the disk is full)'
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from k49tut.errors import StorageError

_REASONS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "it is on a read-only filesystem",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "it is a directory, not a file",
    errno.EFBIG: "the file is larger than this system allows",
}


def reason(error: OSError) -> str:
    """What an operating-system error means, in a few words."""
    return _REASONS.get(error.errno) or (error.strerror or str(error) or type(error).__name__)


def amount(n_bytes: int) -> str:
    """A size for people: ``"1,234 bytes"`` below a megabyte, ``"66.1 MB"`` above.

    >>> amount(697), amount(66_117_696)
    ('697 bytes', '66.1 MB')
    """
    return f"{n_bytes:,} bytes" if n_bytes < 1_000_000 else f"{n_bytes / 1e6:,.1f} MB"


def not_a_directory(path: Path) -> str | None:
    """Why ``path`` can never be a directory (it is a file, or lies under one), or None."""
    for p in (path, *path.parents):
        try:
            mode = p.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # look further up for what is in the way
        except OSError:
            return None  # e.g. no permission to look: the real operation will say
        if stat.S_ISDIR(mode):
            return None
        kind = "a file" if stat.S_ISREG(mode) else "a special file (a device, FIFO or socket)"
        where = "is" if p == path else f"lies under {p}, which is"
        return f"{path} {where} {kind}, not a directory"
    return None


def _then(hint: str) -> str:
    return f" {hint}" if hint else ""


def ensure_dir(path: Path, what: str, hint: str = "") -> list[Path]:
    """Create the directory ``path`` and its missing parents; returns those created.

    Raises :class:`StorageError` naming ``what`` (e.g. ``"data directory"``) and ending
    with ``hint`` when the directory cannot exist or cannot be created.
    """
    if problem := not_a_directory(path):
        raise StorageError(f"Cannot use the {what}: {problem}.{_then(hint)}")
    missing = [p for p in (path, *path.parents) if not p.is_dir()]
    created: list[Path] = []
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError as error:
            if p.is_dir():  # made meanwhile by another process
                continue
            remove_empty(created)
            raise StorageError(
                f"Cannot create the {what} {path}: {p} is in the way.{_then(hint)}"
            ) from error
        except OSError as error:
            remove_empty(created)
            raise StorageError(
                f"Cannot create the {what} {path}: {reason(error)}.{_then(hint)}"
            ) from error
        created.append(p)
    return created


def remove_empty(created: list[Path]) -> None:
    """Remove directories made by :func:`ensure_dir`, deepest first, while they are empty."""
    for p in reversed(created):
        try:
            p.rmdir()
        except OSError:
            return


def check_writable(directory: Path, what: str, hint: str = "") -> None:
    """Raise :class:`StorageError` unless a new file can be created in ``directory``."""
    try:
        fd, probe = create_unique(directory, ".k49tut-probe-")
        os.close(fd)
        probe.unlink()
    except OSError as error:
        raise StorageError(
            f"Cannot write in the {what} {directory}: {reason(error)}.{_then(hint)}"
        ) from error


def create_unique(directory: Path, prefix: str, suffix: str = "") -> tuple[int, Path]:
    """Create and open a new file with a random name in ``directory``: ``(fd, path)``.

    The file is created with ``O_EXCL`` and ``O_NOFOLLOW``, so an existing file or a
    symbolic link under that name is never opened, and with mode 0666 less the umask.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = Path(directory) / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(directory))


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, then rename the result onto ``path``; returns ``path``.

    The temporary file has a fresh random name beside ``path`` (never a planted one), so
    a crash never leaves half a file under ``path``.

    >>> import tempfile
    >>> out = atomic_write(Path(tempfile.mkdtemp()) / "a.txt", lambda p: p.write_text("hi"))
    >>> out.read_text(), sorted(q.name for q in out.parent.iterdir())
    ('hi', ['a.txt'])
    """
    fd, tmp = create_unique(path.parent, f".{path.name}.", path.suffix or ".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def remove_tree(path: Path) -> None:
    """Remove a directory tree made by this package; a link or any other non-directory
    at ``path`` (a FIFO, say) is left alone, never opened or followed."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
