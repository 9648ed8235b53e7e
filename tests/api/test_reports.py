"""Reports: filed by users (and bounded), forwarded to a remote account's server as a Flag from
the instance actor, received from peers as Flags, and handled by moderators through the admin
API, the reporter told the outcome and every step in the audit log."""

from __future__ import annotations

import json
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.models import Severity, StaffRole
from fedihub.moderation import domains, reports, staff
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import fresh_origin, install, signed_post, stored_actor

KEY = keys.generate_private_key()
ADMIN_SCOPES = "read write admin:read admin:write"


def _rt(app: Any) -> Runtime:
    runtime: Runtime = app.extensions[RUNTIME_KEY]
    return runtime


async def test_a_report_of_a_remote_account_is_forwarded_as_a_flag(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    zoe = await stored_actor(f"{fresh_origin()}/users/zoe", KEY)
    note = await statuses.insert_remote(
        rt,
        zoe,
        parse.object_doc(
            {
                "id": f"{zoe.uri}/notes/1",
                "type": "Note",
                "attributedTo": zoe.uri,
                "content": "<p>buy now</p>",
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            }
        ),
    )

    filed = await json_of(
        await client.post(
            "/api/v1/reports",
            json={
                "account_id": str(zoe.id),
                "status_ids": [str(note.id)],
                "comment": "spam",
                "category": "spam",
                "forward": True,
            },
            headers=bearer(token),
        )
    )

    check("Report", filed)
    assert filed["forwarded"] is True and filed["status_ids"] == [str(note.id)]
    (job,) = await models.Job.filter(kind="deliver")
    assert job.payload["inbox"] == zoe.inbox
    flag = json.loads((await models.OutboxActivity.get(id=job.payload["activity"])).body)
    assert flag["type"] == "Flag" and flag["actor"] == rt.urls.instance_actor
    assert flag["object"] == [zoe.uri, note.uri] and flag["content"] == "spam"
    assert "ada" not in json.dumps(flag)  # the reporter stays unnamed


async def test_reports_are_bounded_and_name_only_the_targets_statuses(
    app: Any, client: Any
) -> None:
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    token = await make_token(ada)
    mine = await post_status(client, token, status="my own")
    bad = await client.post(
        "/api/v1/reports",
        json={"account_id": str(kim.actor_id), "status_ids": [mine]},
        headers=bearer(token),
    )
    assert bad.status_code == 422
    for _ in range(reports.MAX_PER_HOUR):
        await json_of(
            await client.post(
                "/api/v1/reports", json={"account_id": str(kim.actor_id)}, headers=bearer(token)
            )
        )
    flooded = await client.post(
        "/api/v1/reports", json={"account_id": str(kim.actor_id)}, headers=bearer(token)
    )
    assert flooded.status_code == 429


async def test_a_peers_flag_arrives_as_a_report_and_is_resolved(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    admin = await make_user(app, "grace", admin=True)
    moderator = await make_user(app, "mo")
    await staff.set_role(moderator, StaffRole.MODERATOR)
    mod_token = await make_token(moderator, ADMIN_SCOPES)
    ada = await make_user(app, "ada")
    status_id = await post_status(client, await make_token(ada), status="a claim")
    ada_status = await models.Status.get(id=int(status_id))
    origin = fresh_origin()
    peer = await stored_actor(f"{origin}/users/admin", KEY)
    flag = {
        "id": f"{origin}/flags/1",
        "type": "Flag",
        "actor": peer.uri,
        "content": "misinformation",
        "object": [ada.actor.uri, ada_status.uri, f"{origin}/elsewhere"],
    }
    body = json.dumps(flag).encode()
    for _ in range(2):  # delivered twice: one report
        response = await client.post(
            "/inbox", data=body, headers=signed_post(body, KEY, peer.public_key_id or "")
        )
        assert response.status_code == 202
        await jobs.drain(rt)

    listed = await json_of(await client.get("/api/v1/admin/reports", headers=bearer(mod_token)))
    assert len(listed) == 1
    report = listed[0]
    check("AdminReport", report)
    assert report["comment"] == "misinformation"
    assert report["target_account"]["id"] == str(ada.actor_id)
    assert [s["id"] for s in report["statuses"]] == [status_id]

    rid = report["id"]
    assigned = await json_of(
        await client.post(f"/api/v1/admin/reports/{rid}/assign_to_self", headers=bearer(mod_token))
    )
    assert assigned["assigned_account"]["id"] == str(moderator.actor_id)
    resolved = await json_of(
        await client.post(
            f"/api/v1/admin/reports/{rid}/resolve",
            form={"text": "Removed"},
            headers=bearer(mod_token),
        )
    )
    check("AdminReport", resolved)
    assert resolved["action_taken"] is True
    assert await json_of(await client.get("/api/v1/admin/reports", headers=bearer(mod_token))) == []
    reopened = await json_of(
        await client.post(f"/api/v1/admin/reports/{rid}/reopen", headers=bearer(mod_token))
    )
    assert reopened["action_taken"] is False
    logged = [(e.actor_acct, e.action) for e in await models.AuditEntry.all().order_by("id")]
    assert logged == [("mo", "assigned_to_self"), ("mo", "resolve"), ("mo", "reopen")]
    assert admin.is_admin


async def test_the_reporter_is_told_the_outcome(app: Any, client: Any) -> None:
    rt = _rt(app)
    admin = await make_user(app, "grace", admin=True)
    admin_token = await make_token(admin, ADMIN_SCOPES)
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token = await make_token(ada)
    filed = await json_of(
        await client.post(
            "/api/v1/reports",
            json={"account_id": str(kim.actor_id), "comment": "rude", "rule_ids": ["1"]},
            headers=bearer(ada_token),
        )
    )
    assert filed["category"] == "violation"

    await json_of(
        await client.post(
            f"/api/v1/admin/reports/{filed['id']}/resolve",
            form={"text": "The account was warned."},
            headers=bearer(admin_token),
        )
    )

    notes = await json_of(await client.get("/api/v1/notifications", headers=bearer(ada_token)))
    assert len(notes) == 1 and notes[0]["type"] == "mention"
    assert notes[0]["account"]["acct"] == rt.urls.domain
    text = notes[0]["status"]["content"]
    assert "Your report of @kim was resolved" in text and "The account was warned." in text
    assert notes[0]["status"]["visibility"] == "direct"


async def test_a_server_whose_reports_are_rejected_files_none(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    origin = fresh_origin()
    peer = await stored_actor(f"{origin}/users/admin", KEY)
    await domains.block(
        rt, parse.host_of(origin), domains.BlockSpec(severity=Severity.NOOP, reject_reports=True)
    )
    flag = {"id": f"{origin}/flags/1", "type": "Flag", "actor": peer.uri, "object": [ada.actor.uri]}
    body = json.dumps(flag).encode()
    response = await client.post(
        "/inbox", data=body, headers=signed_post(body, KEY, peer.public_key_id or "")
    )
    assert response.status_code == 202
    await jobs.drain(rt)
    assert not await models.Report.exists()
