"""Local profiles: display name, bio, affiliation, research areas, links, avatar, language.

All validation of these fields lives here, not in the views.

The bio is plain text stored as escaped HTML paragraphs in Actor.summary (what peers display), and
turned back into text for the edit form. Avatars are checked by their bytes, not their name or the
browser's content type, and stored without their metadata under the media folder with a random
name.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fedihub import models
from fedihub.accounts import activities, users
from fedihub.errors import Invalid, PayloadTooLarge
from fedihub.media import images
from fedihub.outbox import publish
from fedihub.runtime import Runtime

MAX_DISPLAY_NAME = 100
MAX_BIO = 2000
MAX_AFFILIATION = 200
MAX_AREAS = 20
MAX_AREA_LENGTH = 50
MAX_LINKS = 4
MAX_LINK_NAME = 100
MAX_LINK_URL = 2000
LOCALES = ("en", "zh")
# the first bytes of each accepted image type, and the extension it is stored under
_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_AREA_SPLIT = re.compile(r"[,，、;；\n]")


@dataclass(frozen=True)
class ProfileInput:
    display_name: str = ""
    bio: str = ""
    affiliation: str = ""
    # the settings form sends one comma-separated text; the API sends a list
    research_areas: str | list[str] = ""
    links: tuple[tuple[str, str], ...] = ()
    locale: str | None = None


def bio_to_html(text: str) -> str:
    """Plain text to escaped HTML: blank lines separate paragraphs, single newlines become <br>."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def html_to_bio(summary: str) -> str:
    """The inverse of bio_to_html, for the edit form (remote-style HTML loses its tags)."""
    text = re.sub(r"</p>\s*<p>", "\n\n", summary)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def normalise_areas(raw: str | list[str]) -> list[str]:
    """Comma-separated free tags: trimmed, spaces collapsed, '#' dropped, duplicates removed."""
    parts = _AREA_SPLIT.split(raw) if isinstance(raw, str) else raw
    areas: list[str] = []
    seen: set[str] = set()
    for part in parts:
        area = " ".join(part.split()).lstrip("#").strip()
        if not area or area.casefold() in seen:
            continue
        if len(area) > MAX_AREA_LENGTH:
            raise Invalid(
                f"research area {area[:20]!r}… is longer than {MAX_AREA_LENGTH} characters",
                field="research_areas",
            )
        seen.add(area.casefold())
        areas.append(area)
    if len(areas) > MAX_AREAS:
        raise Invalid(f"at most {MAX_AREAS} research areas", field="research_areas")
    return areas


def normalise_links(
    pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]],
) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for name, value in pairs:
        name, value = name.strip(), value.strip()
        if not name and not value:
            continue
        if not name or not value:
            raise Invalid("each link needs both a name and a URL", field="links")
        if len(name) > MAX_LINK_NAME:
            raise Invalid(f"a link name is at most {MAX_LINK_NAME} characters", field="links")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > MAX_LINK_URL:
            raise Invalid(f"{value[:60]!r} is not an http(s) URL", field="links")
        links.append({"name": name, "value": value})
    if len(links) > MAX_LINKS:
        raise Invalid(f"at most {MAX_LINKS} links", field="links")
    return links


def _bounded(value: str, limit: int, field: str, label: str) -> str:
    value = " ".join(value.split()) if field != "bio" else value.strip()
    if len(value) > limit:
        raise Invalid(f"{label} is at most {limit} characters", field=field)
    return value


async def update(
    rt: Runtime, user: models.User, data: ProfileInput, avatar: bytes | None = None
) -> models.Actor:
    """Validate every field (and the avatar, if one is given) first, then save them together.

    Raises Invalid (or PayloadTooLarge for the avatar) naming the field; nothing is saved then.
    """
    await user.fetch_related("actor")
    actor = user.actor
    display_name = _bounded(data.display_name, MAX_DISPLAY_NAME, "display_name", "display name")
    bio = _bounded(data.bio, MAX_BIO, "bio", "bio")
    affiliation = _bounded(data.affiliation, MAX_AFFILIATION, "affiliation", "affiliation")
    areas = normalise_areas(data.research_areas)
    links = normalise_links(data.links)
    if data.locale is not None and data.locale not in LOCALES:
        raise Invalid("language must be en or zh", field="locale")
    extension = check_avatar(rt, avatar) if avatar is not None else None
    actor.display_name = display_name or actor.username
    actor.summary = bio_to_html(bio)
    actor.affiliation = affiliation
    actor.research_areas = areas
    actor.links = links
    changed = ["display_name", "summary", "affiliation", "research_areas", "links", "updated_at"]
    if avatar is not None and extension is not None:
        actor.icon_url = await _store_avatar(rt, actor, avatar, extension)
        changed.append("icon_url")
    await actor.save(update_fields=changed)
    if data.locale is not None and data.locale != user.locale:
        user.locale = data.locale
        await user.save(update_fields=["locale"])
    return actor


async def update_account(
    user: models.User, *, locale: str, locked: bool, discoverable: bool, indexable: bool
) -> models.Actor:
    """The account settings: its page language, whether follows wait for approval, whether it
    is listed in the node's directory and search (discoverable), whether its public posts may be
    indexed by search here and on other servers (indexable)."""
    if locale not in LOCALES:
        raise Invalid("language must be en or zh", field="locale")
    await user.fetch_related("actor")
    actor = user.actor
    actor.manually_approves = locked
    actor.discoverable = discoverable
    actor.indexable = indexable
    await actor.save(update_fields=["manually_approves", "discoverable", "indexable", "updated_at"])
    if user.locale != locale:
        user.locale = locale
        await user.save(update_fields=["locale"])
    return actor


def image_extension(data: bytes) -> str | None:
    """png, jpg, gif or webp when the bytes are one, else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for signature, extension in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return extension
    return None


def check_avatar(rt: Runtime, data: bytes, field: str = "avatar") -> str:
    """The extension to store a profile image (the avatar, or the header named by `field`)
    under; raises naming the field when it is too large or not an image."""
    limit = rt.settings.max_media_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"the {field} is larger than {limit // 1024} KiB", field=field)
    extension = image_extension(data)
    if extension is None:
        raise Invalid(f"the {field} must be a PNG, JPEG, GIF or WebP image", field=field)
    try:
        images.check_bytes(data)  # no image bomb, no damaged file
    except Invalid as exc:
        raise Invalid(exc.public, field=field) from None
    return extension


async def _store_avatar(rt: Runtime, actor: models.Actor, data: bytes, extension: str) -> str:
    # a random name: no guessing other users' files, and a new URL so caches see the change
    relative = f"avatars/{actor.id}-{secrets.token_hex(8)}.{extension}"
    store = rt.storage  # local disk, or object storage when a bucket is configured
    data = images.check_bytes(data).data  # without the photo's metadata (GPS, camera serial)
    await store.put(relative, data, f"image/{'jpeg' if extension == 'jpg' else extension}")
    return store.url(relative)


async def change_password(user: models.User, current: str, new: str, confirmation: str) -> None:
    """Check the confirmation, then change the password (which ends the user's other sessions)."""
    if new != confirmation:
        raise Invalid("the two new passwords differ", field="password_confirmation")
    await users.change_password(user, current, new)


async def publish_update(rt: Runtime, actor: models.Actor) -> None:
    """Tell the servers of the actor's followers that its profile or key changed (an Update of
    the actor)."""
    recipients = await publish.follower_actors(actor.id)
    if recipients:
        await publish.publish(rt, actor, await activities.update_actor(rt, actor), recipients)
