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
