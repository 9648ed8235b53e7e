"""The knowledge posts' part of the fedihub API description (OpenAPI 3.1): PATHS and SCHEMAS,
gathered with the other domains' parts by api/openapi.py. Plain data; the schemas `Account`,
`MediaAttachment` and `Error` it refers to are the assembler's shared ones."""

from __future__ import annotations

from typing import Any

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_READ = [{"oauth": ["read:statuses"]}, {}]
_WRITE = [{"oauth": ["write:statuses"]}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "401": _ok(_ref("Error"), "The token is missing or invalid"),
    "403": _ok(_ref("Error"), "The token lacks the scope"),
    "404": _ok(_ref("Error"), "No such post, or not one the caller may see"),
    "422": _ok(_ref("Error"), "A field is invalid (named in `field`)"),
}
_INPUT = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "summary": {"type": "string", "maxLength": 2000},
        "body": {"type": "string", "description": "Markdown", "maxLength": 200000},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "language": {"type": ["string", "null"]},
        "license": {"type": ["string", "null"], "description": "SPDX id or CC URL"},
        "visibility": {"enum": ["public", "unlisted", "private", "institution"]},
        "draft": {"type": "boolean"},
        "media_ids": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 8,
            "description": (
                "Uploads (POST /api/v2/media) to attach: images, video, audio, and documents or"
                " data files (PDF, zip, UTF-8 CSV, JSON or plain text: type `unknown`). Files of"
                " a post not everyone may see are served only to its readers."
            ),
        },
        "cover_id": {"type": ["string", "null"]},
    },
}
_BODY = {"required": True, "content": {"application/json": {"schema": _ref("ArticleInput")}}}
_Q = [
    ("q", "Full-text query (English and Chinese); ranks by relevance"),
    ("tag", "A tag, without #"),
    ("account", "An account id"),
    ("domain", "Posts of this node's or another's accounts"),
    ("language", "A language tag"),
    ("since", "Published at or after (ISO 8601)"),
    ("until", "Published before (ISO 8601)"),
    ("limit", "At most 40; 20 by default"),
    ("offset", "Results to skip"),
    ("resolve", "With a user token and q a post's URL: fetch the post from its server"),
]

PATHS: dict[str, Any] = {
    "/api/fedihub/v1/articles": {
        "get": {
            "summary": "Search knowledge posts (newest first without q)",
            "security": _READ,
            "parameters": [
                {"name": n, "in": "query", "description": d, "schema": {"type": "string"}}
                for n, d in _Q
            ],
            "responses": {"200": _ok({"type": "array", "items": _ref("Article")}), **_ERRORS},
        },
        "post": {
            "summary": "Write a knowledge post (a draft with draft=true)",
            "security": _WRITE,
            "requestBody": _BODY,
            "responses": {"200": _ok(_ref("Article")), **_ERRORS},
        },
    },
    "/api/fedihub/v1/articles/{id}": {
        "parameters": [_ID],
        "get": {
            "summary": "A knowledge post",
            "security": _READ,
            "responses": {"200": _ok(_ref("Article")), **_ERRORS},
        },
        "put": {
            "summary": "Edit (a new version; followers get an Update)",
            "security": _WRITE,
            "requestBody": _BODY,
            "responses": {"200": _ok(_ref("Article")), **_ERRORS},
        },
        "delete": {
            "summary": "Delete",
            "security": _WRITE,
            "responses": {"200": _ok(_ref("Article")), **_ERRORS},
        },
    },
    "/api/fedihub/v1/articles/{id}/publish": {
        "parameters": [_ID],
        "post": {
            "summary": "Publish a draft",
            "security": _WRITE,
            "responses": {"200": _ok(_ref("Article")), **_ERRORS},
        },
    },
    "/api/fedihub/v1/articles/{id}/versions": {
        "parameters": [_ID],
        "get": {
            "summary": "The versions of a post, oldest first",
            "security": _READ,
            "responses": {
                "200": _ok({"type": "array", "items": _ref("ArticleVersion")}),
                **_ERRORS,
            },
        },
    },
    "/api/fedihub/v1/articles/{id}/versions/{n}": {
        "parameters": [
            _ID,
            {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}},
        ],
        "get": {
            "summary": "Version n, with what changed since n-1",
            "security": _READ,
            "responses": {"200": _ok(_ref("ArticleVersionDetail")), **_ERRORS},
        },
    },
    "/api/fedihub/v1/articles/{id}/export": {
        "parameters": [
            _ID,
            {"name": "format", "in": "query", "schema": {"enum": ["markdown", "html"]}},
        ],
        "get": {
            "summary": "The post as a Markdown file (with front matter) or an HTML page",
            "security": _READ,
            "responses": {
                "200": {
                    "description": "The file",
                    "content": {
                        "text/markdown": {"schema": {"type": "string"}},
                        "text/html": {"schema": {"type": "string"}},
                    },
                },
                **_ERRORS,
            },
        },
    },
    "/api/fedihub/v1/trends/articles": {
        "get": {
            "summary": "Trending public knowledge posts (reading frequency and recency)",
            "security": _READ,
            "parameters": [
                {"name": n, "in": "query", "schema": {"type": "integer"}}
                for n in ("limit", "offset")
            ],
            "responses": {"200": _ok({"type": "array", "items": _ref("Article")}), **_ERRORS},
        },
    },
}

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS: dict[str, Any] = {
    "ArticleInput": _INPUT,
    "Article": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "uri",
            "url",
            "status_id",
            "title",
            "summary",
            "body",
            "content",
            "tags",
            "language",
            "license",
            "visibility",
            "draft",
            "version",
            "created_at",
            "published_at",
            "edited_at",
            "account",
            "media_attachments",
            "cover",
            "replies_count",
            "favourites_count",
            "reblogs_count",
            "local",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "string"},
            "uri": {"type": ["string", "null"], "description": "null for a draft"},
            "url": {"type": ["string", "null"]},
            "status_id": {"type": ["string", "null"], "description": "the Mastodon status"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "body": {"type": "string", "description": "Markdown source"},
            "content": {"type": "string", "description": "sanitised HTML"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "language": {"type": ["string", "null"]},
            "license": {"type": ["string", "null"]},
            "visibility": {"enum": ["public", "unlisted", "private", "direct", "institution"]},
            "draft": {"type": "boolean"},
            "version": {"type": "integer", "minimum": 1},
            "created_at": {"type": "string", "format": "date-time"},
            "published_at": _NULLABLE_TIME,
            "edited_at": _NULLABLE_TIME,
            "account": _ref("Account"),
            "media_attachments": {"type": "array", "items": _ref("MediaAttachment")},
            "cover": {"oneOf": [_ref("MediaAttachment"), {"type": "null"}]},
            "replies_count": {"type": "integer"},
            "favourites_count": {"type": "integer"},
            "reblogs_count": {"type": "integer"},
            "local": {"type": "boolean"},
        },
    },
    "ArticleVersion": {
        "type": "object",
        "required": ["number", "title", "created_at"],
        "properties": {
            "number": {"type": "integer", "minimum": 1},
            "title": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "ArticleVersionDetail": {
        "type": "object",
        "required": [
            "number",
            "title",
            "created_at",
            "summary",
            "body",
            "content",
            "diff",
            "title_changed",
            "summary_changed",
        ],  # fmt: skip
        "properties": {
            "number": {"type": "integer", "minimum": 1},
            "title": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "summary": {"type": "string"},
            "body": {"type": "string"},
            "content": {"type": "string"},
            "diff": {"type": "string", "description": "unified diff of the Markdown"},
            "title_changed": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                    {"type": "null"},
                ]
            },
            "summary_changed": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                    {"type": "null"},
                ]
            },
        },
    },
}
