"""Aligned reading of .npy data, which lets TensorFlow share the images without a copy."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from k49tut import arrays


def _is_aligned(a: np.ndarray) -> bool:
    """C-contiguous, writable and starting on a 64-byte boundary."""
    return bool(a.flags.c_contiguous and a.flags.writeable and a.ctypes.data % arrays.ALIGN == 0)


def _npz_member(array: np.ndarray, compressed: bool = True):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, array)
    return zipfile.ZipFile(buf).open("arr_0.npy")


@pytest.mark.parametrize(
    "shape, dtype, order",
    [
        ((3, 28, 28), np.uint8, "C"),
        ((12_000, 28, 28), np.uint8, "C"),  # larger than one read chunk
        ((5, 7), np.int64, "F"),
    ],
)
def test_read_npy_matches_numpy_and_is_aligned(shape, dtype, order):
    rng = np.random.default_rng(0)
    a = np.asarray(rng.integers(0, 200, shape), dtype=dtype, order=order)
    with _npz_member(a) as stream:
        out = arrays.read_npy(stream)
    np.testing.assert_array_equal(out, a)
    assert out.dtype == a.dtype
    if order == "C":
        assert _is_aligned(out)


def test_read_npy_refuses_truncated_data():
    buf = io.BytesIO()
    np.save(buf, np.zeros((10, 28, 28), np.uint8))
    short = io.BytesIO(buf.getvalue()[:-100])
    with pytest.raises(ValueError, match="ends after"):
        arrays.read_npy(short)


def test_is_aligned_tells_apart_offset_views():
    a = arrays.empty_aligned((4, 28, 28), np.uint8)
    assert _is_aligned(a)
    b = np.zeros(785, np.uint8)[1:].reshape(1, 28, 28)
    assert not _is_aligned(b)  # starts one byte past an allocation
