"""/api/v1/push/subscription: the Web Push subscription of the access token in use (create or
replace, read, change its alerts and policy, remove). fedihub/notifications/push.py sends."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, current_token, require_scope
from fedihub.api.common import Params, invalid, not_found, params, to_bool
from fedihub.notifications import push
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_push", __name__)
P = "/api/v1/push/subscription"
_ENDPOINT_MAX = 2048


def entity(rt: Runtime, sub: models.PushSubscription) -> dict[str, Any]:
    return {
        "id": str(sub.id),
        "endpoint": sub.endpoint,
        "standard": sub.standard,
        "alerts": push.alerts_of(sub.alerts),
        "policy": sub.policy,
        "server_key": push.vapid_key(rt).public_key,
    }


def _token_id() -> int:
    token = current_token()
    if token is None:  # require_scope let no token through; kept for the type checker
        raise not_found()
    return int(token.id)


def _data(p: Params, current: dict[str, bool]) -> tuple[dict[str, bool], str | None]:
    """The alerts (those named change, the others are kept) and the policy asked for, from JSON
    (`data: {alerts: {...}}`) or a form (`data[alerts][mention]=true`)."""
    data = p.hash("data")
    alerts = dict(current)
    nested = data.get("alerts")
    for name in push.ALERTS:
        value = nested.get(name) if isinstance(nested, dict) else None
        value = p.raw(f"data[alerts][{name}]") if value is None else value
        if value is not None:
            alerts[name] = bool(to_bool(value, False))
    # Mastodon.py sends the policy beside `data`, not in it
    policy = data.get("policy") or p.str("policy")
    if policy is not None and policy not in push.POLICIES:
        raise invalid("data[policy] must be all, followed, follower or none", "data[policy]")
    return alerts, policy


def _key(p: Params, subscription: dict[str, Any], name: str) -> str:
    keys = subscription.get("keys")
    value = keys.get(name) if isinstance(keys, dict) else p.raw(f"subscription[keys][{name}]")
    return str(value or "")


@blueprint.post(P)
@require_scope("push")
async def create() -> Response:
    """Mastodon replaces the token's subscription with the new one."""
    p = await params()
    subscription = p.hash("subscription")
    endpoint = str(subscription.get("endpoint") or "")
    parts = urlsplit(endpoint)
    allowed = ("https", "http") if runtime().settings.allow_private_networks else ("https",)
    if parts.scheme not in allowed or not parts.netloc or len(endpoint) > _ENDPOINT_MAX:
        raise invalid("Endpoint is not a valid https URL", "subscription[endpoint]")
    p256dh, auth = _key(p, subscription, "p256dh"), _key(p, subscription, "auth")
    try:
        push.check_keys(p256dh, auth)
    except push.BadKeys as exc:
        raise invalid(f"Keys are invalid: {exc}", "subscription[keys]") from None
    alerts, policy = _data(p, {})
    token_id = _token_id()
    await models.PushSubscription.filter(token_id=token_id).delete()
    sub = await models.PushSubscription.create(
        token_id=token_id,
        actor_id=current_actor().id,
        endpoint=endpoint,
        key_p256dh=p256dh,
        key_auth=auth,
        alerts=push.alerts_of(alerts),
        policy=policy or "all",
        # Mastodon 4.4: the RFC's encryption only when asked for, the draft's otherwise
        standard=bool(to_bool(subscription.get("standard"), False)),
    )
    return jsonify(entity(runtime(), sub))


async def _mine() -> models.PushSubscription:
    sub = await models.PushSubscription.get_or_none(token_id=_token_id())
    if sub is None:
        raise not_found()
    return sub


@blueprint.get(P)
@require_scope("push")
async def show() -> Response:
    return jsonify(entity(runtime(), await _mine()))


@blueprint.put(P)
@require_scope("push")
async def update() -> Response:
    sub = await _mine()
    alerts, policy = _data(await params(), push.alerts_of(sub.alerts))
    sub.alerts = alerts
    if policy is not None:
        sub.policy = policy
    await sub.save(update_fields=["alerts", "policy"])
    return jsonify(entity(runtime(), sub))


@blueprint.delete(P)
@require_scope("push")
async def destroy() -> Response:
    await models.PushSubscription.filter(token_id=_token_id()).delete()
    return jsonify({})
