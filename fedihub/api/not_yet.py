"""Mastodon features this node does not offer yet, answered as Mastodon answers a user who has none
of them: empty lists. Apps (Elk, Phanpy, Tusky, Ivory) ask for these when they start; a 404 there
breaks their start-up or floods them with retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from quart import Blueprint, Response, jsonify

from fedihub.api.auth import ignores_token, require_scope, scope_if_token

blueprint = Blueprint("api_not_yet", __name__)

# each list with the scope Mastodon's controller asks for
_USER_LISTS = {
    "/api/v1/filters": "read:filters",
    "/api/v1/featured_tags": "read:accounts",
    "/api/v1/endorsements": "read:accounts",
    "/api/v1/announcements": "read",
}
# public lists: a token that is sent must grant the scope; None: no token is looked at
_PUBLIC_LISTS: dict[str, str | None] = {
    "/api/v1/trends/links": None,  # fedihub makes no preview cards, so no link can trend
    "/api/v1/accounts/<raw_id>/featured_tags": "read:accounts",
}


async def _empty(**_: str) -> Response:
    return jsonify([])


def _add(path: str, view: Callable[..., Awaitable[Response]]) -> None:
    blueprint.add_url_rule(
        path, f"empty_{len(blueprint.deferred_functions)}", view, methods=["GET"]
    )


for _path, _scope in _USER_LISTS.items():
    _add(_path, require_scope(_scope)(_empty))

for _path, _optional in _PUBLIC_LISTS.items():
    _add(_path, ignores_token(_empty) if _optional is None else scope_if_token(_optional)(_empty))
