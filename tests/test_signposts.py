"""Every notebook opens with what it teaches, what it assumes and how long it takes, and
closes with what its run showed and where to read further."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def reading_minutes(cells: list[dict]) -> int:
    """The rule the notebooks state: 200 words of prose and 10 lines of code a minute,
    rounded to 5 minutes."""
    words = sum(
        len(re.findall(r"\w+", "".join(c["source"])))
        for c in cells
        if c["cell_type"] == "markdown"
    )
    lines = sum(len("".join(c["source"]).splitlines()) for c in cells if c["cell_type"] == "code")
    return max(5, 5 * round((words / 200 + lines / 10) / 5))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_opens_with_a_signpost_whose_reading_time_holds(path):
    cells = _cells(path)
    sign = "".join(cells[1]["source"])
    for part in ("**What you will learn**", "**What it assumes**", "**How long**"):
        assert part in sign, (path.name, part)
    assert re.search(r"\*\*What it assumes\*\*:[^*]*\]\(https://", sign), (
        "a link where to learn it"
    )
    stated = int(re.search(r"about (\d+) minutes to read", sign).group(1))
    assert stated == reading_minutes(cells), (
        f"{path.name}: update the reading time to {reading_minutes(cells)}"
    )
    assert re.search(r"To\s+run on a 2-core CPU: (from )?about [\d.]+ (seconds|minutes?)", sign)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_closes_with_this_runs_results_and_further_reading(path):
    cells = _cells(path)
    heads = ["".join(c["source"]).splitlines()[0] for c in cells if c["cell_type"] == "markdown"]
    showed, reading = heads.index("## What this run showed"), heads.index("## Further reading")
    assert showed < reading < heads.index("## Exercises")
    text = "".join("".join(c["source"]) for c in cells)
    reading_text = text.split("## Further reading")[1].split("## Exercises")[0]
    assert reading_text.count("\n- ") >= 4 and "arxiv.org" in reading_text
