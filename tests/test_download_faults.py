"""Downloads against real local HTTP and FTP servers when the URL, the server or another
process misbehaves: one message, the right error type, nothing verified lost."""

from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest
from conftest import K49TUT, k49tut

from k49tut import data, download
from k49tut.classes import classmap_csv
from k49tut.download import LOCK_FILE
from k49tut.errors import ChecksumError, DownloadError, K49TutError, StorageError
from k49tut.files import K49_FILES, file_status
from k49tut.mirror import OFFLINE, check_mirror, shown

CLASSMAP = K49_FILES[4]


def _files_in(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != LOCK_FILE)


# ------------------------------------------------------------------ malformed URLs and answers


@pytest.mark.parametrize(
    "mirror, why",
    [
        ("http://", "names no host"),
        ("http://[::1", "cannot be parsed"),
        ("http://127.0.0.1:99999/", "cannot be parsed"),
        ("http://127.0.0.1:0/", "port 0"),
        ("http://127.0.0.1:8000/k 49/", "contains a space"),
        (" http://127.0.0.1:8000/", "contains a space"),
        ("ftp:///k49/", "names no host"),
        ("http://127.0.0.1:8000/k49?x=1", "no ?query"),
        ("file:///data/k49/", "not an http://, https:// or ftp:// URL (to use files you"),
        ("/data/k49/", "not an http://, https:// or ftp:// URL"),
        ("k49:s3cret@mirror.example/k49/", "'k49:***@mirror.example/k49/' is not a usable"),
        ("//k49:s3cret@mirror.example/k49/", "'//k49:***@mirror.example/k49/' is not a usable"),
    ],
)
def test_malformed_mirror_is_refused_before_the_disk_is_touched(tmp_path, mirror, why):
    d = tmp_path / "new"
    with pytest.raises(DownloadError, match="is not a usable URL") as info:
        data.download(d, mirror=mirror, files=(CLASSMAP,), progress=False)
    assert why in str(info.value)
    assert "Nothing was changed" in str(info.value)
    assert str(info.value).endswith(OFFLINE)
    assert "s3cret" not in str(info.value)
    assert not d.exists()


_NOT_HTTP = "it is not an http://, https:// or ftp:// URL (to use files you already have"
_UNPARSED = "it cannot be parsed (its port is not a number, or a / ? # or @ in its password"
_AMBIGUOUS = "an @ after a host and port is ambiguous: write an @ in the path as %40"


@pytest.mark.parametrize(
    "mirror, shown, why",
    [
        ("http:/k49:s3cret@mirror.example/", "http:/k49:***@mirror.example/", "it names no host"),
        ("http:///k49:s3cret@mirror.example/", "http:///k49:***@mirror.example/", "it names no"),
        ("https://k49:s3c/ret@mirror.example/", "https://k49:***@mirror.example/", _UNPARSED),
        ("https://k49:s3c?ret@mirror.example/", "https://k49:***@mirror.example/", _UNPARSED),
        ("https://k49:1234/s3c@mirror.example/", "https://k49:***@mirror.example/", _AMBIGUOUS),
        ("http://k49:s3c\\ret@mirror.example/", "http://k49:***@mirror.example/", "requests"),
        (
            "k49:s3cret@mirror.example/k/?r=http://x/",
            "k49:***@mirror.example/k/?r=http://x/",
            _NOT_HTTP,
        ),
        ("k49:a@mirror.example/k49/", "k49:***@mirror.example/k49/", _NOT_HTTP),  # no word garbled
    ],
)
def test_a_refused_mirror_never_shows_its_password(tmp_path, mirror, shown, why):
    with pytest.raises(DownloadError) as info:
        data.download(tmp_path / "d", mirror=mirror, files=(CLASSMAP,), progress=False)
    message = str(info.value)
    assert message.startswith(f"The mirror {shown!r} is not a usable URL: {why}")
    assert "s3c" not in message


@pytest.mark.parametrize(
    "mirror, printed",
    [
        ("http://k49:pw@127.0.0.1:8080/a@b/", "http://k49:***@127.0.0.1:8080/a@b/"),
        ("http://[::1]/~k49@x/", "http://[::1]/~k49@x/"),
        ("http://127.0.0.1:8080/a%40b/", "http://127.0.0.1:8080/a%40b/"),
    ],
)
def test_an_at_sign_in_a_mirrors_path_is_shown_as_it_is(mirror, printed):
    assert check_mirror(mirror).url == mirror
    assert shown(mirror) == printed


def test_cli_malformed_mirror_exits_1_with_one_message(tmp_path):
    result = k49tut("download", "--data-dir", str(tmp_path / "d"), "--mirror", "http://[::1")
    assert result.returncode == 1
    assert result.stderr.startswith("k49tut download: error: The mirror 'http://[::1/'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1:1/k49_classmap.csv"])
def test_redirect_to_another_scheme_is_refused_and_not_retried(server, tmp_path, target):
    server.serve(CLASSMAP.name, b"", status=302, headers={"Location": target})
    with pytest.raises(
        DownloadError, match=f"redirected to {target}, which k49tut does not follow"
    ):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert server.hits == ["/" + CLASSMAP.name]
    assert _files_in(tmp_path) == []


def test_http_redirect_to_http_is_followed(server, tmp_path):
    server.serve(CLASSMAP.name, b"", status=301, headers={"Location": "/moved/k49.csv"})
    server.serve("moved/k49.csv", classmap_csv())
    data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert file_status(tmp_path / CLASSMAP.name, CLASSMAP) == "verified"


def test_non_numeric_content_length_is_a_malformed_answer(server, tmp_path):
    server.serve(CLASSMAP.name, classmap_csv(), headers={"Content-Length": "lots"})
    with pytest.raises(DownloadError, match="malformed: its Content-Length is 'lots'"):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert server.hits == ["/" + CLASSMAP.name]
    assert _files_in(tmp_path) == []


def test_a_file_of_another_size_is_refused_before_its_bytes_are_fetched(server, tmp_path):
    server.serve(CLASSMAP.name, classmap_csv() + b"extra row\n")
    with pytest.raises(
        ChecksumError,
        match=f"offers 707 bytes, but the expected file has 697 \\(md5 {CLASSMAP.md5}\\)",
    ):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert _files_in(tmp_path) == []


def test_http_4xx_is_not_retried_and_5xx_is(server, tmp_path, quick_retries):
    server.serve(CLASSMAP.name, b"", status=403)
    with pytest.raises(DownloadError, match="HTTP 403 Forbidden\\."):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert len(server.hits) == 1
    server.serve(CLASSMAP.name, b"", status=503)
    with pytest.raises(DownloadError, match="HTTP 503 Service Unavailable \\(3 attempts\\)"):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert len(server.hits) == 1 + 3


# ------------------------------------------------------------------ FTP mirrors


class LocalFTP:
    """A pyftpdlib server on a free loopback port, serving ``root`` to the user k49 and
    to anonymous users."""

    USER, PASSWORD = "k49", "s3cret-pass"

    def __init__(self, root, **commands):
        with warnings.catch_warnings():  # pyftpdlib still imports asyncore on Python 3.11
            warnings.simplefilter("ignore", DeprecationWarning)
            from pyftpdlib.authorizers import DummyAuthorizer
            from pyftpdlib.handlers import FTPHandler
            from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.USER, self.PASSWORD, str(root), perm="elr")
        authorizer.add_anonymous(str(root))
        handler = type(  # commands: e.g. ftp_RETR, to answer a download otherwise
            "Handler",
            (FTPHandler,),
            {"authorizer": authorizer, "auth_failed_timeout": 0, **commands},
        )
        self.server = FTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.address[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            self.server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self.server.close_all()

    def url(self, user: str | None = None, password: str | None = None, path="/k49/") -> str:
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return f"ftp://{auth}127.0.0.1:{self.port}{path}"

    def close(self):
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def ftp(tmp_path, tiny_k49):
    _, bodies, _ = tiny_k49
    served = tmp_path / "ftp-root" / "k49"
    served.mkdir(parents=True)
    for name, body in bodies.items():
        (served / name).write_bytes(body)
    srv = LocalFTP(tmp_path / "ftp-root")
    yield srv
    srv.close()


@pytest.mark.parametrize("login", ["user", "anonymous"])
def test_ftp_mirror_honours_port_and_user(ftp, tiny_k49, tmp_path, login):
    _, bodies, files = tiny_k49
    url = ftp.url(ftp.USER, ftp.PASSWORD) if login == "user" else ftp.url()
    root = data.download(tmp_path / "d", mirror=url, files=files, progress=False)
    for spec in files:
        assert (root / spec.name).read_bytes() == bodies[spec.name]
        assert file_status(root / spec.name, spec) == "verified"


def test_ftp_login_refused_530_names_the_user_and_hides_the_password(ftp, tiny_k49, tmp_path):
    _, _, files = tiny_k49
    url = ftp.url(ftp.USER, "wrong-password")
    with pytest.raises(DownloadError) as info:
        data.download(tmp_path / "d", mirror=url, files=files, progress=False)
    message = str(info.value)
    assert "the FTP server refused the login as 'k49' (530" in message
    assert "wrong-password" not in message
    assert f"ftp://k49:***@127.0.0.1:{ftp.port}/k49/k49-train-imgs.npz" in message
    assert "Nothing in" in message and not (tmp_path / "d").exists()


def test_ftp_missing_file_550_is_reported(ftp, tiny_k49, tmp_path):
    _, _, files = tiny_k49
    with pytest.raises(
        DownloadError,
        match="refused the file /nowhere/k49-train-imgs.npz "
        r"\(550",
    ):
        data.download(
            tmp_path / "d", mirror=ftp.url(path="/nowhere/"), files=files, progress=False
        )


def test_cli_ftp_refusal_exits_1_without_traceback(ftp, tmp_path):
    result = k49tut(
        "download",
        "--data-dir",
        str(tmp_path / "d"),
        "--mirror",
        ftp.url(ftp.USER, "not-the-password"),
    )
    assert result.returncode == 1
    assert "refused the login as 'k49' (530" in result.stderr
    assert "not-the-password" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ messages that tell the truth


def test_stalled_server_is_cut_off_by_the_time_per_file(server, tmp_path, monkeypatch):
    monkeypatch.setenv(download.FILE_TIMEOUT_ENV, "0.5")
    server.serve(CLASSMAP.name, classmap_csv(), mode="drip", pause=0.02)
    start = time.monotonic()
    with pytest.raises(
        DownloadError,
        match=r"took longer than 0\.5 s \(\d+ of 697 bytes "
        r"arrived\)",
    ) as info:
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert time.monotonic() - start < 5
    assert download.FILE_TIMEOUT_ENV in str(info.value)
    assert server.hits == ["/" + CLASSMAP.name]  # not retried
    assert _files_in(tmp_path) == []


def test_silence_after_the_headers_is_cut_off_by_the_time_per_file(server, tmp_path, monkeypatch):
    monkeypatch.setenv(download.FILE_TIMEOUT_ENV, "0.5")
    server.serve(CLASSMAP.name, classmap_csv(), mode="silent", pause=10)
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"took longer than 0\.5 s \(0 of 697 bytes arrived"):
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert time.monotonic() - start < 3  # not the 60 s read time-out, three times
    assert server.hits == ["/" + CLASSMAP.name]


def test_a_compressed_answer_that_cannot_be_decoded_is_malformed_not_retried(server, tmp_path):
    server.serve(CLASSMAP.name, b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(DownloadError) as info:
        data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert "the server's answer is malformed: its compressed body cannot be decoded." in str(
        info.value
    )
    assert "(" not in str(info.value).split("decoded")[0].split(": ")[-1]  # no raw tuple
    assert server.hits == ["/" + CLASSMAP.name]


def test_https_to_a_plain_http_port_says_so(server, tmp_path, quick_retries):
    mirror = server.url.replace("http://", "https://")
    with pytest.raises(DownloadError) as info:
        data.download(tmp_path, mirror=mirror, files=(CLASSMAP,), progress=False)
    message = str(info.value)
    assert (
        "the secure (TLS) connection failed: the server may not speak https on that port"
        in message
    )
    assert "SSL" not in message and "attempts" not in message  # plain words, not retried


def test_ftp_426_is_a_transfer_closed_early_and_retried(tmp_path, tiny_k49, quick_retries):
    _, bodies, _ = tiny_k49
    served = tmp_path / "ftp-root" / "k49"
    served.mkdir(parents=True)
    (served / CLASSMAP.name).write_bytes(classmap_csv())
    tries = []

    def ftp_RETR(self, file):  # noqa: N802 (pyftpdlib's naming)
        tries.append(file)
        self.respond("426 Connection closed; transfer aborted.")

    srv = LocalFTP(tmp_path / "ftp-root", ftp_RETR=ftp_RETR)
    try:
        with pytest.raises(DownloadError) as info:
            data.download(tmp_path / "d", mirror=srv.url(), files=(CLASSMAP,), progress=False)
    finally:
        srv.close()
    assert "the FTP server closed the transfer before the end (426 Connection closed" in str(
        info.value
    )
    assert "busy" not in str(info.value) and len(tries) == 3


@pytest.mark.parametrize(
    "text, shown",
    [
        ("update the data directory", "update the data directory"),
        ("wrong password: date", "wrong password: ***"),
        ("http://u:date@host/ refused", "http://u:***@host/ refused"),
    ],
)
def test_a_short_common_password_is_masked_only_where_it_stands(text, shown):
    assert check_mirror("http://u:date@host/").scrub(text) == shown


def test_password_in_mirror_is_never_printed(closed_port_url, tmp_path, quick_retries):
    mirror = closed_port_url.replace("http://", "http://reader:hunter2-pass@")
    with pytest.raises(DownloadError) as info:
        data.download(tmp_path, mirror=mirror, files=(CLASSMAP,), progress=False)
    assert "hunter2-pass" not in str(info.value)
    assert "reader:***@127.0.0.1" in str(info.value)
    result = k49tut("info", "--data-dir", str(tmp_path), "--mirror", mirror)
    assert "hunter2-pass" not in result.stdout + result.stderr
    assert "Download from:  http://reader:***@127.0.0.1" in result.stdout
    for malformed in (
        "http://reader:hunter2-pass@",
        "http://reader:hunter2-pass@[::1",
        "ftp://reader:hunter2-pass@host:port/",
    ):
        with pytest.raises(DownloadError, match="is not a usable URL") as info:
            data.download(tmp_path, mirror=malformed, files=(CLASSMAP,), progress=False)
        assert "hunter2-pass" not in str(info.value)


def test_failure_names_the_offline_route(closed_port_url, tmp_path, quick_retries):
    with pytest.raises(DownloadError) as info:
        data.load("k49", data_dir=tmp_path, mirror=closed_port_url)
    assert "`k49tut run --dataset sample`" in str(info.value)
    assert 'k49tut.data.load("sample")' in str(info.value)
    # and, for a notebook opened in Jupyter, how to switch that notebook itself
    assert 'in a notebook, set `dataset = "sample"` in its first code cell' in str(info.value)
    assert "K49TUT_DATASET=sample" in str(info.value)


def test_nothing_changed_is_said_only_when_true(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    for spec in files[:2]:
        server.serve(spec.name, bodies[spec.name])
    d = tmp_path / "d"
    with pytest.raises(DownloadError, match="HTTP 404") as info:
        data.download(d, mirror=server.url, files=files, progress=False)
    message = str(info.value)
    assert "Nothing in" not in message
    assert f"Kept, verified: {files[0].name}, {files[1].name}" in message
    assert _files_in(d) == sorted(spec.name for spec in files[:2])
    fresh = tmp_path / "fresh"
    server.httpd.routes.clear()
    with pytest.raises(DownloadError) as info:
        data.download(fresh, mirror=server.url, files=files, progress=False)
    assert f"Nothing in {fresh} was changed." in str(info.value)
    assert not fresh.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_download_cleans_up(server, tmp_path, signum):
    # The real registry: a server that offers the right size, then drips.
    server.serve(
        K49_FILES[0].name,
        b"\0" * 2000,
        mode="drip",
        pause=0.01,
        headers={"Content-Length": str(K49_FILES[0].size)},
    )
    d = tmp_path / "new"
    proc = subprocess.Popen(
        [*K49TUT, "download", "--data-dir", str(d), "--mirror", server.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not server.hits and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # bytes are arriving
    assert any(p.name.startswith(".partial") for p in d.iterdir())
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    assert f"k49tut download: {word}; verified files were kept" in err
    assert "Traceback" not in err
    assert not d.exists()  # created by this download, and nothing was kept


# ------------------------------------------------------------------ two processes at once

_DOWNLOAD = """
import sys
from k49tut import data
from k49tut.files import RemoteFile
files = tuple(RemoteFile(*f) for f in {files!r})
data.download(sys.argv[1], mirror=sys.argv[2], files=files, progress=False)
print("done")
"""


def test_two_downloads_into_one_directory_take_turns(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    release = threading.Event()
    first = files[0].name
    server.serve(first, bodies[first], mode="pause", hook=lambda: release.wait(30))
    for spec in files[1:]:
        server.serve(spec.name, bodies[spec.name])
    d = tmp_path / "shared"
    code = _DOWNLOAD.format(files=[(f.name, f.size, f.md5) for f in files])
    logs = [tmp_path / "a.err", tmp_path / "b.err"]

    def start(log):
        with open(log, "w") as err:
            return subprocess.Popen(
                [sys.executable, "-c", code, str(d), server.url],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )

    a = start(logs[0])
    deadline = time.monotonic() + 30
    while server.hits.count("/" + first) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    b = start(logs[1])
    while "waiting for it" not in logs[1].read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    outs = [p.communicate(timeout=60)[0] for p in (a, b)]
    errors = [log.read_text() for log in logs]
    assert [a.returncode, b.returncode] == [0, 0], errors
    assert outs == ["done\n", "done\n"]
    assert f"another process is downloading into {d}; waiting for it" in errors[1]
    assert sorted(server.hits) == sorted("/" + spec.name for spec in files)  # each once
    assert _files_in(d) == sorted(bodies)
    assert all(file_status(d / spec.name, spec) == "verified" for spec in files)


def test_planted_symlinks_are_never_followed(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve_all(bodies)
    d = tmp_path / "d"
    d.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (d / ".partial").symlink_to(elsewhere)  # a staging folder's name
    (d / LOCK_FILE).symlink_to(victim)
    with pytest.raises(StorageError, match=f"Cannot lock {d / LOCK_FILE}") as info:
        data.download(d, mirror=server.url, files=files, progress=False)
    assert f"move it away.\nNothing in {d} was changed.\nWhat to do: " in str(info.value)
    assert victim.read_text() == "precious"
    (d / LOCK_FILE).unlink()
    data.download(d, mirror=server.url, files=files, progress=False)
    assert victim.read_text() == "precious"
    assert list(elsewhere.iterdir()) == []
    assert all(file_status(d / spec.name, spec) == "verified" for spec in files)
    assert not (d / LOCK_FILE).is_symlink()


def test_a_fifo_or_link_at_a_staging_folders_name_is_never_opened(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve_all(bodies)
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / ".partial-fifo")  # opening it for reading would wait for a writer for ever
    os.mkfifo(tmp_path / "fifo")
    (d / ".partial-link").symlink_to(tmp_path / "fifo")
    fetch = functools.partial(data.download, d, mirror=server.url, files=files, progress=False)
    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the download hung on a FIFO at a staging folder's name"
    assert all(file_status(d / spec.name, spec) == "verified" for spec in files)


def test_errors_are_the_package_own(closed_port_url, tmp_path, quick_retries):
    for mirror in ("http://[::1", closed_port_url, "gopher://example.org/"):
        with pytest.raises(K49TutError):
            data.download(tmp_path, mirror=mirror, files=(CLASSMAP,), progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_directory_planted_while_waiting_for_the_lock_is_said_once(
    server, tiny_k49, tmp_path, capsys
):
    from filelock import FileLock

    _, bodies, files = tiny_k49
    for spec in files:
        server.serve(spec.name, bodies[spec.name])
    d = tmp_path / "shared"
    d.mkdir()
    outcome = {}

    def run():
        try:
            data.download(d, mirror=server.url, files=files, progress=False)
        except StorageError as error:
            outcome["error"] = str(error)

    with FileLock(d / LOCK_FILE):  # another download holds the directory
        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 30  # until it has checked the files and waits
        while "waiting for it" not in capsys.readouterr().err and time.monotonic() < deadline:
            time.sleep(0.05)
        (d / files[1].name).mkdir()
    worker.join(30)
    text = outcome["error"]
    assert text.startswith(f"{d / files[1].name} is not a regular file (a directory, a FIFO...)")
    assert text.count("was changed") == 1 and text.count(OFFLINE) == 1
    assert f"Move it away, then run again.\nNothing in {d} was changed.\nWhat to do:" in text
    assert _files_in(d) == [files[1].name]
