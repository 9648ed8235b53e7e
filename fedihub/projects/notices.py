"""What a project tells one person in words: a direct `Note` from its Group actor that mentions
her. Mastodon and every app show it as a direct message with a mention notification, where
`Invite`, `Add` or `Ticket` vanish (PROTOCOLS.md §0, §4 "Mastodon users"); fedihub nodes store it
as any direct message."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.ids import new_id
from fedihub.models import Visibility
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import activities, documents, notifications


async def direct_note(
    rt: Runtime, project: models.Project, recipient: models.Actor, content_html: str
) -> models.Status:
    """Post `content_html` (built from escaped parts by the caller) from the project to
    `recipient` only, mentioning her; delivered if she is remote, notified if local."""
    group = project.actor
    status_id = new_id()
    uri = f"{group.uri}/statuses/{status_id}"
    link = html.escape(recipient.url or recipient.uri, quote=True)
    name = html.escape(documents.mention_name(rt, recipient).lstrip("@"))
    mention = (
        f'<span class="h-card"><a href="{link}" class="u-url mention">@<span>{name}</span></a>'
        "</span>"
    )
    async with in_transaction():
        status = await models.Status.create(
            id=status_id,
            uri=uri,
            url=group.url,
            actor=group,
            local=True,
            object_type="Note",
            visibility=Visibility.DIRECT,
            content=f"<p>{mention} {content_html}</p>",
            source=None,
            conversation_uri=uri,
            published=datetime.now(UTC),
        )
        await models.Mention.create(status=status, actor=recipient)
        status.actor = group
        if recipient.domain is not None:
            await publish.publish(rt, group, await activities.create(rt, status), [recipient])
    await notifications.notify(rt, recipient, "mention", group, status)
    return status
