"""``download()``: the K49 files into the data directory, each verified or not at all.

Each file goes through :func:`pooch.retrieve`, which streams it into a temporary file in a
staging folder private to this download (inside the data directory), checks its MD5 and
moves it into place there; the verified file is then renamed onto its final name. Verified
files are never touched, and need no write access. Two processes downloading into one
directory take turns (a :mod:`filelock` lock); the second then finds the files verified.

What pooch does not do, and this module adds:

- :class:`_Transfer`: pooch's HTTP downloader neither checks the announced size before
  the bytes arrive, nor limits the time one file may take, nor tells a refused redirect
  from a dropped connection; the FTP transfer itself is pooch's :class:`~pooch.FTPDownloader`,
  writing into the same checks.
- :func:`_fetch`: pooch retries every network error and every wrong checksum; here a
  network fault (refused or dropped connection, time-out, HTTP 5xx, 408, 429, FTP 4xx) is
  tried again twice, after 1 s and 2 s, and a refusal (HTTP 4xx, FTP 5xx, a redirect to
  another scheme), wrong bytes or a disk fault is not.
- :func:`_message` and :func:`_advice`, where failures become the messages of
  :mod:`k49tut.errors`: what happened, what was kept, what to do, never a password.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from k49tut import paths, storage
from k49tut.errors import ChecksumError, DownloadError, K49TutError, ParameterError, StorageError
from k49tut.files import K49_FILES, RemoteFile, file_status, unusable
from k49tut.mirror import OFFLINE, Mirror, check_mirror, shown
from k49tut.words import plural

#: The seconds waited before each extra attempt after a network fault.
RETRY_WAITS = (1, 2)
#: Seconds to wait for a connection, and for the next bytes of a transfer.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
#: Seconds one file may take in all, unless ``K49TUT_FILE_TIMEOUT`` says otherwise.
FILE_TIMEOUT = 1800
FILE_TIMEOUT_ENV = "K49TUT_FILE_TIMEOUT"
CHUNK = 1 << 16
#: Each download stages its files in a private folder named ``.partial-XXXX``, and
#: downloads into one directory take turns holding ``.k49tut.lock``.
STAGING_PREFIX = ".partial"
LOCK_FILE = ".k49tut.lock"


def _file_timeout() -> float:
    value = os.environ.get(FILE_TIMEOUT_ENV)
    if not value:
        return FILE_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not seconds > 0:
        raise ParameterError(f"{FILE_TIMEOUT_ENV}={value!r} is not a number of seconds above 0.")
    return seconds


class _Failure(Exception):
    """One failed attempt: ``why`` in words, whether to ``retry``, the error ``kind``."""

    def __init__(self, why: str, retry: bool = False, kind: type = DownloadError):
        super().__init__(why)
        self.why, self.retry, self.kind = why, retry, kind


class _Transfer:
    """A pooch downloader: the file into pooch's temporary file, its size, MD5 and time
    checked as the bytes arrive (it is also the FTP transfer's output); every fault
    becomes a :class:`_Failure`."""

    def __init__(self, mirror: Mirror, spec: RemoteFile, limit: float, progress: bool):
        self.mirror, self.spec, self.limit, self.progress = mirror, spec, limit, progress

    def __call__(self, url: str, output_file: str, _) -> None:
        self.size, self.md5 = 0, hashlib.md5()
        self.deadline = time.monotonic() + self.limit
        self.bar = _progress_bar(self.spec) if self.progress else None
        try:  # unbuffered: faults show at once
            with open(output_file, "wb", buffering=0) as self.file:
                if self.mirror.scheme == "ftp":
                    _ftp(self)
                else:
                    _http(url, self)
                self.finish()
        except OSError as error:  # the temporary file itself
            raise _disk_fault(error) from None
        finally:
            if self.bar is not None:
                self.bar.close()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.spec.size:
            raise _Failure(
                f"the server sent more than the {self.spec.size:,} bytes of {self.spec.name}",
                kind=ChecksumError,
            )
        try:  # an unbuffered write may take part of the chunk: the rest goes next
            view = memoryview(chunk)
            while view:
                view = view[self.file.write(view) :]
        except OSError as error:
            raise _disk_fault(error) from None
        self.md5.update(chunk)
        if self.bar is not None:
            self.bar.update(len(chunk))
        if time.monotonic() > self.deadline:
            raise self.too_slow()

    def too_slow(self) -> _Failure:
        return _Failure(
            f"the transfer took longer than {self.limit:g} s ({self.size:,} of "
            f"{self.spec.size:,} bytes arrived): the server sends too slowly. Allow "
            f"more time per file with {FILE_TIMEOUT_ENV}=SECONDS"
        )

    def finish(self) -> None:
        os.fsync(self.file.fileno())  # its OSError becomes a disk fault in __call__
        if self.size < self.spec.size:
            raise _Failure(
                f"the transfer was cut short ({self.size:,} of {self.spec.size:,} bytes arrived)",
                retry=True,
            )
        got = self.md5.hexdigest()
        if got != self.spec.md5:
            raise _Failure(
                f"expected md5 {self.spec.md5}, got md5 {got}; the bytes were discarded",
                kind=ChecksumError,
            )


def _disk_fault(error: OSError, what: str = "cannot write it") -> _Failure:
    return _Failure(f"{what}: {storage.reason(error)}", kind=StorageError)


def _why(error: BaseException) -> str:
    """A short human reason for a network failure (never the URL, which may hold a password)."""
    import re

    text = str(error)
    if match := re.search(r"\[Errno -?\d+\] [^'\")]*", text):
        return match.group(0).strip()
    if "IncompleteRead" in text or "Connection broken" in text or isinstance(error, EOFError):
        return "the transfer was cut short"
    if "Read timed out" in text or isinstance(error, TimeoutError):
        return "no answer in time (host unreachable or too slow)"
    return text.splitlines()[0][:200] if text else type(error).__name__


def _http(url: str, transfer: _Transfer) -> None:
    import requests
    import urllib3
    from requests import exceptions as rx

    spec = transfer.spec
    try:
        # no wait, for a connection or for the next bytes, outlasts the file's own limit
        waits = (min(CONNECT_TIMEOUT, transfer.limit), min(READ_TIMEOUT, transfer.limit))
        with requests.get(url, stream=True, timeout=waits) as r:
            r.raise_for_status()
            length = r.headers.get("Content-Length")
            if length is not None and not length.strip().isdigit():
                raise _Failure(
                    f"the server's answer is malformed: its Content-Length is {length!r}, "
                    "not a number"
                )
            identity = r.headers.get("Content-Encoding", "identity") == "identity"
            if length is not None and identity and int(length) != spec.size:
                raise _Failure(
                    f"the server offers {int(length):,} bytes, but the expected file has "
                    f"{spec.size:,} (md5 {spec.md5}); nothing was fetched",
                    kind=ChecksumError,
                )
            # read1 returns what has arrived (urllib3 >= 2.2), so the time limit is
            # checked as the bytes come, not once a whole chunk has
            while chunk := r.raw.read1(CHUNK, decode_content=True):
                transfer.write(chunk)
    except rx.HTTPError as error:
        status = error.response.status_code
        raise _Failure(
            f"the server answered HTTP {status} {error.response.reason}",
            retry=status >= 500 or status in (408, 429),
        ) from None
    except (rx.InvalidSchema, rx.InvalidURL, rx.MissingSchema) as error:
        target = str(error).split("'")[1] if str(error).count("'") >= 2 else "a URL"
        raise _Failure(
            f"the server redirected to {target}, which k49tut does not follow (only "
            "http:// and https:// redirects are followed)"
        ) from None
    except (rx.ContentDecodingError, urllib3.exceptions.DecodeError):
        raise _Failure(
            "the server's answer is malformed: its compressed body cannot be decoded"
        ) from None
    except rx.SSLError:
        raise _Failure(
            "the secure (TLS) connection failed: the server may not speak https on that "
            "port (try http://), or its certificate is not trusted"
        ) from None
    except rx.TooManyRedirects:
        raise _Failure("the server redirected too many times") from None
    except (rx.Timeout, urllib3.exceptions.TimeoutError):
        if time.monotonic() >= transfer.deadline - 0.5:  # the file's own limit, not a hiccup
            raise transfer.too_slow() from None
        raise _Failure("no answer in time (host unreachable or too slow)", retry=True) from None
    except (rx.RequestException, urllib3.exceptions.HTTPError) as error:
        raise _Failure(_why(error), retry=True) from None


def _ftp(transfer: _Transfer) -> None:
    import ftplib
    from urllib.parse import unquote

    import pooch

    m = transfer.mirror
    user = unquote(m.user) if m.user else "anonymous"
    path = unquote(m.path) + transfer.spec.name
    password = unquote(m.password) if m.password else "anonymous@"
    ftp = pooch.FTPDownloader(
        port=m.port or 21, username=user, password=password, timeout=READ_TIMEOUT, chunk_size=CHUNK
    )
    try:  # the URL without user, password and port, which pooch takes apart
        ftp(f"ftp://{m.host}{path}", transfer, None)
    except ftplib.error_perm as error:
        answer = str(error).strip()
        if answer[:3] in ("530", "331", "332"):
            raise _Failure(f"the FTP server refused the login as {user!r} ({answer})") from None
        raise _Failure(f"the FTP server refused the file {path} ({answer})") from None
    except ftplib.error_temp as error:
        answer = str(error).strip()
        why = (
            "the FTP server closed the transfer before the end"
            if answer.startswith("426")
            else "the FTP server could not send it now"
        )
        raise _Failure(f"{why} ({answer})", retry=True) from None
    except (OSError, EOFError, ftplib.Error) as error:
        raise _Failure(_why(error), retry=True) from None


def _progress_bar(spec: RemoteFile):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: without it, the same download with no bar
        return None
    return tqdm(
        total=spec.size, unit="B", unit_scale=True, desc=spec.name, file=sys.stderr, leave=False
    )


@contextlib.contextmanager
def _quiet_pooch():
    """pooch logs each download with its URL, which may hold a password: not here."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fetch(spec: RemoteFile, root: Path, staging: Path, mirror: Mirror, progress: bool) -> None:
    """Fetch ``spec`` through pooch into ``staging``, then move it into ``root``."""
    import pooch

    url = mirror.url + spec.name
    transfer = _Transfer(mirror, spec, _file_timeout(), progress)
    with _quiet_pooch():
        # one attempt, then one more after each wait of RETRY_WAITS (None: no more)
        for attempt, wait in enumerate((*RETRY_WAITS, None), start=1):
            try:
                pooch.retrieve(
                    url, spec.known_hash, fname=spec.name, path=staging, downloader=transfer
                )
                break
            except _Failure as failure:
                if not failure.retry or wait is None:
                    raise _message(failure, spec, url, root, attempt) from None
                time.sleep(wait)
            except OSError as error:  # pooch's temporary file or its move, in staging
                raise _message(_disk_fault(error), spec, url, root, attempt) from None
    try:  # pooch's temporary files are private (0600); a downloaded file follows the umask
        umask = os.umask(0o022)  # (the only way to read it)
        os.umask(umask)
        os.chmod(staging / spec.name, 0o666 & ~umask)
        os.replace(staging / spec.name, root / spec.name)
    except OSError as error:
        failure = _disk_fault(error, "cannot put it in place")
        raise _message(failure, spec, url, root, attempt) from None


def _message(failure: _Failure, spec: RemoteFile, url: str, root: Path, attempts: int):
    """The error a failed file becomes (the download adds :func:`_advice`)."""
    name, why = spec.name, failure.why
    if failure.kind is StorageError:
        return StorageError(f"Could not save {name} in {root}: {why}.")
    if failure.kind is ChecksumError:
        return ChecksumError(f"Checksum failed for {name} downloaded from {shown(url)}: {why}.")
    tries = f" ({attempts} attempts)" if attempts > 1 else ""
    return DownloadError(f"Could not download {name} from {shown(url)}: {why}{tries}.")


def _advice(error: K49TutError, root: Path, fetched: list[str]) -> str:
    """What a failed download kept, and what to do."""
    kept = (
        f"Kept, verified: {', '.join(fetched)} (fetched before the failure); nothing else in "
        f"{root} was changed."
        if fetched
        else f"Nothing in {root} was changed."
    )
    if isinstance(error, StorageError):
        todo = (
            "What to do: choose another data directory (`K49TUT_DATA_DIR=D` for any "
            "command, `--data-dir D`, `data_dir=D` in Python), or fix this one (free space, "
            "permissions)."
        )
    else:
        quoted = shlex.quote(str(root))
        todo = (
            "What to do: check the network, or use a mirror that holds the files under "
            "their official names (`K49TUT_MIRROR=URL` for any command, `k49tut download "
            f"--mirror URL --data-dir {quoted}`, `mirror=URL` in Python), or copy them into "
            f"{root} by hand and check them with `k49tut info --data-dir {quoted}`."
        )
    return f"{kept}\n{todo}\n{OFFLINE}"


def _to_fetch(root: Path, files: tuple[RemoteFile, ...], force: bool) -> list[RemoteFile]:
    todo = []
    for spec in files:
        path = root / spec.name
        status = file_status(path, spec)
        if error := unusable(path, status):
            raise error
        if force or status != "verified":
            todo.append(spec)
    return todo


def _check_space(root: Path, todo: list[RemoteFile]) -> None:
    need = sum(spec.size for spec in todo)
    try:
        free = shutil.disk_usage(root).free
    except OSError:  # a filesystem that cannot say is not checked
        return
    if free < need:
        raise StorageError(
            f"Not enough space in {root}: {storage.amount(free)} free, but the "
            f"{plural(len(todo), 'file')} to fetch {'needs' if len(todo) == 1 else 'need'} "
            f"{storage.amount(need)}."
        )


@contextlib.contextmanager
def _turn(root: Path):
    """Hold the directory's lock; say so once when another download holds it.

    filelock never follows a link planted at the lock's name. It leaves the lock file
    behind on Unix; this removes it, so that a download adds nothing to the directory but
    the files. (A download that starts just then locks a new file while a waiting one
    proceeds on the old: both then fetch into private folders and rename atomically, so
    the cost is a file fetched twice, never a damaged one.)
    """
    from filelock import FileLock, Timeout

    lock = FileLock(root / LOCK_FILE)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(
                f"k49tut: another process is downloading into {root}; waiting for it.",
                file=sys.stderr,
                flush=True,
            )
            lock.acquire()
    except OSError as error:
        raise StorageError(
            f"Cannot lock {root / LOCK_FILE} (downloads into one directory take turns): "
            f"{storage.reason(error)}. If a link or another file holds that name, move it away."
        ) from error
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            (root / LOCK_FILE).unlink()
        lock.release()


@contextlib.contextmanager
def _staging(root: Path):
    """A private staging folder in ``root``, removed afterwards; those left by killed
    downloads go first (the caller holds the lock, so none is in use)."""
    for stale in root.glob(STAGING_PREFIX + "*"):
        storage.remove_tree(stale)
    try:
        folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + "-", dir=root))
    except OSError as error:
        raise StorageError(f"Cannot write in {root}: {storage.reason(error)}.") from error
    try:
        yield folder
    finally:
        storage.remove_tree(folder)


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
    transfer never leaves a file under its final name. ``files`` chooses which files to
    fetch (:func:`k49tut.data.load` passes only the missing ones); files of other sizes
    and hashes than the official ones are for tests.

    Raises :class:`~k49tut.errors.DownloadError` when a file cannot be fetched,
    :class:`~k49tut.errors.ChecksumError` when its bytes do not match and
    :class:`~k49tut.errors.StorageError` when the data directory cannot take it.

    Example (needs a reachable server)::

        download(mirror="http://127.0.0.1:8765/")   # -> PosixPath('.../data')
    """
    root = paths.data_dir(data_dir)
    source = check_mirror(paths.base_url(mirror))  # before touching the disk
    try:
        todo = _to_fetch(root, files, force)
    except StorageError as error:  # before anything was written (under the lock, see below)
        raise StorageError(f"{error} Nothing was changed.\n{OFFLINE}") from error
    if not todo:
        return root
    created: list[Path] = []
    fetched: list[str] = []
    try:
        created = storage.ensure_dir(root, "data directory")
        storage.check_writable(root, "data directory")
        _check_space(root, todo)
        with _turn(root):
            if not force:  # what another process fetched meanwhile is done
                todo = _to_fetch(root, tuple(todo), force=False)
            with _staging(root) as staging:
                for spec in todo:
                    _fetch(spec, root, staging, source, progress)
                    fetched.append(spec.name)
    except (DownloadError, ChecksumError, StorageError) as error:
        storage.remove_empty(created)
        # from None: the causes' messages (requests', ftplib's) may carry the mirror's
        # password, which is never printed, not even by `k49tut --debug`
        raise type(error)(source.scrub(f"{error}\n{_advice(error, root, fetched)}")) from None
    except BaseException:
        storage.remove_empty(created)
        raise
    return root
