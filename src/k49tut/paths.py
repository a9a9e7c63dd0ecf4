"""Where things live: one rule each for the data directory, the notebooks and the download source.

The data directory is chosen, first match wins, from

1. the ``data_dir`` argument (``--data-dir`` on the command line),
2. the ``K49TUT_DATA_DIR`` environment variable,
3. ``data/`` of the source checkout, when k49tut is imported from one,
4. a per-user cache directory (``~/.cache/k49tut`` on Linux).

A relative path is taken relative to the current working directory at the time of
the call, and returned as an absolute path.

>>> import os
>>> from k49tut.paths import data_dir
>>> os.environ["K49TUT_DATA_DIR"] = "/tmp/k49"
>>> str(data_dir())
'/tmp/k49'
>>> str(data_dir("/elsewhere"))
'/elsewhere'
>>> del os.environ["K49TUT_DATA_DIR"]
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pooch

DATA_DIR_ENV = "K49TUT_DATA_DIR"
MIRROR_ENV = "K49TUT_MIRROR"

#: Where the five official files are published.
OFFICIAL_BASE_URL = "http://codh.rois.ac.jp/kmnist/dataset/k49/"

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
#: The notebooks inside an installed package (the wheel ships a copy of notebooks/).
PACKAGED_NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"


def checkout_root() -> Path | None:
    """The root of the source checkout k49tut is imported from, or None when installed."""
    root = PACKAGE_DIR.parent.parent
    if (root / "pyproject.toml").is_file() and (root / "src" / "k49tut").is_dir():
        return root
    return None


def restore_hint(relative: str) -> str:
    """How to get back a damaged file that ships with k49tut, named by its path in the
    checkout (``"notebooks/01_eda.ipynb"``): git in a checkout, else a reinstall."""
    root = checkout_root()
    if root is None:
        return (
            "reinstall k49tut (`pip install --force-reinstall --no-deps` and what you installed)"
        )
    if (root / ".git").exists():
        return f"`git -C {shlex.quote(str(root))} checkout -- {relative}` (edits to it are lost)"
    return f"take {relative} from a fresh copy of k49tut's source (unpack it again)"


def notebooks_dir() -> Path:
    """The tutorial's notebooks: ``notebooks/`` of the checkout, else those in the package.

    >>> (notebooks_dir() / "01_eda.ipynb").is_file()
    True
    """
    root = checkout_root()
    if root is not None and (root / "notebooks").is_dir():
        return root / "notebooks"
    return PACKAGED_NOTEBOOKS_DIR


def data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The directory that holds (or will hold) the K49 files, absolute; see the module doc."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    if data_dir is not None:
        return Path(os.path.abspath(Path(data_dir).expanduser()))
    root = checkout_root()
    return root / "data" if root is not None else Path(pooch.os_cache("k49tut"))


def base_url(mirror: str | None = None) -> str:
    """The URL the five files are fetched from: ``mirror`` > ``K49TUT_MIRROR`` > official.

    >>> base_url("http://127.0.0.1:8000/k49")
    'http://127.0.0.1:8000/k49/'
    """
    url = mirror or os.environ.get(MIRROR_ENV) or OFFICIAL_BASE_URL
    return url if url.endswith("/") else url + "/"
