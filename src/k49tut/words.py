"""Counts in words, for the messages and the figures alike.

>>> plural(1, "notebook"), plural(4, "notebook"), plural(2, "class", "classes")
('1 notebook', '4 notebooks', '2 classes')
"""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 image"``, ``"2 images"``, ``"1,200 images"``."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
