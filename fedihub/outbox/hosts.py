"""Deliveries' view of peer servers: each delivery reads its host's row, and records the outcome.

A host that has failed for UNAVAILABLE_AFTER with no success in between is marked unavailable and
skipped until it answers again (a delivery succeeds, or it sends us a signed activity). The row is
read once per delivery and passed along; deliveries running at once share their statements
(batching.Batcher), so a worker with 32 deliveries in flight reads 32 rows in a few statements.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Case, F, When
from tortoise.functions import Coalesce

from fedihub import models
from fedihub.batching import Batcher

UNAVAILABLE_AFTER = timedelta(days=7)
# a success is written at most this often for a host with no failure: a fan-out would otherwise
# rewrite a busy peer's row for every inbox on it
SUCCESS_NOTED_FOR = timedelta(minutes=1)


async def _read(domains: list[str]) -> list[models.Host | None]:
    rows = {host.domain: host for host in await models.Host.filter(domain__in=set(domains))}
    return [rows.get(domain) for domain in domains]


async def _write_successes(answered: list[tuple[str, bool]]) -> list[None]:
    """Clear the failures of hosts that answered: one UPDATE for those with a row, one UPSERT for
    first contacts (another worker may be making the same row at that moment)."""
    now = datetime.now(UTC)
    cleared = {
        "failure_count": 0,
        "first_failure_at": None,
        "unavailable": False,
        "last_success_at": now,
    }
    known = {domain for domain, has_row in answered if has_row}
    new = {domain for domain, has_row in answered if not has_row}
    if known:
        await models.Host.filter(domain__in=known).update(**cleared)
    if new:
        # in one order, so two workers making overlapping rows at once cannot deadlock
        rows = [models.Host(domain=domain, **cleared) for domain in sorted(new)]
        await models.Host.bulk_create(rows, on_conflict=["domain"], update_fields=list(cleared))
    return [None] * len(answered)


_host_row = Batcher(_read)
_success = Batcher(_write_successes)


async def read(domain: str) -> models.Host | None:
    """The host's row as it is now (None: no delivery or fetch has met it yet)."""
    return await _host_row(domain)


def _noted_recently(host: models.Host, now: datetime) -> bool:
    """The row shows no failure, and a success less than SUCCESS_NOTED_FOR ago."""
    if host.failure_count or host.first_failure_at is not None or host.unavailable:
        return False
    return host.last_success_at is not None and now - host.last_success_at < SUCCESS_NOTED_FOR


async def record_success(domain: str, host: models.Host | None) -> None:
    """A delivery to `domain` succeeded; `host` is its row as read before the delivery (None: no
    row yet). Nothing is written when the row shows no failure and a recent success."""
    if host is not None and _noted_recently(host, datetime.now(UTC)):
        return
    await _success((domain, host is not None))


async def record_failure(domain: str, host: models.Host | None) -> None:
    """Count one failed delivery to `domain` (`host`: its row as read before, None when there was
    none) in one statement: workers failing at the same host at once must each be counted (a
    read-modify-write of the row lost all but one)."""
    now = datetime.now(UTC)
    if host is None:
        await models.Host.bulk_create([models.Host(domain=domain)], ignore_conflicts=True)
    await models.Host.filter(domain=domain).update(
        failure_count=F("failure_count") + 1,
        last_failure_at=now,
        first_failure_at=Coalesce("first_failure_at", now),
        # the row's values before this statement: the first failure of the run, when there was one
        unavailable=Case(
            # tortoise's hint names expressions only; constants are wrapped as parameters
            When(first_failure_at__lte=now - UNAVAILABLE_AFTER, then=True),  # type: ignore[arg-type]
            default=F("unavailable"),
        ),
    )
