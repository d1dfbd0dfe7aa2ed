"""The app's shape, read from its source with ``ast``: no import cycle between its modules, no module too long."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450


def app_modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the app, migrations excepted."""
    modules = {}
    for path in package.rglob("*.py"):
        if "migrations" in path.relative_to(package).parts:
            continue
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _targets(node, module: str, path: Path, modules: dict) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if node.level:
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:  # "from . import access" names a module
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph(package: Path, *, module_level_only: bool = True) -> dict[str, set[str]]:
    """Module -> the app's modules it imports when it is loaded (or, with module_level_only=False, anywhere in it)."""
    modules = app_modules(package)
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if module_level_only else list(ast.walk(tree))
        if module_level_only:  # imports under a module-level if/try are still run at load
            nodes = [sub for node in tree.body if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     for sub in ast.walk(node)]
        edges = set()
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _targets(node, module, path, modules)
        edges.discard(module)
        # Loading a submodule first loads its package: portfolio.models.base runs portfolio/models/__init__.py.
        graph[module] = {target for target in edges if not module.startswith(target + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each a cycle of imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_layout_no_import_cycle_at_module_level():
    assert cycles(import_graph(ROOT / "portfolio")) == []


def test_layout_no_import_cycle_dodged_inside_a_function():
    """A function-level import is for load order (apps.ready, a heavy optional library), never to hide a cycle."""
    assert cycles(import_graph(ROOT / "portfolio", module_level_only=False)) == []


def test_layout_graph_sees_a_cycle(tmp_path):
    """The check itself: two modules importing each other, one through a package, are found."""
    package = tmp_path / "app"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from ..b import thing\n")
    (package / "b.py").write_text("from .sub import other\nthing = 1\n")
    (package / "c.py").write_text("def f():\n    from . import b\n")
    assert cycles(import_graph(package)) == [["app.b", "app.sub"]]
    assert import_graph(package, module_level_only=False)["app.c"] == {"app.b"}


def test_layout_no_module_over_450_lines():
    long = {module: n for module, path in app_modules(ROOT / "portfolio").items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
