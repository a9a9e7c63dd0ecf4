"""The synthetic stand-ins for Kuzushiji-49: the shipped sample and the full-size one.

Both are drawn from Japanese fonts by ``scripts/make_sample.py`` (with
``scripts/standin.py``) in K49's exact format and class order. They exist so that the
tutorial, the tests and CI run offline; nothing measured on them is a K49 result.

>>> from k49tut.sample import load_synthetic
>>> ds = load_synthetic("sample")
>>> ds.is_synthetic, ds.x_test.shape[1:]
(True, (28, 28))
"""

from __future__ import annotations

import numpy as np

from k49tut import paths
from k49tut.classes import classmap
from k49tut.errors import DataFormatError

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
