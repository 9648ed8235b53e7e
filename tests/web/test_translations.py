"""The Chinese catalogue translates every message of the pages, and the language switch works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages import extract, pofile
from pagekit import make_user, page_token, sign_in

from fedihub.web import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**extract.DEFAULT_KEYWORDS, "translate": None, "N_": None}
METHODS = [("fedihub/**.py", "python"), ("templates/**.html", "jinja2")]


def _messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract.extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_of_the_pages_has_its_chinese_translation() -> None:
    path = ROOT / "fedihub" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = pofile.read_po(handle)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_messages() - translated)
    assert not missing, f"messages without Chinese (run `make messages`, translate): {missing}"


def test_translations_keep_their_placeholders() -> None:
    for message in _messages():
        if "{" in message:
            names = {part.split("}")[0] for part in message.split("{")[1:]}
            values = {name: "X" for name in names}
            assert i18n.translate(message, "zh", **values), message


def test_dates_and_numbers_follow_the_locale() -> None:
    import datetime as dt

    moment = dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert "2026年3月4日" in i18n.format_datetime(moment, "zh")
    assert "Mar 4, 2026" in i18n.format_datetime(moment, "en")
    later = moment + dt.timedelta(minutes=3)
    assert i18n.format_ago(moment, "zh", now=later) == "3分钟前"
    assert i18n.format_ago(moment, "en", now=later) == "3 minutes ago"


async def test_a_visitor_switches_to_chinese_and_back(client: Any) -> None:
    token = await page_token(client, "/auth/sign_in")
    switched = await client.post(
        "/language", form={"lang": "zh", "next": "/auth/sign_in", "csrf_token": token}
    )
    assert switched.status_code == 303 and switched.headers["Location"] == "/auth/sign_in"
    html = await (await client.get("/auth/sign_in")).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "用户名或电子邮件地址" in html
    await client.post("/language", form={"lang": "en", "next": "/", "csrf_token": token})
    html = await (await client.get("/auth/sign_in")).get_data(as_text=True)
    assert '<html lang="en">' in html and "Username or e-mail address" in html


async def test_the_switch_sets_a_signed_in_users_language_and_refuses_other_sites(
    client: Any, app: Any
) -> None:
    user = await make_user(app, "ada")
    await sign_in(client, "ada")
    token = await page_token(client, "/settings/profile")
    answer = await client.post(
        "/language", form={"lang": "zh", "next": "https://evil.example/", "csrf_token": token}
    )
    assert answer.headers["Location"] == "/"
    await user.refresh_from_db()
    assert user.locale == "zh"
    # the account's language wins over the browser's
    page = await client.get("/settings/profile", headers={"Accept-Language": "en"})
    assert "编辑个人资料" in await page.get_data(as_text=True)


async def test_the_switch_needs_the_csrf_token(client: Any) -> None:
    answer = await client.post("/language", form={"lang": "zh", "next": "/"})
    assert answer.status_code == 403
