"""Settings pages: profile saves and shows, avatars are checked, password change ends sessions."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pagekit import PASSWORD, make_user, page_token, sign_in, tiny_png
from werkzeug.datastructures import FileStorage

from fedihub import config, db, models
from fedihub.app import create_app
from fedihub.security import keys

AVATAR_LIMIT = 50_000


@pytest.fixture
async def app(settings: config.Settings, node_secrets: keys.NodeSecrets) -> AsyncIterator[Any]:
    # a small media limit, so "too large" needs no 16 MB upload
    small = dataclasses.replace(settings, max_media_bytes=AVATAR_LIMIT)
    small.data_dir.mkdir(parents=True, exist_ok=True)
    async with db.database(small):
        await db.migrate(small)
    application = create_app(small, secrets=node_secrets)
    async with application.test_app():
        yield application


@pytest.fixture
async def ada(app: Any, client: Any) -> models.User:
    user = await make_user(app, "ada")
    assert (await sign_in(client, "ada")).status_code == 302
    return user


def _profile(token: str, **extra: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "display_name": "Ada Lovelace",
        "bio": "Analyst of engines.\n\nLikes <b>notes</b> & tables.",
        "affiliation": "Analytical Society",
        "research_areas": "Mathematics, #computing ,  machine   translation, mathematics",
        "link_name_0": "Homepage",
        "link_url_0": "https://ada.example/",
        "locale": "en",
    }
    form.update(extra)
    return form


async def test_profile_edit_persists_and_shows(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/profile")
    response = await client.post("/settings/profile", form=_profile(token))
    assert response.status_code == 302
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.display_name == "Ada Lovelace"
    assert actor.summary == (
        "<p>Analyst of engines.</p><p>Likes &lt;b&gt;notes&lt;/b&gt; &amp; tables.</p>"
    )
    assert actor.affiliation == "Analytical Society"
    assert actor.research_areas == ["Mathematics", "computing", "machine translation"]
    assert actor.links == [{"name": "Homepage", "value": "https://ada.example/"}]
    page = await (await client.get(response.headers["Location"])).get_data(as_text=True)
    assert "Saved." in page
    assert 'value="Ada Lovelace"' in page
    assert "Likes &lt;b&gt;notes&lt;/b&gt; &amp; tables." in page  # the raw text, escaped once
    assert 'value="Mathematics, computing, machine translation"' in page
    assert 'value="https://ada.example/"' in page


async def test_profile_refuses_bad_input_and_keeps_it(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/profile")
    cases = [
        ({"research_areas": ",".join(f"a{i}" for i in range(21))}, "Research areas: at most 20"),
        ({"research_areas": "x" * 51}, "longer than 50 characters"),
        ({"link_url_0": "javascript:alert(1)"}, "Links: "),
        ({"link_name_0": ""}, "each link needs both a name and a URL"),
        ({"display_name": "n" * 101}, "Display name: "),
    ]
    for change, message in cases:
        response = await client.post("/settings/profile", form=_profile(token, **change))
        html = await response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in html, change
        assert 'value="Analytical Society"' in html
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.affiliation == "" and actor.research_areas == []


async def test_avatar_upload_is_stored_and_served(client: Any, ada: models.User, app: Any) -> None:
    token = await page_token(client, "/settings/profile")
    image = tiny_png()
    response = await client.post(
        "/settings/profile",
        form=_profile(token),
        files={
            "avatar": FileStorage(io.BytesIO(image), filename="me.txt", content_type="text/plain")
        },
    )
    assert response.status_code == 302
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.icon_url and actor.icon_url.startswith("https://fedihub.test/media/avatars/")
    assert actor.icon_url.endswith(".png")
    served = await client.get(actor.icon_url.removeprefix("https://fedihub.test"))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert await served.get_data() == image


async def test_avatar_of_wrong_type_or_too_large_is_refused(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/profile")
    wrong = await client.post(
        "/settings/profile",
        form=_profile(token),
        files={"avatar": FileStorage(io.BytesIO(b"<svg onload=alert(1)>"), filename="a.png")},
    )
    assert wrong.status_code == 422
    assert "PNG, JPEG, GIF or WebP" in await wrong.get_data(as_text=True)
    big = tiny_png() + b"\x00" * AVATAR_LIMIT
    large = await client.post(
        "/settings/profile",
        form=_profile(token),
        files={"avatar": FileStorage(io.BytesIO(big), filename="a.png", content_type="image/png")},
    )
    assert large.status_code in (413, 422)
    assert "larger than" in await large.get_data(as_text=True)
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.icon_url is None and actor.display_name == "ada"  # nothing saved


async def test_media_paths_cannot_leave_the_media_folder(client: Any, app: Any) -> None:
    paths = ("/media/../fedihub.sqlite3", "/media/%2e%2e/x.sqlite3", "/media/avatars/none.png")
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_password_change_ends_other_sessions_but_not_this_one(
    client: Any, ada: models.User, app: Any
) -> None:
    laptop = app.test_client()
    assert (await sign_in(laptop, "ada")).status_code == 302
    token = await page_token(client, "/settings/password")
    new = "a much longer new secret"
    wrong = await client.post(
        "/settings/password",
        form={
            "csrf_token": token,
            "current_password": "nope nope nope",
            "new_password": new,
            "new_password_confirmation": new,
        },
    )
    assert wrong.status_code == 422
    assert "Current password: the current password is wrong" in await wrong.get_data(as_text=True)
    response = await client.post(
        "/settings/password",
        form={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": new,
            "new_password_confirmation": new,
        },
    )
    assert response.status_code == 302
    assert (await client.get("/settings/password?changed=1")).status_code == 200
    assert (await laptop.get("/settings/profile")).status_code == 302  # signed out
    assert (await sign_in(app.test_client(), "ada", new)).status_code == 302
    assert (await sign_in(app.test_client(), "ada", PASSWORD)).status_code == 401


async def test_profile_post_without_csrf_changes_nothing(client: Any, ada: models.User) -> None:
    await page_token(client, "/settings/profile")
    form = _profile("forged")
    response = await client.post("/settings/profile", form=form)
    assert response.status_code == 403
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.display_name == "ada"


async def test_user_locale_chooses_chinese_settings_pages(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/profile")
    response = await client.post("/settings/profile", form=_profile(token, locale="zh"))
    assert response.status_code == 302
    html = await (await client.get("/settings/profile")).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "编辑个人资料" in html and "退出" in html
    html = await (await client.get("/settings/password")).get_data(as_text=True)
    assert "修改密码" in html


async def test_header_image_is_stored_shown_and_checked(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/profile")
    bad = await client.post(
        "/settings/profile",
        form=_profile(token, display_name="Not saved"),
        files={"header": FileStorage(io.BytesIO(b"<svg onload=alert(1)>"), filename="h.png")},
    )
    assert bad.status_code == 422
    assert "Header image: the header must be a PNG" in await bad.get_data(as_text=True)
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.display_name != "Not saved" and not actor.header_url  # nothing half-saved
    image = tiny_png()
    response = await client.post(
        "/settings/profile",
        form=_profile(token),
        files={"header": FileStorage(io.BytesIO(image), filename="h.png")},
    )
    assert response.status_code == 302
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.header_url and "/media/headers/" in actor.header_url
    page = await (await client.get("/settings/profile")).get_data(as_text=True)
    assert f'src="{actor.header_url}"' in page
    served = await client.get(actor.header_url.removeprefix("https://fedihub.test"))
    assert served.status_code == 200 and await served.get_data() == image


async def test_email_change_needs_the_password_and_a_free_address(
    app: Any, client: Any, ada: models.User
) -> None:
    await make_user(app, "bob")
    token = await page_token(client, "/settings/account")

    async def change(email: str, password: str) -> Any:
        form = {"csrf_token": token, "email": email, "current_password": password}
        return await client.post("/settings/email", form=form)

    wrong = await change("ada@new.example", "not my password")
    assert wrong.status_code == 422
    assert "the current password is wrong" in await wrong.get_data(as_text=True)
    taken = await change("BOB@uni.example", PASSWORD)
    assert taken.status_code == 409
    assert "exists already" in await taken.get_data(as_text=True)
    invalid = await change("no-at-sign", PASSWORD)
    assert invalid.status_code == 422
    assert (await models.User.get(id=ada.id)).email == "ada@uni.example"

    moved = await change(" Ada@New.Example ", PASSWORD)
    assert moved.status_code == 303
    assert (await models.User.get(id=ada.id)).email == "ada@new.example"
    # the new address signs in, as Mastodon's sign-in takes the e-mail address
    other = app.test_client()
    assert (await sign_in(other, "ada@new.example")).status_code == 302


async def test_indexable_is_an_account_setting(client: Any, ada: models.User) -> None:
    token = await page_token(client, "/settings/account")
    form = {"csrf_token": token, "locale": "en", "discoverable": "on", "indexable": "on"}
    assert (await client.post("/settings/account", form=form)).status_code == 303
    actor = await models.Actor.get(id=ada.actor_id)
    assert actor.indexable and actor.discoverable
    page = await (await client.get("/settings/account")).get_data(as_text=True)
    assert 'id="indexable" name="indexable" type="checkbox" class="check" checked' in page
    form.pop("indexable")
    assert (await client.post("/settings/account", form=form)).status_code == 303
    assert not (await models.Actor.get(id=ada.actor_id)).indexable
