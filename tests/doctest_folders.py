"""A pytest plugin (loaded by ``conftest.py``) for the doctests in ``src/k49tut``.

The docstrings' examples write where a reader would, into ``tempfile.mkdtemp()``; under
pytest that folder is inside the test's own ``tmp_path``, removed with pytest's other
temporary files, so a test run leaves nothing in the system's temporary folder.
"""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(autouse=True)
def _doctests_write_in_their_own_folder(request, tmp_path, monkeypatch):
    if type(request.node).__name__ == "DoctestItem":
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
