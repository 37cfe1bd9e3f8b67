"""No import cycles between the packages of server/ (issue 6, C): a domain depends on the ones below it only.

The graph is read from the source with `ast` (every import, at module level or inside a function: a
deferred import is still a dependency). Modules directly in server/ (http.py, errors.py, api.py, ...) are
shared plumbing, not packages: an import through them counts as an import of what they import, so
catalog → server/x.py → inventory is an edge catalog → inventory.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules (or packages) of `known` that the file imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
            candidates = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known]
            candidates = candidates or [module]
        else:
            continue
        for target in candidates:
            while target and target not in known:  # `import server.a.b.c` of a name: its nearest module
                target = target.rpartition(".")[0]
            if target:
                found.add(target)
    return found


def module_graph(root: Path = SERVER) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, name, known) - {name} for name, path in files.items()}


def package_of(module: str, root: Path) -> str | None:
    """`server.inventory.ledger` → `server.inventory`; a module directly in server/ → None (plumbing)."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (root / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return None


def package_graph(modules: dict[str, set[str]], root: Path = SERVER) -> dict[str, dict[str, str]]:
    """package → {package it depends on: one import chain that shows it}."""
    top = root.name
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for module, targets in modules.items():
        source = package_of(module, root)
        if source is None:
            continue
        seen, stack = set(), [(t, f"{module} → {t}") for t in targets]
        while stack:
            target, chain = stack.pop()
            if target in seen:
                continue
            seen.add(target)
            dest = package_of(target, root)
            if dest is None:  # plumbing module: follow what it imports
                if target != top:
                    stack.extend((t, f"{chain} → {t}") for t in modules.get(target, ()))
            elif dest != source:
                graph[source].setdefault(dest, chain)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(set(graph) | {w for deps in graph.values() for w in deps}):
        if v not in index:
            visit(v)
    return out


def explain(graph, component) -> list[str]:
    return [graph[a][b] for a in component for b in component if b in graph.get(a, {})]


def test_no_import_cycle_between_server_packages():
    graph = package_graph(module_graph())
    assert "server.inventory" in graph and "server.catalog" in graph["server.inventory"]
    found = cycles(graph)
    assert found == [], "\n".join(f"{' ↔ '.join(c)}:\n  " + "\n  ".join(explain(graph, c)) for c in found)


def test_the_check_sees_a_cycle_through_a_plumbing_module(tmp_path):
    """A throwaway tree: a → b directly, b → a through a module directly in the top package."""
    top = tmp_path / "server"
    for rel, text in {
        "__init__.py": "", "glue.py": "from .a import thing\n",
        "a/__init__.py": "", "a/models.py": "def thing(): from ..b.services import other\n",
        "b/__init__.py": "", "b/services.py": "from .. import glue\n\ndef other(): ...\n",
    }.items():
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        (top / rel).write_text(text)
    modules = module_graph(top)
    assert modules["server.b.services"] == {"server.glue"}

    graph = package_graph(modules, top)
    assert cycles(graph) == [["server.a", "server.b"]]
    assert graph["server.b"]["server.a"] == "server.b.services → server.glue → server.a"


def _is_api_module(module: str) -> bool:
    name = module.rpartition(".")[2]
    return name == "api" or name.endswith("_api")


def test_no_api_module_imports_another_domain_s_api_module():
    """Shared schemas and helpers live in the domain's schemas.py or services, not behind its HTTP handlers."""
    modules = module_graph()
    crossing = [f"{source} → {target}" for source, targets in sorted(modules.items()) if _is_api_module(source)
                for target in sorted(targets)
                if _is_api_module(target) and package_of(target, SERVER) not in (None, package_of(source, SERVER))]
    assert crossing == []
