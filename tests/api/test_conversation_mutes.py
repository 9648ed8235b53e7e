"""Conversation mutes: POST /api/v1/statuses/:id/mute and /unmute, `muted` on the status, and no
notifications from a muted thread."""

from __future__ import annotations

from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check


async def test_a_muted_thread_notifies_no_more(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    cy = await make_user(client.app, "cy")
    ada_t, bob_t, cy_t = [await make_token(u) for u in (ada, bob, cy)]
    root = await post_status(client, ada_t, status="a thread")
    reply = await post_status(client, bob_t, status="@ada a reply", in_reply_to_id=root)

    muted = await json_of(
        await client.post(f"/api/v1/statuses/{reply}/mute", headers=bearer(ada_t))
    )
    check("Status", muted)
    assert muted["muted"] is True
    shown = await json_of(await client.get(f"/api/v1/statuses/{root}", headers=bearer(ada_t)))
    assert shown["muted"] is True
    # muting again answers the same; another reader's view is untouched
    again = await json_of(await client.post(f"/api/v1/statuses/{root}/mute", headers=bearer(ada_t)))
    assert again["muted"] is True
    theirs = await json_of(await client.get(f"/api/v1/statuses/{root}", headers=bearer(bob_t)))
    assert theirs["muted"] is False

    before = len(await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_t))))
    await post_status(client, cy_t, status="@ada deeper", in_reply_to_id=reply)
    await json_of(await client.post(f"/api/v1/statuses/{root}/favourite", headers=bearer(cy_t)))
    await json_of(await client.post(f"/api/v1/statuses/{root}/reblog", headers=bearer(bob_t)))
    after = await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_t)))
    assert len(after) == before

    # elsewhere ada still hears of everything
    other = await post_status(client, ada_t, status="another thread")
    await json_of(await client.post(f"/api/v1/statuses/{other}/favourite", headers=bearer(cy_t)))
    assert len(await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_t)))) == (
        before + 1
    )

    unmuted = await json_of(
        await client.post(f"/api/v1/statuses/{root}/unmute", headers=bearer(ada_t))
    )
    assert unmuted["muted"] is False
    await post_status(client, cy_t, status="@ada heard again", in_reply_to_id=root)
    assert len(await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_t)))) == (
        before + 2
    )
    # a status one may not see cannot be muted; the scope is write:mutes
    secret = await post_status(client, bob_t, status="mine", visibility="direct")
    hidden = await client.post(f"/api/v1/statuses/{secret}/mute", headers=bearer(ada_t))
    assert hidden.status_code == 404
    read_only = await make_token(ada, "read")
    refused = await client.post(f"/api/v1/statuses/{root}/mute", headers=bearer(read_only))
    assert refused.status_code == 403
