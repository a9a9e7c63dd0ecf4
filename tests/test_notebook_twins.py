"""A function that more than one notebook defines (each part stands alone, so Part 3
repeats Part 2's comparison of seeds) is the same code in every one of them, unless it
is a variant named here with the reason."""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0*.ipynb"))
#: Functions defined differently on purpose, and where the difference is said.
VARIANTS = {"toy_cnn": "Part 3's has no dropout and a float32 softmax (its docstring)"}


def _functions(path: Path) -> dict[str, str]:
    """Each function a notebook defines at the top of a cell: its code without comments."""
    found = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).splitlines()
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)
        for node in ast.parse(code).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = ast.dump(node)
    return found


def test_a_function_defined_in_several_notebooks_is_the_same_in_each():
    versions = defaultdict(dict)
    for path in NOTEBOOKS:
        for name, code in _functions(path).items():
            versions[name][path.stem] = code
    shared = {name: where for name, where in versions.items() if len(where) > 1}
    assert {"bootstrap", "compare", "verdict", *VARIANTS} <= set(shared)  # Parts 2 and 3
    differ = [f"{name} ({', '.join(where)})" for name, where in shared.items()
              if len(set(where.values())) > 1 and name not in VARIANTS]  # fmt: skip
    assert not differ, f"defined differently: {'; '.join(differ)}"
