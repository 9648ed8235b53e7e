"""Security headers on every HTML page the node serves: a strict Content-Security-Policy, and
Referrer-Policy, X-Frame-Options and X-Content-Type-Options.

The policy allows scripts, styles and images from the node itself only (images also from the
media storage's origin when it is object storage or a CDN), no inline script or style (the
templates keep theirs in /static/), no plugins, no <base>, no framing, and forms that post back
to the node. A peer's HTML that slipped past the sanitiser could run nothing.

On /oauth/ pages `form-action` is left out: the consent form's answer is a redirect to the app's
redirect URI (another origin or a custom scheme such as tusky://), and browsers hold redirects
after a form submission to form-action (Mastodon leaves it out there for the same reason). Nor is
Cross-Origin-Opener-Policy sent anywhere: web apps open /oauth/authorize in a popup and watch it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from quart import Quart, Response, request

from fedihub.web.common import runtime

OAUTH_PREFIX = "/oauth/"


def _media_origin() -> str:
    """The origin media URLs point to when it is not the node's own ('' when it is)."""
    rt = runtime()
    parts = urlsplit(rt.storage.url("csp"))
    origin = f"{parts.scheme}://{parts.netloc}"
    return "" if origin == rt.urls.base.rstrip("/") else origin


def content_security_policy(*, media_origin: str = "", form_action: bool = True) -> str:
    images = " ".join(filter(None, ["'self'", media_origin]))
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        # static/live.js listens to the node's own streaming API (server-sent events)
        # the knowledge editor's live preview asks the node itself (templates/static/knowledge.js)
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
    if form_action:
        directives.append("form-action 'self'")
    return "; ".join(directives)


async def _add_headers(response: Response) -> Response:
    if response.mimetype != "text/html":
        return response
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(
        media_origin=_media_origin(), form_action=not request.path.startswith(OAUTH_PREFIX)
    )
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Quart) -> None:
    app.after_request(_add_headers)


__all__ = ["content_security_policy", "register"]
