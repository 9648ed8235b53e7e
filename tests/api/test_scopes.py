"""What a token of each scope may do, route by route.

Every route of the API declares beside it what it asks of a token (fedihub/api/auth.py:
`require_scope`, `scope_if_token`, `ignores_token`, `scope_per_stream`). The test below walks the
app's url_map and asks every route with no token, with a token of each scope the node knows, and
with an app's own token (no user), and checks each answer against the declaration:

| declared                      | no token   | token granting a scope   | any other token |
|-------------------------------|------------|--------------------------|-----------------|
| require_scope(scopes)         | 401        | served (422 for no user) | 403             |
| scope_if_token(scopes)        | served     | served                   | 403             |
| ignores_token                 | served     | served                   | served          |
| scope_per_stream (each stream | as require_scope, or as ignores_token for public streams   |
|   in api/streaming.STREAM_SCOPES)                                                          |

"Served" means neither refusal (401 "The access token is invalid", 403 "This action is outside
the authorized scopes"), and no server error. A route that declares nothing fails the test, so a
new route cannot forget its scope.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from apikit import bearer, make_token, make_user

from fedihub import models
from fedihub.accounts import oauth
from fedihub.api.auth import INVALID_TOKEN, NEEDS_USER, OUT_OF_SCOPE, Access, Token, access_of
from fedihub.api.streaming import STREAM_SCOPES
from fedihub.security.api_budget import MemoryApiLimiter
from fedihub.web.common import RUNTIME_KEY

SCOPES = sorted(oauth.ALL_SCOPES)
APP_TOKEN = "(app token, no user)"
APP_SCOPES = "read write follow push profile"  # the app token's: no admin scope
_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")
_VALUES = {"name": "rust"}  # <raw_id> and the rest: "1", an id nobody has


def _api_routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, rule, rule object) of every route that may see a bearer token."""
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".", 1)[0]
        if not (blueprint.startswith("api_") or rule.rule.startswith(("/api/", "/oauth/"))):
            continue
        methods = ["GET"] if rule.websocket else sorted(rule.methods - {"HEAD", "OPTIONS"})
        found.extend((method, rule.rule, rule) for method in methods)
    return found


def _path(rule: str) -> str:
    return _PLACEHOLDER.sub(lambda m: _VALUES.get(m.group(1), "1"), rule)


async def _outcome(response: Any) -> str:
    """'401', '403', 'no user' (422 for a token without a user), '5xx' or 'served'."""
    if response.status_code >= 500:
        return "5xx"
    body = await response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    if response.status_code == 401 and error == INVALID_TOKEN:
        return "401"
    if response.status_code == 403 and error == OUT_OF_SCOPE:
        return "403"
    if response.status_code == 422 and error == NEEDS_USER:
        return "no user"
    return "served"


def _expected(access: Access, scope: str | None) -> str:
    """What a route declared `access` answers a token of `scope` (None: no token)."""
    if access.token is Token.IGNORED:
        return "served"
    if scope is None:
        return "401" if access.token is Token.REQUIRED else "served"
    if scope == APP_TOKEN:
        # the scope check comes first, as doorkeeper_authorize! before require_user! on Mastodon
        if access.scopes and not oauth.allows(APP_SCOPES, *access.scopes):
            return "403"
        return "no user" if access.user else "served"
    granted = not access.scopes or oauth.allows(scope, *access.scopes)
    return "served" if granted else "403"


def _stream_expected(stream: str, scope: str | None) -> str:
    needed = STREAM_SCOPES[stream]
    if not needed:
        return "open"
    if scope is None or scope == APP_TOKEN:
        return "401"
    return "open" if oauth.allows(scope, *needed) else "403"


async def _sse(client: Any, path: str, token: str | None) -> str:
    """'open' when the stream starts, else the status code of the refusal."""
    async with client.request(path, headers=bearer(token) if token else {}) as connection:
        await connection.send_complete()
        first = await asyncio.wait_for(connection.receive(), 10)
        status = connection.status_code
        await connection.disconnect()
    if status == 200 and first == b":)\n\n":
        return "open"
    return str(status)


async def _ws(client: Any, token: str | None, queries: dict[str, str]) -> dict[str, str]:
    """Subscribe to every stream over one WebSocket; 'open' or the status of each refusal."""
    query = f"?access_token={token}" if token else ""
    answers: dict[str, str] = {}
    async with client.websocket(f"/api/v1/streaming{query}") as ws:
        for stream in STREAM_SCOPES:
            await ws.send(json.dumps({"type": "subscribe", "stream": stream, **_params(queries)}))
            # a refusal is answered at once; silence, up to the next stream's answer, is consent
            await ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
            message = json.loads(await asyncio.wait_for(ws.receive(), 10))
            if message.get("error") == "Unknown stream type":
                answers[stream] = "open"
                continue
            answers[stream] = str(message["status"])
            sentinel = json.loads(await asyncio.wait_for(ws.receive(), 10))
            assert sentinel["error"] == "Unknown stream type", sentinel
    return answers


def _params(queries: dict[str, str]) -> dict[str, str]:
    return {"tag": queries["tag"], "list": queries["list"]}


async def test_every_route_answers_a_token_of_each_scope_as_it_declares(client: Any) -> None:
    app = client.app
    routes = _api_routes(app)
    undeclared = [
        f"{method} {rule}"
        for method, rule, obj in routes
        if access_of(app.view_functions[obj.endpoint]) is None
    ]
    assert not undeclared, "routes that declare no scope: " + ", ".join(undeclared)
    assert len(routes) > 100
    # thousands of requests from one address: lift the API's request budget for this test
    app.extensions[RUNTIME_KEY].api_limiter = MemoryApiLimiter(limit=10**9)
    ada = await make_user(app, "ada")
    tokens: dict[str | None, str | None] = {None: None}
    for scope in SCOPES:
        tokens[scope] = await make_token(ada, scope)
    # every top scope but admin (profile too: /oauth/userinfo asks for it alone), so what an app
    # token meets is the missing user, never a scope
    tokens[APP_TOKEN] = await make_token(None, APP_SCOPES)
    own_list = await models.List.create(owner_id=ada.actor_id, title="lab")
    queries = {"tag": "rust", "list": str(own_list.id)}

    wrong: list[str] = []
    for method, rule, obj in routes:
        access = access_of(app.view_functions[obj.endpoint])
        assert access is not None
        if access.token is Token.PER_STREAM:
            continue
        path = _path(rule)
        for scope, token in tokens.items():
            headers = bearer(token) if token else {}
            got = await _outcome(await client.open(path, method=method, headers=headers))
            if got != _expected(access, scope):
                wrong.append(f"{method} {rule} with {scope or 'no token'}: {got}")

    # streaming: each stream over server-sent events (by path and by parameter) and WebSocket
    for scope, token in tokens.items():
        for stream in STREAM_SCOPES:
            expected = _stream_expected(stream, scope)
            extra = f"tag={queries['tag']}&list={queries['list']}"
            for path in (
                f"/api/v1/streaming/{stream.replace(':', '/')}?{extra}",
                f"/api/v1/streaming?stream={stream}&{extra}",
            ):
                got = await _sse(client, path, token)
                if got != expected:
                    wrong.append(f"GET {path} with {scope or 'no token'}: {got}")
        for stream, got in (await _ws(client, token, queries)).items():
            if got != _stream_expected(stream, scope):
                wrong.append(f"WebSocket {stream} with {scope or 'no token'}: {got}")

    assert not wrong, f"{len(wrong)} answers differ from the declared scopes:\n" + "\n".join(wrong)
