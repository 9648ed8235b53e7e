"""Every URL the parser hands on from a peer is an absolute http(s) URL with a host, or nothing:
`javascript:`, `data:`, relative and user-part URLs never leave activitypub/parse.py."""

from __future__ import annotations

from typing import Any

import pytest

from fedihub.activitypub import parse
from fedihub.errors import BadRequest

ACTOR = "https://peer.example/users/zoe"
NOT_HTTP = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/relative/path",
    "//peer.example/scheme-relative",
    "https://user:secret@peer.example/x",
    "https://peer.example/a\nb",
    "ftp://peer.example/file",
    "https:///no-host",
    "https://peer.example:99999/bad-port",
    "https://peer.example/" + "x" * 3000,
]


def _actor(**fields: Any) -> dict[str, Any]:
    return {
        "id": ACTOR,
        "type": "Person",
        "preferredUsername": "zoe",
        "inbox": f"{ACTOR}/inbox",
        **fields,
    }


def _note(**fields: Any) -> dict[str, Any]:
    return {"id": f"{ACTOR}/notes/1", "type": "Note", "attributedTo": ACTOR, **fields}


@pytest.mark.parametrize("bad", NOT_HTTP)
def test_actor_urls_that_are_not_http_are_dropped(bad: str) -> None:
    parsed = parse.actor_doc(
        _actor(
            url=bad,
            icon={"type": "Image", "href": bad},
            image=[bad],
            outbox=bad,
            followers=bad,
            following=bad,
            featured=bad,
            endpoints={"sharedInbox": bad},
            publicKey={"id": bad, "owner": ACTOR, "publicKeyPem": "PEM"},
        )
    )
    found = [
        parsed.url,
        parsed.icon,
        parsed.image,
        parsed.outbox,
        parsed.followers,
        parsed.following,
        parsed.featured,
        parsed.shared_inbox,
        parsed.public_key_id,
    ]
    assert found == [None] * len(found)


@pytest.mark.parametrize("bad", NOT_HTTP)
def test_an_actor_whose_id_or_inbox_is_not_http_is_refused(bad: str) -> None:
    with pytest.raises(BadRequest, match="inbox"):
        parse.actor_doc(_actor(inbox=bad))
    with pytest.raises(BadRequest, match="id"):
        parse.actor_doc(_actor(id=bad))


@pytest.mark.parametrize("bad", NOT_HTTP)
def test_object_urls_that_are_not_http_are_dropped(bad: str) -> None:
    parsed = parse.object_doc(
        _note(
            url=bad,
            inReplyTo=bad,
            tag=[{"type": "Mention", "href": bad, "name": "@x"}],
            attachment=[
                {"type": "Document", "url": bad, "mediaType": "image/png"},
                {"type": "Document", "url": "https://peer.example/a.png", "mediaType": "image/png"},
            ],
        )
    )
    assert (parsed.url, parsed.in_reply_to, parsed.tags[0].href) == (None, None, None)
    assert [a.url for a in parsed.attachments] == ["https://peer.example/a.png"]
    with pytest.raises(BadRequest):
        parse.object_doc(_note(id=bad))
    with pytest.raises(BadRequest):
        parse.activity({"id": bad, "type": "Like", "actor": ACTOR, "object": f"{ACTOR}/n/1"})


def test_a_url_given_as_a_link_object_or_a_list_is_read_when_it_is_http() -> None:
    parsed = parse.object_doc(_note(url=[{"type": "Link", "href": "https://peer.example/@zoe/1"}]))
    assert parsed.url == "https://peer.example/@zoe/1"
    actor = parse.actor_doc(_actor(url="http://peer.example/@zoe", icon={"id": "https://i/a.png"}))
    assert (actor.url, actor.icon) == ("http://peer.example/@zoe", "https://i/a.png")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://peer.example/a", "https://PEER.example:443/b", True),
        ("http://peer.example/a", "http://peer.example:80/b", True),
        ("https://peer.example/a", "http://peer.example/a", False),
        ("https://peer.example/a", "https://peer.example:8443/a", False),
        ("https://peer.example/a", "https://evil.example/a", False),
        ("https://peer.example/a", "https://evil@peer.example/a", False),
    ],
)
def test_origins(a: str, b: str, same: bool) -> None:
    assert (parse.origin_of(a) == parse.origin_of(b) != "") is same
