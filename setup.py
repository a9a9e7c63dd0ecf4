"""Packaging hook: ship the tutorial's notebooks inside the wheel.

The notebooks live in ``notebooks/`` at the top of the repository, where they are edited
and run from a checkout. A wheel has no such folder, so the build copies
``notebooks/*.ipynb`` into the package as ``k49tut/notebooks/``; the rest of the
configuration is in pyproject.toml. Editable installs need no copy: from a checkout,
k49tut uses ``notebooks/`` itself.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildPyWithNotebooks(build_py):
    """``build_py`` that also copies the notebooks into ``k49tut/notebooks``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "k49tut" / "notebooks"
        self.mkpath(str(target))
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildPyWithNotebooks})
