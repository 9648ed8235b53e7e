"""The expertise directory: who is listed (opt-in; a remote account only when its own document
says `discoverable: true`), search by words (English and Chinese), research area, affiliation,
language and node, and Mastodon's /api/v1/directory; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from apikit import bearer, json_of, make_token, make_user
from jsonschema import Draft202012Validator
from test_entity_shapes import check

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.discovery import directory
from fedihub.web.common import RUNTIME_KEY

DIRECTORY = "/api/fedihub/v1/directory"


def _remote_doc(username: str, domain: str, **extra: Any) -> dict[str, Any]:
    uri = f"https://{domain}/users/{username}"
    return {
        "id": uri,
        "type": "Person",
        "preferredUsername": username,
        "name": username.title(),
        "inbox": f"{uri}/inbox",
        **extra,
    }


async def _store(app: Any, doc: dict[str, Any]) -> models.Actor:
    return await resolver.store_actor(
        app.extensions[RUNTIME_KEY], parse.actor_doc(doc), fetched_from=doc["id"]
    )


async def _researcher(
    app: Any, username: str, areas: list[str], affiliation: str = "", **kw: Any
) -> models.Actor:
    user = await make_user(app, username, **kw)
    actor = user.actor
    actor.research_areas, actor.affiliation = areas, affiliation
    await actor.save()
    return actor


async def _world(app: Any) -> dict[str, models.Actor]:
    people = {
        "ada": await _researcher(
            app, "ada", ["Machine learning", "图神经网络"], "Tsinghua University"
        ),
        "grace": await _researcher(app, "grace", ["Compilers"], "Yale", locale="zh-CN"),
        "hidden": await _researcher(app, "hidden", ["Machine learning"]),
        "gone": await _researcher(app, "gone", ["Machine learning"]),
    }
    people["hidden"].discoverable = False
    await people["hidden"].save()
    await models.User.filter(actor_id=people["gone"].id).update(disabled=True)
    # a fedihub peer's researcher, a Mastodon user with profile fields, and two who did not opt in
    people["lin"] = await _store(
        app,
        _remote_doc(
            "lin",
            "lab.example",
            discoverable=True,
            knowsAbout=["Machine learning", "Protein folding"],
            affiliation={"type": "Organization", "name": "Peking University"},
        ),
    )
    people["masto"] = await _store(
        app,
        _remote_doc(
            "masto",
            "social.example",
            discoverable=True,
            attachment=[
                {"type": "PropertyValue", "name": "Research interests", "value": "Ecology, Soil"},
                {"type": "PropertyValue", "name": "Institution", "value": "<a>ETH Zürich</a>"},
            ],
            tag=[{"type": "Hashtag", "name": "#Botany", "href": "https://social.example/t/b"}],
        ),
    )
    people["silent"] = await _store(
        app, _remote_doc("silent", "social.example", knowsAbout=["Machine learning"])
    )
    people["refuser"] = await _store(
        app,
        _remote_doc(
            "refuser", "social.example", discoverable=False, knowsAbout=["Machine learning"]
        ),
    )
    await directory.sync(app.extensions[RUNTIME_KEY])
    return people


async def _names(client: Any, **query: str) -> list[str]:
    body = await json_of(await client.get(DIRECTORY, query_string=query))
    return sorted(entry["acct"] for entry in body)


async def test_search_finds_opted_in_researchers_by_area_words_affiliation_and_language(
    app: Any, client: Any
) -> None:
    await _world(app)
    domain = app.extensions[RUNTIME_KEY].urls.domain
    # a research area, case and spacing aside: the disabled, the opted-out, the remote account
    # with no flag and the one that said false are all left out
    assert await _names(client, area="machine  LEARNING") == [
        f"ada@{domain}",
        "lin@lab.example",
    ]
    # words anywhere in name, areas, affiliation; Chinese by its characters
    assert await _names(client, q="神经网络") == [f"ada@{domain}"]
    assert await _names(client, q="protein") == ["lin@lab.example"]
    assert await _names(client, affiliation="peking") == ["lin@lab.example"]
    assert await _names(client, q="ecology") == ["masto@social.example"]
    assert await _names(client, affiliation="eth zürich") == ["masto@social.example"]
    assert await _names(client, q="botany") == ["masto@social.example"]
    assert await _names(client, language="zh") == [f"grace@{domain}"]
    assert await _names(client, node="lab.example") == ["lin@lab.example"]
    assert await _names(client, local="true") == [f"ada@{domain}", f"grace@{domain}"]
    entry = (await json_of(await client.get(DIRECTORY, query_string={"q": "protein"})))[0]
    assert entry["node"] == "lab.example" and entry["local"] is False
    assert entry["research_areas"] == ["Machine learning", "Protein folding"]
    assert entry["affiliation"] == "Peking University"
    assert entry["account_id"]


async def test_an_account_that_opts_out_or_is_disabled_leaves_the_directory(
    app: Any, client: Any
) -> None:
    people = await _world(app)
    rt = app.extensions[RUNTIME_KEY]
    people["ada"].discoverable = False
    await people["ada"].save()
    await models.User.filter(actor_id=people["grace"].id).update(disabled=True)
    await directory.sync(rt)
    assert await _names(client, local="true") == []
    # a remote account whose new document no longer opts in leaves too
    await _store(app, _remote_doc("lin", "lab.example", knowsAbout=["Machine learning"]))
    await directory.sync(rt)
    assert await _names(client, area="machine learning") == []


async def test_mastodon_directory_lists_known_accounts_in_mastodon_shapes(
    app: Any, client: Any
) -> None:
    people = await _world(app)
    body = await json_of(await client.get("/api/v1/directory", query_string={"local": "true"}))
    assert sorted(a["username"] for a in body) == ["ada", "grace"]
    for account in body:
        check("Account", account)
    everyone = await json_of(await client.get("/api/v1/directory"))
    assert {a["acct"] for a in everyone} == {
        "ada",
        "grace",
        "lin@lab.example",
        "masto@social.example",
    }
    # order=new: the most recently joined first
    newest = await json_of(
        await client.get("/api/v1/directory", query_string={"order": "new", "local": "true"})
    )
    assert [a["username"] for a in newest] == ["grace", "ada"]
    assert people["ada"].id  # the world is the one built above
    # a token must be allowed to read accounts; anonymous visitors are served
    user = await make_user(app, "reader")
    token = await make_token(user, "write:statuses")
    denied = await client.get("/api/v1/directory", headers=bearer(token))
    assert denied.status_code == 403


async def test_paging_links_keep_the_filters_and_bad_input_is_refused(
    app: Any, client: Any
) -> None:
    await _world(app)
    response = await client.get(DIRECTORY, query_string={"area": "machine learning", "limit": "1"})
    first = await json_of(response)
    assert len(first) == 1
    link = response.headers["Link"]
    next_url = link.split(">")[0].lstrip("<")
    query = parse_qs(urlsplit(next_url).query)
    assert query["area"] == ["machine learning"] and query["offset"] == ["1"]
    second = await json_of(await client.get(urlsplit(next_url).path, query_string=query))
    assert len(second) == 1 and second[0]["acct"] != first[0]["acct"]
    bad_order = await client.get(DIRECTORY, query_string={"order": "popular"})
    assert bad_order.status_code == 422
    assert "order" in (await bad_order.get_json())["error"]
    huge = await client.get(DIRECTORY, query_string={"q": "x" * 10_000})
    assert huge.status_code == 422
    assert (await client.get(DIRECTORY, query_string={"limit": "0"})).status_code in (200, 422)


async def test_common_terms_are_walked_in_order_and_give_what_rare_terms_give(
    app: Any, client: Any, monkeypatch: Any
) -> None:
    await _world(app)
    queries = [
        {"area": "machine learning"},
        {"q": "神经网络"},
        {"affiliation": "peking"},
        {"q": "ecology", "node": "social.example"},
        {"local": "true", "language": "zh"},
        {"area": "machine learning", "order": "new"},
    ]
    by_reading = [await _names(client, **q) for q in queries]
    # every term counts as common: the search walks the entries newest first instead
    monkeypatch.setattr(directory, "RARE_TERM", 0)
    assert [await _names(client, **q) for q in queries] == by_reading
    ordered = await json_of(
        await client.get(DIRECTORY, query_string={"area": "machine learning", "limit": "1"})
    )
    monkeypatch.setattr(directory, "RARE_TERM", 1000)
    assert ordered == (
        await json_of(
            await client.get(DIRECTORY, query_string={"area": "machine learning", "limit": "1"})
        )
    )


async def test_entries_answer_as_the_fedihub_api_description_says(app: Any, client: Any) -> None:
    await _world(app)
    spec = await json_of(await client.get("/api/fedihub/v1/openapi.json"))
    assert "/api/fedihub/v1/directory" in spec["paths"]
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/DirectoryEntry", "components": spec["components"]}
    )
    entries = await json_of(await client.get(DIRECTORY))
    assert len(entries) == 4
    for entry in entries:
        assert not [e.message for e in validator.iter_errors(entry)]


async def test_servers_the_node_silences_or_suspends_leave_the_directory(
    app: Any, client: Any
) -> None:
    await _world(app)
    assert "lin@lab.example" in await _names(client)
    await models.DomainBlock.create(domain="lab.example", severity=models.Severity.SILENCE)
    assert "lin@lab.example" not in await _names(client)
    assert await _names(client, q="protein") == []
    mastodon = await json_of(await client.get("/api/v1/directory"))
    assert "lin@lab.example" not in {a["acct"] for a in mastodon}
