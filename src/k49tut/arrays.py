"""Reading ``.npy`` data in chunks, into 64-byte aligned memory, without extra copies.

:func:`read_npy` reads an ``.npy`` stream (a member of an ``.npz``) straight into its
final array, a few MB at a time, so loading K49 never holds a second copy of it. The
array starts on a 64-byte boundary, which TensorFlow and SIMD code read fastest.

>>> a = empty_aligned((3, 28, 28), "uint8")
>>> a.ctypes.data % ALIGN, a.flags.c_contiguous
(0, True)
"""

from __future__ import annotations

import math

import numpy as np

ALIGN = 64
READ_CHUNK = 8 << 20  # bytes per read from a compressed stream


def empty_aligned(shape, dtype) -> np.ndarray:
    """An uninitialised C-contiguous array whose data starts on a 64-byte boundary."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = (-raw.ctypes.data) % ALIGN
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def read_npy(stream, size: int | None = None) -> np.ndarray:
    """Read one ``.npy`` stream (e.g. a member of an ``.npz``) into aligned memory.

    ``size`` is the stream's length in bytes, when known (a zip entry's stated size):
    the array the header announces must fill exactly what follows the header, which is
    checked before any memory is allocated. Damage raises :class:`ValueError`.
    """
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if dtype.hasobject:
        raise ValueError("arrays of Python objects are not supported")
    nbytes = math.prod(shape) * dtype.itemsize
    if size is not None and nbytes != size - stream.tell():
        raise ValueError(
            f"the header announces {nbytes:,} bytes of array data, but "
            f"{size - stream.tell():,} follow it"
        )
    out = empty_aligned(shape[::-1] if fortran else shape, dtype)
    view = memoryview(out.reshape(-1).view(np.uint8))
    filled = 0
    while filled < len(view):
        # zipfile's readinto reads into a temporary bytes object: keep each call small
        n = stream.readinto(view[filled : filled + READ_CHUNK])
        if not n:
            raise ValueError(f"the array data ends after {filled:,} of {len(view):,} bytes")
        filled += n
    if stream.read(1):  # reading to the end also makes zipfile check the CRC
        raise ValueError("unexpected bytes after the array data")
    return out.T if fortran else out
