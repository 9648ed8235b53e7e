"""Account and CredentialAccount, from models.Actor (local or remote) without extra queries."""

from __future__ import annotations

import html
import re
from typing import Any

from fedihub import models
from fedihub.accounts import preferences
from fedihub.api.entities.common import day, iso
from fedihub.runtime import Runtime

_BREAK = re.compile(r"<br\s*/?>", re.I)
_PARA = re.compile(r"</p>\s*<p[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"^https?://\S+$")


def html_to_text(value: str) -> str:
    """The plain text of sanitised HTML: paragraphs become blank lines, <br> a newline."""
    text = _PARA.sub("\n\n", value)
    text = _BREAK.sub("\n", text)
    return html.unescape(_TAG.sub("", text)).strip()


def text_to_html(value: str) -> str:
    """What a user typed as their bio, as HTML: escaped, paragraphs and line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs
    )


def acct(actor: models.Actor) -> str:
    return actor.username if actor.domain is None else f"{actor.username}@{actor.domain}"


def field_value_html(value: str) -> str:
    if _URL.match(value):
        shown = html.escape(value.split("://", 1)[1])
        rel = "nofollow noopener noreferrer me"
        return f'<a href="{html.escape(value)}" rel="{rel}" target="_blank">{shown}</a>'
    return html.escape(value)


def plain_fields(actor: models.Actor) -> list[dict[str, str]]:
    """The profile's name/value pairs as typed: research areas and affiliation first, then the
    links."""
    out: list[dict[str, str]] = []
    if actor.research_areas:
        areas = ", ".join(str(a) for a in actor.research_areas)
        out.append({"name": "Research areas", "value": areas})
    if actor.affiliation:
        out.append({"name": "Affiliation", "value": actor.affiliation})
    for link in actor.links or []:
        if not isinstance(link, dict):
            continue
        name = str(link.get("name") or link.get("label") or link.get("title") or "Link")
        value = str(link.get("value") or link.get("url") or link.get("href") or "")
        if value:
            out.append({"name": name, "value": value})
    return out


def default_avatar(rt: Runtime) -> str:
    return f"{rt.urls.base}/avatars/original/missing.png"


def default_header(rt: Runtime) -> str:
    return f"{rt.urls.base}/headers/original/missing.png"


def account(
    rt: Runtime, actor: models.Actor, *, moved: models.Actor | None = None
) -> dict[str, Any]:
    """Mastodon's Account; `moved`: the account it moved to, shown as Mastodon's `moved` when
    the caller loaded it (see `with_move`)."""
    avatar = actor.icon_url or default_avatar(rt)
    header = actor.header_url or default_header(rt)
    url = actor.url or (rt.urls.profile(actor.username) if actor.domain is None else actor.uri)
    return {
        "id": str(actor.id),
        "username": actor.username,
        "acct": acct(actor),
        "display_name": actor.display_name or "",
        "locked": actor.manually_approves,
        "bot": actor.actor_type in ("Application", "Service"),
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
        "group": actor.actor_type == "Group",
        "created_at": iso(actor.created_at),
        "note": actor.summary or "",
        "url": url,
        "uri": actor.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": actor.followers_count,
        "following_count": actor.following_count,
        "statuses_count": actor.statuses_count,
        "last_status_at": day(actor.last_status_at),
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [
            {
                "name": html.escape(f["name"]),
                "value": field_value_html(f["value"]),
                "verified_at": None,
            }
            for f in plain_fields(actor)
        ],
        **({"moved": account(rt, moved)} if moved is not None else {}),
    }


async def with_move(rt: Runtime, actor: models.Actor) -> dict[str, Any]:
    """The Account of `actor` with `moved` when it moved (one more query then)."""
    moved = None
    if actor.moved_to_id is not None:
        moved = await models.Actor.get_or_none(id=actor.moved_to_id)
    return account(rt, actor, moved=moved)


def accounts(rt: Runtime, actors: list[models.Actor]) -> list[dict[str, Any]]:
    return [account(rt, actor) for actor in actors]


def role(user: models.User) -> dict[str, Any]:
    if user.is_admin:
        return {"id": "3", "name": "Owner", "color": "", "permissions": "1", "highlighted": True}
    return {"id": "-99", "name": "", "color": "", "permissions": "0", "highlighted": False}


async def credential_account(rt: Runtime, user: models.User) -> dict[str, Any]:
    """The signed-in user's own Account, with `source` (what they typed) and `role`."""
    actor = user.actor
    prefs = await preferences.get(user.id)
    requests = models.Follow.filter(target_id=actor.id, state=models.FollowState.PENDING)
    pending = await requests.count()
    entity = await with_move(rt, actor)
    entity["source"] = {
        "privacy": prefs.privacy,
        "sensitive": prefs.sensitive,
        "language": prefs.language,
        "note": html_to_text(actor.summary or ""),
        "fields": [{**f, "verified_at": None} for f in plain_fields(actor)],
        "follow_requests_count": pending,
        "indexable": actor.indexable,
        "discoverable": actor.discoverable,
        "hide_collections": False,
        "attribution_domains": [],
    }
    entity["role"] = role(user)
    return entity
