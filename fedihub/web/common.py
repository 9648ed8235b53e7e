"""Helpers shared by the web and API edges: the Runtime of the current app, content negotiation."""

from __future__ import annotations

from quart import current_app, request

from fedihub.runtime import Runtime

RUNTIME_KEY = "fedihub.runtime"
_JSON_PREFIXES = (
    "/api/",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/userinfo",
    "/.well-known/",
    "/nodeinfo/",
    "/healthz",
)
AS_TYPES = ("application/activity+json", "application/ld+json")


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions[RUNTIME_KEY]
    return rt


def request_target() -> str:
    """The path and query of this request as the client sent them (still percent-encoded): what
    an HTTP signature's (request-target) or @path covers."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.path
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path


def wants_activity_json() -> bool:
    accept = request.headers.get("Accept", "")
    return any(t in accept for t in AS_TYPES)


def wants_json() -> bool:
    """API and protocol routes answer JSON errors; pages answer HTML."""
    if request.path.startswith(_JSON_PREFIXES) or wants_activity_json():
        return True
    if request.path.endswith("/inbox") or request.path == "/inbox":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept
