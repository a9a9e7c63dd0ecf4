"""Real filesystem conditions for tests: read-only mounts, tiny disks, a user without privileges.

Tests run as root here (and in CI), and root writes and reads through any permission
bits. So:

* :func:`mount_tmpfs` mounts a real tmpfs (of a given size, optionally read-only), which
  binds root as well; it skips the test where mounting is not permitted;
* :func:`unprivileged` runs a command as this user without the capabilities that let
  root override permissions (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``,
  ``CAP_FOWNER``), so mode bits bind it as they bind any user; for a user who is not
  root, it runs the command as it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

_PR_CAPBSET_DROP = 24
_OVERRIDES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
NOBODY = 65534


@contextlib.contextmanager
def mount_tmpfs(
    where: Path, size: str = "1m", files: dict[str, bytes] | None = None, read_only: bool = False
):
    """Mount a tmpfs of ``size`` at ``where`` holding ``files``; read-only if asked."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        for name, body in (files or {}).items():
            (where / name).write_bytes(body)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _drop_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def unprivileged(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``args`` as a user whom file permissions bind (see the module doc)."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 120)
    if os.geteuid() == 0:
        kwargs["preexec_fn"] = _drop_overrides
    return subprocess.run(args, **kwargs)


def python_unprivileged(code: str, **kwargs) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a fresh interpreter under :func:`unprivileged`."""
    return unprivileged([sys.executable, "-c", code], **kwargs)


def give_away(path: Path, mode: int) -> None:
    """Make ``path`` belong to another user (nobody) where possible, with ``mode``."""
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    os.chmod(path, mode)
