"""fedihub/projects/openapi.py against the real answers: every projects route is described, and
what each answers validates against its described schema (jsonschema, draft 2020-12), with
Mastodon's Account, Status and Error taken from Mastodon's description."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from apikit import bearer, json_of, make_token, make_user

from fedihub.projects.openapi import PATHS, SCHEMAS

MASTODON = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon-openapi.json"
_RULE = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


@cache
def _components() -> dict[str, Any]:
    mastodon = json.loads(MASTODON.read_text(encoding="utf-8"))["components"]
    return {"schemas": {**mastodon["schemas"], **SCHEMAS}}


def _check(path: str, method: str, value: Any) -> None:
    schema = PATHS[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(
        {**schema, "components": _components()}, format_checker=jsonschema.FormatChecker()
    ).validate(value)


def test_every_projects_route_is_described(app: Any) -> None:
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(
            ("/api/fedihub/v1/projects", "/api/fedihub/v1/invitations", "/api/fedihub/v1/tasks")
        ) or rule.rule.endswith("/meetings"):  # described by fedihub/meetings/openapi.py
            continue
        path = _RULE.sub(
            lambda m: "{id}" if m.group(1) == "raw_id" else "{" + m.group(1) + "}", rule.rule
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    described = {(path, method) for path, item in PATHS.items() for method in item}
    assert served == described


async def test_real_answers_validate_against_the_fragment(app: Any) -> None:
    client = app.test_client()
    ada, bob = await make_user(app, "ada"), await make_user(app, "bob")
    ada_h, bob_h = bearer(await make_token(ada)), bearer(await make_token(bob))
    v1 = "/api/fedihub/v1"

    async def call(method: str, path: str, described: str, who: dict[str, str], **body: Any) -> Any:
        response = await client.open(path, method=method.upper(), json=body or None, headers=who)
        value = await json_of(response)
        _check(described, method, value)
        return value

    project = await call(
        "post",
        f"{v1}/projects",
        f"{v1}/projects",
        ada_h,
        handle="graphene",
        name="G",
        tags=["a"],
        start_date="2026-01-01",
        repositories=["https://git.example.org/g"],
    )
    pid = project["id"]
    one = f"{v1}/projects/{{id}}"
    await call("get", f"{v1}/projects", f"{v1}/projects", {})
    await call("get", f"{v1}/projects/{pid}", one, bob_h)
    await call("put", f"{v1}/projects/{pid}", one, ada_h, description="d")
    await call(
        "get", f"{v1}/projects/lookup?acct=graphene@fedihub.test", f"{v1}/projects/lookup", {}
    )
    invitation = await call(
        "post",
        f"{v1}/projects/{pid}/invitations",
        f"{v1}/projects/{{id}}/invitations",
        ada_h,
        account="bob",
        expires_in=3600,
        message="hi",
    )
    await call(
        "get", f"{v1}/projects/{pid}/invitations", f"{v1}/projects/{{id}}/invitations", ada_h
    )
    await call("get", f"{v1}/invitations", f"{v1}/invitations", bob_h)
    await call(
        "post",
        f"{v1}/invitations/{invitation['id']}/accept",
        f"{v1}/invitations/{{id}}/accept",
        bob_h,
    )
    members = f"{v1}/projects/{{id}}/members"
    await call("get", f"{v1}/projects/{pid}/members", members, {})
    await call(
        "put",
        f"{v1}/projects/{pid}/members/{bob.actor.id}",
        members + "/{account_id}",
        ada_h,
        role="maintainer",
    )
    post = await call(
        "post",
        f"{v1}/projects/{pid}/statuses",
        f"{v1}/projects/{{id}}/statuses",
        bob_h,
        status="hello",
    )
    assert post["content"]
    await call("get", f"{v1}/projects/{pid}/statuses", f"{v1}/projects/{{id}}/statuses", {})
    task = await call(
        "post",
        f"{v1}/projects/{pid}/tasks",
        f"{v1}/projects/{{id}}/tasks",
        ada_h,
        title="Calibrate",
        assignee=str(bob.actor.id),
        due="2026-03-01",
    )
    await call("get", f"{v1}/projects/{pid}/tasks", f"{v1}/projects/{{id}}/tasks", {})
    await call("patch", f"{v1}/tasks/{task['id']}", f"{v1}/tasks/{{id}}", bob_h, status="done")
    await call("get", f"{v1}/tasks/{task['id']}", f"{v1}/tasks/{{id}}", {})
    comments = f"{v1}/tasks/{{id}}/comments"
    await call("post", f"{v1}/tasks/{task['id']}/comments", comments, bob_h, status="Done it")
    await call("get", f"{v1}/tasks/{task['id']}/comments", comments, {})
    sets = f"{v1}/projects/{{id}}/datasets"
    await call(
        "post",
        f"{v1}/projects/{pid}/datasets",
        sets,
        bob_h,
        name="Spectra",
        url="https://data.example.org/spectra.csv",
        media_type="text/csv",
        size=1024,
        digest_multibase="zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk",
    )
    await call("get", f"{v1}/projects/{pid}/datasets", sets, {})
    await call("get", f"{v1}/projects/{pid}/progress", f"{v1}/projects/{{id}}/progress", {})
    await call("delete", f"{v1}/tasks/{task['id']}", f"{v1}/tasks/{{id}}", ada_h)
    await call("post", f"{v1}/projects/{pid}/leave", f"{v1}/projects/{{id}}/leave", bob_h)
    await call("post", f"{v1}/projects/{pid}/join", f"{v1}/projects/{{id}}/join", bob_h)
    await call(
        "get", f"{v1}/projects/{pid}/join_requests", f"{v1}/projects/{{id}}/join_requests", ada_h
    )
    await call(
        "post",
        f"{v1}/projects/{pid}/join_requests/{bob.actor.id}/reject",
        f"{v1}/projects/{{id}}/join_requests/{{account_id}}/reject",
        ada_h,
    )
    await call("delete", f"{v1}/projects/{pid}", one, ada_h)
