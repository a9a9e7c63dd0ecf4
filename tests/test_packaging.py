"""What pyproject.toml declares: every floor pinned for CI, every import of the library."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import distributions, packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

import k49tut

CHECKOUT = Path(__file__).resolve().parent.parent
CONSTRAINTS = CHECKOUT / ".ci" / "constraints-min.txt"


def _declared(extras=("notebooks", "dev", "gpu", "generate")) -> list[Requirement]:
    """The requirements of k49tut and of the given extras (but not k49tut[notebooks] itself)."""
    found = []
    for r in map(Requirement, requires("k49tut")):
        if r.name != "k49tut" and (
            r.marker is None or any(r.marker.evaluate({"extra": e}) for e in extras)
        ):
            found.append(r)
    return found


def _pins() -> dict[str, Version]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = Version(version)
    return pins


def test_the_constraints_pin_exactly_the_declared_floors():
    pins = _pins()
    floors = {}
    for r in _declared(extras=("notebooks", "dev")):  # what `make test-min` installs
        (spec,) = r.specifier  # one lower bound each
        assert spec.operator == ">=", r
        floors.setdefault(r.name.lower(), Version(spec.version))
    assert floors == pins


def _optional(tree: ast.AST) -> set[int]:
    """Ids of the import nodes inside ``try: ... except ImportError:`` (optional imports)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in node.handlers
        ):
            found |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return found


def _imports(path: Path) -> set[str]:
    """The top-level names of the modules a file imports unconditionally."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    optional = _optional(tree)
    names = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _providers(module: str) -> set[str]:
    """The distributions that install the top-level ``module``. Python 3.10's
    packages_distributions() reads only top_level.txt, which wheels built with meson
    (matplotlib's) lack; for those, the installed files are read."""
    found = set(packages_distributions().get(module, []))
    if not found:
        for dist in distributions():
            if any(f.parts[0] == module for f in dist.files or () if len(f.parts) > 1):
                found.add(dist.metadata["Name"])
    return found


def test_every_third_party_import_of_the_library_is_declared():
    declared = {r.name.lower() for r in _declared()}
    imported = set().union(*map(_imports, Path(k49tut.__file__).parent.rglob("*.py")))
    third_party = imported - set(sys.stdlib_module_names) - {"k49tut", "__future__"}
    assert third_party  # numpy, pandas, ... were found
    for module in sorted(third_party):
        names = {d.lower() for d in _providers(module)}
        assert names & declared, f"{module} (from {sorted(names)}) is imported but not declared"
