"""Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1/2.0.

These stay open (no signature needed) even with authorized fetch on: a peer has to find an actor
before it can sign anything. Documents are built here from the accounts service's data; the
actor documents themselves live in accounts/activities.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from quart import Blueprint, Response, request
from tortoise.expressions import Q

import fedihub
from fedihub import models
from fedihub.accounts import node_settings
from fedihub.errors import BadRequest, NotFound
from fedihub.projects import groups
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("wellknown", __name__)

JRD = "application/jrd+json; charset=utf-8"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"
_CORS = {"Access-Control-Allow-Origin": "*"}


def _json(body: dict[str, Any], content_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type, headers=_CORS)


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, "application/json; charset=utf-8", status)


# --- WebFinger ---------------------------------------------------------------------------------


def _username_from_resource(rt: Runtime, resource: str) -> str:
    """The local username a WebFinger resource names; BadRequest if malformed, NotFound if foreign.

    The instance actor answers to its domain as username (Mastodon: acct:example.com@example.com).
    """
    urls = rt.urls
    domain = urls.domain.lower()
    if resource.startswith(("https://", "http://")):
        parts = urlsplit(resource)
        if (parts.netloc or "").lower() != domain:
            raise NotFound("not a local account")
        path = unquote(parts.path).rstrip("/")
        if path == "/actor":
            return urls.domain
        for prefix in ("/users/", "/@", "/projects/"):
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                name = path[len(prefix) :]
                if name:
                    return name
        raise NotFound("not a local account")
    address = resource[len("acct:") :] if resource.lower().startswith("acct:") else resource
    address = address.lstrip("@")  # some clients send acct:@user@domain
    user, sep, host = address.rpartition("@")
    if not sep or not user or not host or "/" in address or " " in address:
        raise BadRequest("resource must be acct:user@domain or an actor URL")
    if host.lower() != domain:
        raise NotFound("not a local account")
    return user


async def _local_user_actor(username: str) -> models.Actor:
    """A local user's actor, or a local project's Group actor (their handles share one
    namespace)."""
    user = await models.User.get_or_none(username_key=username.lower()).prefetch_related("actor")
    if user is None:
        return (await groups.local_by_handle(username)).actor
    if user.disabled or user.actor.deleted_at is not None:
        raise NotFound("no such account")
    return user.actor


def webfinger_document(rt: Runtime, username: str, actor_uri: str, profile: str) -> dict[str, Any]:
    """The JRD of a local actor (Mastodon's shape)."""
    urls = rt.urls
    return {
        "subject": f"acct:{username}@{urls.domain}",
        "aliases": [actor_uri, profile],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
            {"rel": "self", "type": "application/activity+json", "href": actor_uri},
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": f"{urls.base}/authorize_interaction?uri={{uri}}",
            },
        ],
    }


@blueprint.get("/.well-known/webfinger")
async def webfinger() -> Response:
    rt = runtime()
    urls = rt.urls
    resource = request.args.get("resource", "").strip()
    if not resource:
        return _error(400, "the resource parameter is required")
    try:
        username = _username_from_resource(rt, resource)
        if username.lower() == urls.domain.lower():
            # the instance actor is built from the node's key, with or without its row
            document = webfinger_document(
                rt, urls.domain, urls.instance_actor, f"{urls.base}/about"
            )
        else:
            actor = await _local_user_actor(username)
            document = webfinger_document(
                rt, actor.username, actor.uri, actor.url or urls.profile(actor.username)
            )
    except BadRequest as exc:
        return _error(400, exc.public)
    except NotFound as exc:
        return _error(404, exc.public)
    return _json(document, JRD)


@blueprint.get("/.well-known/host-meta")
async def host_meta() -> Response:
    template = escape(
        f"{runtime().urls.base}/.well-known/webfinger?resource={{uri}}", {'"': "&quot;"}
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return Response(body, content_type="application/xrd+xml; charset=utf-8", headers=_CORS)


@blueprint.get("/.well-known/host-meta.json")
async def host_meta_json() -> Response:
    template = f"{runtime().urls.base}/.well-known/webfinger?resource={{uri}}"
    return _json({"links": [{"rel": "lrdd", "template": template}]}, JRD)


# --- NodeInfo ----------------------------------------------------------------------------------


@blueprint.get("/.well-known/nodeinfo")
async def nodeinfo_links() -> Response:
    base = runtime().urls.base
    links = [
        {"rel": NODEINFO_SCHEMA.format(version=v), "href": f"{base}/nodeinfo/{v}"}
        for v in ("2.1", "2.0")
    ]
    return _json({"links": links}, "application/json; charset=utf-8")


async def _usage() -> dict[str, Any]:
    now = datetime.now(UTC)
    users = models.User.filter(disabled=False)

    async def active_since(days: int) -> int:
        since = now - timedelta(days=days)
        # a user is active if they signed in or posted in the period (Mastodon counts sign-ins)
        return await users.filter(
            Q(last_login_at__gte=since) | Q(actor__last_status_at__gte=since)
        ).count()

    return {
        "users": {
            "total": await users.count(),
            "activeHalfyear": await active_since(180),
            "activeMonth": await active_since(30),
        },
        "localPosts": await models.Status.filter(
            local=True, deleted_at__isnull=True, reblog_of_id__isnull=True
        ).count(),
    }


async def nodeinfo_document(rt: Runtime, version: str) -> dict[str, Any]:
    """NodeInfo `version` ("2.1" or "2.0") of this node."""
    software: dict[str, Any] = {"name": "fedihub", "version": fedihub.__version__}
    if version == "2.1":
        software["homepage"] = rt.urls.base
    mode = await node_settings.registration_mode()
    node_name = str(await node_settings.get("node_name") or rt.urls.domain)
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": mode is node_settings.RegistrationMode.OPEN,
        "usage": await _usage(),
        "metadata": {
            "nodeName": node_name,
            "nodeDescription": str(await node_settings.get("node_description") or ""),
            "registrationMode": mode.value,
        },
    }


@blueprint.get("/nodeinfo/<any('2.1', '2.0'):version>")
async def nodeinfo(version: str) -> Response:
    body = await nodeinfo_document(runtime(), version)
    profile = NODEINFO_SCHEMA.format(version=version) + "#"
    return _json(body, f'application/json; profile="{profile}"; charset=utf-8')
