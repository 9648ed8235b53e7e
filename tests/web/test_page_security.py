"""Every HTML page carries a strict Content-Security-Policy (no inline script or style, no framing)
and a Referrer-Policy, and every template works under it: no inline <style>, style attribute,
inline <script> or on* handler anywhere in templates/, and the stylesheet and script the pages
use are served by the node. The OAuth pages never send Cross-Origin-Opener-Policy (web apps
open them in a popup) and leave out form-action (their answer redirects to the app)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pagekit import PASSWORD, make_user, sign_in

from fedihub.accounts import oauth
from fedihub.app import templates_dir
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY

INLINE = {
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "inline script": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
ASSET = re.compile(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"', re.I)
CSP_MUST = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
]
TEMPLATES = sorted(p for p in templates_dir().rglob("*.html"))


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=[str(p.relative_to(templates_dir())) for p in TEMPLATES]
)
def test_no_template_has_inline_script_or_style(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [name for name, pattern in INLINE.items() if pattern.search(source)]
    assert found == [], f"{path.name} has {found}: the Content-Security-Policy blocks them"


async def _pages(app: Any, client: Any) -> dict[str, Any]:
    """One response of every page the node renders, by name."""
    rt = app.extensions[RUNTIME_KEY]
    html = {"Accept": "text/html"}
    ada = await make_user(app, "ada")
    status = await statuses.create(rt, ada, statuses.Draft("a public result"))
    pages = {
        "home": await client.get("/"),
        "sign in": await client.get("/auth/sign_in"),
        "sign up": await client.get("/auth/sign_up"),
        "profile": await client.get("/@ada", headers=html),
        "status": await client.get(f"/@ada/{status.id}", headers=html),
        "not found": await client.get("/no/such/page", headers=html),
    }
    oauth_app, _secret = await oauth.create_app(
        "Test app", [oauth.OOB], "read", "https://app.example"
    )
    query = {"client_id": oauth_app.client_id, "redirect_uri": oauth.OOB, "response_type": "code"}
    pages["oauth sign in"] = await client.get("/oauth/authorize?" + urlencode(query))
    pages["oauth error"] = await client.get("/oauth/authorize?client_id=nobody")
    assert (await sign_in(client, "ada", PASSWORD)).status_code == 302
    pages["settings profile"] = await client.get("/settings/profile")
    pages["settings password"] = await client.get("/settings/password")
    consent = await client.get("/oauth/authorize?" + urlencode(query))
    pages["oauth consent"] = consent
    fields = dict(
        re.findall(
            r'<input type="hidden" name="(\w+)" value="([^"]*)"',
            await consent.get_data(as_text=True),
        )
    )
    pages["oauth code"] = await client.post(
        "/oauth/authorize", form={**fields, "decision": "approve"}
    )
    return pages


async def test_every_page_is_served_under_a_strict_policy_it_keeps_to(
    app: Any, client: Any
) -> None:
    pages = await _pages(app, client)
    assets: set[str] = set()
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
        body = await response.get_data(as_text=True)
        policy = response.headers.get("Content-Security-Policy", "")
        assert all(part in policy for part in CSP_MUST), (name, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert response.headers.get("Referrer-Policy"), name
        assert response.headers.get("X-Frame-Options") == "DENY", name
        found = [kind for kind, pattern in INLINE.items() if pattern.search(body)]
        assert found == [], (name, found)
        assets.update(ASSET.findall(body))
        if name.startswith("oauth"):
            assert "Cross-Origin-Opener-Policy" not in response.headers, name
            assert "form-action" not in policy, name
        else:
            assert "form-action 'self'" in policy, name
    assert assets == {"/static/fedihub.css", "/static/code.js"}
    types = {"/static/fedihub.css": "text/css", "/static/code.js": "text/javascript"}
    for asset in sorted(assets):
        served = await client.get(asset)
        assert served.status_code == 200 and served.mimetype == types[asset], asset
        assert "Content-Security-Policy" not in served.headers  # not a page
    assert (await client.get("/static/../fedihub.sqlite3")).status_code == 404
    assert (await client.get("/static/other.js")).status_code == 404


async def test_pages_allow_images_from_the_media_storage_origin(app: Any, client: Any) -> None:
    from dataclasses import replace

    from fedihub.media import backends

    rt = app.extensions[RUNTIME_KEY]
    assert "img-src 'self';" in (await client.get("/")).headers["Content-Security-Policy"]
    rt.settings = replace(
        rt.settings,
        s3_bucket="media",
        s3_endpoint="https://s3.example",
        s3_public_url="https://cdn.example/media",
    )
    rt.storage = backends.for_settings(rt.settings, rt.urls)
    policy = (await client.get("/")).headers["Content-Security-Policy"]
    assert "img-src 'self' https://cdn.example;" in policy
