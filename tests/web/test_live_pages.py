"""Live updates on the reader's own pages: /live/<name> takes the page's session cookie, tells of
each arrival on her home, notifications or direct messages without carrying what arrived, and
ends once her session is over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pagekit import make_user, page_token, post, sign_in
from tortoise.expressions import F

from fedihub import models
from fedihub.web import live

TIMEOUT_S = 10.0


async def _signed_in(app: Any, name: str) -> Any:
    await make_user(app, name)
    client = app.test_client()
    assert (await sign_in(client, name)).status_code == 302
    return client


class _Stream:
    """Reads a streamed page response event by event, within a bounded time."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.buffer = b""

    async def _more(self) -> None:
        chunk = await asyncio.wait_for(self.connection.receive(), TIMEOUT_S)
        if not chunk:
            raise EOFError("the stream ended")
        self.buffer += chunk

    async def opened(self) -> None:
        while b":)\n\n" not in self.buffer:  # sent once the subscription is in place
            await self._more()
        self.buffer = self.buffer.split(b":)\n\n", 1)[1]

    async def next(self) -> tuple[str, str]:
        while True:
            if b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                lines = block.decode().split("\n")
                if all(line.startswith(":") for line in lines):
                    continue  # a heartbeat
                fields = dict(line.split(": ", 1) for line in lines)
                return fields["event"], fields["data"]
            await self._more()


async def _follow(client: Any, handle: str) -> None:
    target = await models.Actor.get(username=handle, domain=None)
    token = await page_token(client, f"/@{handle}")
    response = await client.post(
        f"/web/accounts/{target.id}/follow", form={"csrf_token": token, "next": f"/@{handle}"}
    )
    assert response.status_code in (302, 303), response.status_code


async def test_home_notifications_and_direct_pages_hear_of_arrivals_without_their_content(
    app: Any,
) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    await _follow(ada, "bob")
    async with (
        ada.request("/live/home") as home_conn,
        ada.request("/live/notifications") as notes_conn,
        ada.request("/live/direct") as direct_conn,
    ):
        for connection in (home_conn, notes_conn, direct_conn):
            await connection.send_complete()
        home, notes, direct = _Stream(home_conn), _Stream(notes_conn), _Stream(direct_conn)
        for stream in (home, notes, direct):
            await stream.opened()

        await post(bob, "/web/statuses", {"status": "A secret result", "next": "/home"})
        assert await home.next() == ("home", "{}")  # the arrival, never the text

        await post(bob, "/web/statuses", {"status": "@ada have a look", "next": "/home"})
        assert await notes.next() == ("notifications", "{}")

        await post(
            bob,
            "/web/statuses",
            {"status": "@ada just for you", "visibility": "direct", "next": "/home"},
        )
        assert await direct.next() == ("direct", "{}")
        for connection in (home_conn, notes_conn, direct_conn):
            await connection.disconnect()


async def test_a_live_stream_ends_once_the_session_is_over(app: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(live, "HEARTBEAT_S", 0.1)
    ada = await _signed_in(app, "ada")
    async with ada.request("/live/home") as connection:
        await connection.send_complete()
        stream = _Stream(connection)
        await stream.opened()
        # "sign out everywhere": the session epoch moves on, the stream ends at its next heartbeat
        await models.User.filter(username_key="ada").update(session_epoch=F("session_epoch") + 1)
        with pytest.raises(EOFError):
            await stream.next()
    # a sign-in revoked from the settings' list of sessions ends its stream too
    bob = await _signed_in(app, "bob")
    async with bob.request("/live/notifications") as connection:
        await connection.send_complete()
        stream = _Stream(connection)
        await stream.opened()
        user = await models.User.get(username_key="bob")
        await models.WebSession.filter(user_id=user.id).update(revoked_at=datetime.now(UTC))
        with pytest.raises(EOFError):
            await stream.next()


async def test_live_streams_need_a_session_and_a_known_name(app: Any, client: Any) -> None:
    response = await client.get("/live/home")
    assert response.status_code == 302  # a visitor is sent to sign in
    assert response.headers["Location"].startswith("/auth/sign_in")
    ada = await _signed_in(app, "ada")
    assert (await ada.get("/live/everything")).status_code == 404


async def test_the_pages_name_their_own_streams_for_the_script(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    for path, stream in (
        ("/home", "user"),
        ("/notifications", "user:notification"),
        ("/conversations", "direct"),
    ):
        html = await (await ada.get(path)).get_data(as_text=True)
        assert f'data-stream="{stream}"' in html, path
    script = await (await ada.get("/static/live.js")).get_data(as_text=True)
    assert '"/live/"' in script
