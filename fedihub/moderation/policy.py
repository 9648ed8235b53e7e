"""The node's policy towards other servers, as the inbox, the outbox, fetches and media read it:
is a domain suspended (nothing in or out), silenced (its posts reach only followers here), are its
media files refused, and, in allowlist mode, is it one of the listed peers at all.

A block of `example.com` covers its subdomains (`social.example.com`), as on Mastodon. The policy
is read on every inbound request and every delivery: each process keeps one snapshot of the two
small tables and the allowlist setting per Runtime, read again at most every REFRESH_S seconds
(another process's change, from the CLI or another web process, applies within that bound) and at
once after a change made in this process (`changed()`).

Sits low (beside the job queue, below the outbox): imports models and the Runtime only, so the
outbox and accounts/signers.py may consult it. The services that change the policy are in
moderation/domains.py.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import time
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from tortoise.expressions import Q, Subquery

from fedihub import models
from fedihub.errors import Forbidden
from fedihub.models import Severity
from fedihub.runtime import Runtime

REFRESH_S = 5.0
# run-time settings (node_settings) this module reads itself: it sits below accounts/
ALLOWLIST_SETTING = "allowlist_mode"


@dataclass(frozen=True)
class Rule:
    severity: Severity
    reject_media: bool
    reject_reports: bool


@dataclass
class Snapshot:
    rules: dict[str, Rule] = field(default_factory=dict)
    allowed: frozenset[str] = frozenset()
    allowlist: bool = False
    loaded_at: float = 0.0
    generation: int = -1


_generation = 0
_snapshots: WeakKeyDictionary[Runtime, Snapshot] = WeakKeyDictionary()
_locks: WeakKeyDictionary[Runtime, asyncio.Lock] = WeakKeyDictionary()


def changed() -> None:
    """The policy was changed in this process: every Runtime's next read reloads it."""
    global _generation
    _generation += 1


def _split(domain: str) -> tuple[str, str]:
    """(host, port) of an authority; port '' when there is none."""
    if domain.startswith("["):  # an IPv6 literal
        host, _, rest = domain.partition("]")
        return host + "]", rest.lstrip(":")
    if domain.count(":") == 1:
        host, _, port = domain.partition(":")
        return host, port
    return domain, ""


@functools.lru_cache(maxsize=4096)
def normalise(domain: str) -> str:
    """A domain as the policy stores it: lower-case punycode, no trailing dot, port kept."""
    host, port = _split(domain.strip().lower())
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a name IDNA can spell: kept as typed, it then matches nothing stored
    return f"{host}:{port}" if port else host


@functools.lru_cache(maxsize=4096)
def candidates(domain: str) -> tuple[str, ...]:
    """The domain and its parents a rule may be stored under, nearest first (IP literals have no
    parents)."""
    domain = normalise(domain)
    host, port = _split(domain)
    names = [host]
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        labels = host.split(".")
        names += [".".join(labels[i:]) for i in range(1, len(labels) - 1)]
    # a rule for the name without a port covers every port of it
    # every request asks this of its peer's name: remembered (IDNA encoding is the costly part)
    found = [f"{name}:{port}" for name in names] if port else []
    return tuple(found + names)


async def _load() -> Snapshot:
    rules = {
        row.domain: Rule(row.severity, row.reject_media, row.reject_reports)
        for row in await models.DomainBlock.all()
    }
    allowed = frozenset(
        await models.column(models.DomainAllow.all().values_list("domain", flat=True))
    )
    setting = await models.NodeSetting.get_or_none(key=ALLOWLIST_SETTING)
    value = setting.value if setting is not None else None
    allowlist = isinstance(value, dict) and value.get("value") is True
    return Snapshot(rules, allowed, allowlist, time.monotonic(), _generation)


async def snapshot(rt: Runtime) -> Snapshot:
    """This process's current view of the policy (REFRESH_S old at most)."""
    current = _snapshots.get(rt)
    if _fresh(current):
        assert current is not None
        return current
    lock = _locks.setdefault(rt, asyncio.Lock())
    async with lock:  # requests arriving together share one read
        current = _snapshots.get(rt)
        if not _fresh(current):
            current = await _load()
            _snapshots[rt] = current
    assert current is not None
    return current


def _fresh(current: Snapshot | None) -> bool:
    return (
        current is not None
        and current.generation == _generation
        and time.monotonic() - current.loaded_at < REFRESH_S
    )


def rule_for(snap: Snapshot, domain: str) -> Rule | None:
    """The rule of the domain or of its nearest blocked parent."""
    for candidate in candidates(domain):
        rule = snap.rules.get(candidate)
        if rule is not None:
            return rule
    return None


def _refused(rt: Runtime, snap: Snapshot, domain: str) -> bool:
    if not domain or normalise(domain) == normalise(rt.urls.domain):
        return False
    rule = rule_for(snap, domain)
    if rule is not None and rule.severity is Severity.SUSPEND:
        return True
    return snap.allowlist and not any(c in snap.allowed for c in candidates(domain))


async def is_refused(rt: Runtime, domain: str) -> bool:
    """True when nothing may pass between the node and `domain` (suspended, or not listed while
    the node runs in allowlist mode)."""
    return _refused(rt, await snapshot(rt), domain)


async def check(rt: Runtime, domain: str) -> None:
    """Forbidden (403) when the node refuses to talk with `domain`."""
    if await is_refused(rt, domain):
        raise Forbidden(f"this node does not federate with {domain}")


async def refused_among(rt: Runtime, domains: set[str]) -> set[str]:
    """Those of `domains` the node refuses to talk with."""
    snap = await snapshot(rt)
    return {d for d in domains if _refused(rt, snap, d)}


async def rejects_media(rt: Runtime, domain: str) -> bool:
    """True when media files from `domain` are not copied or shown here."""
    rule = rule_for(await snapshot(rt), domain)
    return rule is not None and (rule.reject_media or rule.severity is Severity.SUSPEND)


async def rejects_reports(rt: Runtime, domain: str) -> bool:
    rule = rule_for(await snapshot(rt), domain)
    return rule is not None and (rule.reject_reports or rule.severity is Severity.SUSPEND)


def silenced_authors(viewer_id: int | None = None) -> Q:
    """Rows (statuses: anything with an actor_id) by silenced accounts and accounts of silenced
    or suspended servers,
    which public timelines, search and trends leave out, but for the accounts `viewer_id`
    follows (their posts reach followers). Read from the table in the query itself (exact
    domains), so it needs no snapshot and every process agrees at once."""
    limited = models.DomainBlock.filter(severity__in=[Severity.SILENCE, Severity.SUSPEND])
    accounts = models.AccountModeration.filter(
        Q(silenced_at__not_isnull=True) | Q(suspended_at__not_isnull=True)
    )
    actors = models.Actor.filter(
        Q(domain__in=Subquery(limited.values("domain")))
        | Q(id__in=Subquery(accounts.values("actor_id")))
    )
    if viewer_id is not None:
        followed = models.Follow.filter(follower_id=viewer_id, state=models.FollowState.ACCEPTED)
        actors = actors.exclude(id__in=Subquery(followed.values("target_id")))
    return Q(actor_id__in=Subquery(actors.values("id")))


__all__ = [
    "ALLOWLIST_SETTING",
    "REFRESH_S",
    "Rule",
    "Snapshot",
    "candidates",
    "changed",
    "check",
    "is_refused",
    "normalise",
    "refused_among",
    "rejects_media",
    "rejects_reports",
    "rule_for",
    "silenced_authors",
    "snapshot",
]
