"""Numbers the API reads: out of range is a 422 naming the parameter, never a 500.

`limit` is clamped to its maximum, as Mastodon does (clients ask for 80 or 200 and expect a full
page). Cursors that are not numbers are ignored, as Mastodon ignores them; ids that no row can
have are simply not found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from apikit import bearer, make_token, make_user

HUGE = "1" + "0" * 30
BIG_64 = str(2**63)  # one past the largest id


async def _error(response: Any, status: int = 422) -> str:
    assert response.status_code == status, (response.status_code, await response.get_data())
    body = await response.get_json()
    return str(body["error"])


async def test_mute_duration_out_of_range_is_422_naming_it(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    token = await make_token(ada)
    url = f"/api/v1/accounts/{bob.actor_id}/mute"
    for duration in ("1000000000000", HUGE, "-1", "soon", "1.5"):
        answer = await client.post(url, json={"duration": duration}, headers=bearer(token))
        assert "duration" in await _error(answer), duration
    as_number = await client.post(url, json={"duration": 10**12}, headers=bearer(token))
    assert "duration" in await _error(as_number)
    muted = await client.post(url, json={"duration": 3600}, headers=bearer(token))
    assert muted.status_code == 200 and (await muted.get_json())["muting"] is True


async def test_offsets_have_bounds_on_search_and_trends(client: Any) -> None:
    token = await make_token(await make_user(client.app, "ada"))
    paths = (
        "/api/v2/search?q=ada",
        "/api/v1/accounts/search?q=ada",
        "/api/v1/trends/tags",
        "/api/v1/trends",
        "/api/v1/trends/statuses",
    )
    for path in paths:
        sep = "&" if "?" in path else "?"
        for offset in (HUGE, "99999999999", "-1", "x"):
            answer = await client.get(f"{path}{sep}offset={offset}", headers=bearer(token))
            assert "offset" in await _error(answer), (path, offset)
        fine = await client.get(f"{path}{sep}offset=20", headers=bearer(token))
        assert fine.status_code == 200, path


async def test_limit_is_clamped_but_must_be_a_number(client: Any) -> None:
    token = await make_token(await make_user(client.app, "ada"))
    for path in ("/api/v1/timelines/public", "/api/v2/search?q=a", "/api/v1/trends/tags"):
        sep = "&" if "?" in path else "?"
        for limit in (HUGE, "-5", "0", "500"):
            answer = await client.get(f"{path}{sep}limit={limit}", headers=bearer(token))
            assert answer.status_code == 200, (path, limit)
        answer = await client.get(f"{path}{sep}limit=lots", headers=bearer(token))
        assert "limit" in await _error(answer), path


async def test_cursors_past_the_largest_id_are_422_and_odd_digits_never_500(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    pages = (
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        f"/api/v1/accounts/{ada.actor_id}/statuses",
        "/api/v1/notifications",
        f"/api/v1/accounts/{ada.actor_id}/followers",
    )
    for path in pages:
        for cursor in ("max_id", "since_id", "min_id"):
            for value in (BIG_64, HUGE):
                answer = await client.get(f"{path}?{cursor}={value}", headers=bearer(token))
                assert cursor in await _error(answer), (path, cursor, value)
            # not a number (superscript and Arabic-Indic digits pass str.isdigit): ignored
            for value in ("²", "١٢", "abc"):
                answer = await client.get(f"{path}?{cursor}={quote(value)}", headers=bearer(token))
                assert answer.status_code == 200, (path, cursor, value)


async def test_ids_that_no_row_can_have_are_not_found_never_500(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    for value in (BIG_64, HUGE, "²", "١٢"):
        sent = quote(value)  # as clients send them: percent-encoded UTF-8
        for path in (f"/api/v1/statuses/{sent}", f"/api/v1/accounts/{sent}"):
            answer = await client.get(path, headers=bearer(token))
            assert answer.status_code == 404, (path, await answer.get_data())
        for path in ("/api/v1/accounts/relationships", "/api/v1/accounts/familiar_followers"):
            answer = await client.get(f"{path}?id[]={sent}", headers=bearer(token))
            assert answer.status_code == 200, (path, value, await answer.get_data())
        marker = await client.post(
            "/api/v1/markers", json={"home": {"last_read_id": value}}, headers=bearer(token)
        )
        message = await _error(marker)
        assert "last_read_id" in message or "Last read" in message, value
        lists = await client.get(f"/api/v1/lists/{sent}", headers=bearer(token))
        assert lists.status_code == 404, value


async def test_numbered_form_rows_with_odd_or_huge_numbers_never_500(client: Any) -> None:
    token = await make_token(await make_user(client.app, "ada"))
    form = {
        "fields_attributes[10][name]": "ORCID",
        "fields_attributes[10][value]": "https://orcid.org/0000-0002",
        "fields_attributes[2][name]": "Lab",
        "fields_attributes[2][value]": "https://optics.example",
        "fields_attributes[²][name]": "odd",
        "fields_attributes[²][value]": "https://odd.example",
        f"fields_attributes[{'9' * 5000}][name]": "huge",
        f"fields_attributes[{'9' * 5000}][value]": "https://huge.example",
    }
    answer = await client.patch(
        "/api/v1/accounts/update_credentials", form=form, headers=bearer(token)
    )
    assert answer.status_code == 200, await answer.get_data()
    names = [f["name"] for f in (await answer.get_json())["source"]["fields"]]
    assert names[:3] == ["Lab", "ORCID", "huge"]  # numbered rows in their order, "2" before "10"
