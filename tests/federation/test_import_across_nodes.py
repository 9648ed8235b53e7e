"""Moving one's follows between two real nodes: the following_accounts.csv exported on node B is
imported on node A, whose job resolves the remote account through WebFinger and follows it; B
accepts."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.federation.nodes import PASSWORD, Node, eventually

pytestmark = pytest.mark.federation
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _signed_in(node: Node, username: str) -> httpx.AsyncClient:
    browser = httpx.AsyncClient(base_url=node.base, timeout=30)
    page = await browser.get("/auth/sign_in")
    token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    done = await browser.post(
        "/auth/sign_in", data={"login": username, "password": PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 302, done.text
    return browser


async def test_follows_exported_on_one_node_are_imported_on_another(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    await b.account("bob")
    erin = await b.account("erin")
    carol = await a.account("carol")
    # Given erin on B follows bob, and downloads her follows
    bob_on_b = await erin.lookup("bob")
    await erin.api("POST", f"/api/v1/accounts/{bob_on_b['id']}/follow")
    on_b = await _signed_in(b, "erin")
    exported = await on_b.get("/settings/export/following_accounts.csv")
    assert f"bob@{b.domain}" in exported.text
    await on_b.aclose()

    # When carol on A imports that file
    on_a = await _signed_in(a, "carol")
    page = await on_a.get("/settings/import")
    token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    uploaded = await on_a.post(
        "/settings/import",
        data={"csrf_token": token, "type": "following", "mode": "merge"},
        files={"data": ("following_accounts.csv", exported.content, "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text

    # Then A's job finds bob on B, follows him, and B accepts
    async def finished() -> bool:
        return (
            "1 of 1 lines read: 1 imported, 0 failed" in (await on_a.get("/settings/import")).text
        )

    await eventually(finished, timeout=30, what="the import to finish")
    await on_a.aclose()

    async def following() -> Any:
        bob_on_a = await carol.lookup(f"bob@{b.domain}")
        rel = await carol.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": bob_on_a["id"]}
        )
        return rel[0]["following"]

    await eventually(following, what="B to accept carol's imported follow")
