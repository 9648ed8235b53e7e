"""Streaming: WebSocket and server-sent events deliver update, notification, conversation and
delete events to the streams whose users may see them, and never a private or direct status to
a public stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from apikit import bearer, make_token, make_user

from fedihub import models
from fedihub.models import FollowState

TIMEOUT_S = 10.0


async def _post(client: Any, token: str, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/statuses", headers=bearer(token), json=body)
    assert response.status_code == 200, await response.get_data()
    return await response.get_json()  # type: ignore[no-any-return]


async def _ws_message(ws: Any) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.receive(), TIMEOUT_S))  # type: ignore[no-any-return]


async def _ws_ready(ws: Any) -> None:
    # the reader handles messages in order: once a bad subscribe is answered, the earlier
    # subscriptions are in place
    await ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
    assert (await _ws_message(ws))["error"] == "Unknown stream type"


class Sse:
    """Reads a streamed response event by event, within a bounded time."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.buffer = b""

    async def next(self) -> tuple[str, str]:
        while True:
            if b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                lines = block.decode().split("\n")
                if all(line.startswith(":") for line in lines):
                    continue  # a comment: the opening ":)" or a heartbeat
                fields = dict(line.split(": ", 1) for line in lines)
                return fields["event"], fields["data"]
            self.buffer += await asyncio.wait_for(self.connection.receive(), TIMEOUT_S)

    async def opened(self) -> None:
        while b":)\n\n" not in self.buffer:  # sent once the subscription is in place
            self.buffer += await asyncio.wait_for(self.connection.receive(), TIMEOUT_S)
        self.buffer = self.buffer.split(b":)\n\n", 1)[1]


async def test_websocket_user_stream_gets_own_post_a_mention_and_a_deletion(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    async with client.websocket(f"/api/v1/streaming?stream=user&access_token={ada_t}") as ws:
        await _ws_ready(ws)
        mine = await _post(client, ada_t, status="Hello stream")
        message = await _ws_message(ws)
        assert message["stream"] == ["user"] and message["event"] == "update"
        assert json.loads(message["payload"])["id"] == mine["id"]

        mention = await _post(client, bob_t, status="@ada look", visibility="private")
        update = await _ws_message(ws)
        assert update["event"] == "update" and json.loads(update["payload"])["id"] == mention["id"]
        notification = await _ws_message(ws)
        assert notification["event"] == "notification"
        body = json.loads(notification["payload"])
        assert body["type"] == "mention" and body["status"]["id"] == mention["id"]

        assert (
            await client.delete(f"/api/v1/statuses/{mine['id']}", headers=bearer(ada_t))
        ).status_code == 200
        deleted = await _ws_message(ws)
        assert deleted == {"stream": ["user"], "event": "delete", "payload": mine["id"]}


async def test_user_stream_carries_notifications_only_to_tokens_that_may_read_them(
    client: Any,
) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    statuses_only = await make_token(ada, "read:statuses write:statuses")
    bob_t = await make_token(bob)
    notifications_only = await make_token(ada, "read:notifications")
    async with client.websocket(f"/api/v1/streaming?access_token={notifications_only}") as ws:
        # the home timeline is not a notification: a read:notifications token cannot have it
        await ws.send(json.dumps({"type": "subscribe", "stream": "user"}))
        refused = await _ws_message(ws)
        assert refused == {"error": "This action is outside the authorized scopes", "status": 403}
    async with client.websocket(
        f"/api/v1/streaming?stream=user&access_token={statuses_only}"
    ) as ws:
        await _ws_ready(ws)
        mention = await _post(client, bob_t, status="@ada look", visibility="private")
        update = await _ws_message(ws)
        assert update["event"] == "update" and json.loads(update["payload"])["id"] == mention["id"]
        own = await _post(client, statuses_only, status="my own")
        # the mention's notification was left out: the next event is ada's own post
        message = await _ws_message(ws)
        assert message["event"] == "update" and json.loads(message["payload"])["id"] == own["id"]


async def test_websocket_takes_the_token_from_the_subprotocol_and_subscribe_messages(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    async with client.websocket("/api/v1/streaming", subprotocols=[token]) as ws:
        await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "Rust"}))
        await _ws_ready(ws)
        await _post(client, token, status="no tag here")
        tagged = await _post(client, token, status="learning #rust")
        message = await _ws_message(ws)
        assert (
            message["stream"] == ["hashtag", "Rust"]
            and json.loads(message["payload"])["id"] == tagged["id"]
        )


async def test_websocket_refuses_a_bad_token_and_user_stream_without_one(client: Any) -> None:
    from quart.testing import WebsocketResponseError

    try:
        async with client.websocket("/api/v1/streaming?stream=user&access_token=nope") as ws:
            await ws.receive()
    except WebsocketResponseError as exc:
        assert exc.response.status_code == 401
    else:
        raise AssertionError("a bad token was accepted")
    async with client.websocket("/api/v1/streaming") as ws:
        await ws.send(json.dumps({"type": "subscribe", "stream": "user"}))
        assert (await _ws_message(ws))["error"] == "Missing access token"


async def test_sse_public_stream_never_shows_private_or_direct_statuses(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t = await make_token(ada)
    async with client.request("/api/v1/streaming/public") as connection:
        await connection.send_complete()
        sse = Sse(connection)
        await sse.opened()
        await _post(client, ada_t, status="followers only", visibility="private")
        await _post(client, ada_t, status="@bob secret", visibility="direct")
        await _post(client, ada_t, status="quietly", visibility="unlisted")
        public = await _post(client, ada_t, status="for everyone")
        event, data = await sse.next()
        assert event == "update" and json.loads(data)["id"] == public["id"]
        await connection.disconnect()
    assert bob


async def test_sse_user_stream_private_post_reaches_followers_only(client: Any) -> None:
    ada, bob, cy = [await make_user(client.app, n) for n in ("ada", "bob", "cy")]
    await models.Follow.create(follower=bob.actor, target=ada.actor, state=FollowState.ACCEPTED)
    ada_t, bob_t, cy_t = await make_token(ada), await make_token(bob), await make_token(cy)
    async with (
        client.request("/api/v1/streaming/user", headers=bearer(bob_t)) as bob_conn,
        client.request("/api/v1/streaming/user", headers=bearer(cy_t)) as cy_conn,
    ):
        await bob_conn.send_complete()
        await cy_conn.send_complete()
        bob_sse, cy_sse = Sse(bob_conn), Sse(cy_conn)
        await bob_sse.opened()
        await cy_sse.opened()
        private = await _post(client, ada_t, status="for my followers", visibility="private")
        event, data = await bob_sse.next()
        assert event == "update" and json.loads(data)["id"] == private["id"]
        # cy follows nobody: the next thing she hears is her own post, not ada's private one
        own = await _post(client, cy_t, status="mine")
        event, data = await cy_sse.next()
        assert json.loads(data)["id"] == own["id"]
        await bob_conn.disconnect()
        await cy_conn.disconnect()


async def test_sse_direct_stream_gets_the_conversation(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    async with client.request(f"/api/v1/streaming/direct?access_token={bob_t}") as connection:
        await connection.send_complete()
        sse = Sse(connection)
        await sse.opened()
        await _post(client, ada_t, status="@bob public hello")
        dm = await _post(client, ada_t, status="@bob psst", visibility="direct")
        event, data = await sse.next()
        assert event == "conversation"
        body = json.loads(data)
        assert body["last_status"]["id"] == dm["id"] and body["unread"] is True
        assert [a["username"] for a in body["accounts"]] == ["ada"]
        await connection.disconnect()


async def test_streaming_health_and_unknown_streams(client: Any) -> None:
    health = await client.get("/api/v1/streaming/health")
    assert health.status_code == 200 and await health.get_data() == b"OK"
    assert (await client.get("/api/v1/streaming/user")).status_code == 401
    assert (await client.get("/api/v1/streaming/hashtag")).status_code == 400
    write_only = await make_token(await make_user(client.app, "ada"), "write")
    assert (
        await client.get("/api/v1/streaming/user", headers=bearer(write_only))
    ).status_code == 403
    assert (
        await client.get("/api/v1/streaming/nonsense", headers=bearer(write_only))
    ).status_code == 400


async def test_remote_statuses_from_the_inbox_reach_streams_with_their_visibility(
    client: Any,
) -> None:
    from apikit import remote_actor

    from fedihub.activitypub import parse
    from fedihub.social import statuses
    from fedihub.web.common import RUNTIME_KEY

    rt = client.app.extensions[RUNTIME_KEY]
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    zoe = await remote_actor(
        "zoe", "far.example", followers_url="https://far.example/users/zoe/followers"
    )
    await models.Follow.create(follower=ada.actor, target=zoe, state=FollowState.ACCEPTED)

    def note(n: int, to: list[str], **extra: Any) -> parse.ObjectDoc:
        return parse.object_doc(
            {
                "id": f"https://far.example/notes/{n}",
                "type": "Note",
                "attributedTo": zoe.uri,
                "content": f"<p>note {n}</p>",
                "to": to,
                "cc": [],
                **extra,
            }
        )

    async with (
        client.request("/api/v1/streaming/public/remote") as public_conn,
        client.request(f"/api/v1/streaming/user?access_token={token}") as user_conn,
    ):
        await public_conn.send_complete()
        await user_conn.send_complete()
        public, home = Sse(public_conn), Sse(user_conn)
        await public.opened()
        await home.opened()
        followers_only = await statuses.store_remote(rt, zoe, note(1, [zoe.followers_url]))
        event, data = await home.next()
        assert event == "update" and json.loads(data)["id"] == str(followers_only.id)
        everyone = await statuses.store_remote(
            rt, zoe, note(2, ["https://www.w3.org/ns/activitystreams#Public"])
        )
        event, data = await public.next()  # the followers-only note never reached the public stream
        assert json.loads(data)["id"] == str(everyone.id)
        assert await statuses.delete_remote(rt, zoe, everyone.uri)
        assert (await home.next())[0] == "update"  # the public note, in ada's home too
        assert await home.next() == ("delete", str(everyone.id))
        assert await public.next() == ("delete", str(everyone.id))
        await public_conn.disconnect()
        await user_conn.disconnect()


async def test_a_boost_reaches_the_boosters_followers_and_its_undo_deletes_it(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    cyd = await make_user(client.app, "cyd")
    ada_t, bob_t, cyd_t = await make_token(ada), await make_token(bob), await make_token(cyd)
    await models.Follow.create(
        follower_id=cyd.actor_id, target_id=bob.actor_id, state=FollowState.ACCEPTED
    )
    original = await _post(client, ada_t, status="worth sharing")
    async with client.websocket(f"/api/v1/streaming?stream=user&access_token={cyd_t}") as ws:
        await _ws_ready(ws)
        boost = await (
            await client.post(f"/api/v1/statuses/{original['id']}/reblog", headers=bearer(bob_t))
        ).get_json()
        message = await _ws_message(ws)
        payload = json.loads(message["payload"])
        assert message["event"] == "update" and payload["id"] == boost["id"]
        assert payload["reblog"]["id"] == original["id"]
        await client.post(f"/api/v1/statuses/{original['id']}/unreblog", headers=bearer(bob_t))
        assert await _ws_message(ws) == {
            "stream": ["user"],
            "event": "delete",
            "payload": boost["id"],
        }


async def test_public_stream_skips_blocked_muted_and_blocking_authors(client: Any) -> None:
    names = ("ada", "bob", "cy", "dee", "eve", "fay")
    users = {n: await make_user(client.app, n) for n in names}
    tokens = {n: await make_token(u) for n, u in users.items()}

    async def act(who: str, action: str, whom: str) -> None:
        url = f"/api/v1/accounts/{users[whom].actor.id}/{action}"
        assert (await client.post(url, headers=bearer(tokens[who]))).status_code == 200

    await act("cy", "mute", "ada")
    await act("ada", "block", "dee")
    await act("eve", "block", "ada")
    viewers = ("bob", "cy", "dee", "eve")
    async with contextlib.AsyncExitStack() as stack:
        streams = {}
        for n in viewers:
            url = f"/api/v1/streaming?stream=public:local&access_token={tokens[n]}"
            streams[n] = await stack.enter_async_context(client.websocket(url))
            await _ws_ready(streams[n])
        hidden = await _post(client, tokens["ada"], status="from ada")
        seen = await _post(client, tokens["fay"], status="from fay")
        assert json.loads((await _ws_message(streams["bob"]))["payload"])["id"] == hidden["id"]
        for n in viewers:
            # each connection gets its events in order: ada's was left out, not delayed
            assert json.loads((await _ws_message(streams[n]))["payload"])["id"] == seen["id"]

        await act("bob", "block", "ada")  # while connected: the next status is left out
        await _post(client, tokens["ada"], status="after the block")
        later = await _post(client, tokens["fay"], status="after the block too")
        assert json.loads((await _ws_message(streams["bob"]))["payload"])["id"] == later["id"]


async def _sse_until_closed(connection: Any) -> bytes:
    """Read a server-sent events response until the server ends it (within TIMEOUT_S)."""
    seen = b""
    while True:
        chunk = await asyncio.wait_for(connection.receive(), TIMEOUT_S)
        if not chunk:
            return seen
        seen += chunk


async def _ws_until_closed(ws: Any) -> int:
    """Wait for the server to close the WebSocket; its close code."""
    from quart.testing.connections import WebsocketDisconnectError

    try:
        while True:
            await asyncio.wait_for(ws.receive(), TIMEOUT_S)
    except WebsocketDisconnectError as exc:
        return int(exc.args[0])


async def _revoke(client: Any, app: models.OAuthApp, secret: str, token: str) -> None:
    form = {"client_id": app.client_id, "client_secret": secret, "token": token}
    assert (await client.post("/oauth/revoke", form=form)).status_code == 200


async def test_revoking_a_token_closes_its_websocket_and_sse_streams_at_once(
    client: Any,
) -> None:
    from apikit import make_app

    from fedihub.accounts import oauth

    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    app, secret = await make_app()
    ada_t, _ = await oauth.issue_token(app, ada.id, ["read", "write"])
    bob_t = await make_token(bob)
    async with (
        client.websocket(f"/api/v1/streaming?stream=user&access_token={ada_t}") as ws,
        client.websocket(f"/api/v1/streaming?stream=user&access_token={bob_t}") as bob_ws,
        client.request("/api/v1/streaming/user", headers=bearer(ada_t)) as sse,
    ):
        await sse.send_complete()
        await Sse(sse).opened()
        await _ws_ready(ws)
        await _ws_ready(bob_ws)
        # When the app revokes ada's token
        await _revoke(client, app, secret, ada_t)
        # Then her streams end, well before the next re-check would have found it
        assert await _ws_until_closed(ws) == 1008
        await _sse_until_closed(sse)
        # and bob's stream goes on
        mine = await _post(client, bob_t, status="still here")
        message = await _ws_message(bob_ws)
        assert json.loads(message["payload"])["id"] == mine["id"]


async def test_disabling_an_account_closes_every_stream_of_its_tokens(client: Any) -> None:
    from fedihub.accounts import revocations, users
    from fedihub.web.common import RUNTIME_KEY

    ada = await make_user(client.app, "ada")
    first, second = await make_token(ada), await make_token(ada, "read:statuses")
    async with (
        client.websocket(f"/api/v1/streaming?stream=public&access_token={first}") as ws,
        client.request("/api/v1/streaming/user", headers=bearer(second)) as sse,
    ):
        await sse.send_complete()
        await Sse(sse).opened()
        await _ws_ready(ws)
        # as `fedihub user disable ada` does
        user = await users.set_disabled("ada")
        await revocations.account_disabled(client.app.extensions[RUNTIME_KEY], user.id)
        assert await _ws_until_closed(ws) == 1008
        await _sse_until_closed(sse)


async def test_streams_close_on_the_recheck_when_no_event_came(
    client: Any, monkeypatch: Any
) -> None:
    from datetime import UTC, datetime

    from fedihub.accounts import oauth
    from fedihub.api import stream_guard

    # Given a re-check every 50 ms (a minute in production) and changes made behind the bus's
    # back, as `fedihub user disable` on a SQLite node makes them
    monkeypatch.setattr(stream_guard, "RECHECK_S", 0.05)
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    async with (
        client.websocket(f"/api/v1/streaming?stream=user&access_token={ada_t}") as ws,
        client.request("/api/v1/streaming/user", headers=bearer(bob_t)) as sse,
    ):
        await sse.send_complete()
        await Sse(sse).opened()
        await _ws_ready(ws)
        await models.OAuthToken.filter(token_hash=oauth.digest(ada_t)).update(
            revoked_at=datetime.now(UTC)
        )
        await models.User.filter(id=bob.id).update(disabled=True)
        assert await _ws_until_closed(ws) == 1008
        await _sse_until_closed(sse)


async def test_streams_obey_the_viewers_filters_of_their_context(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    await models.Follow.create(follower=ada.actor, target=bob.actor, state=FollowState.ACCEPTED)
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    for title, action, context, word in (
        ("Spoilers", "hide", "home", "spoilers"),
        ("Lunch", "warn", "public", "lunch"),
    ):
        made = await client.post(
            "/api/v2/filters",
            headers=bearer(ada_t),
            json={
                "title": title,
                "context": [context],
                "filter_action": action,
                "keywords_attributes": [{"keyword": word}],
            },
        )
        assert made.status_code == 200, await made.get_data()
    async with (
        client.request("/api/v1/streaming/user", headers=bearer(ada_t)) as home_conn,
        client.request("/api/v1/streaming/public", headers=bearer(ada_t)) as public_conn,
    ):
        await home_conn.send_complete()
        await public_conn.send_complete()
        home, public = Sse(home_conn), Sse(public_conn)
        await home.opened()
        await public.opened()
        spoiler = await _post(client, bob_t, status="spoilers ahead")
        lunch = await _post(client, bob_t, status="lunch at noon")
        # home: the hide filter of the home context leaves the spoiler out
        event, data = await home.next()
        body = json.loads(data)
        assert event == "update" and body["id"] == lunch["id"] and body["filtered"] == []
        # public: the spoiler passes (its filter is of home), the lunch comes with its warning
        first = json.loads((await public.next())[1])
        assert first["id"] == spoiler["id"] and first["filtered"] == []
        second = json.loads((await public.next())[1])
        assert second["id"] == lunch["id"]
        assert second["filtered"][0]["filter"]["title"] == "Lunch"
        assert second["filtered"][0]["keyword_matches"] == ["lunch"]
        await home_conn.disconnect()
        await public_conn.disconnect()
