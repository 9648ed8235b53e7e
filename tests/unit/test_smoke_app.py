from __future__ import annotations

from typing import Any


async def test_healthz_answers_ok_with_a_live_database(client: Any) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert (await response.get_json()) == {"status": "ok"}


async def test_unknown_api_route_answers_mastodon_style_json_404(client: Any) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert (await response.get_json()) == {"error": "Record not found"}


async def test_unknown_page_answers_html_404(client: Any) -> None:
    response = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "Record not found" in (await response.get_data(as_text=True))
