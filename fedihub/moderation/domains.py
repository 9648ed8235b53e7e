"""Changing the node's policy towards other servers: domain blocks (suspend, silence, or neither
with media or reports rejected), the allowlist, and blocklists in Mastodon's CSV format.

A suspension enqueues the purge of what is stored of the server (purge.py); every change tells
this process's policy snapshot at once (policy.changed), other processes within policy.REFRESH_S.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field
from typing import Any

from fedihub import models
from fedihub.errors import Invalid, NotFound
from fedihub.models import Severity
from fedihub.moderation import policy, purge
from fedihub.runtime import Runtime

# host names (letters, digits, dots, dashes), IPv4 or bracketed IPv6, with an optional port
_DOMAIN_RE = re.compile(r"^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$")
MAX_IMPORT_LINES = 200_000
CSV_HEADER = [
    "#domain",
    "#severity",
    "#reject_media",
    "#reject_reports",
    "#public_comment",
    "#obfuscate",
]


def checked_domain(rt: Runtime, raw: str) -> str:
    """The normalised domain, or Invalid naming why not."""
    domain = policy.normalise(raw or "")
    if not domain or len(domain) > 255 or not _DOMAIN_RE.match(domain):
        raise Invalid(f"{raw!r} is not a domain name", field="domain")
    if domain == policy.normalise(rt.urls.domain):
        raise Invalid("a node cannot block itself", field="domain")
    return domain


@dataclass(frozen=True)
class BlockSpec:
    """What a block says, as the admin API, the CLI and a CSV line give it."""

    severity: Severity = Severity.SUSPEND
    reject_media: bool = False
    reject_reports: bool = False
    private_comment: str = ""
    public_comment: str = ""
    obfuscate: bool = False


async def block(rt: Runtime, raw_domain: str, spec: BlockSpec) -> models.DomainBlock:
    """Create or change the block of a domain; a new suspension purges what is stored of it."""
    domain = checked_domain(rt, raw_domain)
    row = await models.DomainBlock.get_or_none(domain=domain)
    was_suspended = row is not None and row.severity is Severity.SUSPEND
    values: dict[str, Any] = {
        "severity": spec.severity,
        "reject_media": spec.reject_media,
        "reject_reports": spec.reject_reports,
        "private_comment": spec.private_comment[:1000],
        "public_comment": spec.public_comment[:1000],
        "obfuscate": spec.obfuscate,
    }
    if row is None:
        row = await models.DomainBlock.create(domain=domain, **values)
    else:
        await models.DomainBlock.filter(id=row.id).update(**values)
        await row.refresh_from_db()
    policy.changed()
    if spec.severity is Severity.SUSPEND and not was_suspended:
        await purge.enqueue(rt, domain)
    return row


async def update(rt: Runtime, block_id: int, **changes: Any) -> models.DomainBlock:
    """Change some fields of an existing block (the admin API's PUT)."""
    row = await get_block(block_id)
    current = BlockSpec(
        row.severity,
        row.reject_media,
        row.reject_reports,
        row.private_comment,
        row.public_comment,
        row.obfuscate,
    )
    return await block(rt, row.domain, dataclasses.replace(current, **changes))


async def get_block(block_id: int) -> models.DomainBlock:
    row = await models.DomainBlock.get_or_none(id=block_id)
    if row is None:
        raise NotFound("Record not found")
    return row


async def unblock(domain_or_id: str | int) -> models.DomainBlock:
    """Lift a block (by domain or id); what the purge dropped stays dropped."""
    if isinstance(domain_or_id, int):
        row = await get_block(domain_or_id)
    else:
        found = await models.DomainBlock.get_or_none(domain=policy.normalise(domain_or_id))
        if found is None:
            raise NotFound(f"{domain_or_id} is not blocked")
        row = found
    await row.delete()
    policy.changed()
    return row


async def allow(rt: Runtime, raw_domain: str) -> models.DomainAllow:
    domain = checked_domain(rt, raw_domain)
    row, _ = await models.DomainAllow.get_or_create(domain=domain)
    policy.changed()
    return row


async def disallow(domain_or_id: str | int) -> models.DomainAllow:
    if isinstance(domain_or_id, int):
        row = await models.DomainAllow.get_or_none(id=domain_or_id)
    else:
        row = await models.DomainAllow.get_or_none(domain=policy.normalise(domain_or_id))
    if row is None:
        raise NotFound("Record not found")
    await row.delete()
    policy.changed()
    return row


# ---- Mastodon's CSV ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    imported: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


_TRUE = ("true", "1", "yes")


async def import_csv(rt: Runtime, text: str) -> ImportResult:
    """Import a blocklist: Mastodon's export (a `#domain,#severity,...` header) or one domain a
    line. A malformed line is skipped with its number and reason; the others are imported."""
    result = ImportResult()
    rows = csv.reader(io.StringIO(text))
    columns: list[str] | None = None
    for number, cells in enumerate(rows, start=1):
        if number > MAX_IMPORT_LINES:
            result.skipped.append((number, f"more than {MAX_IMPORT_LINES} lines: the rest"))
            break
        cells = [cell.strip() for cell in cells]
        if not cells or not any(cells):
            continue
        if columns is None and cells[0].lstrip("#") == "domain":
            columns = [cell.lstrip("#") for cell in cells]
            continue
        named = dict(zip(columns or ["domain"], cells, strict=False))
        try:
            spec = BlockSpec(
                severity=Severity(named.get("severity") or Severity.SUSPEND),
                reject_media=named.get("reject_media", "").lower() in _TRUE,
                reject_reports=named.get("reject_reports", "").lower() in _TRUE,
                public_comment=named.get("public_comment", ""),
                obfuscate=named.get("obfuscate", "").lower() in _TRUE,
            )
            await block(rt, named.get("domain", ""), spec)
        except ValueError:
            result.skipped.append((number, f"unknown severity {named.get('severity')!r}"))
            continue
        except Invalid as exc:
            result.skipped.append((number, exc.public))
            continue
        result.imported += 1
    return result


async def export_csv() -> str:
    """Every block in Mastodon's export format (what `import_csv` and Mastodon read back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in await models.DomainBlock.all().order_by("domain"):
        writer.writerow(
            [
                row.domain,
                row.severity.value,
                str(row.reject_media).lower(),
                str(row.reject_reports).lower(),
                row.public_comment,
                str(row.obfuscate).lower(),
            ]
        )
    return out.getvalue()


__all__ = [
    "BlockSpec",
    "CSV_HEADER",
    "ImportResult",
    "allow",
    "block",
    "checked_domain",
    "disallow",
    "export_csv",
    "get_block",
    "import_csv",
    "unblock",
    "update",
]
