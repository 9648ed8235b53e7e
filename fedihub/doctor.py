"""`fedihub doctor`: checks configuration, keys, database and migrations, and says what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from fedihub import db
from fedihub.config import Settings
from fedihub.errors import ConfigError
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
        report.bad("configuration: no domain (run `fedihub init --domain DOMAIN` or set FEDIHUB_DOMAIN)")
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
    try:
        async with db.database(settings):
            report.good("database: connected")
            pending = await db.pending_migrations(settings)
            if pending:
                report.bad(f"migrations: {len(pending)} pending ({', '.join(pending)}); run `fedihub migrate`")
            else:
                report.good("migrations: up to date")
            for extra in _extra_checks:
                await extra(settings, report)
    except ConfigError as exc:
        report.bad(f"database: {exc.public}")
    return report


# packages that own state worth reporting (job queue, failing hosts) add checks here
_extra_checks: list = []  # type: ignore[type-arg]
