"""One file from a mirror into a staging file, over HTTP(S) (requests) or FTP (ftplib).

Size and MD5 are checked as the bytes arrive. Network faults (refused or dropped
connections, time-outs, HTTP 5xx, FTP 4xx) are tried again twice, after 1 s and 2 s;
refusals (HTTP 4xx, FTP 530/550, a redirect to another scheme), wrong bytes and disk
faults are not. One file may take at most :data:`FILE_TIMEOUT` seconds in all
(``K49TUT_FILE_TIMEOUT``), so a server that drips bytes is cut off.

Failures here are raised ``from None``: the library exceptions they replace name the URL,
password included, and what they said is kept, in words, in the message.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote

from k49tut import storage
from k49tut.errors import ChecksumError, DownloadError, ParameterError, StorageError
from k49tut.files import RemoteFile
from k49tut.mirror import Mirror, shown

#: Extra attempts after a network fault, and the seconds waited before each.
RETRIES = 2
RETRY_WAITS = (1, 2)
#: Seconds to wait for a connection, and for the next bytes of a transfer.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
#: Seconds one file may take in all, unless ``K49TUT_FILE_TIMEOUT`` says otherwise.
FILE_TIMEOUT = 1800
FILE_TIMEOUT_ENV = "K49TUT_FILE_TIMEOUT"
CHUNK = 1 << 16


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
    """One attempt failed: ``why`` in words; ``retry`` when another attempt may succeed."""

    def __init__(self, why: str, retry: bool = False, kind: type = DownloadError):
        super().__init__(why)
        self.why, self.retry, self.kind = why, retry, kind


class _Sink:
    """Where one attempt's bytes go: the staging file, with MD5, size and time checked."""

    def __init__(self, file, spec: RemoteFile, limit: float, bar):
        self.file, self.spec, self.limit, self.bar = file, spec, limit, bar
        self.deadline = time.monotonic() + limit
        self.size = 0
        self.md5 = hashlib.md5()

    def expect(self, declared: int) -> None:
        if declared != self.spec.size:
            raise _Failure(
                f"the server offers {declared:,} bytes, but the expected file has "
                f"{self.spec.size:,} (md5 {self.spec.md5}); nothing was fetched",
                kind=ChecksumError,
            )

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.spec.size:
            raise _Failure(
                f"the server sent more than the {self.spec.size:,} bytes of {self.spec.name}",
                kind=ChecksumError,
            )
        try:
            view = memoryview(chunk)
            while view:
                view = view[self.file.write(view) :]
        except OSError as error:
            raise _Failure(
                f"cannot write it: {storage.reason(error)}", kind=StorageError
            ) from None
        self.md5.update(chunk)
        if self.bar is not None:
            self.bar.update(len(chunk))
        if time.monotonic() > self.deadline:
            raise _Failure(
                f"the transfer took longer than {self.limit:g} s ({self.size:,} of "
                f"{self.spec.size:,} bytes arrived): the server sends too slowly. Allow "
                f"more time per file with {FILE_TIMEOUT_ENV}=SECONDS"
            )

    def finish(self) -> None:
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
        except OSError as error:
            raise _Failure(
                f"cannot write it: {storage.reason(error)}", kind=StorageError
            ) from None
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


def _why(error: Exception) -> str:
    """A short human reason for a network failure."""
    text = str(error)
    match = re.search(r"\[Errno -?\d+\] [^'\")]*", text)
    if match:
        return match.group(0).strip()
    if "IncompleteRead" in text or "Connection broken" in text:
        return "the transfer was cut short"
    return text.splitlines()[0][:200] if text else type(error).__name__


def _body(response):
    """The body's bytes as they arrive, so that the time limit is checked as they do."""
    raw = response.raw  # urllib3 >= 2.2: read1 returns what has arrived, up to CHUNK
    while chunk := raw.read1(CHUNK, decode_content=True):
        yield chunk


def _http(url: str, sink: _Sink) -> None:
    import requests
    import urllib3
    from requests import exceptions as rx

    try:
        with requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)) as r:
            r.raise_for_status()
            length = r.headers.get("Content-Length")
            if length is not None:
                if not length.strip().isdigit():
                    raise _Failure(
                        f"the server's answer is malformed: its Content-Length is "
                        f"{length!r}, not a number"
                    )
                if r.headers.get("Content-Encoding", "identity") == "identity":
                    sink.expect(int(length))
            for chunk in _body(r):
                sink.write(chunk)
    except rx.HTTPError as error:
        status = error.response.status_code
        raise _Failure(
            f"the server answered HTTP {status} {error.response.reason}",
            retry=status >= 500 or status in (408, 429),
        ) from None
    except (rx.InvalidSchema, rx.InvalidURL, rx.MissingSchema) as error:
        target = re.search(r"'([^']*)'", str(error))
        raise _Failure(
            f"the server redirected to {target.group(1) if target else 'a URL'}, "
            "which k49tut does not follow (only http:// and https:// redirects "
            "are followed)"
        ) from None
    except rx.TooManyRedirects:
        raise _Failure("the server redirected too many times") from None
    except (rx.Timeout, urllib3.exceptions.TimeoutError):
        raise _Failure("no answer in time (host unreachable or too slow)", retry=True) from None
    except (rx.RequestException, urllib3.exceptions.HTTPError) as error:
        raise _Failure(_why(error), retry=True) from None


def _ftp(mirror: Mirror, name: str, sink: _Sink) -> None:
    import ftplib

    user = unquote(mirror.user) if mirror.user else "anonymous"
    password = unquote(mirror.password) if mirror.password else "anonymous@"
    path = unquote(mirror.path) + name
    ftp = ftplib.FTP(timeout=READ_TIMEOUT)
    try:
        ftp.connect(mirror.host, mirror.port or 21, timeout=CONNECT_TIMEOUT)
        step = "login"
        ftp.login(user, password)
        step = "file"
        ftp.retrbinary(f"RETR {path}", sink.write, blocksize=CHUNK)
    except ftplib.error_perm as error:
        answer = str(error).strip()
        if step == "login":
            why = f"the FTP server refused the login as {user!r} ({answer})"
        else:
            why = f"the FTP server refused the file {path} ({answer})"
        raise _Failure(why) from None
    except ftplib.error_temp as error:
        raise _Failure(f"the FTP server is busy ({str(error).strip()})", retry=True) from None
    except (OSError, EOFError, ftplib.Error) as error:
        raise _Failure(_why(error), retry=True) from None
    finally:
        ftp.close()


def _progress_bar(spec: RemoteFile, progress: bool):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: without it, the same download with no bar
        return None

    return tqdm(
        total=spec.size, unit="B", unit_scale=True, desc=spec.name, file=sys.stderr, leave=False
    )


def fetch_file(
    spec: RemoteFile, root: Path, staging: Path, mirror: Mirror, progress: bool
) -> None:
    """Fetch ``spec`` into ``root`` via ``staging``; raises a K49TutError without hints."""
    url = mirror.url + spec.name
    limit = _file_timeout()
    attempt = 0
    while True:
        attempt += 1
        try:
            fd, tmp = storage.create_unique(staging, spec.name + ".", ".part")
        except OSError as error:
            raise StorageError(
                f"Could not save {spec.name} in {root}: {storage.reason(error)}."
            ) from None
        bar = _progress_bar(spec, progress)
        try:
            with open(fd, "wb", buffering=0) as file:  # unbuffered: write errors show at once
                sink = _Sink(file, spec, limit, bar)
                if mirror.scheme == "ftp":
                    _ftp(mirror, spec.name, sink)
                else:
                    _http(url, sink)
                sink.finish()
            try:
                os.replace(tmp, root / spec.name)
            except OSError as error:
                raise _Failure(
                    f"cannot put it in place: {storage.reason(error)}", kind=StorageError
                ) from None
            return
        except _Failure as failure:
            tmp.unlink(missing_ok=True)
            if failure.retry and attempt <= RETRIES:
                time.sleep(RETRY_WAITS[min(attempt, len(RETRY_WAITS)) - 1])
                continue
            tries = f" ({attempt} attempts)" if attempt > 1 else ""
            if failure.kind is ChecksumError:
                raise ChecksumError(
                    f"Checksum failed for {spec.name} downloaded from {shown(url)}: {failure.why}."
                ) from None
            if failure.kind is StorageError:
                raise StorageError(
                    f"Could not save {spec.name} in {root}: {failure.why}."
                ) from None
            raise DownloadError(
                f"Could not download {spec.name} from {shown(url)}: {failure.why}{tries}."
            ) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            if bar is not None:
                bar.close()
