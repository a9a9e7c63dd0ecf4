"""The defaults of a run, in one place: the command line, the runner and the Makefile read
them here, and a test checks that each notebook's ``parameters`` cell declares the same.

>>> DATASET, EPOCHS, SEED, BATCH_SIZE, OUTPUT_DIR
('k49', 10, 49, 64, 'outputs')
>>> cell_timeout("quick"), cell_timeout("full")
(7200, 604800)
"""

from __future__ import annotations

#: The dataset a run uses unless told: real Kuzushiji-49 (downloaded on first use).
DATASET = "k49"
#: Part 2's epochs per network and batch size.
EPOCHS = 10
BATCH_SIZE = 64
#: The seed of every run: initial weights, shuffling, the validation split.
SEED = 49
#: Where ``k49tut run`` writes, relative to the directory it is started in.
OUTPUT_DIR = "outputs"

#: Seconds one cell may run before ``k49tut run`` stops it, by budget. No healthy cell
#: comes near: under "quick" (and "auto" without a GPU) the longest, Part 3's final
#: training at K49's size on a 2-core CPU, takes about 15 minutes, and on a GPU the whole
#: full ablation fits in an hour; "full" on a CPU at K49's size is days of training.
CELL_TIMEOUT = {"auto": 2 * 3600, "quick": 2 * 3600, "full": 7 * 24 * 3600}


def cell_timeout(budget: str) -> int:
    """The default time limit of one cell, in seconds, for a run with ``budget``."""
    return CELL_TIMEOUT[budget]
