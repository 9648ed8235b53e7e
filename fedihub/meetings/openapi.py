"""The meetings part of the node's OpenAPI 3.1 document (/api/fedihub/v1/openapi.json): path
items and schemas of /api/fedihub/v1/projects/{id}/meetings and /api/fedihub/v1/meetings.
`Account` and `Error` are the shared schemas.

Pure data; tests/api/test_meetings_api.py validates the real responses against SCHEMAS.
"""

from __future__ import annotations

from typing import Any

V1 = "/api/fedihub/v1"
_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
_TIME_OR_NULL: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, dict[str, Any]] = {
    "Meeting": {
        "type": "object",
        "description": "A meeting of a project (an FEP-8a8e Event of its Group), shown to the "
        "project's members only: it carries the room.",
        "required": [
            "id",
            "uri",
            "project",
            "organizer",
            "title",
            "description",
            "start_time",
            "end_time",
            "timezone",
            "previous_start_time",
            "status",
            "room",
            "created_at",
            "updated_at",
        ],
        "properties": {
            "id": {"type": "string"},
            "uri": {"type": "string", "format": "uri", "description": "the Event's id"},
            "project": {
                "type": "object",
                "required": ["id", "name", "acct", "local"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "acct": {"type": "string"},
                    "local": {"type": "boolean"},
                },
            },
            "organizer": {"oneOf": [_ref("Account"), {"type": "null"}]},
            "title": {"type": "string"},
            "description": {"type": "string", "description": "plain text"},
            "start_time": _TIME,
            "end_time": _TIME,
            "timezone": {"type": "string", "description": "an IANA time zone"},
            "previous_start_time": _TIME_OR_NULL,
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "room": {
                "description": "the video room (null when the node has no video engine)",
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["engine", "url"],
                        "properties": {
                            "engine": {"type": ["string", "null"], "enum": ["jitsi", "bbb", None]},
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                    {"type": "null"},
                ],
            },
            "created_at": _TIME_OR_NULL,
            "updated_at": _TIME_OR_NULL,
        },
    },
    "MeetingCalendar": {
        "type": "object",
        "description": "The secret URL of the user's iCalendar feed (RFC 5545) of her meetings.",
        "required": ["url"],
        "properties": {"url": {"type": "string", "format": "uri"}},
    },
}

_ERROR = {"description": "refused", "content": {"application/json": {"schema": _ref("Error")}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(
    summary: str,
    scope: str,
    answer: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "tags": ["meetings"],
        "parameters": parameters or [],
        "security": [{"OAuth2": [scope]}],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": answer}}},
            "401": _ERROR,
            "403": _ERROR,
            "404": _ERROR,
            "422": _ERROR,
        },
    }
    if body is not None:
        op["requestBody"] = {
            "content": {
                media: {"schema": {"type": "object", "properties": body}}
                for media in ("application/json", "application/x-www-form-urlencoded")
            }
        }
    return op


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


_FIELDS: dict[str, Any] = {
    "title": {"type": "string", "maxLength": 255},
    "description": {"type": "string"},
    "start_time": {
        "type": "string",
        "description": "ISO 8601; without an offset it is read in `timezone`",
    },
    "end_time": {"type": "string", "description": "after start_time, at most 7 days later"},
    "timezone": {"type": "string", "description": "an IANA time zone (default UTC)"},
}
_MEETING = _ref("Meeting")
_MEETINGS = {"type": "array", "items": _MEETING}
_CALENDAR = _ref("MeetingCalendar")

PATHS: dict[str, dict[str, Any]] = {
    f"{V1}/projects/{{id}}/meetings": {
        "get": _op("The project's meetings (members only)", "read", _MEETINGS, parameters=[_ID]),
        "post": _op(
            "A member schedules a meeting: published to every member, with a room when the "
            "node has a video engine",
            "write",
            _MEETING,
            parameters=[_ID],
            body=_FIELDS,
        ),
    },
    f"{V1}/meetings": {
        "get": _op(
            "My meetings across projects and nodes, by start time",
            "read",
            _MEETINGS,
            parameters=[
                _query("from", {"type": "string", "description": "ending at or after"}),
                _query("to", {"type": "string", "description": "starting before"}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
            ],
        ),
    },
    f"{V1}/meetings/calendar": {
        "get": _op("The secret URL of my calendar feed", "read", _CALENDAR),
    },
    f"{V1}/meetings/calendar/reset": {
        "post": _op(
            "A new secret URL for my calendar feed (the old one stops)", "write", _CALENDAR
        ),
    },
    f"{V1}/meetings/{{id}}": {
        "get": _op("A meeting (members of its project only)", "read", _MEETING, parameters=[_ID]),
        "patch": _op(
            "Move or rename a meeting (its organiser or a maintainer; on the project's node)",
            "write",
            _MEETING,
            parameters=[_ID],
            body=_FIELDS,
        ),
        "delete": _op(
            "Cancel a meeting: it stays, cancelled, in every member's calendar",
            "write",
            _MEETING,
            parameters=[_ID],
        ),
    },
}
