"""Damaged ``.npz`` archives, each corruption made by hand: every one raises DataFormatError
naming the file, and no size an archive claims is allocated before it is checked."""

from __future__ import annotations

import io
import shlex
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from conftest import npz_bytes

from k49tut import data
from k49tut.errors import DataFormatError

NAME = "k49-train-imgs.npz"


def _offsets(body: bytes) -> tuple[int, int, int]:
    """Where the one entry's local header, its compressed data and its central record start."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        local = archive.getinfo("arr_0.npy").header_offset
    name_len, extra_len = struct.unpack("<HH", body[local + 26 : local + 30])
    return local, local + 30 + name_len + extra_len, body.rindex(b"PK\x01\x02")


def _patched(body: bytes, *patches: tuple[int, bytes]) -> bytes:
    out = bytearray(body)
    for at, new in patches:
        out[at : at + len(new)] = new
    return bytes(out)


def _bad_deflate(body):
    _, start, _ = _offsets(body)
    return _patched(body, (start, b"\xff"))  # block type 3 does not exist


def _unsupported_method(body):
    local, _, central = _offsets(body)
    return _patched(
        body, (local + 8, struct.pack("<H", 99)), (central + 10, struct.pack("<H", 99))
    )


def _encrypted(body):
    local, _, central = _offsets(body)
    flags = struct.unpack("<H", body[local + 6 : local + 8])[0] | 0x1
    return _patched(
        body, (local + 6, struct.pack("<H", flags)), (central + 8, struct.pack("<H", flags))
    )


def _zip_claims_a_huge_entry(body):
    _, _, central = _offsets(body)
    return _patched(body, (central + 24, struct.pack("<I", 0xFFFF0000)))


def _bad_crc(body):
    local, _, central = _offsets(body)
    return _patched(body, (local + 14, b"\0\0\0\0"), (central + 16, b"\0\0\0\0"))


def _npz_with_header(shape, payload: bytes) -> bytes:
    """An .npz whose arr_0.npy header announces ``shape`` (uint8) but holds ``payload``."""
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arr_0.npy", npy.getvalue() + payload)
    return buf.getvalue()


@pytest.mark.parametrize(
    "damage, says",
    [
        (_bad_deflate, "invalid block type"),
        (_unsupported_method, "uses zip compression method 99"),
        (_encrypted, "is encrypted"),
        (_zip_claims_a_huge_entry, "claims 4,294,901,760 bytes of array data"),
        (_bad_crc, "Bad CRC-32"),
        (lambda body: body[: len(body) // 2], "not a readable .npz"),
        (
            lambda body: _npz_with_header((61, 28, 28), bytes(60 * 784)),
            "announces 47,824 bytes of array data, but 47,040 follow",
        ),
    ],
)
def test_every_damage_raises_data_format_error_naming_the_file(tiny_k49, tmp_path, damage, says):
    _, bodies, _ = tiny_k49
    for name, body in bodies.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / NAME).write_bytes(damage(bodies[NAME]))
    with pytest.raises(DataFormatError) as info:
        data.load("k49", data_dir=tmp_path, verify=False)
    message = str(info.value)
    assert message.startswith(str(tmp_path / NAME))
    assert says in message
    assert (
        f"run `k49tut download --data-dir {shlex.quote(str(tmp_path))}` to replace it" in message
    )


def test_a_header_claiming_gigabytes_is_refused_before_allocating(tiny_k49, tmp_path):
    _, bodies, _ = tiny_k49
    for name, body in bodies.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / NAME).write_bytes(_npz_with_header((10_000_000, 28, 28), bytes(60 * 784)))
    tracemalloc.start()
    try:
        with pytest.raises(DataFormatError, match="announces 7,840,000,000 bytes"):
            data.load("k49", data_dir=tmp_path, verify=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000


def test_the_tiny_archives_themselves_load(tiny_k49, tmp_path):
    arrays, bodies, _ = tiny_k49
    for name, body in bodies.items():
        (tmp_path / name).write_bytes(body)
    assert np.array_equal(data._read_array(tmp_path / NAME), arrays[NAME])
    stored = io.BytesIO()
    np.savez(stored, arrays[NAME])  # uncompressed archives load too
    (tmp_path / "stored.npz").write_bytes(stored.getvalue())
    assert np.array_equal(data._read_array(tmp_path / "stored.npz"), arrays[NAME])
    assert npz_bytes(arrays[NAME]) == bodies[NAME]
