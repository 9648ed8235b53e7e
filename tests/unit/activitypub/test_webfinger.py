"""WebFinger resources read by the protocol layer (RFC 7033, acct: URIs of RFC 7565)."""

from __future__ import annotations

import pytest

from fedihub.activitypub import webfinger
from fedihub.errors import BadRequest, NotFound


@pytest.mark.parametrize(
    ("value", "kind", "name", "host"),
    [
        ("acct:ada@uni.example", "acct", "ada", "uni.example"),
        ("ACCT:Ada@UNI.Example", "acct", "Ada", "uni.example"),
        ("acct:@ada@uni.example", "acct", "ada", "uni.example"),
        ("acct:ad%61@uni.example", "acct", "ada", "uni.example"),
        ("acct:ada@localhost:8000", "acct", "ada", "localhost:8000"),
        ("  acct:ada@uni.example ", "acct", "ada", "uni.example"),
        ("https://uni.example/users/ada", "uri", "/users/ada", "uni.example"),
        ("HTTPS://UNI.example:443/@ada", "uri", "/@ada", "uni.example"),
        ("http://uni.example:80/users/ada", "uri", "/users/ada", "uni.example"),
        ("https://uni.example:8443/users/ada", "uri", "/users/ada", "uni.example:8443"),
        ("https://[::1]/users/ada", "uri", "/users/ada", "[::1]"),
        ("https://uni.example/users/%61da", "uri", "/users/ada", "uni.example"),
    ],
)
def test_resources_are_read(value: str, kind: str, name: str, host: str) -> None:
    assert webfinger.parse_resource(value) == webfinger.Resource(kind, name, host)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "acct:",
        "acct:ada",
        "acct:@uni.example",
        "acct:ada@",
        "just text",
        # not URIs (RFC 7033 §4.1 wants one): a bare address, `resource==acct:...` read as `=acct:`
        "ada@uni.example",
        "@ada@uni.example",
        "ada@localhost:8000",
        "=acct:ada@uni.example",
        "acct:ada/x@uni.example",
        "acct:a d a@uni.example",
        "acct:ada@uni.example?x",
        "acct:%40@uni.example",
        "acct:%20@uni.example",
        "acct:ada\x00@uni.example",
        "https://",
        "https:///users/ada",
        "https://u:p@uni.example/users/ada",
        "https://uni.example:99999/users/ada",
        "https://[::1/users/ada",
        "acct:" + "a" * 3000 + "@uni.example",
    ],
)
def test_malformed_resources_are_bad_requests(value: str) -> None:
    with pytest.raises(BadRequest):
        webfinger.parse_resource(value)


@pytest.mark.parametrize(
    "value", ["mailto:ada@uni.example", "xmpp:ada@uni.example", "javascript:x"]
)
def test_well_formed_uris_of_other_schemes_are_not_found(value: str) -> None:
    with pytest.raises(NotFound):
        webfinger.parse_resource(value)


def test_jrd_is_mastodons_shape_and_rel_filters_links() -> None:
    document = webfinger.jrd(
        "acct:ada@uni.example",
        actor="https://uni.example/users/ada",
        profile="https://uni.example/@ada",
        subscribe_template="https://uni.example/authorize_interaction?uri={uri}",
    )
    assert document["aliases"] == ["https://uni.example/@ada", "https://uni.example/users/ada"]
    assert [link["rel"] for link in document["links"]] == [
        webfinger.PROFILE_PAGE,
        "self",
        webfinger.SUBSCRIBE,
    ]
    only_self = webfinger.filter_rels(document, ["self"])
    assert [link["rel"] for link in only_self["links"]] == ["self"]
    assert only_self["subject"] == document["subject"]
    assert only_self["aliases"] == document["aliases"]
    assert webfinger.filter_rels(document, []) == document
    assert webfinger.filter_rels(document, [""]) == document
