"""ActivityStreams names and contexts that fedihub reads and writes."""

from __future__ import annotations

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACCEPT_AS = f"{ACTIVITY_JSON}, {LD_JSON}"

ACTOR_TYPES = frozenset({"Person", "Group", "Organization", "Application", "Service"})
# object types shown as statuses; others are kept (document column) but not rendered
STATUS_TYPES = frozenset(
    {"Note", "Article", "Question", "Page", "Event", "Video", "Audio", "Image"}
)

# Mastodon's extensions, as the compact context object it publishes with its Notes
TOOT_CONTEXT = {
    "ostatus": "http://ostatus.org#",
    "atomUri": "ostatus:atomUri",
    "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
    "conversation": "ostatus:conversation",
    "sensitive": "as:sensitive",
    "toot": "http://joinmastodon.org/ns#",
    "votersCount": "toot:votersCount",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "Hashtag": "as:Hashtag",
}
NOTE_CONTEXT: list[object] = [AS_CONTEXT, TOOT_CONTEXT]
