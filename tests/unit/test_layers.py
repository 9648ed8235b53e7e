"""Dependencies point one way: every module of fedihub/ has a layer, and imports only its own
layer or those below; the import graph has no cycle.

Layers, bottom up (a module takes the layer of its longest matching prefix):
- foundations: base values, models, the protocol, infrastructure (security, database, the event
  bus and storage backends), the Runtime, the job queue;
- services: the outbox, accounts, media services, social, knowledge, projects, the inbox (the
  inbox dispatches to every domain, the outbox serves them all and knows none);
- edge: web pages and endpoints, the Mastodon API, the assembler (node.py), the app and the CLI.

Imports are read from the source (function-local and type-checking ones too), resolved to
modules, and followed through the whole graph.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fedihub"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("fedihub", "fedihub.errors", "fedihub.ids", "fedihub.config", "fedihub.urls")),
    ("base", ("fedihub.logs", "fedihub.metrics", "fedihub.batching")),
    ("models", ("fedihub.models",)),
    ("protocol", ("fedihub.activitypub",)),
    ("infrastructure", ("fedihub.security", "fedihub.db")),
    ("infrastructure", ("fedihub.events", "fedihub.events_redis")),
    (
        "infrastructure",
        (
            "fedihub.media.storage",
            "fedihub.media.s3",
            "fedihub.media.sigv4",
            "fedihub.media.probe",
            "fedihub.media.images",
            "fedihub.media.strip",
            "fedihub.media.peer_meta",
            "fedihub.media.backends",
        ),
    ),
    ("runtime", ("fedihub.runtime",)),
    ("jobs", ("fedihub.jobs",)),
    # what the inbox, the outbox, signature checks and fetches ask of the node's domain policy
    ("moderation policy", ("fedihub.moderation.policy",)),
    ("outbox", ("fedihub.outbox",)),
    ("accounts", ("fedihub.accounts",)),
    ("media services", ("fedihub.media",)),
    ("notifications", ("fedihub.notifications",)),
    ("social", ("fedihub.social",)),
    ("knowledge", ("fedihub.knowledge",)),
    ("projects", ("fedihub.projects",)),
    # meetings build on projects (members, the Group, its direct messages)
    ("meetings", ("fedihub.meetings",)),
    ("discovery", ("fedihub.discovery",)),
    ("moderation", ("fedihub.moderation",)),
    # accounts' rights over their data: exports, imports, archives, over social and moderation
    ("rights", ("fedihub.rights",)),
    ("inbox", ("fedihub.inbox",)),
    # the Mastodon entities: how statuses, accounts and notifications are presented, to the apps
    # and to the node's own pages alike (they import services only, never the API's routes)
    ("presentation", ("fedihub.api.entities",)),
    ("web", ("fedihub.web",)),
    ("api", ("fedihub.api",)),
    ("assembly", ("fedihub.node", "fedihub.app", "fedihub.doctor")),
    ("entry points", ("fedihub.cli", "fedihub.cli_moderation", "fedihub.asgi", "fedihub.__main__")),
]
RANK = {name: rank for rank, name in enumerate(dict.fromkeys(name for name, _ in LAYERS))}
EDGE = ("web", "api", "assembly", "entry points")
WEB_FRAMEWORK = ("quart", "werkzeug", "hypercorn")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts}


def _resolve(name: str) -> str | None:
    """The fedihub module a dotted import name refers to (a module, or its package)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """fedihub modules `module` imports, and third-party top-level names (prefixed with '!')."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if not name.startswith("fedihub"):
                found.add("!" + name.split(".")[0])
                continue
            target = _resolve(name)
            if target is not None and target != module:
                found.add(target)
    return frozenset(found)


def layer_of(module: str) -> str:
    best: tuple[int, str] | None = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), name)
    assert best is not None, f"{module} has no layer: add it to LAYERS in {__file__}"
    return best[1]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports_only_its_own_layer_or_those_below(module: str) -> None:
    mine = RANK[layer_of(module)]
    upward = {
        (target, layer_of(target))
        for target in imports_of(module)
        if not target.startswith("!") and RANK[layer_of(target)] > mine
    }
    assert not upward, f"{module} ({layer_of(module)}) imports upward: {sorted(upward)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_edge_knows_the_web_framework(module: str) -> None:
    if layer_of(module) in EDGE:
        return
    framework = {t[1:] for t in imports_of(module) if t[1:] in WEB_FRAMEWORK}
    assert not framework, f"{module} ({layer_of(module)}) imports {framework}"


def test_the_protocol_and_model_layers_import_only_base_values() -> None:
    for module in MODULES:
        if layer_of(module) in ("protocol", "models", "base"):
            allowed = {"base", "models"} if layer_of(module) != "base" else {"base"}
            if layer_of(module) == "protocol":
                allowed = {"base", "protocol"}
            wrong = {t for t in imports_of(module) if not t.startswith("!")}
            wrong = {t for t in wrong if layer_of(t) not in allowed | {layer_of(module)}}
            assert not wrong, f"{module} imports {sorted(wrong)}"


def test_the_outbox_imports_no_domain_service() -> None:
    # the outbox takes an activity and its recipients: it must stay usable by every domain
    for module in MODULES:
        if layer_of(module) == "outbox":
            domains = {t for t in imports_of(module) if not t.startswith("!")}
            domains = {t for t in domains if RANK[layer_of(t)] >= RANK["outbox"]}
            assert all(t.startswith("fedihub.outbox") for t in domains), (module, domains)


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm). A package's
    __init__ importing a module that imports the package back is one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for start in graph:
        if start in index:
            continue
        # iterative: the graph is deep enough to make recursion fragile
        enter(start)
        work = [(start, iter(graph[start]))]
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    enter(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
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
    return found


def test_the_import_graph_has_no_cycle() -> None:
    graph = {m: sorted(t for t in imports_of(m) if not t.startswith("!")) for m in MODULES}
    assert find_cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    # the guard itself must be able to fail
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "p": ["p.x"], "p.x": ["p"]}
    assert sorted(find_cycles(graph)) == [["a", "b", "c"], ["p", "p.x"]]
    assert find_cycles({"a": ["b"], "b": []}) == []
