#!/usr/bin/env python3
"""Regenerate the pictures Part 4 tries the network on (src/k49tut/resources/examples/).

Each picture looks like a photo of one character on paper or a board, not like a K49
image: large, off-centre, in colour, with paper texture. Three hiragana are drawn stroke
by stroke along pen paths written out below (with a wobble, as a hand draws them), two are
printed with the bundled font, and two are not hiragana at all (a digit and a Latin
letter, drawn the same way). ``examples.json`` says what each one shows.

    python scripts/make_examples.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from k49tut.fonts import font_path

OUT = Path(__file__).resolve().parent.parent / "src" / "k49tut" / "resources" / "examples"
PAPER, INK = (236, 230, 214), (28, 38, 92)  # cream paper, blue-black ink

#: Pen paths in a unit box (x right, y down); one list of points per stroke.
STROKES = {
    "く": [[(0.70, 0.05), (0.45, 0.30), (0.25, 0.50), (0.45, 0.72), (0.72, 0.95)]],
    "し": [
        [
            (0.32, 0.05),
            (0.32, 0.40),
            (0.33, 0.72),
            (0.40, 0.88),
            (0.55, 0.93),
            (0.70, 0.86),
            (0.82, 0.72),
        ]
    ],  # fmt: skip
    "つ": [
        [
            (0.05, 0.42),
            (0.30, 0.30),
            (0.58, 0.26),
            (0.84, 0.36),
            (0.92, 0.52),
            (0.80, 0.68),
            (0.58, 0.78),
            (0.38, 0.80),
        ]
    ],  # fmt: skip
    "7": [[(0.18, 0.10), (0.80, 0.10), (0.62, 0.45), (0.42, 0.92)]],
    "A": [[(0.12, 0.92), (0.50, 0.08), (0.88, 0.92)], [(0.28, 0.62), (0.72, 0.62)]],
}


def _paper(size: tuple[int, int], rng: np.random.Generator, colour=PAPER) -> Image.Image:
    noise = rng.normal(0, 6, (size[1], size[0], 1))
    shade = np.linspace(-10, 8, size[0])[None, :, None]  # light falling from one side
    pixels = np.clip(np.asarray(colour, float) + noise + shade, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def _smooth_path(points, rng: np.random.Generator, n: int = 60) -> np.ndarray:
    """The polyline through ``points``, resampled and given a slow hand-like wobble."""
    p = np.asarray(points, float)
    seg = np.r_[0, np.cumsum(np.hypot(*np.diff(p, axis=0).T))]
    t = np.linspace(0, seg[-1], n)
    path = np.c_[np.interp(t, seg, p[:, 0]), np.interp(t, seg, p[:, 1])]
    wobble = np.cumsum(rng.normal(0, 0.004, (n, 2)), axis=0)
    return path + wobble - np.linspace(0, 1, n)[:, None] * wobble[-1]  # ends stay put


def drawn(char: str, seed: int, size=(260, 220), box=(60, 30, 200, 170), pen=11) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = _paper(size, rng)
    draw = ImageDraw.Draw(image)
    x0, y0, x1, y1 = box
    for stroke in STROKES[char]:
        path = _smooth_path(stroke, rng)
        xy = [(x0 + x * (x1 - x0), y0 + y * (y1 - y0)) for x, y in path]
        draw.line(xy, fill=INK, width=pen, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen ends
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=INK)
    return image.filter(ImageFilter.GaussianBlur(1.2))


def printed(char: str, seed: int, paper=PAPER, ink=INK, size=(240, 240), at=(150, 110)):
    rng = np.random.default_rng(seed)
    image = _paper(size, rng, paper)
    font = ImageFont.truetype(str(font_path()), 120)
    ImageDraw.Draw(image).text(at, char, fill=ink, font=font, anchor="mm")
    return image.filter(ImageFilter.GaussianBlur(0.8))


EXAMPLES = [  # file, what it shows, how it was made, the picture
    ("ku_drawn.png", "く", "hiragana, drawn stroke by stroke", lambda: drawn("く", 1)),
    ("shi_drawn.png", "し", "hiragana, drawn stroke by stroke", lambda: drawn("し", 2)),
    ("tsu_drawn.png", "つ", "hiragana, drawn stroke by stroke", lambda: drawn("つ", 3)),
    ("a_printed.png", "あ", "hiragana, printed", lambda: printed("あ", 4)),
    (
        "ta_on_board.png",
        "た",
        "hiragana, printed light on a dark board",
        lambda: printed("た", 5, paper=(38, 62, 48), ink=(228, 228, 220), at=(100, 130)),
    ),  # fmt: skip
    ("seven_drawn.png", "7", "a digit, not a hiragana", lambda: drawn("7", 6)),
    ("letter_A_drawn.png", "A", "a Latin letter, not a hiragana", lambda: drawn("A", 7)),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, shows, kind, make in EXAMPLES:
        make().save(OUT / name, optimize=True)
        manifest.append({"file": name, "shows": shows, "kind": kind})
    (OUT / "examples.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(manifest)} pictures and examples.json to {OUT}")


if __name__ == "__main__":
    main()
