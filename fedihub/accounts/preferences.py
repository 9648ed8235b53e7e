"""A local user's posting defaults: Mastodon's source[privacy], source[sensitive], source[language].

The users table has no columns for them yet, so they live in the node_settings key-value table under
`prefs:<user id>`; moving them to columns later changes only this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fedihub import models
from fedihub.errors import Invalid

PRIVACY = ("public", "unlisted", "private", "direct", "institution")


@dataclass(frozen=True)
class Preferences:
    privacy: str = "public"
    sensitive: bool = False
    language: str | None = None


def _key(user_id: int) -> str:
    return f"prefs:{user_id}"


async def get(user_id: int) -> Preferences:
    return (await get_many([user_id]))[user_id]


async def get_many(user_ids: list[int]) -> dict[int, Preferences]:
    rows = await models.NodeSetting.filter(key__in=[_key(u) for u in user_ids])
    found = {row.key: row.value for row in rows}
    out: dict[int, Preferences] = {}
    for user_id in user_ids:
        value = found.get(_key(user_id))
        out[user_id] = Preferences(**value) if isinstance(value, dict) else Preferences()
    return out


async def update(
    user_id: int,
    *,
    privacy: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
) -> Preferences:
    current = asdict(await get(user_id))
    if privacy is not None:
        if privacy not in PRIVACY:
            raise Invalid(f"privacy must be one of {', '.join(PRIVACY)}", field="privacy")
        current["privacy"] = privacy
    if sensitive is not None:
        current["sensitive"] = sensitive
    if language is not None:
        language = language.strip().lower()
        if language and (len(language) > 8 or not language.replace("-", "").isalpha()):
            raise Invalid("language must be an ISO 639 code", field="language")
        current["language"] = language or None
    value: dict[str, Any] = current
    await models.NodeSetting.update_or_create(defaults={"value": value}, key=_key(user_id))
    return Preferences(**value)
