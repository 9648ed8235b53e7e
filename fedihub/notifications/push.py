"""Web Push (Mastodon's /api/v1/push/subscription): one subscription per access token, the alerts
it wants and whose notifications (its policy); each notification for a subscriber becomes a job
that encrypts Mastodon's payload for the subscription's browser or app (RFC 8291 `aes128gcm`, by
http_ece, or the draft's `aesgcm` for a subscription not `standard`, as Mastodon does) and POSTs
it to the push service signed with the node's VAPID key (RFC 8292, or its draft likewise). A push
service that answers 404 or 410 has forgotten the subscription: so do we."""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fedihub import models
from fedihub.accounts import node_settings
from fedihub.jobs import queue
from fedihub.runtime import Runtime
from fedihub.security import html, vapid

KIND = "push.deliver"
ALERTS = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
)
POLICIES = ("all", "followed", "follower", "none")
TTL_S = 48 * 3600  # Mastodon's: a phone off for two days still hears of it
_BODY_CHARS = 140
# Mastodon's English subjects (its notification_mailer.*.subject)
_TITLES = {
    "mention": "You were mentioned by {name}",
    "status": "{name} just posted",
    "reblog": "{name} boosted your post",
    "follow": "{name} is now following you",
    "follow_request": "Pending follower: {name}",
    "favourite": "{name} favorited your post",
    "poll": "A poll by {name} has ended",
    "update": "{name} edited a post",
}


class BadKeys(ValueError):
    """The subscription's keys are not a P-256 public key and a 16-byte secret."""


def _b64(value: str) -> bytes:
    # URL-safe base64 as browsers give it, or the standard alphabet (Mastodon.py), padded or not
    text = value.strip().rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadKeys("not base64") from None


def check_keys(p256dh: str, auth: str) -> None:
    raw = _b64(p256dh)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise BadKeys("p256dh is not a P-256 public key") from None
    if len(_b64(auth)) != 16:
        raise BadKeys("auth must be 16 bytes")


def vapid_key(rt: Runtime) -> vapid.VapidKey:
    return vapid.load_or_create(rt.settings.keys_dir)


def alerts_of(raw: dict[str, Any]) -> dict[str, bool]:
    """Every alert Mastodon knows, each on or off (off unless asked)."""
    return {name: bool(raw.get(name, False)) for name in ALERTS}


# ---- from a notification to a job --------------------------------------------------------------


async def on_notification(rt: Runtime, note: models.Notification) -> None:
    """A listener of node.NOTIFICATION_LISTENERS: a job per subscription that wants this one."""
    subscriptions = await models.PushSubscription.filter(actor_id=note.recipient_id)
    wanted = [s for s in subscriptions if s.alerts.get(note.kind) and s.policy != "none"]
    if not wanted:
        return
    items: list[tuple[dict[str, Any], str | None]] = [
        ({"subscription": s.id, "notification": note.id}, f"push:{s.id}:{note.id}") for s in wanted
    ]
    await queue.enqueue_many(rt, KIND, items)


async def _policy_allows(sub: models.PushSubscription, note: models.Notification) -> bool:
    if sub.policy == "all":
        return True
    if sub.policy == "followed":
        follower, target = note.recipient_id, note.from_actor_id
    elif sub.policy == "follower":
        follower, target = note.from_actor_id, note.recipient_id
    else:
        return False
    return await models.Follow.filter(
        follower_id=follower, target_id=target, state=models.FollowState.ACCEPTED
    ).exists()


async def message(rt: Runtime, note: models.Notification, locale: str) -> dict[str, Any]:
    """Mastodon's Web Push payload (Web::NotificationSerializer), without the access token: this
    node keeps only digests of tokens, so apps fetch the notification with their own."""
    sender = await models.Actor.get(id=note.from_actor_id)
    name = sender.display_name or sender.username
    text = sender.summary
    if note.status_id is not None:
        status = await models.Status.get_or_none(id=note.status_id)
        if status is not None:
            text = status.summary or status.content
    body = html.to_plain_text(text or "")
    if len(body) > _BODY_CHARS:
        body = body[: _BODY_CHARS - 3].rstrip() + "..."
    return {
        "preferred_locale": locale,
        "notification_id": note.id,
        "notification_type": note.kind,
        "icon": sender.icon_url or f"{rt.urls.base}/avatars/original/missing.png",
        "title": _TITLES.get(note.kind, "New notification from {name}").format(name=name),
        "body": body,
    }


@dataclass(frozen=True)
class Sealed:
    body: bytes
    encoding: str  # Content-Encoding
    salt: str | None = None  # the legacy draft's Encryption: salt=…
    dh: str | None = None  # and its Crypto-Key: dh=…


def encrypt(payload: bytes, p256dh: str, auth: str, *, standard: bool) -> Sealed:
    """The payload for the subscription's keys, with a fresh key and salt each time: RFC 8291's
    `aes128gcm`, or for a subscription not `standard` the draft's `aesgcm` (Mastodon's default:
    older apps and Mastodon.py decrypt that), whose salt and key travel in headers."""
    server_key = ec.generate_private_key(ec.SECP256R1())
    if standard:
        body = http_ece.encrypt(
            payload,
            private_key=server_key,
            dh=_b64(p256dh),
            auth_secret=_b64(auth),
            version="aes128gcm",
        )
        return Sealed(bytes(body), "aes128gcm")
    salt = os.urandom(16)
    body = http_ece.encrypt(
        payload,
        salt=salt,
        private_key=server_key,
        dh=_b64(p256dh),
        auth_secret=_b64(auth),
        version="aesgcm",
    )
    public = server_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return Sealed(bytes(body), "aesgcm", _unpadded(salt), _unpadded(public))


def _unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


async def _subject(rt: Runtime) -> str:
    """VAPID's `sub`, whom a push service may contact: the node's contact address, else its
    https site (a plain-http development node names its host instead, as a mailto: link)."""
    contact = str(await node_settings.get("contact_email") or "")
    if contact:
        return f"mailto:{contact}"
    if rt.urls.base.startswith("https://"):
        return rt.urls.base
    return f"mailto:admin@{urlsplit(rt.urls.base).hostname}"


async def deliver(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job: one notification to one subscription."""
    sub = await models.PushSubscription.get_or_none(id=payload["subscription"])
    note = await models.Notification.get_or_none(id=payload["notification"], filtered=False)
    if sub is None or note is None:
        return  # unsubscribed, or dismissed before it could be sent
    token = await models.OAuthToken.get_or_none(id=sub.token_id, revoked_at__isnull=True)
    if token is None:  # signed out: the subscription went with its token
        await sub.delete()
        return
    if not await _policy_allows(sub, note):
        return
    user = await models.User.get_or_none(actor_id=sub.actor_id)
    body = json.dumps(await message(rt, note, user.locale if user else "en")).encode()
    parts = urlsplit(sub.endpoint)
    subject = await _subject(rt)
    sealed = encrypt(body, sub.key_p256dh, sub.key_auth, standard=sub.standard)
    headers = vapid_key(rt).headers(
        f"{parts.scheme}://{parts.netloc}",
        subject,
        int(time.time()) + 12 * 3600,
        crypto_key=f"dh={sealed.dh}" if sealed.dh else None,
    )
    if sealed.salt:
        headers["Encryption"] = f"salt={sealed.salt}"
    headers.update(
        {
            "Content-Encoding": sealed.encoding,
            "Content-Type": "application/octet-stream",
            "TTL": str(TTL_S),
            "Urgency": "normal",
        }
    )
    response = await rt.http.post(sub.endpoint, content=sealed.body, headers=headers)
    if response.status_code in (404, 410):
        await sub.delete()
        return
    if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
        raise queue.PermanentError(f"the push service refused it: {response.status_code}")
    if response.status_code >= 300:
        raise RuntimeError(f"the push service answered {response.status_code}")
