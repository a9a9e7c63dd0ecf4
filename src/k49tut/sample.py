"""The synthetic stand-ins for Kuzushiji-49: the shipped sample and the full-size one.

Both are drawn from Japanese fonts by ``scripts/make_sample.py`` (with
``scripts/standin.py``) in K49's exact format and class order; ``data.load("sample")``
and ``data.load("standin")`` read them. They exist so that the tutorial, the tests and
CI run offline; nothing measured on them is a K49 result.

>>> from k49tut.sample import SAMPLE_PATH
>>> SAMPLE_PATH.name
'sample.npz'
"""

from __future__ import annotations

from k49tut import paths

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
