"""The Mastodon client API: blueprints per resource, and what every API response shares.

`register(app)` adds the blueprints and the cross-cutting behaviour: CORS on the API and protocol
paths (browser clients such as Elk and Phanpy call them from other origins), preflight answers,
rate-limit headers, and trailing-slash tolerance (Mastodon.py asks for /api/v1/instance/).
"""

from __future__ import annotations

from typing import Any

from quart import Response, g, jsonify, request

from fedihub.api import (
    accounts,
    admin_accounts,
    admin_audit,
    admin_domains,
    admin_reports,
    articles,
    auth,
    blocks,
    conversations,
    directory,
    domain_blocks,
    filters,
    follow_requests,
    grouped_notifications,
    instance,
    instance_domain_blocks,
    lists,
    markers,
    media,
    meetings,
    moves,
    not_yet,
    notification_requests,
    notifications,
    oauth,
    openapi,
    polls,
    preferences,
    project_datasets,
    project_feed,
    project_invitations,
    project_tasks,
    projects,
    push,
    reports,
    scheduled_statuses,
    search,
    status_mutes,
    statuses,
    streaming,
    suggestions,
    tags,
    timelines,
    trends,
)
from fedihub.web.application import ASGIApp, FedihubApp
from fedihub.web.common import runtime

__all__ = ["register"]

_IP_FACTOR = 5  # Mastodon allows 1,500 authenticated API requests per 5 minutes per address
_CORS_PREFIXES = (
    "/api/",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/userinfo",
    "/.well-known/",
    "/nodeinfo",
)
_SLASH_PREFIXES = ("/api/", "/oauth/authorize/")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Expose-Headers": (
        "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id"
    ),
    "Access-Control-Max-Age": "86400",
}


def register(app: FedihubApp) -> None:
    modules = (
        oauth,
        instance,
        instance_domain_blocks,
        admin_domains,
        admin_accounts,
        admin_reports,
        admin_audit,
        reports,
        filters,
        domain_blocks,
        accounts,
        follow_requests,
        blocks,
        preferences,
        statuses,
        status_mutes,
        polls,
        scheduled_statuses,
        timelines,
        notifications,
        grouped_notifications,
        notification_requests,
        search,
        media,
        markers,
        push,
        conversations,
        streaming,
        trends,
        lists,
        tags,
        directory,
        suggestions,
        moves,
        articles,
        openapi,
        projects,
        project_invitations,
        project_feed,
        project_tasks,
        meetings,
        project_datasets,
        not_yet,
    )
    for module in modules:
        app.register_blueprint(module.blueprint)
    app.before_request(_preflight_and_budget)
    app.after_request(_decorate)
    app.wrap(_TrailingSlash)


def _is_cors_path(path: str) -> bool:
    return path.startswith(_CORS_PREFIXES)


async def _preflight_and_budget() -> Response | tuple[Response, int] | None:
    if request.method == "OPTIONS" and _is_cors_path(request.path):
        return Response("", status=204)
    if not request.path.startswith("/api/"):
        return None
    limiter = runtime().api_limiter  # in-process, or one budget across processes in Redis
    key = auth.token_key()
    budget = await limiter.hit(key)
    g._api_budget = budget
    if not budget.allowed:
        return jsonify({"error": "Too many requests"}), 429
    if not key.startswith("ip:"):
        # a client address also has a wider budget for all its tokens: made-up tokens, each with
        # a fresh count, must not buy unlimited requests
        wide = await limiter.hit("ip+:" + (request.remote_addr or "-"), limiter.limit * _IP_FACTOR)
        if not wide.allowed:
            return jsonify({"error": "Too many requests"}), 429
    return None


async def _decorate(response: Response) -> Response:
    if _is_cors_path(request.path):
        response.headers.update(CORS_HEADERS)
    if request.path.startswith("/api/"):
        budget = getattr(g, "_api_budget", None)
        if budget is not None:
            response.headers.update(budget.headers())
    return response


class _TrailingSlash:
    """ASGI middleware: /api/v1/instance/ is routed as /api/v1/instance (so every API path)."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("type") == "http" and path.endswith("/") and path.startswith(_SLASH_PREFIXES):
            scope = dict(scope)
            scope["path"] = path.rstrip("/")
            if scope.get("raw_path"):
                scope["raw_path"] = scope["raw_path"].rstrip(b"/")
        await self.inner(scope, receive, send)
