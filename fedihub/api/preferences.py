"""/api/v1/preferences: the signed-in user's posting defaults, as Mastodon names them."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub.accounts import preferences
from fedihub.api.auth import current_user, require_scope

blueprint = Blueprint("api_preferences", __name__)


@blueprint.get("/api/v1/preferences")
@require_scope("read:accounts")
async def get_preferences() -> Response:
    prefs = await preferences.get(current_user().id)
    return jsonify(
        {
            "posting:default:visibility": prefs.privacy,
            "posting:default:sensitive": prefs.sensitive,
            "posting:default:language": prefs.language,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )
