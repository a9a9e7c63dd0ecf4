"""The 49 Kuzushiji-49 classes: one place that knows their order and characters.

>>> from k49tut.classes import CHARS, classmap
>>> len(CHARS), CHARS[0], CHARS[48]
(49, 'あ', 'ゝ')
>>> classmap().loc[27, "char"]
'ふ'
"""

from __future__ import annotations

import io

import pandas as pd

#: The class characters in label order (48 hiragana and the iteration mark ゝ).
CHARS: tuple[str, ...] = tuple(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをんゝ"
)
N_CLASSES: int = len(CHARS)

#: Images per class in the official K49 test split (label order; sums to 38,547).
K49_TEST_COUNTS: tuple[int, ...] = (
    1000, 1000, 1000, 126, 1000, 1000, 1000, 1000, 767, 1000,
    1000, 1000, 1000, 678, 629, 1000, 418, 1000, 1000, 1000,
    1000, 1000, 336, 399, 1000, 1000, 836, 1000, 1000, 324,
    1000, 498, 280, 552, 1000, 1000, 260, 1000, 1000, 1000,
    1000, 1000, 348, 390, 68, 64, 1000, 1000, 574,
)  # fmt: skip
K49_N_TRAIN: int = 232_365
K49_N_TEST: int = 38_547


def classmap_csv() -> bytes:
    """The class map as the bytes of the official ``k49_classmap.csv``.

    >>> import hashlib
    >>> hashlib.md5(classmap_csv()).hexdigest()
    'f7d0d0391f68bdf0fe4cf160ceb85753'
    """
    rows = ["index,codepoint,char"]
    rows += [f"{i},U+{ord(c):04X},{c}" for i, c in enumerate(CHARS)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def classmap() -> pd.DataFrame:
    """The class map as a DataFrame with columns ``index``, ``codepoint``, ``char``.

    >>> classmap().shape
    (49, 3)
    """
    return pd.read_csv(io.BytesIO(classmap_csv()), encoding="utf-8")  # as K49's own file reads
