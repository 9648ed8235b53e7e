"""A user deleting her own account on A through the settings page: her token stops, and B, where
she had a follower, hears the Delete of her actor and forgets her and her posts."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.federation.nodes import PASSWORD, Node, eventually

pytestmark = pytest.mark.federation
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, path
    match = _CSRF.search(page.text)
    assert match
    return match.group(1)


async def test_a_deleted_account_is_forgotten_by_the_peers(node_pair: tuple[Node, Node]) -> None:
    a, b = node_pair
    ada, bob = await a.account("ada"), await b.account("bob")
    ada_on_b = await bob.lookup(ada.handle)
    await bob.api("POST", f"/api/v1/accounts/{ada_on_b['id']}/follow")

    async def following() -> bool:
        rel = await bob.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": ada_on_b["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(following, what="bob to follow ada")
    await ada.post("A post that will go")

    async def on_b() -> bool:
        return bool(await bob.api("GET", f"/api/v1/accounts/{ada_on_b['id']}/statuses"))

    await eventually(on_b, what="ada's post on B")

    # When ada deletes her account on its settings page
    async with httpx.AsyncClient(base_url=a.base, timeout=30) as web:
        csrf = await _csrf(web, "/auth/sign_in")
        await web.post(
            "/auth/sign_in", data={"login": "ada", "password": PASSWORD, "csrf_token": csrf}
        )
        csrf = await _csrf(web, "/settings/migration")
        done = await web.post(
            "/settings/migration/delete", data={"password": PASSWORD, "csrf_token": csrf}
        )
        assert done.status_code == 303

    # Then her token stops, and B forgets her
    await ada.api("GET", "/api/v1/accounts/verify_credentials", expect=401)

    async def forgotten() -> bool:
        found: dict[str, Any] = await bob.api(
            "GET", f"/api/v1/accounts/{ada_on_b['id']}", expect=None
        )
        return "error" in found

    await eventually(forgotten, what="B to forget the deleted account")
    async with httpx.AsyncClient(timeout=30) as client:
        gone = await client.get(ada.uri, headers={"Accept": "application/activity+json"})
    assert gone.status_code in (404, 410)
