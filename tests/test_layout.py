"""The code's shape, as a newcomer relies on it: no import cycles in portfolio/, no module over 450 lines, and the
admin's save hooks write only through the services (no business rule in save_model, save_related, save_formset)."""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import ROOT

PACKAGE = ROOT / "portfolio"
MAX_LINES = 450


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The portfolio modules a module imports, anywhere in it (a function-level import that dodges a cycle is still
    a cycle); ``from .x import y`` counts x, and x.y when y is a module."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found |= {f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known}
            if target in known and (node.module or not found):
                found.add(target)
    return found - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_portfolio_has_no_import_cycle():
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert "portfolio.models" in graph["portfolio.access"], "the import graph is not being read"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_portfolio_is_over_450_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


HOOKS = {"save_model", "save_related", "save_formset", "delete_model", "delete_queryset"}
WRITES = {"save", "delete", "update", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def test_admin_save_hooks_write_only_through_services():
    """In the admin's save hooks, no record is saved, deleted or changed directly (super() aside): each write is a
    call of a function of portfolio.services, where the rule lives."""
    found = []
    for path in sorted((PACKAGE / "admin").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.FunctionDef) and node.name in HOOKS):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in WRITES:
                    receiver = inner.func.value
                    if not (isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super"):
                        found.append(f"{path.name}:{inner.lineno} {node.name} calls .{inner.func.attr}()")
                if isinstance(inner, (ast.Assign, ast.AugAssign)):
                    targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                    for target in targets:
                        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "obj":
                            found.append(f"{path.name}:{inner.lineno} {node.name} sets obj.{target.attr}")
    assert found == []
