"""The directory's and suggestions' part of the fedihub API description (OpenAPI 3.1), gathered
with the other domains' parts by api/openapi.py. Plain data; `Account` and `Error` are the
assembler's shared schemas."""

from __future__ import annotations

from typing import Any

_PUBLIC = [{"oauth": ["read:accounts"]}, {}]
_READ = [{"oauth": ["read:accounts"]}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "array", "items": _ref(name)}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_DATE_OR_NULL = {"type": ["string", "null"]}

PATHS: dict[str, Any] = {
    "/api/fedihub/v1/directory": {
        "get": {
            "summary": "Search the expertise directory (local, known and peers' researchers)",
            "description": "Every part given must match. Paged by offset; the Link header keeps "
            "the filters. Peers read it with local=true.",
            "security": _PUBLIC,
            "parameters": [
                _query("q", "Words of names, bios, areas and affiliations (English, Chinese)"),
                _query("area", "A research area (case and spacing do not matter)"),
                _query("affiliation", "Words of the affiliation"),
                _query("language", "A language code (en, zh...)"),
                _query("node", "The host the researcher lives on"),
                _query("local", "Only this node's researchers", {"type": "boolean"}),
                _query("order", "active (recent posts first) or new", {"enum": ["active", "new"]}),
                _query("offset", "Entries to skip", {"type": "integer", "minimum": 0}),
                _query("limit", "At most 80; 40 by default", {"type": "integer", "minimum": 1}),
            ],
            "responses": {
                "200": _list_of("DirectoryEntry", "Matching researchers"),
                "403": _error("A token was sent that cannot read accounts"),
                "422": _error("A parameter is invalid (named in the message)"),
            },
        }
    },
    "/api/fedihub/v1/suggestions": {
        "get": {
            "summary": "Whom to follow, with the reasons in words",
            "description": "Computed in the background; dismiss one with Mastodon's "
            "DELETE /api/v1/suggestions/:account_id.",
            "security": _READ,
            "parameters": [
                _query("limit", "At most 80; 40 by default", {"type": "integer", "minimum": 1})
            ],
            "responses": {
                "200": _list_of("ExplainedSuggestion", "Best first"),
                "401": _error("No valid token"),
                "403": _error("The token cannot read accounts"),
            },
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "DirectoryEntry": {
        "type": "object",
        "required": [
            "id",
            "uri",
            "acct",
            "username",
            "node",
            "local",
            "display_name",
            "note",
            "url",
            "research_areas",
            "affiliation",
            "languages",
            "created_at",
            "account_id",
        ],
        "properties": {
            "id": {"type": "string"},
            "uri": {"type": "string"},
            "acct": {"type": "string", "description": "user@node, always with the node"},
            "username": {"type": "string"},
            "node": {"type": "string", "description": "The host the researcher lives on"},
            "local": {"type": "boolean"},
            "display_name": {"type": "string"},
            "note": {"type": "string", "description": "The bio as plain text"},
            "url": {"type": "string"},
            "avatar": {"type": ["string", "null"]},
            "research_areas": {"type": "array", "items": {"type": "string"}},
            "affiliation": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "followers_count": {"type": "integer"},
            "statuses_count": {"type": "integer"},
            "created_at": {"type": "string"},
            "last_status_at": _DATE_OR_NULL,
            "account_id": {
                "type": ["string", "null"],
                "description": "The account's id here, when this node knows the account",
            },
        },
    },
    "SuggestionReason": {
        "type": "object",
        "required": ["kind", "text"],
        "properties": {
            "kind": {"enum": ["areas", "followed_by", "interactions", "similar_profile"]},
            "text": {"type": "string", "description": "The reason in words (English)"},
        },
    },
    "ExplainedSuggestion": {
        "type": "object",
        "required": ["account", "score", "sources", "reasons"],
        "properties": {
            "account": _ref("Account"),
            "score": {"type": "number"},
            "sources": {"type": "array", "items": {"type": "string"}},
            "reasons": {"type": "array", "items": _ref("SuggestionReason")},
        },
    },
}
