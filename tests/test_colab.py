"""The notebooks' Colab setup cell: what it installs, and that it acts only in Colab."""

from __future__ import annotations

import subprocess
import sys
import types
from importlib.metadata import requires

import pytest
from packaging.requirements import Requirement

from k49tut import colab


def _core_requirements() -> list[Requirement]:
    """k49tut's dependencies, without those of its extras."""
    found = [Requirement(line) for line in requires("k49tut")]
    return [r for r in found if r.marker is None or "extra" not in str(r.marker)]


def test_the_cell_installs_every_dependency_colab_lacks_at_its_minimum():
    core = _core_requirements()
    added = {Requirement(spec).name: Requirement(spec) for spec in colab.ADDED}
    assert {r.name for r in core} == set(colab.PREINSTALLED) | set(added)
    assert not set(colab.PREINSTALLED) & set(added)
    for r in core:
        if r.name in added:
            assert added[r.name].specifier == r.specifier, r.name


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
    exec(compile(colab.SETUP_CELL, "setup-cell", "exec"), {})
    assert all(kw == {"check": True} for _, kw in calls)
    return [args for args, _ in calls]


def test_in_colab_the_cell_adds_k49tut_without_dependencies_then_the_small_packages(monkeypatch):
    first, second = _run_cell(monkeypatch, in_colab=True)
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    assert first == [*pip, "--no-deps", f"k49tut @ git+{colab.REPOSITORY}"]
    assert second == [*pip, *colab.ADDED]


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


def test_every_notebook_carries_the_setup_cell_verbatim():
    import nbformat

    from k49tut.paths import notebooks_dir
    from k49tut.runner import NOTEBOOKS

    for name in NOTEBOOKS:
        cells = nbformat.read(notebooks_dir() / name, as_version=4).cells
        setup = [c.source for c in cells if '"pip", "install"' in c.source]
        assert setup == [colab.SETUP_CELL], name
