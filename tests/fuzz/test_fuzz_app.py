"""A real app (SQLite and PostgreSQL) under fuzzed requests: every route of the url_map but the
streams, with random path values, query strings and bodies (JSON, form, or bytes under any
content type), with and without a token, answers below 500; and mutated peer activities, signed
by a known peer, are answered by the inbox below 500 and dispatched without an unexpected error.
Outbound HTTP goes to a mock that answers 404, so no fuzzed URL leaves the machine."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fuzzkit import JSON, PEER_DOCUMENTS, TRICKY_STRINGS, app_examples, mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fedihub import jobs, models
from fedihub.activitypub import signatures
from fedihub.security import keys
from fedihub.security.api_budget import MemoryApiLimiter
from fedihub.web.common import RUNTIME_KEY
from tests.api.apikit import bearer, make_token, make_user

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
API = Path(__file__).resolve().parents[2] / "fedihub" / "api"
_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")
SENDER = "https://peer.example/users/zoe"
PEER_KEY = keys.generate_private_key()
_FIXTURES = settings(
    max_examples=app_examples(30),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, rule) of every HTTP route but the streams (they hold the connection open)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.websocket or rule.endpoint.startswith("api_streaming."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


class World(dict[str, Any]):
    """The app and what was made in it; shown short when Hypothesis reports a failing input."""

    def __repr__(self) -> str:
        return f"World(ids={self['ids']})"


@pytest.fixture
async def world(app: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    rt = app.extensions[RUNTIME_KEY]
    # thousands of requests from one address: lift the API's request budget
    rt.api_limiter = MemoryApiLimiter(limit=10**9)
    # the node's own client is put back for the app's shutdown to close
    mock = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(404)))
    monkeypatch.setattr(rt, "http", mock)
    ada = await make_user(app, "ada")
    await make_user(app, "bob")
    token = await make_token(ada, "read write follow push profile")
    status = await models.Status.create(
        uri=f"{ada.actor.uri}/statuses/1",
        actor=ada.actor,
        local=True,
        content="<p>hi</p>",
        published=datetime.now(UTC),
    )
    sender = await models.Actor.create(
        uri=SENDER,
        username="zoe",
        domain="peer.example",
        inbox=f"{SENDER}/inbox",
        followers_url=f"{SENDER}/followers",
        public_key_id=f"{SENDER}#main-key",
        public_key_pem=keys.public_pem(PEER_KEY),
    )
    ids = [str(ada.actor_id), str(status.id), str(sender.id)]
    return World(app=app, token=token, ids=ids, ada=ada.actor.uri, routes=_routes(app))


PATH_VALUES = (
    st.sampled_from(["1", "0", "-1", "ada", "bob", "9" * 30, "%", "..", "rust"])
    | st.text(max_size=20)
    | TRICKY_STRINGS
)
# the names the API's views read (p.str("status"), p.list("media_ids") ...), found in its source so
# a new parameter is fuzzed from the day it is read, with their array and hash spellings
_READ = re.compile(r'\.(?:str|int|bool|list|hash|rows|raw|has|offset)\(\s*"([A-Za-z_]+)"')
API_NAMES = sorted({name for path in API.glob("*.py") for name in _READ.findall(path.read_text())})
PARAM_NAMES = (
    st.sampled_from(API_NAMES)
    | st.sampled_from(API_NAMES).map("{}[]".format)
    | st.tuples(
        st.sampled_from(API_NAMES), st.sampled_from(["0", "1", "x", ""]), st.sampled_from(API_NAMES)
    ).map(lambda t: f"{t[0]}[{t[1]}][{t[2]}]")
    | st.sampled_from("max_id since_id min_id offset resource uri url page next".split())
    | st.text(max_size=10)
)
PARAM_VALUES = (
    st.text(max_size=30)
    | st.from_regex(r"[+-]?[0-9]{1,25}", fullmatch=True)
    | st.sampled_from(["", "true", "0", "1e9", "²", "public", "direct", "acct:ada@fedihub.test"])
    | TRICKY_STRINGS
)
QUERY = st.dictionaries(PARAM_NAMES, PARAM_VALUES, max_size=5)


@st.composite
def _body(draw: st.DrawFn) -> tuple[bytes | None, str | None]:
    kind = draw(st.sampled_from(["none", "json", "form", "bytes"]))
    if kind == "none":
        return None, None
    if kind == "json":
        value = draw(st.dictionaries(PARAM_NAMES, JSON | PARAM_VALUES, max_size=6) | JSON)
        return json.dumps(value).encode(), "application/json"
    if kind == "form":
        return urlencode(draw(QUERY)).encode(), "application/x-www-form-urlencoded"
    content_type = draw(
        st.sampled_from(
            [
                "application/json",
                "application/activity+json",
                "multipart/form-data",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "text/plain",
            ]
        )
    )
    return draw(st.binary(max_size=200)), content_type


@_FIXTURES
@given(data=st.data())
async def test_fuzzed_requests_to_every_route_never_answer_5xx(
    world: dict[str, Any], data: st.DataObject
) -> None:
    app = world["app"]
    client = app.test_client()
    method, rule = data.draw(st.sampled_from(world["routes"]), label="route")
    values = st.sampled_from(world["ids"]) | PATH_VALUES
    path = _PLACEHOLDER.sub(lambda _: quote(data.draw(values), safe="") or "x", rule)
    query = data.draw(QUERY, label="query")
    body, content_type = data.draw(_body(), label="body")
    headers = bearer(world["token"]) if data.draw(st.booleans(), label="token") else {}
    if content_type:
        headers["Content-Type"] = content_type
    response = await client.open(
        path, method=method, query_string=query, data=body or b"", headers=headers
    )
    assert response.status_code < 500, (method, path, query, body, response.status_code)


def _as_sender(doc: Any, ada: str, n: int) -> Any:
    """A peer document made to speak for the sender: its id and actor on the sender's host, its
    embedded object attributed to it, addressed to ada (so it is stored, not only read)."""
    if not isinstance(doc, dict):
        return doc
    doc = {**doc, "id": f"{SENDER}/activities/{n}", "actor": SENDER, "to": [ada]}
    inner = doc.get("object")
    if isinstance(inner, dict):
        doc["object"] = {**inner, "id": f"{SENDER}/objects/{n}", "attributedTo": SENDER}
    return doc


_ACTIVITIES = [doc for doc in PEER_DOCUMENTS if "actor" in doc]


@_FIXTURES
@given(data=st.data())
async def test_mutated_signed_activities_never_answer_5xx_nor_break_dispatch(
    world: dict[str, Any], data: st.DataObject
) -> None:
    app = world["app"]
    rt = app.extensions[RUNTIME_KEY]
    n = data.draw(st.integers(1, 10**6), label="n")
    if data.draw(st.booleans(), label="speak for the sender first"):
        doc = data.draw(mutated([_as_sender(d, world["ada"], n) for d in _ACTIVITIES]))
    else:
        doc = _as_sender(data.draw(mutated(_ACTIVITIES)), world["ada"], n)
    body = json.dumps(doc).encode()
    path = data.draw(st.sampled_from(["/inbox", "/users/ada/inbox"]), label="inbox")
    headers = {"Content-Type": "application/activity+json", "Host": "fedihub.test"}
    headers.update(
        signatures.sign_cavage(
            "POST", f"https://fedihub.test{path}", headers, body, f"{SENDER}#main-key", PEER_KEY
        )
    )
    response = await app.test_client().post(path, data=body, headers=headers)
    assert response.status_code < 500, (doc, response.status_code)
    await jobs.drain(rt, kinds=["inbox"])
    errors = await models.Job.filter(kind="inbox", last_error__isnull=False).values_list(
        "last_error", flat=True
    )
    # cleared before asserting: a failed job left behind would fail every later input too
    await models.Job.filter(kind="inbox").delete()
    for error in errors:
        last = str(error).strip().splitlines()[-1] if error else ""
        # refused for good, or a peer's error (the mock's 404) to retry: never a crash
        assert str(error).startswith("permanent:") or last.startswith("fedihub.errors."), (
            json.dumps(doc),
            error,
        )
