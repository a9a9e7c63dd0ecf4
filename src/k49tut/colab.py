"""The notebooks' setup cell, which makes a fresh Google Colab or Kaggle runtime ready for them.

Colab ships TensorFlow, Keras, NumPy, pandas, scikit-learn, SciPy, matplotlib, Pillow,
requests and its own Jupyter, and so do Kaggle's notebooks. Installing k49tut with its
dependencies could replace some of them, so the cell installs k49tut with ``--no-deps``
and then adds the small packages they may lack (:data:`ADDED`, at k49tut's minimum
versions; pip installs what is missing or too old and leaves the rest alone). Elsewhere
the cell does nothing: there, k49tut is installed with its dependencies (``pip install
k49tut`` or ``make install``).

:data:`SETUP_CELL` is the cell's source, the one each notebook carries verbatim:

>>> from k49tut.colab import SETUP_CELL
>>> print(SETUP_CELL)
import os
import subprocess
import sys
<BLANKLINE>
# Colab and Kaggle have TensorFlow, Keras, scikit-learn, Jupyter, ...: add k49tut alone
if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--no-deps", "k49tut @ git+https://github.com/k49tut/k49tut"],
                   check=True)
    subprocess.run([*pip, "pooch>=1.8", "filelock>=3.20.3", "tqdm>=4.66", "cleanlab>=2.6"],
                   check=True)
"""

from __future__ import annotations

#: Where the cell installs k49tut from.
REPOSITORY = "https://github.com/k49tut/k49tut"

#: k49tut's dependencies that ship with Colab (the cell leaves them as they are).
PREINSTALLED = (
    "tensorflow",
    "keras",
    "numpy",
    "pandas",
    "matplotlib",
    "scikit-learn",
    "scipy",
    "pillow",
    "requests",
    "urllib3",
)

#: k49tut's dependencies that the cell installs, with k49tut's minimum versions.
ADDED = ("pooch>=1.8", "filelock>=3.20.3", "tqdm>=4.66", "cleanlab>=2.6")

SETUP_CELL = f"""\
import os
import subprocess
import sys

# Colab and Kaggle have TensorFlow, Keras, scikit-learn, Jupyter, ...: add k49tut alone
if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--no-deps", "k49tut @ git+{REPOSITORY}"],
                   check=True)
    subprocess.run([*pip, {", ".join(f'"{spec}"' for spec in ADDED)}],
                   check=True)"""
