"""The docstrings' examples write into ``tempfile.mkdtemp()``; a test run keeps none of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import k49tut.storage

TESTS = Path(__file__).resolve().parent


def _doctests_of_storage(tmp: Path) -> list[str]:
    """Run ``k49tut.storage``'s doctests with the plugin and ``tmp`` as the system's
    temporary folder; what is left in it afterwards (pytest's own folder aside)."""
    (tmp / "pytest").mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(TESTS),
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--doctest-modules", "--basetemp", str(tmp / "pytest"), "-p", "doctest_folders",
         k49tut.storage.__file__],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed in " in done.stdout  # the doctests ran
    return sorted(p.name for p in tmp.iterdir() if p.name != "pytest")


def test_doctests_leave_nothing_in_the_temporary_folder(tmp_path):
    # without the plugin, storage's example leaves the folder it made with mkdtemp()
    assert _doctests_of_storage(tmp_path) == []


def test_the_suite_loads_the_plugin_for_the_doctests_in_src(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("doctest_folders")  # conftest.py loads it
