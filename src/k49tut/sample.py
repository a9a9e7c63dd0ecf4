"""The synthetic stand-ins for Kuzushiji-49: the shipped sample and the full-size one.

Both are drawn from Japanese fonts by ``scripts/make_sample.py`` (see
:mod:`k49tut.synth`) in K49's exact format and class order. They exist so that the
tutorial, the tests and CI run offline; nothing measured on them is a K49 result.

>>> from k49tut.sample import load_synthetic
>>> ds = load_synthetic("sample")
>>> ds.is_synthetic, ds.x_test.shape[1:]
(True, (28, 28))
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from k49tut import paths
from k49tut.classes import classmap
from k49tut.errors import DataFormatError
from k49tut.storage import atomic_write

SAMPLE_PATH = paths.RESOURCES_DIR / "sample.npz"
STANDIN_FILES = (
    "standin-train-imgs.npz",
    "standin-train-labels.npz",
    "standin-test-imgs.npz",
    "standin-test-labels.npz",
)
STANDIN_META = "standin.json"
#: Said wherever stand-in data is shown.
BANNER = "Synthetic stand-in drawn from fonts, not Kuzushiji-49"


def write_sample(path: Path, x_train, y_train, x_test, y_test, meta: dict) -> None:
    """Write the small sample as one compressed .npz (plus its metadata as JSON)."""
    np.savez_compressed(
        path,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )


def _save_npz(path: Path, array: np.ndarray) -> None:
    """One array in K49's format (key ``arr_0``); to an open file, since np.savez adds
    ``.npz`` to a path that lacks it."""
    with open(path, "wb") as f:
        np.savez_compressed(f, array)


def write_standin(root: Path, x_train, y_train, x_test, y_test, meta: dict) -> None:
    """Write a stand-in into ``root`` as four K49-format files (key ``arr_0``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, array in zip(STANDIN_FILES, (x_train, y_train, x_test, y_test)):
        atomic_write(root / name, lambda tmp, a=array: _save_npz(tmp, a))
    text = json.dumps(meta, indent=1, sort_keys=True)
    atomic_write(root / STANDIN_META, lambda p: p.write_text(text, encoding="utf-8"))


def load_synthetic(name: str = "sample", data_dir=None):
    """Load ``"sample"`` (shipped in the package) or ``"standin"`` (from the data directory)."""
    from k49tut.data import Dataset, arrays_from_files

    if name == "sample":
        try:
            with np.load(SAMPLE_PATH, allow_pickle=False) as z:
                arrays = [z[k] for k in ("x_train", "y_train", "x_test", "y_test")]
        except (OSError, KeyError, ValueError) as error:
            raise DataFormatError(
                f"The packaged sample {SAMPLE_PATH} is unreadable ({error}); reinstall k49tut "
                "or regenerate it with scripts/make_sample.py."
            ) from error
    elif name == "standin":
        root = paths.data_dir(data_dir)
        missing = [f for f in STANDIN_FILES if not (root / f).is_file()]
        if missing:
            raise DataFormatError(
                f"No full-size stand-in in {root} (missing {', '.join(missing)}). Create it "
                f"with `python scripts/make_sample.py --full --data-dir {root}`."
            )
        arrays = arrays_from_files(*(root / f for f in STANDIN_FILES))
    else:
        raise ValueError(f"Unknown synthetic dataset {name!r}: 'sample' or 'standin'.")
    return Dataset(*arrays, classmap=classmap(), name=name, is_synthetic=True)
