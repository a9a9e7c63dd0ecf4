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
import shlex
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from k49tut import paths, sample
from k49tut.arrays import read_npy
from k49tut.classes import N_CLASSES, classmap
from k49tut.download import download
from k49tut.errors import ChecksumError, DataFormatError, ParameterError, StorageError
from k49tut.files import K49_FILES, file_status, presence, unusable
from k49tut.mirror import as_option
from k49tut.storage import reason

DATASETS = ("k49", "sample", "standin")
#: The share of the training images held out for validation, in every part.
VALIDATION_SHARE = 0.3
__all__ = [
    "DATASETS",
    "VALIDATION_SHARE",
    "Dataset",
    "Split",
    "arrays_from_files",
    "download",
    "load",
    "validation_split",
]


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
            return f"{sample.BANNER} ({self.name})"
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


@dataclass(repr=False, eq=False)
class Split:
    """The training images divided into a part to fit and a part to validate on.

    Images carry a channel axis, ``(N, 28, 28, 1)``, as Keras's Conv2D expects.
    ``val_index`` gives the validation images' positions in ``Dataset.x_train``.
    """

    x_fit: np.ndarray
    x_val: np.ndarray
    y_fit: np.ndarray
    y_val: np.ndarray
    val_index: np.ndarray

    @property
    def fingerprint(self) -> str:
        """A short hash of which images were held out: equal fingerprints, equal splits."""
        import hashlib

        return hashlib.sha256(np.sort(self.val_index).astype("<i8").tobytes()).hexdigest()[:16]


def validation_split(ds: Dataset, seed: int, share: float = VALIDATION_SHARE) -> Split:
    """Hold out ``share`` of the training images for validation, stratified by class.

    This is scikit-learn's ``train_test_split(..., test_size=share, stratify=labels,
    random_state=seed)``, applied to the images' positions; every part calls it, so the
    same ``seed`` always holds out the same images (Part 4 checks this by the split's
    fingerprint before it examines Part 3's network).

    >>> split = validation_split(load("sample"), seed=49)
    >>> split.x_fit.shape, split.x_val.shape
    ((5600, 28, 28, 1), (2400, 28, 28, 1))
    >>> validation_split(load("sample"), seed=49).fingerprint == split.fingerprint
    True
    """
    from sklearn.model_selection import train_test_split

    fit_index, val_index = train_test_split(
        np.arange(len(ds.y_train)), test_size=share, stratify=ds.y_train, random_state=seed
    )
    x = ds.x_train[..., np.newaxis]
    return Split(
        x[fit_index], x[val_index], ds.y_train[fit_index], ds.y_train[val_index], val_index
    )


# --------------------------------------------------------------------------- load


#: The largest expansion deflate allows (1032:1), with room for the stream's ends.
_DEFLATE_RATIO = 1032


def _member(archive: zipfile.ZipFile, path: Path, todo: str) -> zipfile.ZipInfo:
    """The ``arr_0.npy`` entry of a K49-format archive, after checks that cost no memory."""
    names = archive.namelist()
    if "arr_0.npy" not in names:
        raise DataFormatError(
            f"{path} holds the arrays {[n.removesuffix('.npy') for n in names]}, but "
            "K49-format files hold one array named 'arr_0'."
        )
    info = archive.getinfo("arr_0.npy")
    if info.flag_bits & 0x1:
        raise DataFormatError(f"{path} is encrypted; K49-format files are not.{_damaged(todo)}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataFormatError(
            f"{path} uses zip compression method {info.compress_type}; K49-format "
            f"files are deflated (8) or stored (0).{_damaged(todo)}"
        )
    on_disk = path.stat().st_size
    limit = info.compress_size * (_DEFLATE_RATIO if info.compress_type else 1) + 64
    if info.compress_size > on_disk or info.file_size > limit:
        raise DataFormatError(
            f"{path} claims {info.file_size:,} bytes of array data in {info.compress_size:,} "
            f"compressed bytes of a {on_disk:,}-byte file, which cannot be.{_damaged(todo)}"
        )
    return info


def _damaged(todo: str) -> str:
    """The end of a damaged file's message: ``todo`` says what to do, if known."""
    return f" It may be incomplete or damaged{': ' + todo if todo else ''}."


def _read_array(path: Path, todo: str = "") -> np.ndarray:
    """The ``arr_0`` array of a K49-format ``.npz``, read straight into aligned memory.

    Every damage (not a zip, bad deflate stream, bad CRC, encryption, an unknown
    compression method, sizes that disagree) raises :class:`DataFormatError` naming the
    file and ending with ``todo``, what to do; sizes are checked against the archive
    before any memory is allocated.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            info = _member(archive, path, todo)
            with archive.open(info) as stream:
                return read_npy(stream, size=info.file_size)
    except DataFormatError:
        raise
    except IsADirectoryError as error:
        raise unusable(path, "not a file") from error
    except OSError as error:
        if error.errno is None:  # zipfile's and numpy's complaints, not the disk's
            raise DataFormatError(
                f"{path} is not a readable .npz file ({error}).{_damaged(todo)}"
            ) from error
        raise StorageError(f"Cannot read {path}: {reason(error)}.") from error
    except Exception as error:  # BadZipFile, zlib.error, EOFError, ValueError, ...
        raise DataFormatError(
            f"{path} is not a readable .npz file ({type(error).__name__}: {error})."
            f"{_damaged(todo)}"
        ) from error


def _what_to_do(todo: str) -> str:
    """The end of the message for a readable file with the wrong contents."""
    return f" What to do: {todo}." if todo else ""


def _check_images(x: np.ndarray, path: Path, todo: str) -> None:
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        problem = f"images must have shape (N, 28, 28), found {x.shape}"
    elif x.dtype != np.uint8:
        problem = f"images must be uint8 (0..255), found {x.dtype}"
    else:
        return
    raise DataFormatError(f"{path}: {problem}.{_what_to_do(todo)}")


def _check_labels(y: np.ndarray, n_images: int, path: Path, todo: str) -> None:
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        problem = f"labels must be a 1-D integer array, found shape {y.shape}, dtype {y.dtype}"
    elif len(y) != n_images:
        problem = f"{len(y)} labels for {n_images} images"
    elif len(y) and (y.min() < 0 or y.max() >= N_CLASSES):
        bad = y[(y < 0) | (y >= N_CLASSES)]
        problem = (
            f"labels must lie in 0..{N_CLASSES - 1}; found {bad.size} outside, "
            f"e.g. {bad[:5].tolist()}"
        )
    else:
        return
    raise DataFormatError(f"{path}: {problem}.{_what_to_do(todo)}")


def _read_classmap(path: Path) -> pd.DataFrame:
    try:
        cmap = pd.read_csv(path, encoding="utf-8")
    except OSError as error:
        raise StorageError(f"Cannot read {path}: {reason(error)}.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise DataFormatError(f"{path} is not a readable CSV file ({error}).") from error
    if list(cmap.columns) != ["index", "codepoint", "char"] or len(cmap) != N_CLASSES:
        raise DataFormatError(
            f"{path}: a class map has {N_CLASSES} rows and the columns index,codepoint,char; "
            f"found {len(cmap)} rows and columns {list(cmap.columns)}."
        )
    if cmap["index"].tolist() != list(range(N_CLASSES)):
        raise DataFormatError(f"{path}: the index column must run 0..{N_CLASSES - 1} in order.")
    return cmap


def arrays_from_files(
    train_imgs: Path, train_labels: Path, test_imgs: Path, test_labels: Path, *, todo: str = ""
) -> tuple[np.ndarray, ...]:
    """Read and validate four K49-format ``.npz`` files: x_train, y_train, x_test, y_test.

    The message about a damaged archive, or about arrays of the wrong shape, type or
    range, ends with ``todo``, what to do about it, if given.
    """
    x_train, y_train = _read_array(train_imgs, todo), _read_array(train_labels, todo)
    x_test, y_test = _read_array(test_imgs, todo), _read_array(test_labels, todo)
    _check_images(x_train, train_imgs, todo)
    _check_images(x_test, test_imgs, todo)
    _check_labels(y_train, len(x_train), train_labels, todo)
    _check_labels(y_test, len(x_test), test_labels, todo)
    return x_train, y_train, x_test, y_test


def _verify(path: Path, spec, mirror: str | None) -> None:
    status = file_status(path, spec)
    if status == "verified":
        return
    if error := unusable(path, status):
        raise error
    raise ChecksumError(
        f"{path} failed verification ({status}; expected {spec.size:,} bytes, md5 "
        f"{spec.md5}).{_damaged(_refetch(path.parent, mirror))} If you changed it on "
        "purpose, load it in Python with verify=False."
    )


def _refetch(root: Path, mirror: str | None) -> str:
    """What to do about a damaged K49 file in ``root``: fetch it again, it alone."""
    return (
        f"run `k49tut download --data-dir {shlex.quote(str(root))}{as_option(mirror)}` to "
        "replace it (only the files that fail the check are fetched)"
    )


def _load_k49(root: Path, verify: bool, mirror: str | None) -> Dataset:
    found = {spec: presence(root / spec.name) for spec in K49_FILES}  # hashes nothing
    if missing := tuple(spec for spec, status in found.items() if status == "missing"):
        download(root, mirror=mirror, files=missing)
    for spec in K49_FILES:
        if spec in missing:  # fetched just now, and checked as the bytes came
            continue
        if verify:
            _verify(root / spec.name, spec, mirror)
        elif error := unusable(root / spec.name, found[spec]):
            raise error  # (a FIFO would make the read wait for ever)
    todo = _refetch(root, mirror)
    arrays = arrays_from_files(*(root / f.name for f in K49_FILES[:4]), todo=todo)
    cmap = _read_classmap(root / K49_FILES[4].name)
    return Dataset(*arrays, classmap=cmap, name="k49", is_synthetic=False)


def _make_standin(root: Path) -> str:
    """The command that writes the full-size stand-in into ``root`` (a checkout's script)."""
    checkout = paths.checkout_root()
    script = checkout / "scripts" / "make_sample.py" if checkout else None
    if script is None or not script.is_file():
        where = " in a checkout of k49tut (the script is not installed)"
        return f"`python scripts/make_sample.py --full --data-dir {shlex.quote(str(root))}`{where}"
    return f"`python {shlex.quote(str(script))} --full --data-dir {shlex.quote(str(root))}`"


def _load_synthetic(name: str, root: Path) -> Dataset:
    """The stand-in shipped in the package (``"sample"``) or in ``root`` (``"standin"``)."""
    if name == "sample":
        try:
            with np.load(sample.SAMPLE_PATH, allow_pickle=False) as z:
                arrays = [z[k] for k in ("x_train", "y_train", "x_test", "y_test")]
        except Exception as error:  # OSError, BadZipFile, a missing array...
            restore = paths.restore_hint("src/k49tut/resources/sample.npz")
            raise DataFormatError(
                f"The packaged sample {sample.SAMPLE_PATH} is unreadable ({error}); get it "
                f"back: {restore}."
            ) from error
    else:
        make = _make_standin(root)
        files = [root / f for f in sample.STANDIN_FILES]
        found = {path: presence(path) for path in files}  # a FIFO is never opened
        if missing := [path.name for path, status in found.items() if status == "missing"]:
            raise DataFormatError(
                f"No full-size stand-in in {root} (missing {', '.join(missing)}). Create it "
                f"with {make}."
            )
        for path, status in found.items():
            if error := unusable(path, status):
                raise error
        arrays = arrays_from_files(*files, todo=f"make the stand-in again with {make}")
    return Dataset(*arrays, classmap=classmap(), name=name, is_synthetic=True)


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
    ``verify`` checks the checksums of the K49 files already there (each load hashes
    each once, well under a second; a file it downloads is checked as it arrives);
    ``verify=False`` reads them without hashing.

    >>> ds = load("sample")
    >>> len(ds.classmap), ds.name
    (49, 'sample')
    """
    if name == "k49":
        return _load_k49(paths.data_dir(data_dir), verify, mirror)
    if name in ("sample", "standin"):
        return _load_synthetic(name, paths.data_dir(data_dir))
    raise ParameterError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
