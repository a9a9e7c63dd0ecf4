"""Download, verify and load Kuzushiji-49, in the manner of ``sklearn.datasets``.

>>> from k49tut import data
>>> ds = data.load("sample")            # the offline stand-in that ships with k49tut
>>> ds.x_train.dtype, ds.x_train.shape[1:], ds.is_synthetic
(dtype('uint8'), (28, 28), True)

``data.load("k49")`` returns the real dataset in the same form, downloading the five
official files into :func:`k49tut.paths.data_dir` on first use.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pooch

from k49tut import paths
from k49tut.arrays import read_npy
from k49tut.classes import N_CLASSES
from k49tut.errors import ChecksumError, DataFormatError, DownloadError
from k49tut.files import K49_FILES, RemoteFile, file_status, remember_verified

#: Extra attempts after a failed transfer (pooch waits 1 s, then 2 s, in between).
RETRIES = 2
#: Seconds to wait for a connection, and for the next bytes of a transfer.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
STAGING_DIR = ".partial"

DATASETS = ("k49", "sample", "standin")


@dataclass(repr=False, eq=False)
class Dataset:
    """Images (N, 28, 28) uint8, labels 0..48, and the class map of one dataset."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classmap: pd.DataFrame
    name: str
    is_synthetic: bool

    @property
    def chars(self) -> list[str]:
        """The class characters in label order."""
        return list(self.classmap["char"])

    @property
    def description(self) -> str:
        """What the data is, fit for a plot title: says so when it is not real K49."""
        if self.is_synthetic:
            from k49tut.sample import BANNER

            return f"{BANNER} ({self.name})"
        return "Kuzushiji-49"

    @property
    def nbytes(self) -> int:
        """Memory held by the four arrays, in bytes."""
        return sum(a.nbytes for a in (self.x_train, self.y_train, self.x_test, self.y_test))

    def __repr__(self) -> str:
        kind = "synthetic stand-in, not K49" if self.is_synthetic else "real data"
        return (
            f"Dataset(name={self.name!r}, {kind}, train={self.x_train.shape}, "
            f"test={self.x_test.shape}, classes={len(self.classmap)})"
        )


# --------------------------------------------------------------------------- download


def _why(error: Exception) -> str:
    """A short human reason for a requests/urllib3 failure."""
    import requests

    if isinstance(error, requests.HTTPError) and error.response is not None:
        r = error.response
        return f"the server answered HTTP {r.status_code} {r.reason}"
    if isinstance(error, requests.Timeout):
        return "no answer before the time-out (host unreachable or too slow)"
    if isinstance(
        error, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    ):
        return "the transfer was cut short"
    text = str(error)
    match = re.search(r"\[Errno -?\d+\] [^'\")]*", text)
    if match:
        return match.group(0).strip()
    if "IncompleteRead" in text or "Connection broken" in text:
        return "the transfer was cut short"
    return text.splitlines()[0][:200] if text else type(error).__name__


def _help(root: Path, files: tuple[RemoteFile, ...]) -> str:
    names = "\n".join(f"      {f.name}" for f in files)
    return (
        "What to do:\n"
        "  - check the network, or fetch from a mirror that holds the files under their\n"
        "    official names: `k49tut download --mirror URL`, `K49TUT_MIRROR=URL`, or\n"
        "    `k49tut.data.download(mirror=URL)`;\n"
        f"  - or place the files by hand in {root}:\n{names}\n"
        "    then run `k49tut info` to check them."
    )


def _can_show_progress() -> bool:
    """Whether tqdm, which draws pooch's progress bars, is installed."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _downloader(url: str, progress: bool):
    progress = progress and _can_show_progress()  # without tqdm: no bars, same download
    scheme = urlparse(url).scheme
    if scheme in ("http", "https"):
        return pooch.HTTPDownloader(progressbar=progress, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    if scheme == "ftp":
        return pooch.FTPDownloader(progressbar=progress, timeout=CONNECT_TIMEOUT)
    raise DownloadError(
        f"Cannot download from {url!r}: a mirror must be an http://, https:// or ftp:// URL.\n"
        "To use files you already have on disk, copy them into the data directory instead."
    )


def _fetch(
    spec: RemoteFile, root: Path, base: str, progress: bool, files: tuple[RemoteFile, ...]
) -> None:
    """Fetch one file into ``root`` via a staging folder; replace nothing unless verified."""
    url = base + spec.name
    staging = root / STAGING_DIR
    store = pooch.create(
        path=staging, base_url=base, registry={spec.name: spec.known_hash}, retry_if_failed=RETRIES
    )
    downloader = _downloader(url, progress)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        fetched = Path(store.fetch(spec.name, downloader=downloader))
    except ValueError as error:
        if "hash" not in str(error):
            raise
        got = re.search(r"but got ([0-9a-fA-F]+)", str(error))
        raise ChecksumError(
            f"Checksum failed for {spec.name} downloaded from {url}:\n"
            f"  expected md5 {spec.md5}\n  got      md5 {got.group(1) if got else '?'}\n"
            f"The bytes were discarded; nothing in {root} was changed.\n"
            "The mirror may hold a different release or a damaged copy.\n" + _help(root, files)
        ) from None
    except Exception as error:  # requests' and ftplib's failures
        import requests

        if not isinstance(error, (requests.RequestException, OSError, EOFError)):
            raise
        raise DownloadError(
            f"Could not download {spec.name} from {url}: {_why(error)} "
            f"(tried {1 + RETRIES} times).\nNothing in {root} was changed.\n" + _help(root, files)
        ) from None
    finally:
        logger.setLevel(level)
    dest = root / spec.name
    os.replace(fetched, dest)
    remember_verified(dest, spec.md5)


def download(
    data_dir: str | os.PathLike | None = None,
    mirror: str | None = None,
    force: bool = False,
    *,
    files: tuple[RemoteFile, ...] = K49_FILES,
    progress: bool = True,
) -> Path:
    """Download the five K49 files into the data directory and return that directory.

    Files already present and verified are kept (``force=True`` fetches them again,
    replacing each only once its fresh copy has passed the checksum). Each file is
    streamed into ``<data_dir>/.partial/``, checked against its MD5, then moved into
    place, so an interrupted or corrupted transfer never leaves a file under its
    final name. ``files`` overrides the expected sizes and hashes; change it only
    deliberately (for example, to test a mirror that serves other content).

    Raises :class:`~k49tut.errors.DownloadError` when a file cannot be fetched and
    :class:`~k49tut.errors.ChecksumError` when its bytes do not match.

    Example (needs a reachable server)::

        download(mirror="http://127.0.0.1:8765/")   # -> PosixPath('.../data')
    """
    root = paths.data_dir(data_dir)
    base = paths.base_url(mirror)
    _downloader(base, progress)  # reject an unusable mirror before touching the disk
    root.mkdir(parents=True, exist_ok=True)
    try:
        for spec in files:
            if force or file_status(root / spec.name, spec) != "verified":
                _fetch(spec, root, base, progress, files)
    finally:
        shutil.rmtree(root / STAGING_DIR, ignore_errors=True)
    return root


# --------------------------------------------------------------------------- load


def _read_array(path: Path) -> np.ndarray:
    """The ``arr_0`` array of a K49 ``.npz``, read straight into aligned memory."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "arr_0.npy" not in names:
                raise DataFormatError(
                    f"{path} holds the arrays {[n.removesuffix('.npy') for n in names]}, but "
                    "K49 files hold one array named 'arr_0'."
                )
            with archive.open("arr_0.npy") as stream:
                return read_npy(stream)
    except DataFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise DataFormatError(
            f"{path} is not a readable .npz file ({type(error).__name__}: {error}). It may be "
            "incomplete or damaged: delete it, or run `k49tut download --force`."
        ) from None


def _check_images(x: np.ndarray, path: Path) -> None:
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DataFormatError(f"{path}: images must have shape (N, 28, 28), found {x.shape}.")
    if x.dtype != np.uint8:
        raise DataFormatError(f"{path}: images must be uint8 (0..255), found {x.dtype}.")


def _check_labels(y: np.ndarray, n_images: int, path: Path) -> None:
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise DataFormatError(
            f"{path}: labels must be a 1-D integer array, found shape {y.shape}, dtype {y.dtype}."
        )
    if len(y) != n_images:
        raise DataFormatError(f"{path}: {len(y)} labels for {n_images} images.")
    if len(y) and (y.min() < 0 or y.max() >= N_CLASSES):
        bad = y[(y < 0) | (y >= N_CLASSES)]
        raise DataFormatError(
            f"{path}: labels must lie in 0..{N_CLASSES - 1}; found {bad.size} outside, "
            f"e.g. {bad[:5].tolist()}."
        )


def _read_classmap(path: Path) -> pd.DataFrame:
    try:
        cmap = pd.read_csv(path, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise DataFormatError(f"{path} is not a readable CSV file ({error}).") from None
    if list(cmap.columns) != ["index", "codepoint", "char"] or len(cmap) != N_CLASSES:
        raise DataFormatError(
            f"{path}: a class map has {N_CLASSES} rows and the columns index,codepoint,char; "
            f"found {len(cmap)} rows and columns {list(cmap.columns)}."
        )
    if cmap["index"].tolist() != list(range(N_CLASSES)):
        raise DataFormatError(f"{path}: the index column must run 0..{N_CLASSES - 1} in order.")
    return cmap


def arrays_from_files(
    train_imgs: Path, train_labels: Path, test_imgs: Path, test_labels: Path
) -> tuple[np.ndarray, ...]:
    """Read and validate four K49-format ``.npz`` files: x_train, y_train, x_test, y_test."""
    x_train, y_train = _read_array(train_imgs), _read_array(train_labels)
    x_test, y_test = _read_array(test_imgs), _read_array(test_labels)
    _check_images(x_train, train_imgs)
    _check_images(x_test, test_imgs)
    _check_labels(y_train, len(x_train), train_labels)
    _check_labels(y_test, len(x_test), test_labels)
    return x_train, y_train, x_test, y_test


def _load_k49(root: Path, verify: bool, mirror: str | None) -> Dataset:
    missing = tuple(f for f in K49_FILES if not (root / f.name).is_file())
    if missing:
        download(root, mirror=mirror, files=missing)
    if verify:
        for spec in K49_FILES:
            status = file_status(root / spec.name, spec)
            if status != "verified":
                raise ChecksumError(
                    f"{root / spec.name} failed verification ({status}; expected "
                    f"{spec.size:,} bytes, md5 {spec.md5}). It may be incomplete or damaged: "
                    "run `k49tut download --force` to replace it, or pass verify=False if "
                    "you changed it on purpose."
                )
    arrays = arrays_from_files(*(root / f.name for f in K49_FILES[:4]))
    cmap = _read_classmap(root / K49_FILES[4].name)
    return Dataset(*arrays, classmap=cmap, name="k49", is_synthetic=False)


def load(
    name: str = "k49",
    data_dir: str | os.PathLike | None = None,
    verify: bool = True,
    *,
    mirror: str | None = None,
) -> Dataset:
    """Load a dataset as a :class:`Dataset`.

    ``name`` is ``"k49"`` (the real data, downloaded on first use), ``"sample"`` (the
    small synthetic stand-in shipped with k49tut) or ``"standin"`` (the full-size
    synthetic stand-in written into the data directory by ``scripts/make_sample.py``).
    ``verify`` checks the K49 files' checksums, cheaply after the first time.

    >>> ds = load("sample")
    >>> len(ds.classmap), ds.name
    (49, 'sample')
    """
    if name == "k49":
        return _load_k49(paths.data_dir(data_dir), verify, mirror)
    if name in ("sample", "standin"):
        from k49tut import sample

        return sample.load_synthetic(name, data_dir)
    raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
