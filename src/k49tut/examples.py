"""Pictures to try a network on: the bundled examples, a file, or an upload in Jupyter.

The examples are photos-like pictures of one character each (``scripts/make_examples.py``
draws them): hiragana drawn stroke by stroke or printed, and two that are not hiragana.

>>> pictures = bundled()
>>> [e.shows for e in pictures.values()][:3]
['く', 'し', 'つ']
>>> pictures["seven_drawn.png"].hiragana, pictures["seven_drawn.png"].picture.shape[2]
(False, 3)
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from importlib import resources

import numpy as np

from k49tut.classes import CHARS
from k49tut.errors import K49TutError


@dataclass(frozen=True)
class Example:
    """One picture (H, W, 3 uint8 RGB), what it shows (``None`` if unknown) and how it was made."""

    picture: np.ndarray
    shows: str | None
    kind: str

    @property
    def hiragana(self) -> bool:
        """Whether it shows one of the 49 characters the network knows."""
        return self.shows in CHARS


def _rgb(raw: bytes, name: str) -> np.ndarray:
    """The picture in the bytes of an image file, as RGB."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError) as error:
        raise K49TutError(
            f"Cannot read a picture from {name}: {error}. Use a PNG or JPEG file of one character."
        ) from error


def bundled() -> dict[str, Example]:
    """The bundled pictures, by file name, in a fixed order."""
    folder = resources.files("k49tut") / "resources" / "examples"
    manifest = json.loads((folder / "examples.json").read_text(encoding="utf-8"))
    return {
        item["file"]: Example(
            _rgb((folder / item["file"]).read_bytes(), item["file"]), item["shows"], item["kind"]
        )
        for item in manifest
    }


def read_picture(path: str | os.PathLike, shows: str | None = None) -> Example:
    """A picture file of your own, as an :class:`Example` (``shows``: what you drew, if known)."""
    try:
        with open(path, "rb") as file:
            return Example(_rgb(file.read(), str(path)), shows, "your picture")
    except OSError as error:
        raise K49TutError(f"Cannot open {path}: {error.strerror or error}.") from error


def upload_widget():
    """A button to upload pictures in Jupyter or Colab, or ``None`` without ipywidgets."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets.FileUpload(accept="image/*", multiple=True, description="Upload")


def uploaded(widget) -> dict[str, Example]:
    """The pictures uploaded with :func:`upload_widget` so far, by file name."""
    if widget is None:
        return {}
    return {
        item["name"]: Example(_rgb(bytes(item["content"]), item["name"]), None, "your upload")
        for item in widget.value
    }
