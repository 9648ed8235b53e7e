"""`fedihub doctor`: checks configuration, keys, database and migrations, and says what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from fedihub import db, models
from fedihub.config import Settings
from fedihub.errors import ConfigError
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState
from fedihub.security import keys


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: int = 0

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def good(self, what: str) -> None:
        self.lines.append(f"ok       {what}")

    def bad(self, what: str) -> None:
        self.problems += 1
        self.lines.append(f"problem  {what}")

    def warn(self, what: str) -> None:
        self.lines.append(f"warning  {what}")


async def examine(settings: Settings) -> Report:
    report = Report()
    if settings.domain:
        report.good(f"configuration: {settings.base_url}")
    else:
        report.bad(
            "configuration: no domain (run `fedihub init --domain DOMAIN` or set FEDIHUB_DOMAIN)"
        )
    if settings.scheme == "http":
        report.warn("scheme is http: fine for local work, but peers expect https in production")
    if settings.allow_private_networks:
        report.warn("allow_private_networks is on: remote fetches may reach private addresses")
    try:
        keys.load_node_secrets(settings.keys_dir)
        report.good(f"keys: {settings.keys_dir}")
        for path in keys.loose_permissions(settings.keys_dir):
            report.bad(f"keys: {path} is readable by other users (chmod 600 {path})")
    except ConfigError as exc:
        report.bad(f"keys: {exc.public}")
    if settings.redis_url:
        await _redis(settings, report)
    try:
        async with db.database(settings):
            report.good("database: connected")
            pending = await db.pending_migrations(settings)
            if pending:
                report.bad(
                    f"migrations: {len(pending)} pending ({', '.join(pending)}); "
                    "run `fedihub migrate`"
                )
            else:
                report.good("migrations: up to date")
                await _queue(report)
    except ConfigError as exc:
        report.bad(f"database: {exc.public}")
    return report


BACKLOG_WARN_S = 300


async def _redis(settings: Settings, report: Report) -> None:
    import redis.asyncio as redis

    client = redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        report.good(f"redis: {settings.redis_url} answers")
    except Exception as exc:  # report any failure plainly
        report.bad(f"redis: {settings.redis_url} does not answer ({exc}); rate limits fail open")
    finally:
        await client.aclose()


async def _queue(report: Report) -> None:
    """Job backlog (how long the oldest due job has waited) and peers that keep failing."""
    now = now_ms()
    due = await models.Job.filter(state=JobState.PENDING, run_at__lte=now).count()
    oldest = (
        await models.Job.filter(state=JobState.PENDING, run_at__lte=now).order_by("run_at").first()
    )
    waited = (now - oldest.run_at) / 1000 if oldest else 0.0
    line = f"jobs: {due} due, oldest waiting {waited:.0f}s"
    if waited > BACKLOG_WARN_S:
        report.bad(line + " (is `fedihub worker` running?)")
    else:
        report.good(line)
    dead = await models.Job.filter(state=JobState.DEAD).count()
    if dead:
        report.warn(f"jobs: {dead} gave up after their last attempt (`fedihub jobs status`)")
    for host in await models.Host.filter(failure_count__gt=0).order_by("-failure_count").limit(10):
        state = (
            "unavailable, deliveries skipped" if host.unavailable else "failing, deliveries retried"
        )
        report.warn(f"host {host.domain}: {state} ({host.failure_count} failures in a row)")
