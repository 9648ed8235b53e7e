"""Guard: every route of these blueprints answers anonymous and odd requests without a server error.

GUARDED lists the blueprints of the accounts-and-OAuth part of the API; add yours to it.
"""

from __future__ import annotations

import re
from typing import Any

from apikit import bearer, make_token, make_user

_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")
GUARDED = {
    "api_oauth",
    "api_instance",
    "api_accounts",
    "api_follow_requests",
    "api_blocks",
    "api_preferences",
    "api_statuses",
    "api_timelines",
    "api_notifications",
    "api_search",
    "api_not_yet",
    "api_media",
    "api_markers",
    "api_conversations",
    "api_scheduled_statuses",
    "api_trends",
    "api_lists",
    "api_tags",
    "api_moves",
    "api_meetings",
    "meetings",
}


def _api_rules(app: Any) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".", 1)[0] not in GUARDED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


async def test_every_api_route_refuses_or_answers_but_never_fails(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    rules = _api_rules(client.app)
    assert len(rules) >= 35
    for method, rule in rules:
        for value in ("abc", "1"):
            path = _PLACEHOLDER.sub(value, rule)
            for headers in ({}, bearer(token)):
                response = await client.open(path, method=method, headers=headers)
                assert response.status_code < 500, (
                    method,
                    path,
                    headers,
                    await response.get_data(),
                )
                if path.startswith("/api/"):
                    assert response.headers["Access-Control-Allow-Origin"] == "*"
                    slashed = await client.open(path + "/", method=method, headers=headers)
                    assert slashed.status_code == response.status_code, (method, path)


async def test_features_not_offered_yet_answer_empty_lists_as_for_a_user_without_any(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    for path in (
        "/api/v1/filters",
        "/api/v2/filters",
        "/api/v1/announcements",
        "/api/v2/suggestions",
    ):
        assert (await client.get(path)).status_code == 401, path
        answer = await client.get(path, headers=bearer(token))
        assert answer.status_code == 200 and await answer.get_json() == [], path
    for path in (
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        f"/api/v1/accounts/{ada.actor_id}/featured_tags",
    ):
        answer = await client.get(path)
        assert answer.status_code == 200 and await answer.get_json() == [], path
