"""The package's layout rules, read off the source with ``ast``: no import circle
among its modules or its sub-packages (imports inside functions included), and
an engine that imports nothing from the shell."""

from __future__ import annotations

import ast
from pathlib import Path

import sklearn_mlpreg

ROOT = Path(sklearn_mlpreg.__file__).parent
PACKAGE = ROOT.name


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's ``__init__``)."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


MODULES = _modules()


def _known(name: str) -> str | None:
    """The package module ``name`` is, or is inside of (None: not the package's)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _imported(module: str) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its source, with
    the packages Python runs on the way (``a.b`` for ``a.b.c``), except its own."""
    path, is_package = MODULES[module]
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                     for alias in node.names]
        else:
            continue
        for name in names:
            target = _known(name)
            parts = [] if target is None else target.split(".")
            # the packages on the way and the target; the root package counts only as
            # the target itself (every module runs it first, it imports the others)
            for end in range(1 if len(parts) == 1 else 2, len(parts) + 1):
                step = ".".join(parts[:end])
                if step in MODULES and not module.startswith(step + ".") and step != module:
                    found.add(step)
    return found


GRAPH = {module: _imported(module) for module in MODULES}


def _unit(module: str) -> str:
    """A module at the package's top level, or the sub-package it belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph``, or None."""
    colour: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in colour and (found := visit(nxt)) is not None:
                return found
        colour[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in colour and (found := visit(node)) is not None:
            return found
    return None


def test_the_graph_sees_imports_inside_functions():
    assert "sklearn_mlpreg._ensemble" in GRAPH["sklearn_mlpreg._pipeline"]
    assert f"{PACKAGE}.model_selection" in GRAPH[f"{PACKAGE}.io"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle_among_modules():
    assert _cycle(GRAPH) is None


def test_no_import_circle_among_sub_packages():
    units: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        units.setdefault(_unit(module), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(module))
    assert _cycle(units) is None


def test_the_engine_imports_nothing_from_the_shell():
    engine = f"{PACKAGE}._engine"
    shell = {module: sorted(t for t in targets if not t.startswith(engine))
             for module, targets in GRAPH.items() if module.startswith(engine)}
    assert {module: targets for module, targets in shell.items() if targets} == {}


def test_the_shell_reaches_the_engine_through_its_facade():
    engine = f"{PACKAGE}._engine"
    inside = {module: sorted(t for t in targets if t.startswith(engine + "."))
              for module, targets in GRAPH.items() if not module.startswith(engine)}
    assert {module: targets for module, targets in inside.items() if targets} == {}
