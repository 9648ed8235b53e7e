"""Accounts' rights over their data: Mastodon's CSV exports read back by the import (a background
job with progress shown), malformed lines counted and reported, the overwrite mode, bounds on the
file, the audit log of exports, and the account archive."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from pagekit import csrf_from, make_user, page_token, sign_in

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.moderation import audit, user_domains
from fedihub.rights import imports
from fedihub.social import blocks, follows, interactions, lists, statuses
from fedihub.web.common import RUNTIME_KEY

EXPORTS = {
    "following": "following_accounts",
    "blocking": "blocked_accounts",
    "muting": "muted_accounts",
    "domain_blocking": "blocked_domains",
    "bookmarks": "bookmarks",
    "lists": "lists",
}


async def _browser(app: Any, username: str) -> Any:
    browser = app.test_client()
    assert (await sign_in(browser, username)).status_code == 302
    return browser


async def _upload(browser: Any, kind: str, body: bytes, mode: str = "merge") -> Any:
    token = await page_token(browser, "/settings/import")
    return await browser.post(
        "/settings/import",
        form={"csrf_token": token, "type": kind, "mode": mode},
        files={"data": _file(body)},
    )


def _file(body: bytes) -> Any:
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(body), filename="export.csv", content_type="text/csv")


async def _actor(username: str) -> models.Actor:
    return await models.Actor.get(username=username, domain=None)


async def test_every_export_round_trips_through_import(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    # Given ada, who follows bob and carol, blocks dan, mutes erin without hiding notifications,
    # blocks a domain, keeps a bookmark and has carol on a list
    for name in ("ada", "bob", "carol", "dan", "erin", "zed"):
        await make_user(app, name)
    ada, bob, carol = await _actor("ada"), await _actor("bob"), await _actor("carol")
    await follows.follow(rt, ada, bob)
    await follows.follow(rt, ada, carol)
    await blocks.block(rt, ada, await _actor("dan"))
    await models.Mute.create(
        actor_id=ada.id, target_id=(await _actor("erin")).id, notifications=False
    )
    await user_domains.block(rt, await users.by_username("ada"), "spam.example")
    note = await statuses.create(rt, await users.by_username("bob"), statuses.Draft("a good read"))
    await interactions.bookmark(ada, note.id)
    colleagues = await models.List.create(owner_id=ada.id, title="Colleagues")
    await lists.add(colleagues, [carol.id])
    browser = await _browser(app, "ada")
    files = {}
    for kind, name in EXPORTS.items():
        response = await browser.get(f"/settings/export/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        files[kind] = await response.get_data()
    assert files["following"].decode().splitlines() == [
        "Account address,Show boosts,Notify on new posts,Languages",
        "bob@fedihub.test,true,false,",
        "carol@fedihub.test,true,false,",
    ]
    assert files["muting"].decode().splitlines() == [
        "Account address,Hide notifications",
        "erin@fedihub.test,false",
    ]
    assert files["domain_blocking"].decode().strip() == "spam.example"
    assert files["lists"].decode().strip() == "Colleagues,carol@fedihub.test"
    assert files["bookmarks"].decode().strip() == note.uri
    # every export is in the audit log
    logged = await audit.search(action="export").values_list("detail", flat=True)
    assert sorted(logged) == sorted(f"{name}.csv" for name in EXPORTS.values())

    # When zed imports each file
    zed_browser = await _browser(app, "zed")
    for kind, body in files.items():
        response = await _upload(zed_browser, kind, body)
        assert response.status_code == 303, await response.get_data(as_text=True)
    await jobs.drain(rt)

    # Then zed has what ada had, and the page says so
    zed = await _actor("zed")
    followed = await models.Follow.filter(follower_id=zed.id).values_list(
        "target__username", flat=True
    )
    assert sorted(followed) == ["bob", "carol"]
    assert await models.Block.filter(actor_id=zed.id, target__username="dan").exists()
    mute = await models.Mute.get(actor_id=zed.id)
    assert mute.target_id == (await _actor("erin")).id and mute.notifications is False
    assert await models.UserDomainBlock.filter(actor_id=zed.id, domain="spam.example").exists()
    assert await models.Bookmark.filter(actor_id=zed.id, status_id=note.id).exists()
    their_list = await models.List.get(owner_id=zed.id, title="Colleagues")
    assert await models.ListAccount.filter(list_id=their_list.id, actor_id=carol.id).exists()
    html = await (await zed_browser.get("/settings/import")).get_data(as_text=True)
    assert html.count("finished") == len(EXPORTS)
    assert "2 of 2 lines read: 2 imported, 0 failed" in html


async def test_malformed_lines_are_counted_and_reported(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    await make_user(app, "ada")
    await make_user(app, "bob")
    body = (
        b"Account address,Show boosts,Notify on new posts,Languages\n"
        b"bob@fedihub.test,true,false,\n"
        b"not an address\n"
        b",,,\n"  # an empty line: skipped, not counted
        b"nobody@fedihub.test,true,false,\n"
        b"ada@fedihub.test\n"
        b'"unclosed quote,true\n'
    )
    browser = await _browser(app, "ada")
    assert (await _upload(browser, "following", body)).status_code == 303
    await jobs.drain(rt)
    row = await models.DataImport.get(user_id=(await users.by_username("ada")).id)
    assert row.state.value == "done"
    assert (row.total, row.imported, row.failed) == (5, 1, 4)
    html = await (await browser.get("/settings/import")).get_data(as_text=True)
    assert "5 of 5 lines read: 1 imported, 4 failed" in html
    assert "not an address" in html and "nobody@fedihub.test" in html
    assert "you cannot follow yourself" in html
    assert await models.Follow.filter(target__username="bob").exists()


async def test_bad_uploads_are_refused_with_the_field_named(app: Any) -> None:
    await make_user(app, "ada")
    browser = await _browser(app, "ada")
    too_long = ("x@fedihub.test\n" * (imports.MAX_LINES + 1)).encode()
    refused = await _upload(browser, "blocking", too_long)
    assert refused.status_code == 422
    assert "more than 100000 lines" in await refused.get_data(as_text=True)
    binary = await _upload(browser, "blocking", b"\xff\xfe\x00\x00binary")
    assert binary.status_code == 422
    kind = await _upload(browser, "passwords", b"a@b.example\n")
    assert kind.status_code == 422
    assert not await models.DataImport.exists()


async def test_a_long_file_is_stored_at_once_and_applied_in_slices(
    app: Any, monkeypatch: Any
) -> None:
    rt = app.extensions[RUNTIME_KEY]
    await make_user(app, "ada")
    browser = await _browser(app, "ada")
    # a 100,000-line file: the request only stores it
    lines = "".join(f"example{i}.org\n" for i in range(imports.MAX_LINES)).encode()
    assert (await _upload(browser, "domain_blocking", lines)).status_code == 303
    row = await models.DataImport.get()
    assert row.total == imports.MAX_LINES and row.processed == 0
    await row.delete()
    queued = await models.Job.filter(kind=imports.KIND).count()
    # each run stops after its slice and queues the rest
    monkeypatch.setattr(imports, "SLICE_S", 0.0)
    monkeypatch.setattr(imports, "BATCH", 2)
    small = "".join(f"example{i}.org\n" for i in range(5)).encode()
    assert (await _upload(browser, "domain_blocking", small)).status_code == 303
    await jobs.drain(rt)
    row = await models.DataImport.get()
    assert (row.state.value, row.processed, row.imported) == ("done", 5, 5)
    assert await models.Job.filter(kind=imports.KIND).count() - queued == 3  # 2 + 2 + 1 lines


async def test_overwrite_removes_what_the_file_does_not_list(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    for name in ("ada", "bob", "carol"):
        await make_user(app, name)
    ada = await _actor("ada")
    await follows.follow(rt, ada, await _actor("bob"))
    browser = await _browser(app, "ada")
    body = b"Account address,Show boosts,Notify on new posts,Languages\ncarol@fedihub.test,true,,\n"
    assert (await _upload(browser, "following", body, mode="overwrite")).status_code == 303
    await jobs.drain(rt)
    followed = await models.Follow.filter(follower_id=ada.id).values_list(
        "target__username", flat=True
    )
    assert followed == ["carol"]


async def test_archive_is_made_in_the_background_and_downloaded_by_its_owner(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    await make_user(app, "ada")
    await make_user(app, "bob")
    note = await statuses.create(rt, await users.by_username("ada"), statuses.Draft("my findings"))
    browser = await _browser(app, "ada")
    token = await page_token(browser, "/settings/export")
    asked = await browser.post("/settings/export/archive", form={"csrf_token": token})
    assert asked.status_code == 303
    html = await (await browser.get("/settings/export")).get_data(as_text=True)
    assert "Archive in progress" in html
    await jobs.drain(rt)
    html = await (await browser.get("/settings/export")).get_data(as_text=True)
    link = re.search(r'href="(/settings/export/archive/\d+\.zip)"', html)
    assert link, html
    response = await browser.get(link.group(1))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(await response.get_data()))
    assert {"actor.json", "outbox.json", "bookmarks.json"} <= set(archive.namelist())
    outbox = json.loads(archive.read("outbox.json"))
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    assert outbox["orderedItems"][0]["type"] == "Create"
    assert outbox["orderedItems"][0]["object"]["id"] == note.uri
    assert json.loads(archive.read("actor.json"))["preferredUsername"] == "ada"
    # nobody else downloads it
    other = await _browser(app, "bob")
    assert (await other.get(link.group(1))).status_code == 404
    assert csrf_from(html)
