"""Reports: users report accounts and statuses (Mastodon's POST /api/v1/reports), reports of
remote accounts may be forwarded to their server as a `Flag` from the instance actor, peers'
`Flag`s arrive as reports (`on_flag`, an inbox handler), and moderators assign, resolve and
reopen them; on resolution the local reporter gets a direct message from the node with the
outcome.

Bounds: a report names at most MAX_STATUSES statuses of its target, a comment of at most
MAX_COMMENT characters, and a reporter files at most MAX_PER_HOUR reports an hour (Mastodon's
report rate limit is of that order); a peer's Flag is bounded the same way and ignored when its
server's reports are rejected (a domain block with reject_reports).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.accounts import instance
from fedihub.activitypub import parse
from fedihub.activitypub.vocabulary import AS_CONTEXT
from fedihub.errors import Invalid, NotFound, RateLimited
from fedihub.models import ReportCategory, Visibility
from fedihub.moderation import policy
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import notifications

log = logging.getLogger(__name__)
MAX_STATUSES = 50
MAX_COMMENT = 1000
MAX_PER_HOUR = 20


@dataclass(frozen=True)
class Draft:
    """A report as a user files it."""

    target_id: int
    status_ids: list[int] = field(default_factory=list)
    category: str = ""
    rule_ids: list[str] = field(default_factory=list)
    comment: str = ""
    forward: bool = False


def _category(raw: str, rule_ids: list[str]) -> ReportCategory:
    if not raw:
        # Mastodon: rules given make a violation report, else "other"
        return ReportCategory.VIOLATION if rule_ids else ReportCategory.OTHER
    try:
        return ReportCategory(raw)
    except ValueError:
        raise Invalid(
            "category must be spam, legal, violation or other", field="category"
        ) from None


async def create(rt: Runtime, reporter: models.User, draft: Draft) -> models.Report:
    """File a report; with `forward`, a report of a remote account also goes to its server."""
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = await models.Report.filter(reporter_id=reporter.actor_id, created_at__gte=since)
    if len(recent) >= MAX_PER_HOUR:
        raise RateLimited("Too many reports: try again later")
    target = await models.Actor.get_or_none(id=draft.target_id, deleted_at__isnull=True)
    if target is None or target.id == reporter.actor_id:
        raise NotFound("Record not found")
    if len(draft.status_ids) > MAX_STATUSES:
        raise Invalid(f"at most {MAX_STATUSES} statuses per report", field="status_ids")
    found = await models.column(
        models.Status.filter(id__in=draft.status_ids, actor_id=target.id).values_list(
            "id", flat=True
        )
    )
    if set(found) != set(draft.status_ids):
        raise Invalid("a reported status is not the reported account's", field="status_ids")
    report = await models.Report.create(
        reporter_id=reporter.actor_id,
        target=target,
        category=_category(draft.category, draft.rule_ids),
        comment=draft.comment[:MAX_COMMENT],
        status_ids=sorted(set(draft.status_ids)),
        rule_ids=[str(r) for r in draft.rule_ids][:20],
    )
    if draft.forward and target.domain is not None:
        await forward(rt, report, target)
    return report


async def forward(rt: Runtime, report: models.Report, target: models.Actor) -> None:
    """Send the report to the target's server as a Flag from the instance actor (Mastodon's
    shape: the account, then the statuses, as `object`; the comment as `content`; no reporter)."""
    node = await instance.ensure_instance_actor(rt)
    uris = await models.column(
        models.Status.filter(id__in=report.status_ids).values_list("uri", flat=True)
    )
    flag: dict[str, object] = {
        "@context": AS_CONTEXT,
        "id": f"{rt.urls.instance_actor}#reports/{report.id}",
        "type": "Flag",
        "actor": node.uri,
        "content": report.comment,
        "object": [target.uri, *[str(u) for u in uris]],
        "to": [target.uri],
    }
    sent = await publish.publish(rt, node, flag, [target])
    if sent:
        await models.Report.filter(id=report.id).update(forwarded=True)
        report.forwarded = True


async def on_flag(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A peer's Flag: a report by its server of accounts here (INBOX_HANDLERS["Flag"])."""
    if signer.domain is None or await policy.rejects_reports(rt, signer.domain):
        return
    local = [
        uri for uri in activity.objects[: MAX_STATUSES + 1] if parse.host_of(uri) == rt.urls.domain
    ]
    targets = await models.Actor.filter(uri__in=local, domain__isnull=True)
    statuses = await models.Status.filter(uri__in=local, local=True)
    by_actor = {actor.id: actor for actor in targets}
    for status in statuses:
        if status.actor_id not in by_actor:
            actor = await models.Actor.get_or_none(id=status.actor_id)
            if actor is not None:
                by_actor[actor.id] = actor
    for target in by_actor.values():
        try:
            await models.Report.create(
                reporter=signer,
                target=target,
                category=ReportCategory.OTHER,
                comment=activity.content[:MAX_COMMENT],
                status_ids=sorted(s.id for s in statuses if s.actor_id == target.id),
                uri=f"{activity.id}#{target.id}"[:768],
            )
        except IntegrityError:
            continue  # the same Flag delivered twice


async def get(report_id: int) -> models.Report:
    report = await models.Report.get_or_none(id=report_id)
    if report is None:
        raise NotFound("Record not found")
    return report


async def assign(report: models.Report, actor_id: int | None) -> None:
    report.assigned_actor_id = actor_id
    await report.save(update_fields=["assigned_actor_id", "updated_at"])


async def resolve(rt: Runtime, report: models.Report, by: models.Actor, outcome: str) -> None:
    """Close the report and tell a local reporter what was done."""
    report.action_taken_at = datetime.now(UTC)
    report.action_taken_by_actor_id = by.id
    report.outcome = outcome[:MAX_COMMENT]
    await report.save(
        update_fields=["action_taken_at", "action_taken_by_actor_id", "outcome", "updated_at"]
    )
    reporter = await models.Actor.get_or_none(id=report.reporter_id)
    if reporter is not None and reporter.domain is None:
        await _tell(rt, reporter, report)


async def reopen(report: models.Report) -> None:
    report.action_taken_at = None
    report.action_taken_by_actor_id = None
    await report.save(update_fields=["action_taken_at", "action_taken_by_actor_id", "updated_at"])


async def _tell(rt: Runtime, reporter: models.Actor, report: models.Report) -> None:
    """A direct message from the node to the reporter: every Mastodon app shows it as a
    mention (Mastodon has no notification type for a resolved report)."""
    node = await instance.ensure_instance_actor(rt)
    target = await models.Actor.get_or_none(id=report.target_id)
    name = "an account" if target is None else f"@{target.username}"
    if target is not None and target.domain:
        name += f"@{target.domain}"
    outcome = report.outcome or "The moderators looked into it."
    text = f"Your report of {name} was resolved. {outcome}"
    status = await models.Status.create(
        uri=f"{rt.urls.instance_actor}#reports/{report.id}/resolved/{int(datetime.now(UTC).timestamp())}",
        actor=node,
        local=True,
        object_type="Note",
        visibility=Visibility.DIRECT,
        content=f"<p>{escape(text)}</p>",
        source=text,
        published=datetime.now(UTC),
    )
    await models.Mention.create(status=status, actor=reporter)
    await notifications.notify(rt, reporter, "mention", node, status)


__all__ = [
    "Draft",
    "MAX_COMMENT",
    "MAX_PER_HOUR",
    "MAX_STATUSES",
    "assign",
    "create",
    "forward",
    "get",
    "on_flag",
    "reopen",
    "resolve",
]
