"""The moving part of the fedihub API description (OpenAPI 3.1): aliases and the move of the
signed-in account (api/moves.py), gathered with the other domains' parts by api/openapi.py.
Plain data; `Account` and `Error` are the assembler's shared schemas."""

from __future__ import annotations

from typing import Any

_READ = [{"oauth": ["read:accounts"]}]
_WRITE = [{"oauth": ["write:accounts"]}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "401": _ok(_ref("Error"), "The token is missing or invalid"),
    "403": _ok(_ref("Error"), "The token lacks the scope"),
}
_ACCT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": _ref("AccountHandle")}},
}

PATHS: dict[str, Any] = {
    "/api/fedihub/v1/account/aliases": {
        "get": {
            "summary": "The signed-in account's other accounts (its actor's alsoKnownAs)",
            "security": _READ,
            "responses": {"200": _ok({"type": "array", "items": _ref("Account")}), **_ERRORS},
        },
        "post": {
            "summary": "Add an alias: an account elsewhere that may move here",
            "description": "The account is resolved through WebFinger; followers get an Update "
            "of the actor.",
            "security": _WRITE,
            "requestBody": _ACCT_BODY,
            "responses": {
                "200": _ok(_ref("Account"), "The alias"),
                **_ERRORS,
                "422": _ok(_ref("Error"), "No such account, itself, or too many aliases"),
            },
        },
    },
    "/api/fedihub/v1/account/aliases/{id}": {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "delete": {
            "summary": "Remove an alias (by account id)",
            "security": _WRITE,
            "responses": {"200": _ok({"type": "object"}), **_ERRORS},
        },
    },
    "/api/fedihub/v1/account/move": {
        "post": {
            "summary": "Move to another account, which must list this one as an alias",
            "description": "The target's actor is read afresh; followers elsewhere get a Move, "
            "followers here follow the new account. The account then posts no more. Once in "
            "30 days.",
            "security": _WRITE,
            "requestBody": _ACCT_BODY,
            "responses": {
                "200": _ok(_ref("Account"), "The moved account, with `moved`"),
                **_ERRORS,
                "422": _ok(_ref("Error"), "No such account, or it does not list this one"),
                "429": _ok(_ref("Error"), "Moved less than 30 days ago"),
                "502": _ok(_ref("Error"), "The new account's server did not answer"),
            },
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "AccountHandle": {
        "type": "object",
        "required": ["acct"],
        "properties": {
            "acct": {"type": "string", "description": "user@example.org, or an actor URL"}
        },
    },
}
