"""The architecture rules of docs/architecture.md, checked on every run (and by `make lint`).

import-linter (contracts in pyproject.toml) checks streamlit and sqlalchemy placement, the layers and
cycles between siblings; this file checks what its contracts cannot say: that no domain imports another
domain's models or repository, that pages stay thin, and that no two modules import each other at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("auth", "crm", "marketing", "compensation", "forecasting", "notifications", "chat", "integrations", "jobs")
PRIVATE_LAYERS = ("models", "repository")



@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("nexus360", include_external_packages=True, exclude_type_checking_imports=True)


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DOMAINS else None


def test_import_linter_contracts_are_kept() -> None:
    result = subprocess.run([Path(sys.executable).with_name("lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_no_domain_imports_another_domains_models_or_repository(graph: grimp.ImportGraph) -> None:
    offending = []
    for module in sorted(graph.modules):
        source = _domain(module)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = _domain(imported)
            if target and target != source and imported.split(".")[-1] in PRIVATE_LAYERS:
                offending.append(f"{module} -> {imported}")
    assert offending == [], "go through the other domain's service:\n" + "\n".join(offending)


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    """No module reaches itself through its imports (a package's __init__ counts as the package)."""
    internal = {module for module in graph.modules if module.startswith("nexus360")}
    edges = {module: {m for m in graph.find_modules_directly_imported_by(module) if m in internal}
             for module in internal}
    cycles = [sorted(component) for component in _strongly_connected(edges) if len(component) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("script", sorted([ROOT / "Home.py", *(ROOT / "pages").glob("*.py")]), ids=lambda p: p.name)
def test_pages_are_thin(script: Path) -> None:
    """Pages and the router read widgets and call ui/ views or services: no SQL, models or repositories."""
    offending = [name for name in _imports(script)
                 if name.split(".")[0] in ("sqlalchemy", "psycopg")
                 or (name.startswith("nexus360.") and name.split(".")[-1] in PRIVATE_LAYERS)]
    assert offending == []
