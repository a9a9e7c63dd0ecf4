"""Data directories on real filesystems that refuse: read-only mounts, other users' files,
files where directories belong, full disks. Intact data keeps working; faults get one
message; nothing verified is lost."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from realfs import give_away, mount_tmpfs, python_unprivileged

from k49tut import cli, data, download, sample
from k49tut.classes import classmap_csv
from k49tut.errors import ChecksumError, StorageError
from k49tut.files import K49_FILES, file_status

CLASSMAP = K49_FILES[4]


@pytest.fixture
def tiny_registry(tiny_k49, monkeypatch):
    """Make ``load("k49")`` expect the tiny files (the registry, not the disk, is swapped)."""
    _, bodies, files = tiny_k49
    monkeypatch.setattr(data, "K49_FILES", files)
    return bodies, files


def _shared_dir(tmp_path, bodies):
    """Another user's data directory holding intact (tiny) files, readable by all."""
    shared = tmp_path / "shared"
    shared.mkdir()
    for name, body in bodies.items():
        (shared / name).write_bytes(body)
        give_away(shared / name, 0o644)
    give_away(shared, 0o755)
    return shared


#: ``k49tut ARGS`` run as an unprivileged user, expecting the tiny files of ``SPECS``
#: instead of the real ones (the registry is swapped, as ``tiny_registry`` does here).
_AS_USER = """
import sys
import k49tut.cli as cli, k49tut.download as dl
from k49tut.files import RemoteFile
files = tuple(RemoteFile(*f) for f in {specs!r})
cli.K49_FILES = files
dl.download.__kwdefaults__["files"] = files
raise SystemExit(cli.main({args!r}))
"""


def _as_user(files, *args):
    specs = [(f.name, f.size, f.md5) for f in files]
    return python_unprivileged(_AS_USER.format(specs=specs, args=list(args)))


# ------------------------------------------------------------------ data you cannot write


def test_read_only_mount_of_intact_files_loads_verified(tmp_path, tiny_registry):
    bodies, files = tiny_registry
    with mount_tmpfs(tmp_path / "ro", files=bodies, read_only=True) as ro:
        ds = data.load("k49", data_dir=ro, verify=True)
        assert len(ds.x_train) == 60 and len(ds.classmap) == 49
        assert data.download(ro, files=files, progress=False) == ro  # nothing to do
        assert sorted(p.name for p in ro.iterdir()) == sorted(bodies)  # nothing written
        with pytest.raises(OSError):
            (ro / "probe").write_bytes(b"")  # really read-only


def test_shared_directory_works_for_info_and_download_without_writing(tmp_path, tiny_k49):
    _, bodies, files = tiny_k49
    shared = _shared_dir(tmp_path, bodies)
    before = sorted(shared.iterdir())
    info = _as_user(files, "info", "--data-dir", str(shared))
    assert info.returncode == 0, info.stderr
    assert "5 of 5 files verified." in info.stdout
    assert "Traceback" not in info.stderr
    done = _as_user(files, "download", "--data-dir", str(shared))
    assert done.returncode == 0, done.stderr
    assert f"All 5 K49 files are in {shared} and verified." in done.stdout
    assert sorted(shared.iterdir()) == before  # nothing written


def test_unreadable_file_is_reported_as_unreadable_not_damaged(tmp_path, tiny_k49):
    _, bodies, files = tiny_k49
    shared = _shared_dir(tmp_path, bodies)
    CLASSMAP = files[4]
    info = _as_user(files, "info", "--data-dir", str(shared))
    assert info.returncode == 0, info.stderr  # verified before: nothing is remembered
    os.chmod(shared / CLASSMAP.name, 0o600)
    info = _as_user(files, "info", "--data-dir", str(shared))
    assert info.returncode == 1
    line = next(x for x in info.stdout.splitlines() if CLASSMAP.name in x)
    assert line.split()[-1] == "unreadable"
    assert "Fix by hand" in info.stdout
    done = _as_user(files, "download", "--data-dir", str(shared))
    assert done.returncode == 1
    assert (
        f"Cannot read {shared / CLASSMAP.name}: permission denied. It may be intact" in done.stderr
    )
    assert "Traceback" not in done.stderr
    specs = [(f.name, f.size, f.md5) for f in files]
    loaded = python_unprivileged(
        "from k49tut import data\n"
        "from k49tut.errors import StorageError\n"
        "from k49tut.files import RemoteFile\n"
        f"data.K49_FILES = tuple(RemoteFile(*f) for f in {specs!r})\n"
        f"try:\n    data.load('k49', data_dir={str(shared)!r})\n"
        "except StorageError as e:\n    print(e)\n"
    )
    assert "permission denied. It may be intact, so it is not replaced" in loaded.stdout, (
        loaded.stderr
    )


def test_data_in_a_folder_that_cannot_be_searched_is_named_not_a_traceback(tmp_path, tiny_k49):
    _, bodies, files = tiny_k49
    locked = tmp_path / "locked"
    locked.mkdir()
    for name, body in bodies.items():
        (locked / name).write_bytes(body)
    for spec, name in zip(files, sample.STANDIN_FILES):  # the same arrays as a stand-in
        (locked / name).write_bytes(bodies[spec.name])
    os.chmod(locked, 0o600)  # listed, not searched: no file in it can even be looked at
    specs = [(f.name, f.size, f.md5) for f in files]
    try:
        loaded = python_unprivileged(
            "from k49tut import data\n"
            "from k49tut.errors import StorageError\n"
            "from k49tut.files import RemoteFile\n"
            f"data.K49_FILES = tuple(RemoteFile(*f) for f in {specs!r})\n"
            "for name, verify in (('standin', True), ('k49', False)):\n"
            "    try:\n"
            f"        data.load(name, data_dir={str(locked)!r}, verify=verify)\n"
            "    except StorageError as e:\n"
            "        print(e)\n"
        )
    finally:
        os.chmod(locked, 0o700)
    assert "Traceback" not in loaded.stderr
    assert loaded.stdout.splitlines() == [
        f"Cannot look up {locked / name}: permission denied; a folder on its way (or on the way "
        "to a link's target) needs search (x) permission for you. Fix that (or ask its owner), "
        "or use a copy you can read (--data-dir D, K49TUT_DATA_DIR=D, data_dir=D), then run "
        "again."
        for name in (sample.STANDIN_FILES[0], files[0].name)
    ]


def test_downloaded_files_follow_the_umask(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve_all(bodies)
    for mask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        old = os.umask(mask)
        try:
            d = data.download(tmp_path / oct(mask), mirror=server.url, files=files, progress=False)
        finally:
            os.umask(old)
        modes = {stat.S_IMODE((d / spec.name).stat().st_mode) for spec in files}
        assert modes == {mode}


# ------------------------------------------------------------------ paths that cannot work


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a directory")
    return path


@pytest.mark.parametrize(
    "where, says",
    [
        (lambda f: f, "is a file, not a directory"),
        (lambda f: f / "sub" / "data", "lies under {f}, which is a file, not a directory"),
    ],
)
def test_data_dir_that_is_or_lies_under_a_file(server, a_file, where, says, capsys):
    root = where(a_file)
    message = says.format(f=a_file)
    with pytest.raises(StorageError, match=message):
        data.download(root, mirror=server.url, files=(CLASSMAP,), progress=False)
    with pytest.raises(StorageError, match=message):
        data.load("k49", data_dir=root, mirror=server.url)
    for command in ("info", "download"):
        assert cli.main([command, "--data-dir", str(root), "--mirror", server.url]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"k49tut {command}: error: ") and message in err
    assert server.hits == []
    assert a_file.read_text() == "not a directory"


def test_data_dir_on_a_read_only_filesystem(server, tmp_path, capsys):
    server.serve(CLASSMAP.name, classmap_csv())
    with mount_tmpfs(tmp_path / "ro", read_only=True) as ro:
        with pytest.raises(StorageError, match="it is on a read-only filesystem") as info:
            data.download(ro / "k49", mirror=server.url, files=(CLASSMAP,), progress=False)
        assert "choose another data directory" in str(info.value)
        assert f"Nothing in {ro / 'k49'} was changed." in str(info.value)
        assert server.hits == []
        assert cli.main(["download", "--data-dir", str(ro), "--mirror", server.url]) == 1
        assert "read-only filesystem" in capsys.readouterr().err


def test_entry_that_is_a_directory_is_never_replaced(server, tiny_k49, tmp_path, tiny_registry):
    bodies, files = tiny_registry
    for name, body in bodies.items():
        (tmp_path / name).write_bytes(body)
        server.serve(name, body)
    (tmp_path / files[1].name).unlink()
    (tmp_path / files[1].name).mkdir()
    (tmp_path / files[1].name / "keep.txt").write_text("mine")
    assert file_status(tmp_path / files[1].name, files[1]) == "not a file"
    with pytest.raises(StorageError, match=f"{files[1].name} is not a regular file"):
        data.download(tmp_path, mirror=server.url, files=files, progress=False)
    for verify in (True, False):
        with pytest.raises(StorageError, match=f"{files[1].name} is not a regular file"):
            data.load("k49", data_dir=tmp_path, verify=verify)
    assert (tmp_path / files[1].name / "keep.txt").read_text() == "mine"
    assert server.hits == []


# ------------------------------------------------------------------ a full disk


def test_too_little_space_is_refused_before_downloading(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    server.serve_all(bodies)
    with mount_tmpfs(tmp_path / "small", size="32k") as small:
        with pytest.raises(StorageError) as info:
            data.download(small, mirror=server.url, files=files, progress=False)
        assert (
            f"Not enough space in {small}: 32,768 bytes free, but the 5 files to fetch "
            f"need {sum(spec.size for spec in files):,} bytes."
        ) in str(info.value)
        assert server.hits == []
        assert list(small.iterdir()) == []


def test_too_little_space_for_one_file_says_so_in_the_singular(tiny_k49, tmp_path, monkeypatch):
    _, _, files = tiny_k49
    free = shutil.disk_usage(tmp_path)._replace(free=10)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: free)
    with pytest.raises(StorageError) as info:
        download._check_space(tmp_path, list(files[:1]))
    assert str(info.value) == (
        f"Not enough space in {tmp_path}: 10 bytes free, but the 1 file to fetch needs "
        f"{files[0].size:,} bytes."
    )


def test_disk_filling_up_during_a_download_says_so_and_is_not_retried(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    big = files[0]
    with mount_tmpfs(tmp_path / "disk", size="256k") as disk:

        def fill_the_disk():
            # Unbuffered, so that nothing is left to flush (and fail) when the file closes;
            # an error escaping here would cut the server's answer short instead.
            try:
                with open(disk / "someone-elses-file", "wb", buffering=0) as f:
                    while f.write(b"\0" * 4096):
                        pass
            except OSError:
                pass

        server.serve(big.name, bodies[big.name], mode="pause", hook=fill_the_disk)
        with pytest.raises(StorageError) as info:
            data.download(disk / "k49", mirror=server.url, files=files, progress=False)
        message = str(info.value)
        assert (
            f"Could not save {big.name} in {disk / 'k49'}: cannot write it: no space "
            "left on the device (the disk is full)." in message
        )
        assert f"Nothing in {disk / 'k49'} was changed." in message
        assert "network" not in message.splitlines()[0]
        assert server.hits == ["/" + big.name]
        assert sorted(p.name for p in disk.iterdir()) == ["someone-elses-file"]


def test_verified_files_survive_a_forced_download_that_fails(server, tiny_k49, tmp_path):
    _, bodies, files = tiny_k49
    for name, body in bodies.items():
        (tmp_path / name).write_bytes(body)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    server.serve(files[0].name, bodies[files[0].name][::-1])  # same size, wrong bytes
    with pytest.raises(ChecksumError, match="got md5"):
        data.download(tmp_path, mirror=server.url, files=files, force=True, progress=False)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
