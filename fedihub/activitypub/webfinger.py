"""WebFinger (RFC 7033): the `resource` a client asks about, and the JRD the node answers.

Protocol only: imports nothing of fedihub but `errors`. Which local account a resource names
(the node's URL layout, its accounts) is the web layer's business: `parse_resource` only reads
the resource, `jrd` only writes the document, `filter_rels` applies RFC 7033 §4.3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from fedihub.errors import BadRequest, NotFound

CONTENT_TYPE = "application/jrd+json; charset=utf-8"  # RFC 7033 §10.2, as Mastodon sends it
PROFILE_PAGE = "http://webfinger.net/rel/profile-page"
AVATAR = "http://webfinger.net/rel/avatar"
SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
MAX_RESOURCE = 2048
# RFC 3986 §3.1: a resource is a URI (RFC 7033 §4.1), so it starts with a scheme
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")


@dataclass(frozen=True)
class Resource:
    """A resource read: `acct:user@host` (`acct:@user@host` too, as some clients send it), or an
    http(s) URI (an actor's id or profile page). `host` is lower-cased, with its port if any;
    `name` is the acct user part, percent-decoded (RFC 7565), or the URI's decoded path."""

    kind: Literal["acct", "uri"]
    name: str
    host: str


def parse_resource(value: str) -> Resource:
    """Read a resource. BadRequest when it is no URI (a bare `user@host`, `=acct:...`) or a
    malformed acct: or http(s) URI; NotFound for a well-formed URI of another scheme (mailto:,
    xmpp:...), under which the node knows nothing (RFC 7033 §4.2)."""
    resource = value.strip()
    if not resource or len(resource) > MAX_RESOURCE:
        raise BadRequest("the resource parameter is required")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in resource):
        raise BadRequest("resource has control characters")
    scheme, sep, rest = resource.partition(":")
    if not sep or not _SCHEME.fullmatch(scheme):
        raise BadRequest("resource must be a URI: acct:user@host or an http(s) URI")
    if sep and scheme.lower() in ("http", "https"):
        try:
            parts = urlsplit(resource)
            _ = parts.port  # a port that is not a number raises here
        except ValueError:
            raise BadRequest("resource is not a valid URI") from None
        if not parts.hostname or "@" in parts.netloc:
            raise BadRequest("resource is not a valid URI")
        host = parts.hostname.lower()
        host = f"[{host}]" if ":" in host else host
        default = 443 if parts.scheme.lower() == "https" else 80
        if parts.port not in (None, default):
            host = f"{host}:{parts.port}"
        return Resource("uri", unquote(parts.path), host)
    if scheme.lower() != "acct":
        raise NotFound(f"no account is known under the {scheme.lower()}: scheme")
    address = rest.removeprefix("@")  # some clients send acct:@user@host
    user, at, host = address.rpartition("@")
    if not at or not user or not host or any(ch in address for ch in "/ ?#"):
        raise BadRequest("resource must be acct:user@host or an http(s) URI")
    name = unquote(user)
    if "@" in name or not name.strip():
        raise BadRequest("resource must be acct:user@host or an http(s) URI")
    return Resource("acct", name, host.lower())


def jrd(
    subject: str,
    *,
    actor: str,
    profile: str,
    subscribe_template: str,
    avatar: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The JRD of an actor, as Mastodon serves it (app/serializers/webfinger_serializer.rb):
    its profile page and actor id as aliases, then profile-page, self, subscribe and, when it
    has one, avatar links. `avatar` is (media type, URL)."""
    links: list[dict[str, str]] = [
        {"rel": PROFILE_PAGE, "type": "text/html", "href": profile},
        {"rel": "self", "type": "application/activity+json", "href": actor},
        {"rel": SUBSCRIBE, "template": subscribe_template},
    ]
    if avatar is not None:
        links.append({"rel": AVATAR, "type": avatar[0], "href": avatar[1]})
    return {"subject": subject, "aliases": [profile, actor], "links": links}


def filter_rels(document: dict[str, Any], rels: Iterable[str]) -> dict[str, Any]:
    """RFC 7033 §4.3: with `rel` parameters, only the links of those relation types (any of them)
    are kept; the rest of the document is unchanged. No rel keeps every link."""
    wanted = {rel for rel in rels if rel}
    if not wanted:
        return document
    links = [link for link in document.get("links", []) if link.get("rel") in wanted]
    return {**document, "links": links}
