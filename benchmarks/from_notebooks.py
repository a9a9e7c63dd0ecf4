"""The notebooks' own network definitions, for the benchmarks (one source: the lesson's cells).

The networks are defined in the notebooks, where a learner reads them. The benchmarks
take those definitions from the cells (functions and the assignments named) instead of
keeping copies that could drift.

>>> ns = definitions("02_cnn.ipynb", {"toy_cnn"})
>>> ns["toy_cnn"]().count_params()
97265
"""

from __future__ import annotations

import ast
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def definitions(notebook: str, names: set[str], **context) -> dict:
    """Run the top-level statements of ``notebook`` that define ``names``; their namespace.

    ``context`` adds names those statements need (``width``, ``epochs``, ...); ``keras``,
    ``layers``, ``np`` and ``tf`` are always there.
    """
    import json

    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers

    nodes = []
    for cell in json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                defined = {node.name}
            else:
                defined = {getattr(t, "id", "") for t in getattr(node, "targets", [])}
            if defined & names:
                nodes.append(node)
    ns = {"keras": keras, "layers": layers, "np": np, "tf": tf, **context}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), notebook, "exec"), ns)
    missing = names - set(ns)
    if missing:
        raise LookupError(f"{notebook} defines none of: {', '.join(sorted(missing))}")
    return ns
