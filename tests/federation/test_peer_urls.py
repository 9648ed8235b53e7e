"""A peer's `javascript:` (or any non-http) URL is never stored and never becomes a link on the
node's pages: actors, statuses, media and tags keep only http(s) URLs, and a mention links to the
actor's id when its stored profile URL is not one (rows stored before this rule)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.accounts import resolver, users
from fedihub.activitypub import parse
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import PUBLIC, actor_document, fresh_origin

EVIL = "javascript:alert(document.cookie)"


async def test_an_actor_is_stored_with_http_urls_only(app: Any) -> None:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    uri = f"{fresh_origin()}/users/zoe"
    doc = actor_document(
        uri,
        keys.generate_private_key(),
        url=EVIL,
        icon={"type": "Image", "href": EVIL},
        image={"type": "Image", "href": "data:image/svg+xml,<svg onload=alert(1)>"},
        outbox=EVIL,
        endpoints={"sharedInbox": EVIL},
    )
    stored = await resolver.store_actor(rt, parse.actor_doc(doc), fetched_from=uri)
    values = [stored.url, stored.icon_url, stored.header_url, stored.outbox, stored.shared_inbox]
    assert values == [None] * 5


async def test_a_remote_status_is_stored_with_http_urls_only(app: Any) -> None:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    origin = fresh_origin()
    zoe = await models.Actor.create(
        uri=f"{origin}/users/zoe",
        username="zoe",
        domain=origin.removeprefix("https://"),
        inbox=f"{origin}/users/zoe/inbox",
    )
    note = parse.object_doc(
        {
            "id": f"{zoe.uri}/notes/1",
            "type": "Note",
            "attributedTo": zoe.uri,
            "content": f'<p>see <a href="{EVIL}">this</a></p>',
            "url": EVIL,
            "to": [PUBLIC],
            "tag": [{"type": "Mention", "href": EVIL, "name": "@x"}],
            "attachment": [
                {"type": "Document", "mediaType": "image/png", "url": EVIL},
                {"type": "Document", "mediaType": "image/png", "url": f"{origin}/a.png"},
            ],
        }
    )
    status = await statuses.insert_remote(rt, zoe, note)
    assert status.url == status.uri
    assert "javascript:" not in status.content
    media = await models.MediaAttachment.filter(status_id=status.id).values_list(
        "remote_url", flat=True
    )
    assert list(media) == [f"{origin}/a.png"]


async def test_a_mention_of_an_actor_with_a_javascript_profile_url_links_to_its_id(
    app: Any, client: Any
) -> None:
    # Given a peer's actor stored before URLs were checked, its profile URL a script
    rt: Runtime = app.extensions[RUNTIME_KEY]
    domain = fresh_origin().removeprefix("https://")
    zoe = await models.Actor.create(
        uri=f"https://{domain}/users/zoe",
        username="zoe",
        domain=domain,
        inbox=f"https://{domain}/users/zoe/inbox",
        url=EVIL,
        fetched_at=datetime.now(UTC),
    )
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery staple")
    # When a local user mentions it
    status = await statuses.create(rt, ada, statuses.Draft(f"hello @zoe@{domain}"))
    # Then the mention links to the actor's id, in the status and on its page
    assert f'href="{zoe.uri}"' in status.content and "javascript:" not in status.content
    page = await client.get(f"/@ada/{status.id}", headers={"Accept": "text/html"})
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and f'href="{zoe.uri}"' in html
    assert "javascript:" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
