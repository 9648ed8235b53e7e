"""Reading what researchers work on from any actor document, and entries of a peer's directory:
bounded, plain text, and a peer speaks only for its own accounts."""

from __future__ import annotations

from fedihub.activitypub.expertise import MAX_AREAS, expertise_terms, read_expertise
from fedihub.activitypub.parse import actor_doc
from fedihub.discovery import peers, terms


def test_fedihub_terms_round_trip_and_win_over_profile_fields() -> None:
    doc = {
        **expertise_terms(["Machine learning", "Ecology"], "Tsinghua University"),
        "attachment": [{"type": "PropertyValue", "name": "Research areas", "value": "Other"}],
        "tag": [{"type": "Hashtag", "name": "#MachineLearning"}],
    }
    assert read_expertise(doc) == (["Machine learning", "Ecology"], "Tsinghua University")


def test_other_servers_areas_come_from_named_fields_and_profile_hashtags() -> None:
    doc = {
        "attachment": [
            {"type": "PropertyValue", "name": "研究方向", "value": "<p>机器学习，自然语言处理</p>"},
            {"type": "PropertyValue", "name": "Website", "value": "<a href='x'>x.org</a>"},
            {"type": "PropertyValue", "name": "Employer", "value": "Example &amp; Co"},
        ],
        "tag": [{"type": "Hashtag", "name": "#Linguistics"}, {"type": "Mention", "name": "@a"}],
    }
    areas, affiliation = read_expertise(doc)
    assert areas == ["机器学习", "自然语言处理", "Linguistics"]
    assert affiliation == "Example & Co"


def test_areas_are_bounded_deduplicated_and_garbage_is_ignored() -> None:
    doc = {
        "knowsAbout": [f"Area {n}" for n in range(100)] + ["area 1", 5, None, {"name": "x" * 500}]
    }
    areas, _ = read_expertise(doc)
    assert len(areas) == MAX_AREAS and len(set(a.casefold() for a in areas)) == MAX_AREAS
    assert read_expertise({"knowsAbout": "Single", "affiliation": 7}) == (["Single"], "")
    assert read_expertise({"attachment": "nonsense", "tag": {"x": 1}}) == ([], "")


def test_a_missing_discoverable_or_indexable_flag_means_no() -> None:
    base = {"id": "https://a.example/u/x", "inbox": "https://a.example/i", "preferredUsername": "x"}
    assert actor_doc(base).discoverable is False and actor_doc(base).indexable is False
    yes = actor_doc({**base, "discoverable": True, "indexable": True})
    assert yes.discoverable is True and yes.indexable is True
    assert actor_doc({**base, "discoverable": "true"}).discoverable is False


def test_a_peer_entry_for_another_hosts_account_or_malformed_is_dropped() -> None:
    good = {
        "uri": "https://lab.example/users/lin",
        "username": "lin",
        "research_areas": ["ML", 3, "x" * 300] + ["y"] * 100,
        "created_at": "2025-01-02T03:04:05Z",
        "followers_count": -5,
    }
    entry = peers.read_entry("lab.example", good)
    assert entry is not None and entry.node == "lab.example" and not entry.local
    assert entry.research_areas[0] == "ML" and all(len(a) <= 64 for a in entry.research_areas)
    assert len(entry.research_areas) <= peers.MAX_AREAS and entry.followers_count == 0
    assert entry.joined_at is not None and entry.joined_at.year == 2025
    assert peers.read_entry("evil.example", good) is None
    assert peers.read_entry("lab.example", {**good, "uri": "javascript:alert(1)"}) is None
    assert peers.read_entry("lab.example", {**good, "username": ""}) is None
    assert peers.read_entry("lab.example", ["not", "a", "dict"]) is None


def test_chinese_queries_match_by_character_pairs_and_queries_are_bounded() -> None:
    stored = terms.words("图神经网络")
    assert set(terms.query_words("神经网络")) <= stored
    assert set(terms.query_words("网")) <= stored
    assert not set(terms.query_words("网神")) <= stored
    assert len(terms.query_words(" ".join(f"w{n}" for n in range(10_000)))) == terms.MAX_QUERY_TERMS
