"""The data layer against a real HTTP server on 127.0.0.1: success, faults and bad input."""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import K49TUT, k49tut, npz_bytes

from k49tut import data, paths
from k49tut.classes import CHARS, classmap, classmap_csv
from k49tut.download import LOCK_FILE
from k49tut.errors import ChecksumError, DataFormatError, DownloadError, StorageError
from k49tut.files import K49_FILES, file_status

CLASSMAP = K49_FILES[4]


def _files_in(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.is_file() and p.name != LOCK_FILE)


def _place(directory, bodies) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        (directory / name).write_bytes(body)


# ------------------------------------------------------------------ registry and class map


def test_packaged_classmap_is_byte_identical_to_the_official_file():
    body = classmap_csv()
    assert len(body) == CLASSMAP.size
    assert hashlib.md5(body).hexdigest() == CLASSMAP.md5


def test_classmap_table():
    cmap = classmap()
    assert list(cmap.columns) == ["index", "codepoint", "char"]
    assert cmap["char"].tolist() == list(CHARS)
    assert cmap.loc[48].tolist() == [48, "U+309D", "ゝ"]


# ------------------------------------------------------------------ successful downloads


def test_download_fetches_verifies_and_loads_unchanged(server, tiny_k49, tmp_path):
    arrays, bodies, files = tiny_k49
    server.serve_all(bodies)
    root = data.download(tmp_path / "d", mirror=server.url, files=files, progress=False)
    assert root == tmp_path / "d"
    assert _files_in(root) == sorted(bodies)
    assert not list(root.glob(".partial*"))
    for spec in files:
        assert (root / spec.name).read_bytes() == bodies[spec.name]
        assert file_status(root / spec.name, spec) == "verified"
    ds = data.load("k49", data_dir=root, verify=False)
    for attr, name in zip(["x_train", "y_train", "x_test", "y_test"], arrays):
        got, want = getattr(ds, attr), arrays[name]
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert ds.name == "k49" and ds.is_synthetic is False
    assert ds.chars == list(CHARS)


def test_real_classmap_downloads_against_the_official_registry_entry(server, tmp_path):
    server.serve(CLASSMAP.name, classmap_csv())
    data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=False)
    assert file_status(tmp_path / CLASSMAP.name, CLASSMAP) == "verified"


def test_verified_files_are_not_fetched_again(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve_all(bodies)
    data.download(tmp_path, mirror=server.url, files=files, progress=False)
    n = len(server.hits)
    data.download(tmp_path, mirror=server.url, files=files, progress=False)
    assert len(server.hits) == n
    data.download(tmp_path, mirror=server.url, files=files, force=True, progress=False)
    assert len(server.hits) == 2 * n


def test_mirror_from_environment(server, monkeypatch, tmp_path):
    server.serve(CLASSMAP.name, classmap_csv())
    monkeypatch.setenv(paths.MIRROR_ENV, server.url)
    data.download(tmp_path, files=(CLASSMAP,), progress=False)
    assert server.hits == ["/" + CLASSMAP.name]


def test_download_without_tqdm_shows_no_bars_and_still_works(server, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    server.serve(CLASSMAP.name, classmap_csv())
    data.download(tmp_path, mirror=server.url, files=(CLASSMAP,), progress=True)
    assert file_status(tmp_path / CLASSMAP.name, CLASSMAP) == "verified"


# ------------------------------------------------------------------ faults


def test_cli_wrong_bytes_fails_checksum_and_leaves_no_file(server, tmp_path):
    for spec in K49_FILES:
        server.serve(spec.name, b"these are not the bytes you are looking for")
    d = tmp_path / "D"
    result = k49tut("download", "--data-dir", str(d), "--mirror", server.url)
    assert result.returncode != 0
    assert "Checksum failed for k49-train-imgs.npz" in result.stderr
    assert K49_FILES[0].md5 in result.stderr
    assert "the server offers 43 bytes, but the expected file has 66,117,696" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p for p in d.rglob("*") if p.is_file()] == []


def test_cli_closed_port_fails_fast_naming_mirror_and_data_dir(closed_port_url, tmp_path):
    d = tmp_path / "D"
    start = time.monotonic()
    result = k49tut("download", "--data-dir", str(d), "--mirror", closed_port_url)
    assert time.monotonic() - start < 60
    assert result.returncode != 0
    err = result.stderr
    assert closed_port_url + "k49-train-imgs.npz" in err
    assert "Connection refused" in err
    assert "--mirror" in err and str(d) in err
    assert "Traceback" not in err
    assert [p for p in d.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_are_reported(server, tiny_k49, tmp_path, status, quick_retries):
    _, bodies, files = tiny_k49
    server.serve(files[0].name, b"", status=status)
    with pytest.raises(DownloadError, match=f"HTTP {status}") as info:
        data.download(tmp_path, mirror=server.url, files=files, progress=False)
    assert server.url + files[0].name in str(info.value)
    assert _files_in(tmp_path) == []


def test_transfer_cut_short_keeps_nothing(server, tiny_k49, tmp_path, quick_retries):
    _, bodies, files = tiny_k49
    server.serve(files[0].name, bodies[files[0].name], mode="truncate")
    with pytest.raises((DownloadError, ChecksumError)):
        data.download(tmp_path, mirror=server.url, files=files, progress=False)
    assert _files_in(tmp_path) == []
    assert not list(tmp_path.glob(".partial*"))


def test_failures_never_touch_verified_files(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve(files[4].name, bodies[files[4].name])
    data.download(tmp_path, mirror=server.url, files=files[4:], progress=False)
    kept = tmp_path / files[4].name
    before = (kept.read_bytes(), kept.stat().st_mtime_ns)
    server.serve(files[4].name, b"tampered")  # a bad copy on a forced refresh
    with pytest.raises(ChecksumError):
        data.download(tmp_path, mirror=server.url, files=files[4:], force=True, progress=False)
    with pytest.raises(DownloadError):  # others missing on the server
        data.download(tmp_path, mirror=server.url, files=files, progress=False)
    assert (kept.read_bytes(), kept.stat().st_mtime_ns) == before
    assert _files_in(tmp_path) == [files[4].name]


def test_a_fifo_at_a_data_files_name_is_refused_not_waited_on(tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    _place(tmp_path, bodies)
    (tmp_path / files[0].name).unlink()
    os.mkfifo(tmp_path / files[0].name)  # opening it to read would wait for a writer
    for verify in (False, True):
        with pytest.raises(
            StorageError,
            match=f"{files[0].name} is not a regular file \\(a directory, a FIFO\\.\\.\\.\\), "
            f"where the data file {files[0].name} belongs",
        ):
            data.load("k49", data_dir=tmp_path, verify=verify)


def test_load_hashes_each_file_on_disk_once_with_verify_and_none_without(
    server, tiny_k49, monkeypatch, tmp_path
):
    import pooch

    _, bodies, files = tiny_k49
    monkeypatch.setattr(data, "K49_FILES", files)  # the tiny files stand for K49's
    _place(tmp_path, bodies)
    hashed = []
    real_hash = pooch.file_hash
    monkeypatch.setattr(
        pooch, "file_hash", lambda path, **kw: hashed.append(Path(path)) or real_hash(path, **kw)
    )
    data.load("k49", data_dir=tmp_path, verify=False)
    assert hashed == []
    data.load("k49", data_dir=tmp_path)
    assert hashed == [tmp_path / spec.name for spec in files]
    hashed.clear()
    (tmp_path / files[0].name).unlink()  # fetched again, and checked as it arrives
    server.serve(files[0].name, bodies[files[0].name])
    data.load("k49", data_dir=tmp_path, mirror=server.url)
    assert server.hits == ["/" + files[0].name]
    assert [p for p in hashed if p.parent == tmp_path] == [tmp_path / s.name for s in files[1:]]


def test_half_written_file_is_never_taken_for_complete(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    _place(tmp_path, bodies)
    name = files[0].name
    (tmp_path / name).write_bytes(bodies[name][: len(bodies[name]) // 2])
    (tmp_path / ".partial").mkdir()
    (tmp_path / ".partial" / "tmpabc123").write_bytes(b"left by a killed run")
    assert file_status(tmp_path / name, files[0]) == "wrong size"
    with pytest.raises(DataFormatError, match=name):
        data.load("k49", data_dir=tmp_path, verify=False)
    server.serve(name, bodies[name])
    data.download(tmp_path, mirror=server.url, files=files, progress=False)
    assert server.hits == ["/" + name]
    assert (tmp_path / name).read_bytes() == bodies[name]


def test_a_same_size_change_with_its_time_restored_is_found(tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    _place(tmp_path, {files[4].name: bodies[files[4].name]})
    path = tmp_path / files[4].name
    assert file_status(path, files[4]) == "verified"
    assert sorted(p.name for p in tmp_path.iterdir()) == [files[4].name]  # nothing recorded
    times = (path.stat().st_atime_ns, path.stat().st_mtime_ns)
    body = bytearray(path.read_bytes())
    body[-2] = ord("X")
    path.write_bytes(bytes(body))
    os.utime(path, ns=times)
    assert file_status(path, files[4]) == "wrong checksum"


def test_load_with_verify_reports_a_corrupt_file(tmp_path):
    for spec in K49_FILES:
        (tmp_path / spec.name).write_bytes(b"\x00" * 16)
    with pytest.raises(ChecksumError, match="k49-train-imgs.npz failed verification"):
        data.load("k49", data_dir=tmp_path)


def test_a_corrupt_file_is_named_with_the_download_that_replaces_it_alone(
    server, tiny_k49, monkeypatch, tmp_path
):
    _, bodies, files = tiny_k49
    monkeypatch.setattr(data, "K49_FILES", files)  # the tiny files stand for K49's
    _place(tmp_path, bodies)
    name = files[2].name
    (tmp_path / name).write_bytes(bodies[name][:-1] + b"X")  # same size, other bytes
    with pytest.raises(ChecksumError) as info:
        data.load("k49", data_dir=tmp_path)
    assert f"run `k49tut download --data-dir {shlex.quote(str(tmp_path))}` to replace it" in str(
        info.value
    )
    server.serve_all(bodies)
    data.download(tmp_path, mirror=server.url, files=files, progress=False)  # that command
    assert server.hits == ["/" + name]
    assert data.load("k49", data_dir=tmp_path).name == "k49"


def test_load_downloads_missing_files_and_reports_failure(
    closed_port_url, tmp_path, quick_retries
):
    with pytest.raises(DownloadError, match="Connection refused"):
        data.load("k49", data_dir=tmp_path, mirror=closed_port_url)


def test_unusable_mirror_scheme(tmp_path):
    with pytest.raises(DownloadError, match="http://, https:// or ftp://"):
        data.download(tmp_path, mirror="/mnt/usb/k49")


# ------------------------------------------------------------------ validation on load


def _with(tmp_path, bodies, **replace):
    _place(tmp_path, {**bodies, **replace})
    return tmp_path


def test_corrupt_npz_is_named(tiny_k49, tmp_path):
    _, bodies, _ = tiny_k49
    d = _with(tmp_path, bodies, **{"k49-test-imgs.npz": b"PK\x03\x04 garbage"})
    with pytest.raises(DataFormatError, match="k49-test-imgs.npz is not a readable .npz"):
        data.load("k49", data_dir=d, verify=False)


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            np.array([0, 49, 3] * 20, dtype=np.uint8),
            r"labels must lie in 0\.\.48; found 20 outside",
        ),
        (np.array([-1] * 60, dtype=np.int64), "labels must lie in 0..48"),
        (np.zeros(59, dtype=np.uint8), "59 labels for 60 images"),
        (np.zeros(60, dtype=np.float32), "1-D integer array"),
    ],
)
def test_bad_labels_are_refused(tiny_k49, tmp_path, bad, message):
    _, bodies, _ = tiny_k49
    d = _with(tmp_path, bodies, **{"k49-train-labels.npz": npz_bytes(bad)})
    with pytest.raises(DataFormatError, match=message) as info:
        data.load("k49", data_dir=d, verify=False)
    assert "k49-train-labels.npz" in str(info.value)
    assert str(info.value).endswith(
        f"What to do: run `k49tut download --data-dir {d}` to replace it (only the files "
        "that fail the check are fetched)."
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((60, 28, 28), dtype=np.float32), "must be uint8"),
        (np.zeros((60, 32, 32), dtype=np.uint8), r"shape \(N, 28, 28\)"),
    ],
)
def test_bad_images_are_refused(tiny_k49, tmp_path, bad, message):
    _, bodies, _ = tiny_k49
    d = _with(tmp_path, bodies, **{"k49-train-imgs.npz": npz_bytes(bad)})
    with pytest.raises(DataFormatError, match=message) as info:
        data.load("k49", data_dir=d, verify=False)
    assert "What to do: run `k49tut download --data-dir" in str(info.value)


def test_npz_without_arr_0(tiny_k49, tmp_path):
    import io

    _, bodies, _ = tiny_k49
    buf = io.BytesIO()
    np.savez(buf, images=np.zeros((60, 28, 28), np.uint8))
    d = _with(tmp_path, bodies, **{"k49-train-imgs.npz": buf.getvalue()})
    with pytest.raises(DataFormatError, match="named 'arr_0'"):
        data.load("k49", data_dir=d, verify=False)


def test_short_classmap_is_refused(tiny_k49, tmp_path):
    _, bodies, _ = tiny_k49
    short = b"\n".join(classmap_csv().splitlines()[:40]) + b"\n"
    d = _with(tmp_path, bodies, **{"k49_classmap.csv": short})
    with pytest.raises(DataFormatError, match="found 39 rows"):
        data.load("k49", data_dir=d, verify=False)


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="k49, sample, standin"):
        data.load("mnist")


# ------------------------------------------------------------------ paths and CLI


def test_data_dir_precedence(monkeypatch, tmp_path):
    import pooch

    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    checkout = Path(__file__).resolve().parent.parent
    if paths.PACKAGE_DIR == checkout / "src" / "k49tut":  # editable install
        assert paths.checkout_root() == checkout
        assert paths.data_dir() == checkout / "data"
    else:  # installed package
        assert paths.checkout_root() is None
        assert paths.data_dir() == Path(pooch.os_cache("k49tut"))
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    assert paths.data_dir(tmp_path / "arg") == tmp_path / "arg"


def test_base_url_precedence(monkeypatch):
    monkeypatch.delenv(paths.MIRROR_ENV, raising=False)
    assert paths.base_url() == paths.OFFICIAL_BASE_URL
    monkeypatch.setenv(paths.MIRROR_ENV, "http://env.example/k49")
    assert paths.base_url() == "http://env.example/k49/"
    assert paths.base_url("http://arg.example/") == "http://arg.example/"


def test_cli_info_reports_each_file(tmp_path):
    (tmp_path / CLASSMAP.name).write_bytes(classmap_csv())
    (tmp_path / K49_FILES[1].name).write_bytes(b"short")
    result = k49tut("info", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[2:7]}
    assert lines[CLASSMAP.name].endswith("verified")
    assert lines[K49_FILES[1].name].endswith("wrong size")
    assert lines[K49_FILES[0].name].endswith("missing")
    assert f"Data directory: {tmp_path}" in result.stdout
    assert (
        f"1 of 5 files verified. Run `k49tut download --data-dir {shlex.quote(str(tmp_path))}` "
        "to fetch what is missing and replace what fails the check.\n"
    ) in result.stdout


def test_cli_info_advice_keeps_the_mirror_but_never_its_password(tmp_path):
    folder = tmp_path / "my data"
    for mirror, option in (
        ("http://127.0.0.1:8765/k49/", "--mirror http://127.0.0.1:8765/k49/"),
        ("ftp://k49:s3cret@127.0.0.1:2121/k49/", "--mirror URL"),
    ):
        result = k49tut("info", "--data-dir", str(folder), "--mirror", mirror)
        assert result.returncode == 1
        assert (
            f"Run `k49tut download --data-dir '{folder}' {option}` to fetch what is missing"
        ) in result.stdout
        assert "s3cret" not in result.stdout + result.stderr


def test_cli_console_script_and_usage_error():
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "k49tut"), "frobnicate"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    """`k49tut info | head -1`: the reader closes the pipe before the output is written."""
    proc = subprocess.Popen(
        [*K49TUT, "info", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    proc.stdout.close()  # as `head` does once it has what it wants
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""
