"""Dependencies point one way: edge (web, api, cli, app) on services on foundations.

Reads every module's imports (including function-local ones) and fails on an upward one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fedihub"
EDGE = (
    "fedihub.web",
    "fedihub.api",
    "fedihub.app",
    "fedihub.cli",
    "fedihub.asgi",
    "quart",
    "werkzeug",
)
SERVICES = (
    "fedihub.accounts",
    "fedihub.social",
    "fedihub.inbox",
    "fedihub.outbox",
    "fedihub.knowledge",
    "fedihub.projects",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


MODULES = sorted((_module_name(p), p) for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_upward_imports(name: str, path: Path) -> None:
    imported = _imports(path)
    fedihub_imports = {i for i in imported if i.startswith("fedihub")}
    if _under(name, ("fedihub.activitypub",)):
        allowed = ("fedihub.errors", "fedihub.activitypub")
        assert all(_under(i, allowed) for i in fedihub_imports), f"{name} imports {fedihub_imports}"
        assert not any(_under(i, EDGE) for i in imported)
    elif _under(name, ("fedihub.models",)):
        assert all(_under(i, ("fedihub.ids", "fedihub.models")) for i in fedihub_imports), (
            fedihub_imports
        )
    elif _under(name, ("fedihub.security", "fedihub.jobs", *SERVICES)):
        upward = {i for i in imported if _under(i, EDGE)}
        assert not upward, f"{name} (a service or foundation) imports the edge: {upward}"
    if _under(name, ("fedihub.outbox",)):
        assert not any(
            _under(i, ("fedihub.social", "fedihub.inbox", "fedihub.accounts"))
            for i in fedihub_imports
        ), f"{name}: the outbox takes activities and recipients and imports no domain service"
    if _under(name, ("fedihub.jobs", "fedihub.security")):
        assert not any(_under(i, SERVICES) for i in fedihub_imports), f"{name} imports a service"
