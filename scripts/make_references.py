#!/usr/bin/env python3
"""Record the reference outputs the tests compare against (tests/references/*.json).

Only the code cells tagged ``nbval-check-output`` are checked (shapes, class counts, the
parameter count, ...). This script runs the named notebooks with the tests' parameters
(tests/tutorial_run.py) and keeps those cells' outputs, keyed by cell id: a change to
markdown, to comments or to the order of cells needs no new references.

    python scripts/make_references.py               # all four parts, or: make references
    python scripts/make_references.py 04_inside     # only the parts named (as long as one run)

Part 4 examines the network Part 3 saves; recorded alone, it trains its own, which
changes none of its checked outputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from tutorial_run import NOTEBOOKS, PARAMETERS, execute, write_references  # noqa: E402


def main(names: list[str]) -> int:
    stems = {Path(name).stem: name for name in PARAMETERS}
    unknown = [n for n in names if Path(n).stem not in stems]
    if unknown:
        print(
            f"Unknown notebook{'s' * (len(unknown) != 1)} {', '.join(unknown)}; choose from "
            f"{', '.join(stems)}.",
            file=sys.stderr,
        )
        return 2
    chosen = [stems[Path(n).stem] for n in names] if names else list(PARAMETERS)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tempfile.TemporaryDirectory(prefix="k49tut-references-") as tmp:
        for name in sorted(chosen):  # Part 3 before Part 4, as in the tests
            assert (NOTEBOOKS / name).is_file(), name
            nb = execute(name, Path(tmp) / "notebooks", Path(tmp) / "out")
            path = write_references(name, nb)
            print(f"{path.relative_to(ROOT)}: {len(nb.cells)} cells run, checked outputs kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
