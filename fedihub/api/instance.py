"""The instance endpoints (v1 and v2), peers, activity, rules, custom emojis, default images.

Version "4.3.0 (compatible; fedihub X.Y.Z)": clients (Mastodon.py, Tusky) parse the leading
three numbers to decide which features to use, so it must start with a Mastodon version.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, Response, jsonify

import fedihub
from fedihub import models
from fedihub.accounts import node_settings
from fedihub.accounts.node_settings import RegistrationMode
from fedihub.api.auth import ignores_token
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.media import images
from fedihub.moderation import policy
from fedihub.notifications import push
from fedihub.web.common import runtime

blueprint = Blueprint("api_instance", __name__)
MASTODON_VERSION = "4.3.0"
LANGUAGES = ["en", "zh"]
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"]
VIDEO_TYPES = ["video/mp4", "video/webm", "video/quicktime"]
AUDIO_TYPES = ["audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "audio/flac"]


def version() -> str:
    return f"{MASTODON_VERSION} (compatible; fedihub {getattr(fedihub, '__version__', '0.1.0')})"


def _streaming_url() -> str:
    base = runtime().urls.base
    return ("wss://" if base.startswith("https://") else "ws://") + base.split("://", 1)[1]


def _configuration(v2: bool) -> dict[str, Any]:
    settings = runtime().settings
    config: dict[str, Any] = {
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5, "max_profile_fields": 4},
        "statuses": {
            "max_characters": 5000,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES + VIDEO_TYPES + AUDIO_TYPES,
            "image_size_limit": settings.max_media_bytes,
            "image_matrix_limit": images.MAX_PIXELS,  # 7680 x 4320, as Mastodon
            "video_size_limit": settings.max_media_bytes,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400,
            "description_limit": 1500,
        },
        "polls": {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2_629_746,
        },
    }
    if v2:
        config["urls"] = {
            "streaming": _streaming_url(),
            "status": None,
            "about": f"{runtime().urls.base}/about",
            "privacy_policy": None,
            "terms_of_service": None,
        }
        config["translation"] = {"enabled": False}
        config["vapid"] = {"public_key": push.vapid_key(runtime()).public_key}
    return config


async def _registrations() -> dict[str, Any]:
    mode = await node_settings.registration_mode()
    messages = {
        RegistrationMode.OPEN: None,
        RegistrationMode.INVITE: "Registration on this node needs an invitation code.",
        RegistrationMode.CLOSED: "Registration on this node is closed.",
    }
    return {
        "enabled": mode is RegistrationMode.OPEN,
        "approval_required": False,
        "message": messages[mode],
        "url": None,
        "min_age": None,
        "reason_required": False,
    }


async def _contact() -> tuple[str, dict[str, Any] | None]:
    """The contact address the admin published, "" when none (what Mastodon answers while its
    site_contact_email is unset), and the first admin's public account. An admin's login e-mail
    is private and never stands in for the contact address."""
    email = str(await node_settings.get("contact_email") or "")
    admin = await models.User.filter(is_admin=True, disabled=False).order_by("created_at").first()
    if admin is None:
        return email, None
    await admin.fetch_related("actor")
    return email, account(runtime(), admin.actor)


async def _texts() -> tuple[str, str]:
    title = str(await node_settings.get("node_name") or "") or runtime().settings.domain
    description = str(await node_settings.get("node_description") or "")
    return title, description


def _thumbnail_url() -> str:
    return f"{runtime().urls.base}/avatars/original/missing.png"


@blueprint.get("/api/v1/instance")
@ignores_token
async def instance_v1() -> Response:
    rt = runtime()
    title, description = await _texts()
    email, contact = await _contact()
    registrations = await _registrations()
    users = await models.User.filter(disabled=False).count()
    statuses = await models.Status.filter(local=True, deleted_at=None).count()
    domains = len(await _peers())
    return jsonify(
        {
            "uri": rt.settings.domain,
            "title": title,
            "short_description": description,
            "description": description,
            "email": email,
            "version": version(),
            "urls": {"streaming_api": _streaming_url()},
            "stats": {"user_count": users, "status_count": statuses, "domain_count": domains},
            "thumbnail": _thumbnail_url(),
            "languages": LANGUAGES,
            "registrations": registrations["enabled"],
            "approval_required": registrations["approval_required"],
            "invites_enabled": True,
            "max_toot_chars": 5000,  # older clients read this (Pleroma's spelling) first
            "configuration": _configuration(v2=False),
            "contact_account": contact,
            "rules": [],
        }
    )


@blueprint.get("/api/v2/instance")
@ignores_token
async def instance_v2() -> Response:
    rt = runtime()
    title, description = await _texts()
    email, contact = await _contact()
    return jsonify(
        {
            "domain": rt.settings.domain,
            "title": title,
            "version": version(),
            "source_url": "https://github.com/fedihub/fedihub",
            "description": description,
            "usage": {"users": {"active_month": await models.User.filter(disabled=False).count()}},
            "thumbnail": {"url": _thumbnail_url(), "blurhash": None, "versions": {}},
            "icon": [],
            "languages": LANGUAGES,
            "configuration": _configuration(v2=True),
            "registrations": await _registrations(),
            "api_versions": {"mastodon": 2},
            "contact": {"email": email, "account": contact},
            "rules": [],
        }
    )


async def _peers() -> list[str]:
    known = models.Actor.filter(domain__not_isnull=True)
    domains = {str(d) for d in await known.distinct().values_list("domain", flat=True) if d}
    # suspended servers are not peers (Mastodon leaves them out too)
    return sorted(domains - await policy.refused_among(runtime(), domains))


@blueprint.get("/api/v1/instance/peers")
@ignores_token
async def peers() -> Response:
    return jsonify(await _peers())


@blueprint.get("/api/v1/instance/activity")
@ignores_token
async def activity() -> Response:
    return jsonify([])  # weekly statistics are not kept yet; Mastodon allows an empty list


@blueprint.get("/api/v1/instance/rules")
@ignores_token
async def rules() -> Response:
    return jsonify([])


@blueprint.get("/api/v1/instance/extended_description")
@ignores_token
async def extended_description() -> Response:
    _, description = await _texts()
    # when the admin last set it; never set, the node's first account's start stands in (the
    # description has been the empty default since then)
    updated = await node_settings.set_at("node_description")
    if updated is None:
        first = await models.User.all().order_by("created_at").first()
        updated = first.created_at if first else None
    return jsonify({"updated_at": iso(updated or datetime.now(UTC)), "content": description})


@blueprint.get("/api/v1/instance/translation_languages")
@ignores_token
async def translation_languages() -> Response:
    # source language -> target languages; this node translates nothing (`translation.enabled`
    # is false), which Mastodon answers with an empty object
    return jsonify({})


@blueprint.get("/api/v1/custom_emojis")
@ignores_token
async def custom_emojis() -> Response:
    return jsonify([])


def _grey_png(width: int, height: int, shade: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


_MISSING_AVATAR = _grey_png(120, 120, 0xC8)
_MISSING_HEADER = _grey_png(300, 100, 0xE0)
_IMAGE_HEADERS = {"Cache-Control": "public, max-age=86400"}


@blueprint.get("/avatars/original/missing.png")
@ignores_token
async def missing_avatar() -> Response:
    return Response(_MISSING_AVATAR, content_type="image/png", headers=_IMAGE_HEADERS)


@blueprint.get("/headers/original/missing.png")
@ignores_token
async def missing_header() -> Response:
    return Response(_MISSING_HEADER, content_type="image/png", headers=_IMAGE_HEADERS)
