"""The notebooks' setup cell, which makes a fresh Google Colab or Kaggle runtime ready for them.

Colab ships TensorFlow, Keras, NumPy, pandas, scikit-learn, SciPy, matplotlib, Pillow,
requests and its own Jupyter, and so do Kaggle's notebooks. Installing k49tut with its
dependencies could replace some of them, so the cell installs k49tut with ``--no-deps``
and then adds the small packages they may lack, at k49tut's minimum versions (pip installs
what is missing or too old and leaves the rest alone). Elsewhere the cell does nothing.
Every notebook carries the same cell; these tests run it with ``subprocess.run`` recorded.
"""

from __future__ import annotations

import subprocess
import sys
import types
from importlib.metadata import requires

import nbformat
import pytest
from packaging.requirements import Requirement

from k49tut.paths import notebooks_dir
from k49tut.runner import NOTEBOOKS

#: Where the cell installs k49tut from.
REPOSITORY = "https://github.com/k49tut/k49tut"
#: k49tut's dependencies that ship with Colab (the cell leaves them as they are).
PREINSTALLED = {"tensorflow", "keras", "numpy", "pandas", "matplotlib", "scikit-learn", "scipy",
                "pillow", "requests", "urllib3"}  # fmt: skip
PIP = [sys.executable, "-m", "pip", "install", "-q"]


def _setup_cells() -> dict[str, list[str]]:
    cells = {}
    for name in NOTEBOOKS:
        nb = nbformat.read(notebooks_dir() / name, as_version=4)
        cells[name] = [c.source for c in nb.cells if '"pip", "install"' in c.source]
    return cells


def _setup_cell() -> str:
    """The setup cell of Part 1 (the test below checks the others carry the same)."""
    cells = _setup_cells()[NOTEBOOKS[0]]
    assert len(cells) == 1, f"{NOTEBOOKS[0]} has {len(cells)} setup cells, not 1"
    return cells[0]


def _core_requirements() -> list[Requirement]:
    """k49tut's dependencies, without those of its extras."""
    found = [Requirement(line) for line in requires("k49tut")]
    return [r for r in found if r.marker is None or "extra" not in str(r.marker)]


def _run_cell(monkeypatch, in_colab: bool, in_kaggle: bool = False) -> list[list[str]]:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw)))
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    if in_kaggle:  # what Kaggle's notebooks set
        monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    else:
        monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    exec(compile(_setup_cell(), "setup-cell", "exec"), {})
    assert all(kw == {"check": True} for _, kw in calls)
    return [args for args, _ in calls]


def test_every_notebook_carries_one_and_the_same_setup_cell():
    cell = _setup_cell()
    assert all(cells == [cell] for cells in _setup_cells().values()), _setup_cells()


def test_in_colab_the_cell_adds_k49tut_without_dependencies_then_the_small_packages(monkeypatch):
    first, second = _run_cell(monkeypatch, in_colab=True)
    assert first == [*PIP, "--no-deps", f"k49tut @ git+{REPOSITORY}"]
    assert second[: len(PIP)] == PIP
    added = {r.name: r for r in map(Requirement, second[len(PIP) :])}
    core = _core_requirements()
    assert {r.name for r in core} == PREINSTALLED | set(added)  # every dependency Colab lacks
    assert not PREINSTALLED & set(added)
    for r in core:
        if r.name in added:  # at k49tut's own minimum
            assert added[r.name].specifier == r.specifier, r.name


@pytest.mark.parametrize("name", ["tensorflow", "keras", "numpy", "jupyter", "ipykernel"])
def test_the_cell_never_installs_what_colab_ships(monkeypatch, name):
    for args in _run_cell(monkeypatch, in_colab=True):
        assert not any(Requirement(a).name == name for a in args[5:] if not a.startswith("-"))


def test_on_kaggle_the_cell_installs_the_same(monkeypatch):
    assert _run_cell(monkeypatch, in_colab=False, in_kaggle=True) == _run_cell(
        monkeypatch, in_colab=True
    )


def test_outside_colab_the_cell_does_nothing(monkeypatch):
    assert _run_cell(monkeypatch, in_colab=False) == []
