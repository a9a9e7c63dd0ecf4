"""The pictures Part 4 tries its network on, and the notebook's own `to_k49`: a character
rendered from the bundled font, as a photo would show it, comes back as that character."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from k49tut import examples
from k49tut.classes import CHARS
from k49tut.errors import K49TutError
from k49tut.fonts import font_path
from k49tut.synth import printed

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_inside.ipynb"


@pytest.fixture(scope="module")
def to_k49():
    """The function exactly as the notebook defines it."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    (source,) = ["".join(c["source"]) for c in cells if "def to_k49(" in "".join(c["source"])]
    namespace = {"np": np, "Image": Image}
    exec(source, namespace)
    return namespace["to_k49"]


def _photo(char: str, paper, ink, at, size=(300, 220), font_size=130) -> np.ndarray:
    rng = np.random.default_rng(ord(char))
    page = np.clip(np.asarray(paper, float) + rng.normal(0, 5, (size[1], size[0], 3)), 0, 255)
    image = Image.fromarray(page.astype(np.uint8))
    font = ImageFont.truetype(str(font_path()), font_size)
    ImageDraw.Draw(image).text(at, char, fill=ink, font=font, anchor="mm")
    return np.asarray(image)


def _nearest(image: np.ndarray, templates: np.ndarray) -> int:
    a = image.astype(float).ravel()
    a = (a - a.mean()) / a.std()
    t = templates.reshape(len(templates), -1).astype(float)
    t = (t - t.mean(axis=1, keepdims=True)) / t.std(axis=1, keepdims=True)
    return int(np.argmax(t @ a))


@pytest.mark.parametrize(
    "paper, ink, at",
    [((240, 236, 225), (20, 30, 90), (190, 100)), ((35, 60, 45), (230, 230, 220), (100, 120))],
    ids=["dark ink on paper", "chalk on a board"],
)
def test_a_printed_character_comes_back_as_itself(to_k49, paper, ink, at):
    templates = np.stack([printed(c) for c in CHARS])
    found = []
    for char in CHARS:
        image = to_k49(_photo(char, paper, ink, at))
        assert image.shape == (28, 28) and image.dtype == np.uint8
        rows, cols = np.flatnonzero(image.max(1) > 40), np.flatnonzero(image.max(0) > 40)
        long_side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
        assert long_side >= 27, char  # the longer side fills the frame
        assert abs(rows[0] - (27 - rows[-1])) <= 2 and abs(cols[0] - (27 - cols[-1])) <= 2, char
        assert (image < 16).mean() > 0.3, char  # the paper became black
        found.append(CHARS[_nearest(image, templates)])
    assert found == list(CHARS)


def test_bundled_pictures_say_what_they_show():
    pictures = examples.bundled()
    assert list(pictures) == [
        "ku_drawn.png", "shi_drawn.png", "tsu_drawn.png", "a_printed.png",
        "ta_on_board.png", "seven_drawn.png", "letter_A_drawn.png",
    ]  # fmt: skip
    assert [p.shows for p in pictures.values()] == ["く", "し", "つ", "あ", "た", "7", "A"]
    assert [p.hiragana for p in pictures.values()] == [True] * 5 + [False] * 2
    assert all(p.picture.ndim == 3 and p.picture.dtype == np.uint8 for p in pictures.values())
    assert sum("drawn stroke by stroke" in p.kind for p in pictures.values()) == 3


def test_a_picture_of_your_own(tmp_path):
    path = tmp_path / "mine.png"
    Image.fromarray(_photo("ふ", (250, 250, 250), (0, 0, 0), (150, 110))).save(path)
    mine = examples.read_picture(path, shows="ふ")
    assert mine.hiragana and mine.kind == "your picture" and mine.picture.shape == (220, 300, 3)


def test_a_file_that_is_no_picture_says_so(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(K49TutError, match="Cannot read a picture from .*notes.png.*PNG or JPEG"):
        examples.read_picture(path)
    with pytest.raises(K49TutError, match="Cannot open .*missing.png: No such file"):
        examples.read_picture(tmp_path / "missing.png")


def test_uploads_become_pictures():
    import datetime
    import io

    buffer = io.BytesIO()
    Image.fromarray(_photo("の", (250, 250, 250), (0, 0, 0), (150, 110))).save(buffer, "PNG")
    widget = examples.upload_widget()
    widget.value = (
        {"name": "no.png", "type": "image/png", "size": buffer.tell(),
         "content": memoryview(buffer.getvalue()),
         "last_modified": datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)},
    )  # fmt: skip
    got = examples.uploaded(widget)
    assert list(got) == ["no.png"] and got["no.png"].shows is None
    assert got["no.png"].picture.shape == (220, 300, 3)
    assert examples.uploaded(None) == {}
