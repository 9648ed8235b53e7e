"""Settings an admin changes while the node runs, stored in the database (not in the TOML file)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fedihub import models
from fedihub.errors import Invalid
from fedihub.moderation import policy


class RegistrationMode(StrEnum):
    OPEN = "open"
    INVITE = "invite"  # an invitation code is needed
    CLOSED = "closed"


DEFAULTS: dict[str, Any] = {
    "registration_mode": RegistrationMode.INVITE.value,
    "authorized_fetch": False,
    "node_name": "",
    "node_description": "",
    "contact_email": "",
    # only the servers of the allowlist (`fedihub domain allow`) may talk to the node, in and out
    policy.ALLOWLIST_SETTING: False,
    # who sees GET /api/v1/instance/domain_blocks: nobody (404), signed-in users, or everyone
    "show_domain_blocks": "users",
    "show_domain_blocks_rationale": True,
}
SHOW_DOMAIN_BLOCKS = ("disabled", "users", "all")


async def get(key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = await models.NodeSetting.get_or_none(key=key)
    if row is None or not isinstance(row.value, dict) or "value" not in row.value:
        return DEFAULTS[key]
    return row.value["value"]


async def set_value(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise Invalid(f"unknown setting {key!r}", field="key")
    if key == "registration_mode":
        try:
            value = RegistrationMode(value).value
        except ValueError:
            raise Invalid("registration_mode must be open, invite or closed", field=key) from None
    if key == "show_domain_blocks" and value not in SHOW_DOMAIN_BLOCKS:
        raise Invalid("show_domain_blocks must be disabled, users or all", field=key)
    if isinstance(DEFAULTS[key], bool) and not isinstance(value, bool):
        raise Invalid(f"{key} must be true or false", field=key)
    # wrapped in an object: a bare JSON string reads back as text on PostgreSQL (tortoise
    # JSONField); when it was set rides along (the extended description's `updated_at`)
    stored = {"value": value, "set_at": datetime.now(UTC).isoformat()}
    await models.NodeSetting.update_or_create(defaults={"value": stored}, key=key)
    if key == policy.ALLOWLIST_SETTING:
        policy.changed()


async def set_at(key: str) -> datetime | None:
    """When the setting was last set (None if never, or before this was recorded)."""
    row = await models.NodeSetting.get_or_none(key=key)
    if row is None or not isinstance(row.value, dict):
        return None
    try:
        return datetime.fromisoformat(str(row.value.get("set_at")))
    except ValueError:
        return None


async def registration_mode() -> RegistrationMode:
    return RegistrationMode(await get("registration_mode"))
