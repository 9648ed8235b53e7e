"""Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1/2.0.

These stay open (no signature needed) even with authorized fetch on: a peer has to find an actor
before it can sign anything. Documents are built here from the accounts service's data; the
actor documents themselves live in accounts/activities.py.
"""

from __future__ import annotations

import json
import mimetypes
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from quart import Blueprint, Response, request
from tortoise.expressions import Q

import fedihub
from fedihub import models
from fedihub.accounts import node_settings
from fedihub.activitypub import webfinger
from fedihub.errors import BadRequest, NotFound
from fedihub.projects import groups
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("wellknown", __name__)

JRD = webfinger.CONTENT_TYPE
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"
_CORS = {"Access-Control-Allow-Origin": "*"}


def _json(body: dict[str, Any], content_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type, headers=_CORS)


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, "application/json; charset=utf-8", status)


# --- WebFinger ---------------------------------------------------------------------------------


def _username_from_resource(rt: Runtime, resource: webfinger.Resource) -> str:
    """The local username a resource names (NotFound if it names none here).

    The instance actor answers to its domain as username (Mastodon: acct:example.com@example.com).
    """
    urls = rt.urls
    if resource.host != urls.domain.lower():
        raise NotFound("not a local account")
    if resource.kind == "acct":
        return resource.name
    path = resource.name.rstrip("/")
    if path == "/actor":
        return urls.domain
    for prefix in ("/users/", "/@", "/projects/"):
        name = path[len(prefix) :] if path.startswith(prefix) else ""
        if name and "/" not in name:
            return name
    raise NotFound("not a local account")


async def _local_user_actor(username: str) -> models.Actor:
    """A local user's actor, or a local project's Group actor (their handles share one
    namespace)."""
    user = await models.User.get_or_none(username_key=username.lower()).prefetch_related("actor")
    if user is None:
        return (await groups.local_by_handle(username)).actor
    if user.disabled or user.actor.deleted_at is not None:
        raise NotFound("no such account")
    return user.actor


def _avatar(actor: models.Actor) -> tuple[str, str] | None:
    media_type = mimetypes.guess_type(urlsplit(actor.icon_url or "").path)[0]
    return (media_type, actor.icon_url) if actor.icon_url and media_type else None


def webfinger_document(
    rt: Runtime,
    username: str,
    actor_uri: str,
    profile: str,
    avatar: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The JRD of a local actor (Mastodon's shape)."""
    urls = rt.urls
    return webfinger.jrd(
        f"acct:{username}@{urls.domain}",
        actor=actor_uri,
        profile=profile,
        subscribe_template=f"{urls.base}/authorize_interaction?uri={{uri}}",
        avatar=avatar,
    )


@blueprint.get("/.well-known/webfinger", endpoint="webfinger")
async def webfinger_view() -> Response:
    rt = runtime()
    urls = rt.urls
    try:
        resource = webfinger.parse_resource(request.args.get("resource", ""))
        username = _username_from_resource(rt, resource)
        if username.lower() == urls.domain.lower():
            # the instance actor is built from the node's key, with or without its row
            document = webfinger_document(
                rt, urls.domain, urls.instance_actor, f"{urls.base}/about"
            )
        else:
            actor = await _local_user_actor(username)
            document = webfinger_document(
                rt,
                actor.username,
                actor.uri,
                actor.url or urls.profile(actor.username),
                _avatar(actor),
            )
    except BadRequest as exc:
        return _error(400, exc.public)
    except NotFound as exc:
        return _error(404, exc.public)
    document = webfinger.filter_rels(document, request.args.getlist("rel"))
    return _json(document, webfinger.CONTENT_TYPE)


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
