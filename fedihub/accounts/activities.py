"""ActivityStreams documents of local actors: a user's Person, the node's Application actor, and
the Update that tells peers a profile or key changed.

The fields are the ones Mastodon reads from an actor
(app/serializers/activitypub/actor_serializer.rb in Mastodon), with its JSON-LD context, so
Mastodon, GoToSocial and Misskey render profiles fully.
"""

from __future__ import annotations

import html
import mimetypes
import re
from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.activitypub import expertise
from fedihub.activitypub.documents import activity, format_datetime
from fedihub.activitypub.vocabulary import AS_CONTEXT, PUBLIC, SECURITY_CONTEXT
from fedihub.runtime import Runtime

# the extension terms Mastodon defines in its actor context; peers that expand JSON-LD need them
ACTOR_CONTEXT: list[Any] = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
        "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
        "movedTo": {"@id": "as:movedTo", "@type": "@id"},
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
        "discoverable": "toot:discoverable",
        "suspended": "toot:suspended",
        "memorial": "toot:memorial",
        "indexable": "toot:indexable",
        "Hashtag": "as:Hashtag",
        "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
        **expertise.CONTEXT_TERMS,
    },
]
_LINK_REL = "nofollow noopener noreferrer me"
_TAG_CHARS = re.compile(r"[^\w]", re.UNICODE)


def _image(url: str) -> dict[str, Any]:
    media_type, _ = mimetypes.guess_type(url.split("?", 1)[0])
    image: dict[str, Any] = {"type": "Image", "url": url}
    if media_type:
        image["mediaType"] = media_type
    return image


def hashtag_name(text: str) -> str:
    """A research area as a hashtag name: word characters only
    ("Machine learning" → MachineLearning)."""
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    joined = "".join(w[:1].upper() + w[1:] if len(words) > 1 else w for w in words)
    return _TAG_CHARS.sub("", joined)


def link_html(url: str) -> str:
    """A profile link as Mastodon renders a verified-able field value (rel="me")."""
    escaped = html.escape(url, quote=True)
    match = re.match(r"^(https?://(?:www\.)?)(.*)$", url)
    if match is None:
        return html.escape(url)
    prefix, rest = (html.escape(part) for part in match.groups())
    return (
        f'<a href="{escaped}" target="_blank" rel="{_LINK_REL}" translate="no">'
        f'<span class="invisible">{prefix}</span><span class="">{rest}</span>'
        '<span class="invisible"></span></a>'
    )


def _link_fields(links: list[dict[str, str]]) -> list[dict[str, Any]]:
    fields = []
    for link in links:
        name = str(link.get("name") or link.get("label") or "").strip()
        url = str(link.get("url") or link.get("href") or link.get("value") or "").strip()
        if not url:
            continue
        value = link_html(url) if url.startswith(("https://", "http://")) else html.escape(url)
        fields.append({"type": "PropertyValue", "name": name or "Link", "value": value})
    return fields


async def actor_document(rt: Runtime, actor: models.Actor) -> dict[str, Any]:
    """The Person document of a local actor, with every field Mastodon reads.

    Async although it reads only the row today: featured tags and pinned posts will need queries.
    """
    urls = rt.urls
    name = actor.username
    tags = []
    for area in actor.research_areas or []:
        tag = hashtag_name(str(area))
        if tag:
            tags.append({"type": "Hashtag", "href": urls.tag(tag.lower()), "name": f"#{tag}"})
    attachment: list[dict[str, Any]] = []
    if actor.research_areas:
        attachment.append(
            {
                "type": "PropertyValue",
                "name": "Research areas",
                "value": html.escape(", ".join(str(a) for a in actor.research_areas)),
            }
        )
    if actor.affiliation:
        attachment.append(
            {
                "type": "PropertyValue",
                "name": "Affiliation",
                "value": html.escape(actor.affiliation),
            }
        )
    attachment.extend(_link_fields(actor.links or []))
    document: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": actor.uri,
        "type": actor.actor_type or "Person",
        "following": actor.following_url or urls.following(name),
        "followers": actor.followers_url or urls.followers(name),
        "inbox": actor.inbox or urls.inbox(name),
        "outbox": actor.outbox or urls.outbox(name),
        "featured": actor.featured_url or urls.featured(name),
        "preferredUsername": name,
        "name": actor.display_name,
        "summary": actor.summary,
        "url": actor.url or urls.profile(name),
        "manuallyApprovesFollowers": actor.manually_approves,
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
        **expertise.expertise_terms(list(actor.research_areas or []), actor.affiliation),
        "published": format_datetime(actor.created_at),
        "memorial": False,
        "publicKey": {
            "id": actor.public_key_id or urls.key_id(name),
            "owner": actor.uri,
            "publicKeyPem": actor.public_key_pem,
        },
        "tag": tags,
        "attachment": attachment,
        "endpoints": {"sharedInbox": actor.shared_inbox or urls.shared_inbox},
    }
    if actor.also_known_as:
        document["alsoKnownAs"] = list(actor.also_known_as)
    if actor.moved_to_uri:
        document["movedTo"] = actor.moved_to_uri
    if actor.icon_url:
        document["icon"] = _image(actor.icon_url)
    if actor.header_url:
        document["image"] = _image(actor.header_url)
    return document


def instance_actor_document(rt: Runtime) -> dict[str, Any]:
    """The node's Application actor at /actor, which signs fetches made for the whole node.

    Built from the node's key alone (no database row needed), so it answers even before
    `fedihub init` made its row.
    """
    urls = rt.urls
    return {
        "@context": ACTOR_CONTEXT,
        "id": urls.instance_actor,
        "type": "Application",
        "inbox": f"{urls.instance_actor}/inbox",
        "outbox": f"{urls.instance_actor}/outbox",
        "preferredUsername": urls.domain,
        "name": urls.domain,
        "url": f"{urls.base}/about",
        "manuallyApprovesFollowers": True,
        "discoverable": False,
        "indexable": False,
        "publicKey": {
            "id": urls.instance_key_id,
            "owner": urls.instance_actor,
            "publicKeyPem": rt.secrets.instance_public_pem,
        },
        "endpoints": {"sharedInbox": urls.shared_inbox},
    }


async def update_actor(rt: Runtime, actor: models.Actor) -> dict[str, Any]:
    """Update of the actor, carrying its whole document (Mastodon re-reads keys and fields)."""
    doc = await actor_document(rt, actor)
    context = doc.pop("@context", AS_CONTEXT)
    update = activity(
        "Update",
        f"{actor.uri}#updates/{int(datetime.now(UTC).timestamp())}",
        actor.uri,
        doc,
        to=[PUBLIC],
        cc=[actor.followers_url] if actor.followers_url else [],
    )
    update["@context"] = context
    return update
