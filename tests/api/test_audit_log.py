"""The audit log through its API: admins read it with filters; moderators and users may not; the
command line's actions are in it too."""

from __future__ import annotations

from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user
from tortoise import Tortoise

from fedihub import models
from fedihub.models import StaffRole
from fedihub.moderation import audit, staff

ADMIN_SCOPES = "read write admin:read admin:write"


async def test_admins_read_the_audit_log_with_filters(app: Any, client: Any) -> None:
    admin = await make_user(app, "grace", admin=True)
    moderator = await make_user(app, "mo")
    await staff.set_role(moderator, StaffRole.MODERATOR)
    admin_token = await make_token(admin, ADMIN_SCOPES)
    kim = await make_user(app, "kim")
    await json_of(
        await client.post(
            f"/api/v1/admin/accounts/{kim.actor_id}/action",
            form={"type": "silence", "text": "spam"},
            headers=bearer(admin_token),
        )
    )
    await json_of(
        await client.post(
            "/api/v1/admin/domain_blocks",
            form={"domain": "spam.example"},
            headers=bearer(admin_token),
        )
    )
    await audit.record(None, "change_role", "Account", "mo", detail="moderator")

    everything = await json_of(
        await client.get("/api/fedihub/v1/admin/audit_log", headers=bearer(admin_token))
    )
    assert [(e["account"], e["action"], e["target"]) for e in everything] == [
        ("(command line)", "change_role", "mo"),
        ("grace", "create", "spam.example"),
        ("grace", "silence", "kim"),
    ]
    assert everything[2]["detail"] == "spam" and everything[2]["account_id"] == str(admin.actor_id)
    assert everything[0]["ip"] == "cli"
    only_accounts = await json_of(
        await client.get(
            "/api/fedihub/v1/admin/audit_log?target_type=Account&action=silence",
            headers=bearer(admin_token),
        )
    )
    assert [e["target"] for e in only_accounts] == ["kim"]
    until_nothing = await json_of(
        await client.get(
            "/api/fedihub/v1/admin/audit_log?until=2000-01-01T00:00:00Z",
            headers=bearer(admin_token),
        )
    )
    assert until_nothing == []

    for token in (await make_token(moderator, ADMIN_SCOPES), await make_token(kim, ADMIN_SCOPES)):
        refused = await client.get("/api/fedihub/v1/admin/audit_log", headers=bearer(token))
        assert refused.status_code == 403
    bad_time = await client.get(
        "/api/fedihub/v1/admin/audit_log?since=yesterday", headers=bearer(admin_token)
    )
    assert bad_time.status_code == 422


async def test_the_database_itself_refuses_to_change_or_delete_audit_entries(app: Any) -> None:
    grace = await make_user(app, "grace", admin=True)
    entry = await audit.record(grace, "suspend", "account", "kim@uni.example", ip="192.0.2.1")
    conn = Tortoise.get_connection("default")
    postgres = conn.capabilities.dialect == "postgres"
    mark = "$1" if postgres else "?"
    attempts = [
        (f"UPDATE audit_log SET action = 'nothing' WHERE id = {mark}", [entry.id]),
        (f"DELETE FROM audit_log WHERE id = {mark}", [entry.id]),
    ]
    if postgres:
        attempts.append(("TRUNCATE audit_log", []))
    for statement, values in attempts:
        # tortoise wraps SQLite's abort; asyncpg's RaiseError comes through as it is
        with pytest.raises(Exception) as refused:  # noqa: B017 - the message is checked below
            await conn.execute_query(statement, values)
        assert "append-only" in str(refused.value), statement
    kept = await models.AuditEntry.get(id=entry.id)
    assert kept.action == "suspend" and kept.ip == "192.0.2.1"
    # appending still works
    await audit.record(grace, "unsuspend", "account", "kim@uni.example")
    assert await models.AuditEntry.all().count() == 2
