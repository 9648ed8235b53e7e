"""/api/fedihub/v1/openapi.json: one OpenAPI 3.1 document of the fedihub API, assembled from the
domains' fragments. Each domain describes its own routes beside its code (a module with PATHS and
SCHEMAS); a new domain is one line in FRAGMENTS. Two fragments naming one path or schema is a
programming error, raised when the document is built."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Protocol

from quart import Blueprint, Response, jsonify

from fedihub import __version__
from fedihub.api.auth import ignores_token
from fedihub.discovery import openapi as discovery_openapi
from fedihub.knowledge import openapi as knowledge_openapi
from fedihub.meetings import openapi as meetings_openapi
from fedihub.projects import openapi as projects_openapi
from fedihub.social import moves_openapi
from fedihub.web.common import runtime

blueprint = Blueprint("api_openapi", __name__)
PATH = "/api/fedihub/v1/openapi.json"


class Fragment(Protocol):
    """A domain's module describing its routes (read-only: a module's dicts satisfy it)."""

    @property
    def PATHS(self) -> Mapping[str, Any]: ...  # noqa: N802 (module constants)

    @property
    def SCHEMAS(self) -> Mapping[str, Any]: ...  # noqa: N802


# the domains whose routes the document describes
FRAGMENTS: Sequence[Fragment] = (
    knowledge_openapi,
    projects_openapi,
    discovery_openapi,
    moves_openapi,
    meetings_openapi,
)

# schemas every fragment may refer to: Mastodon's own entities, as fedihub returns them
SHARED_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
    },
    "Account": {
        "type": "object",
        "description": "Mastodon's Account entity",
        "required": ["id", "username", "acct", "url", "display_name"],
        "properties": {
            "id": {"type": "string"},
            "username": {"type": "string"},
            "acct": {"type": "string"},
            "url": {"type": "string"},
            "display_name": {"type": "string"},
        },
    },
    "Status": {
        "type": "object",
        "description": "Mastodon's Status entity",
        "required": ["id", "uri", "created_at", "account", "content", "visibility"],
        "properties": {
            "id": {"type": "string"},
            "uri": {"type": "string"},
            "created_at": {"type": "string"},
            "account": {"$ref": "#/components/schemas/Account"},
            "content": {"type": "string"},
            "visibility": {"type": "string"},
        },
    },
    "MediaAttachment": {
        "type": "object",
        "description": "Mastodon's MediaAttachment entity",
        "required": ["id", "type", "url", "preview_url", "description"],
        "properties": {
            "id": {"type": "string"},
            "type": {"enum": ["image", "gifv", "video", "audio", "unknown"]},
            "url": {"type": ["string", "null"]},
            "preview_url": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]},
        },
    },
}


def assemble(fragments: Sequence[Fragment], base_url: str) -> dict[str, Any]:
    """The OpenAPI document of `fragments`; ValueError when two of them claim one name."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = dict(SHARED_SCHEMAS)
    for fragment in fragments:
        for table, part in ((paths, fragment.PATHS), (schemas, fragment.SCHEMAS)):
            taken = set(table) & set(part)
            if taken:
                raise ValueError(f"described twice in the OpenAPI fragments: {sorted(taken)}")
            table.update(part)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fedihub API",
            "version": __version__,
            "description": "The fedihub API beside Mastodon's: knowledge posts and the other "
            "research features. Authenticate with the node's OAuth tokens (Mastodon scopes).",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{base_url}/oauth/authorize",
                            "tokenUrl": f"{base_url}/oauth/token",
                            "scopes": {
                                "read": "read everything",
                                "write": "write everything",
                                "read:statuses": "read posts",
                                "write:statuses": "write posts",
                                "read:accounts": "read accounts (directory, suggestions)",
                            },
                        }
                    },
                }
            },
        },
    }


@cache
def document(base_url: str) -> dict[str, Any]:
    return assemble(FRAGMENTS, base_url)


@blueprint.get(PATH)
@ignores_token
async def openapi_json() -> Response:
    return jsonify(document(runtime().urls.base))
