"""The offline stand-in: K49's format, K49-like statistics, honest labelling, reproducible."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from k49tut import data, paths, sample
from k49tut.classes import CHARS, K49_TEST_COUNTS, classmap
from k49tut.errors import DataFormatError, StorageError
from k49tut.fonts import font_path
from k49tut.synth import FontSpec

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))  # the stand-in's generator lives beside make_sample.py
from standin import allocate, make_split, write_sample, write_standin  # noqa: E402

REAL_MEAN, REAL_INK = 46.5, 0.31  # first 100 real K49 test images (k49-facts)


@pytest.fixture(scope="module")
def ds():
    return data.load("sample")


def _ranks_like(counts, reference) -> bool:
    """Whenever ``reference`` has more of class i than of class j, so does ``counts`` (or ties)."""
    c, r = np.asarray(counts), np.asarray(reference)
    more = r[:, None] > r[None, :]
    return bool((c[:, None] >= c[None, :])[more].all())


def test_sample_has_k49_format_and_says_it_is_synthetic(ds):
    assert ds.name == "sample" and ds.is_synthetic
    assert "not Kuzushiji-49" in ds.description and "not K49" in repr(ds)
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.uint8 and x.shape[1:] == (28, 28) and len(x) == len(y)
        assert y.min() == 0 and y.max() == 48
    assert 5_000 <= len(ds.x_train) <= 10_000 and 1_000 <= len(ds.x_test) <= 2_000
    assert ds.classmap.equals(classmap())


def test_shipped_file_is_small():
    assert sample.SAMPLE_PATH.stat().st_size <= 3_000_000


def test_all_classes_present_and_counts_rank_like_k49(ds):
    for y in (ds.y_train, ds.y_test):
        counts = np.bincount(y, minlength=49)
        assert (counts > 0).all()
        assert _ranks_like(counts, K49_TEST_COUNTS)
        assert not _ranks_like(counts[::-1], K49_TEST_COUNTS)
    train = np.bincount(ds.y_train, minlength=49)
    assert {CHARS[i] for i in np.argsort(train)[:3]} == {"ゐ", "ゑ", "え"}


def test_every_class_has_at_least_20_test_images(ds):
    counts = np.bincount(ds.y_test, minlength=49)
    assert counts.min() == 20  # the floor, reached by the rarest classes
    assert (counts[np.asarray(K49_TEST_COUNTS) == 1000] > 20).all()


def test_pixel_statistics_are_near_real_k49(ds):
    for x in (ds.x_train, ds.x_test):
        assert abs(x.mean() - REAL_MEAN) / REAL_MEAN < 0.25
        assert abs((x > 0).mean() - REAL_INK) / REAL_INK < 0.25


def test_long_side_fills_the_frame(ds):
    ink = ds.x_test > 0
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    full = (rows[:, 0] & rows[:, -1]) | (cols[:, 0] & cols[:, -1])
    assert full.mean() > 0.99


def test_test_fonts_are_unseen_in_training():
    with np.load(sample.SAMPLE_PATH) as z:
        meta = json.loads(str(z["meta"]))
    assert meta["train_fonts"] and meta["test_fonts"]
    assert not set(meta["train_fonts"]) & set(meta["test_fonts"])
    script_path = SCRIPTS / "make_sample.py"
    spec = importlib.util.spec_from_file_location("make_sample", script_path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert [f.name for f in script.TRAIN_FONTS] == meta["train_fonts"]
    assert not {f.path for f in script.TRAIN_FONTS} & {f.path for f in script.TEST_FONTS}
    assert {f.style for f in script.TEST_FONTS} == {"brush", "handwriting", "mincho", "gothic"}


def test_generator_is_reproducible():
    fonts = [FontSpec("bundled", str(font_path()), "gothic")]
    counts = [2] * 49
    x1, y1 = make_split(counts, fonts, seed=7, split=0)
    x2, y2 = make_split(counts, fonts, seed=7, split=0)
    x3, _ = make_split(counts, fonts, seed=8, split=0)
    x4, y4 = make_split(counts, fonts, seed=7, split=0, workers=2, block=10)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert np.array_equal(x1, x4) and np.array_equal(y1, y4)
    assert not np.array_equal(x1, x3)
    assert np.bincount(y1).tolist() == counts


def test_allocate_is_exact_and_proportional():
    parts = allocate(232_365, K49_TEST_COUNTS)
    assert parts.sum() == 232_365
    assert parts[CHARS.index("ゑ")] == round(232_365 * 64 / 38_547)


def test_standin_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (98, 28, 28), dtype=np.uint8)
    y = np.arange(98, dtype=np.uint8) % 49
    write_standin(tmp_path, x, y, x[:49], y[:49], {"seed": 1})
    ds = data.load("standin", data_dir=tmp_path)
    assert ds.is_synthetic and ds.name == "standin"
    assert np.array_equal(ds.x_train, x) and np.array_equal(ds.y_test, y[:49])


def test_missing_standin_says_how_to_make_it(tmp_path):
    with pytest.raises(DataFormatError, match="make_sample.py --full"):
        data.load("standin", data_dir=tmp_path)


def test_a_damaged_standin_file_says_how_to_make_it_again_not_to_download(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (49, 28, 28), dtype=np.uint8)
    y = np.arange(49, dtype=np.uint8)
    write_standin(tmp_path, x, y, x, y, {"seed": 2})
    damaged = tmp_path / sample.STANDIN_FILES[2]
    damaged.write_bytes(damaged.read_bytes()[:100])  # cut short
    with pytest.raises(DataFormatError) as info:
        data.load("standin", data_dir=tmp_path)
    message = str(info.value)
    assert message.startswith(f"{damaged} is not a readable .npz file")
    assert "It may be incomplete or damaged: make the stand-in again with `python " in message
    assert f"make_sample.py --full --data-dir {shlex.quote(str(tmp_path))}`" in message
    assert "k49tut download" not in message


@pytest.mark.parametrize("kind", ["images of 32x32", "float labels"])
def test_a_standin_file_of_the_wrong_shape_says_how_to_make_it_again(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(paths, "checkout_root", lambda: SCRIPTS.parent)  # as in a checkout
    x = np.zeros((49, 28, 28), dtype=np.uint8)
    y = np.arange(49, dtype=np.uint8)
    if kind == "images of 32x32":
        write_standin(tmp_path, np.zeros((49, 32, 32), np.uint8), y, x, y, {"seed": 2})
        start = f"{tmp_path / sample.STANDIN_FILES[0]}: images must have shape (N, 28, 28)"
    else:
        write_standin(tmp_path, x, y, x, y.astype(np.float32), {"seed": 2})
        start = f"{tmp_path / sample.STANDIN_FILES[3]}: labels must be a 1-D integer array"
    with pytest.raises(DataFormatError) as info:
        data.load("standin", data_dir=tmp_path)
    message = str(info.value)
    assert message.startswith(start)
    assert message.endswith(
        "What to do: make the stand-in again with "
        f"`python {shlex.quote(str(SCRIPTS / 'make_sample.py'))} "
        f"--full --data-dir {shlex.quote(str(tmp_path))}`."
    )


def test_the_standin_is_made_by_the_checkouts_script_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "checkout_root", lambda: SCRIPTS.parent)
    with pytest.raises(DataFormatError) as info:
        data.load("standin", data_dir=tmp_path / "my data")
    script, folder = (
        shlex.quote(str(SCRIPTS / "make_sample.py")),
        shlex.quote(f"{tmp_path}/my data"),
    )
    assert str(info.value).endswith(
        f"Create it with `python {script} --full --data-dir {folder}`."
    )
    monkeypatch.setattr(paths, "checkout_root", lambda: None)  # installed: no script
    with pytest.raises(DataFormatError) as info:
        data.load("standin", data_dir=tmp_path)
    assert str(info.value).endswith(
        f"`python scripts/make_sample.py --full --data-dir {shlex.quote(str(tmp_path))}` in a "
        "checkout of k49tut (the script is not installed)."
    )


def test_a_directory_at_a_standin_files_name_is_named_not_called_missing(tmp_path):
    x = np.zeros((49, 28, 28), np.uint8)
    y = np.arange(49, dtype=np.uint8)
    write_standin(tmp_path, x, y, x, y, {"seed": 3})
    (tmp_path / sample.STANDIN_FILES[1]).unlink()
    (tmp_path / sample.STANDIN_FILES[1]).mkdir()
    with pytest.raises(StorageError) as info:
        data.load("standin", data_dir=tmp_path)
    assert str(info.value).startswith(
        f"{tmp_path / sample.STANDIN_FILES[1]} is not a regular file (a directory, a FIFO...), "
        f"where the data file {sample.STANDIN_FILES[1]} belongs. Move it away"
    )


def test_a_damaged_packaged_sample_says_how_to_get_it_back(tmp_path, monkeypatch):
    body = sample.SAMPLE_PATH.read_bytes()
    (tmp_path / "sample.npz").write_bytes(body[: len(body) // 2])  # a zip cut short
    monkeypatch.setattr(sample, "SAMPLE_PATH", tmp_path / "sample.npz")
    with pytest.raises(DataFormatError) as info:
        data.load("sample")
    message = str(info.value)
    assert message.startswith(f"The packaged sample {tmp_path / 'sample.npz'} is unreadable (")
    assert message.endswith(
        f"get it back: {paths.restore_hint('src/k49tut/resources/sample.npz')}."
    )


def test_the_sample_is_written_whole_under_any_name(tmp_path):
    x = np.full((49, 28, 28), 7, np.uint8)
    y = np.arange(49, dtype=np.uint8)
    for name in ("sample.npz", "no-suffix"):
        write_sample(tmp_path / name, x, y, x[:2], y[:2], {"seed": 4})
        with np.load(tmp_path / name) as z:
            assert np.array_equal(z["x_train"], x) and np.array_equal(z["y_test"], y[:2])
            assert json.loads(str(z["meta"])) == {"seed": 4}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no-suffix", "sample.npz"]


def test_a_sample_write_stopped_midway_leaves_the_old_sample_whole(tmp_path, monkeypatch):
    x = np.full((49, 28, 28), 7, np.uint8)
    y = np.arange(49, dtype=np.uint8)
    write_sample(tmp_path / "sample.npz", x, y, x[:2], y[:2], {"seed": 4})
    before = (tmp_path / "sample.npz").read_bytes()

    def stopped(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", stopped)
    with pytest.raises(KeyboardInterrupt):
        write_sample(tmp_path / "sample.npz", x, y, x[:3], y[:3], {"seed": 5})
    assert (tmp_path / "sample.npz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sample.npz"]
