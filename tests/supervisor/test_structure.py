"""The supervisor package's shape: pages read through the domains' query functions, never their tables,
and its modules import each other without a cycle."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "supervisor"


def _imports(path: Path):
    """(absolute module, imported names) of every `from … import …` a supervisor module runs (imports for
    type hints only, under `if TYPE_CHECKING:`, are left out)."""
    tree = ast.parse(path.read_text())
    hints_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                  and getattr(block.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(block)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in hints_only:
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), "server.supervisor") \
                if node.level else node.module
            yield base, [alias.name for alias in node.names]


def test_the_pages_import_no_table_of_another_domain():
    mapped = []
    for path in sorted(PACKAGE.glob("*.py")):
        for module, names in _imports(path):
            if not module.startswith("server."):
                continue
            loaded = importlib.import_module(module)
            for name in names:
                if hasattr(getattr(loaded, name, None), "__table__"):
                    mapped.append(f"{path.name}: {module}.{name}")
    assert mapped == [], "read through the domain's queries module instead"


def test_the_supervisor_modules_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = f"server.supervisor.{path.stem}" if path.stem != "__init__" else "server.supervisor"
        edges = graph.setdefault(name, set())
        for module, names in _imports(path):
            if module == "server.supervisor":  # from . import x, y
                edges.update(f"server.supervisor.{n}" for n in names)
            elif module.startswith("server.supervisor."):
                edges.add(module)

    def cycle_from(start, node, seen):
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*seen, nxt]
            if nxt not in seen:
                found = cycle_from(start, nxt, [*seen, nxt])
                if found:
                    return found
        return None

    cycles = [c for start in graph if (c := cycle_from(start, start, [start]))]
    assert cycles == []
