"""The engine of the synthetic stand-in: K49-format images of the 49 characters from fonts.

Each image is one character drawn from a font (:func:`k49tut.synth.draw`) with a random
stroke width, a random affine distortion (rotation, shear, squash) and a smooth elastic
warp, then cropped to its ink, scaled so its long side fills the 28-pixel frame
(:func:`k49tut.synth.fit`), and given a random ink intensity: white strokes on black,
uint8, like Kuzushiji-49. Every image has its own random generator seeded from ``(seed,
split, index)``, so the same fonts and seed give identical arrays however the work is
split. ``make_sample.py`` calls it; the package only loads what it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import ndimage

from k49tut.classes import CHARS
from k49tut.sample import STANDIN_FILES, STANDIN_META
from k49tut.storage import atomic_write
from k49tut.synth import FontSpec, draw, fit

STROKE_MIN, STROKE_MAX = 1.4, 3.0  # stroke width in the final 28x28 image, pixels


def _distort(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random affine map followed by a smooth elastic warp (Simard et al., 2003)."""
    angle = np.deg2rad(rng.normal(0, 7))
    shear = rng.normal(0, 0.15)
    sx, sy = np.exp(rng.normal(0, 0.12, size=2))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sy, sx])
    inverse = np.linalg.inv(matrix)
    centre = np.array(img.shape) / 2
    offset = centre - inverse @ centre
    out = ndimage.affine_transform(img, inverse, offset=offset, order=1)
    alpha, sigma = rng.uniform(2.0, 5.0), 6.0
    dy = ndimage.gaussian_filter(rng.uniform(-1, 1, img.shape), sigma) * alpha * sigma
    dx = ndimage.gaussian_filter(rng.uniform(-1, 1, img.shape), sigma) * alpha * sigma
    yy, xx = np.meshgrid(np.arange(img.shape[0]), np.arange(img.shape[1]), indexing="ij")
    return ndimage.map_coordinates(out, [yy + dy, xx + dx], order=1)


def _stroke_for(thin: np.ndarray, target: float) -> int:
    """The extra stroke width that makes strokes ``target`` pixels wide once fitted to 28."""
    mask = thin > 0.5
    if not mask.any():
        return 0
    ys, xs = np.nonzero(mask)
    scale = 28 / max(np.ptp(ys) + 1, np.ptp(xs) + 1)
    edge = (mask & ~ndimage.binary_erosion(mask)).sum()
    width = 2 * mask.sum() / max(edge, 1)  # mean stroke width, for long strokes
    return int(np.clip(round((target / scale - width) / 2), 0, 12))


def render(char: str, font: FontSpec, seed: int | np.random.Generator = 0) -> np.ndarray:
    """One 28x28 uint8 image of ``char`` drawn from ``font`` with random variation."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    thin = draw(char, font, 0)
    stroke = _stroke_for(thin, target=rng.uniform(STROKE_MIN, STROKE_MAX))
    img = fit(_distort(draw(char, font, stroke) if stroke else thin, rng))
    gamma = rng.uniform(0.6, 1.0)
    peak = rng.uniform(0.85, 1.0)
    img = np.where(img < 0.04, 0, np.clip(img, 0, 1)) ** gamma * peak  # clean background
    return np.round(img * 255).astype(np.uint8)


def allocate(total: int, weights) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    >>> allocate(10, [1, 1, 2]).tolist()
    [3, 2, 5]
    """
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - parts), kind="stable")[: total - parts.sum()]:
        parts[i] += 1
    return parts


def _render_block(
    chars: list[str], fonts: list[FontSpec], seed: int, split: int, start: int
) -> np.ndarray:
    out = np.empty((len(chars), 28, 28), np.uint8)
    for k, char in enumerate(chars):
        rng = np.random.default_rng([seed, split, start + k])
        out[k] = render(char, fonts[int(rng.integers(len(fonts)))], rng)
    return out


def make_split(
    counts,
    fonts: list[FontSpec],
    seed: int,
    split: int,
    progress: bool = False,
    workers: int = 1,
    block: int = 2_000,
):
    """Images and labels for one split: ``counts[c]`` images of class ``c``.

    Fonts are drawn uniformly per image; image ``i`` uses the generator
    ``default_rng([seed, split, i])``, so ``workers`` (processes) never changes the
    result. Returns ``(x, y)``, uint8, in shuffled order.
    """
    labels = np.repeat(np.arange(len(CHARS)), counts).astype(np.uint8)
    labels = labels[np.random.default_rng([seed, split]).permutation(len(labels))]
    starts = range(0, len(labels), block)
    jobs = [([CHARS[c] for c in labels[s : s + block]], fonts, seed, split, s) for s in starts]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(labels), desc=f"split {split}", unit="img", mininterval=1.0)
    blocks = []
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            for out in pool.map(_render_block, *zip(*jobs)):
                blocks.append(out)
                bar and bar.update(len(out))
    else:
        for job in jobs:
            blocks.append(_render_block(*job))
            bar and bar.update(len(blocks[-1]))
    if bar:
        bar.close()
    images = np.concatenate(blocks) if blocks else np.empty((0, 28, 28), np.uint8)
    return images, labels


def write_sample(path: Path, x_train, y_train, x_test, y_test, meta: dict) -> None:
    """Write the small sample as one compressed .npz (plus its metadata as JSON), under a
    temporary name first, so that a run stopped midway leaves the old sample whole."""
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    meta_text = np.array(json.dumps(meta, sort_keys=True))
    atomic_write(path, lambda tmp: _save_npz(tmp, **arrays, meta=meta_text))


def _save_npz(path: Path, *arrays: np.ndarray, **named: np.ndarray) -> None:
    """Arrays into a compressed .npz (one unnamed array: K49's format, key ``arr_0``); to
    an open file, since np.savez adds ``.npz`` to a path that lacks it."""
    with open(path, "wb") as f:
        np.savez_compressed(f, *arrays, **named)


def write_standin(root: Path, x_train, y_train, x_test, y_test, meta: dict) -> None:
    """Write a stand-in into ``root`` as four K49-format files (key ``arr_0``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, array in zip(STANDIN_FILES, (x_train, y_train, x_test, y_test)):
        atomic_write(root / name, lambda tmp, a=array: _save_npz(tmp, a))
    text = json.dumps(meta, indent=1, sort_keys=True)
    atomic_write(root / STANDIN_META, lambda p: p.write_text(text, encoding="utf-8"))
