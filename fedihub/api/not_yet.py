"""Mastodon features this node does not offer yet, answered as Mastodon answers a user who has none
of them: empty lists. Apps (Elk, Phanpy, Tusky, Ivory) ask for these when they start; a 404 there
breaks their start-up or floods them with retries."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub.api.auth import require_scope

blueprint = Blueprint("api_not_yet", __name__)

_USER_LISTS = {
    "/api/v1/filters": "read:filters",
    "/api/v2/filters": "read:filters",
    "/api/v1/featured_tags": "read:accounts",
    "/api/v1/endorsements": "read:accounts",
    "/api/v1/domain_blocks": "read:blocks",
    "/api/v1/announcements": "read",
    "/api/v2/suggestions": "read",
    "/api/v1/suggestions": "read",
}
_PUBLIC_LISTS = (
    "/api/v1/trends/links",  # fedihub makes no preview cards, so no link can trend
    "/api/v1/accounts/<raw_id>/featured_tags",
    "/api/v1/directory",
)


def _user_list(path: str, scope: str) -> None:
    @require_scope(scope)
    async def view(**_: str) -> Response:
        return jsonify([])

    blueprint.add_url_rule(
        path, f"empty_{len(blueprint.deferred_functions)}", view, methods=["GET"]
    )


for _path, _scope in _USER_LISTS.items():
    _user_list(_path, _scope)


async def _public_list(**_: str) -> Response:
    return jsonify([])


for _path in _PUBLIC_LISTS:
    blueprint.add_url_rule(
        _path, f"public_{len(blueprint.deferred_functions)}", _public_list, methods=["GET"]
    )
