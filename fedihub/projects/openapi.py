"""The projects part of the node's OpenAPI 3.1 document (/api/fedihub/v1/openapi.json): path items
and component schemas of /api/fedihub/v1/projects, invitations and the project feed. The
assembler merges PATHS into `paths` and SCHEMAS into `components.schemas`; `Account` and `Status`
are Mastodon's entities, which the document takes from Mastodon's description.

Pure data; tests/api/test_projects_openapi.py validates the real responses against SCHEMAS.
"""

from __future__ import annotations

from typing import Any

V1 = "/api/fedihub/v1"
NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
DATE_OR_NULL: dict[str, Any] = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, dict[str, Any]] = {
    "Project": {
        "type": "object",
        "description": "A project: a Group actor on its owner's node (local or remote).",
        "required": [
            "id",
            "uri",
            "url",
            "acct",
            "name",
            "description",
            "tags",
            "visibility",
            "start_date",
            "end_date",
            "repositories",
            "members_count",
            "role",
            "local",
        ],
        "properties": {
            "id": {"type": "string", "description": "the project's id on this node"},
            "uri": {"type": "string", "format": "uri", "description": "the Group actor's id"},
            "url": {"type": "string", "format": "uri"},
            "acct": {"type": "string", "description": "handle@domain"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "visibility": {"type": "string", "enum": ["public", "members"]},
            "start_date": DATE_OR_NULL,
            "end_date": DATE_OR_NULL,
            "repositories": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "members_count": {"type": "integer", "minimum": 0},
            "role": {
                "type": ["string", "null"],
                "enum": ["owner", "maintainer", "member", None],
                "description": "the viewer's role, null when not a member",
            },
            "local": {"type": "boolean"},
        },
    },
    "ProjectMember": {
        "type": "object",
        "required": ["account", "role"],
        "properties": {
            "account": _ref("Account"),
            "role": {"type": "string", "enum": ["owner", "maintainer", "member"]},
        },
    },
    "ProjectJoinRequest": {
        "type": "object",
        "required": ["account", "message", "created_at"],
        "properties": {
            "account": _ref("Account"),
            "message": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "ProjectInvitation": {
        "type": "object",
        "required": [
            "id",
            "project",
            "account",
            "inviter",
            "role",
            "message",
            "state",
            "created_at",
            "expires_at",
        ],
        "properties": {
            "id": {"type": "string"},
            "project": _ref("Project"),
            "account": _ref("Account"),
            "inviter": _ref("Account"),
            "role": {"type": "string", "enum": ["owner", "maintainer", "member"]},
            "message": {"type": "string"},
            "state": {
                "type": "string",
                "enum": ["pending", "accepted", "rejected", "withdrawn", "expired"],
            },
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

SCHEMAS["ProjectTask"] = {
    "type": "object",
    "description": "A task: a ForgeFed Ticket hosted on the project's node.",
    "required": [
        "id",
        "uri",
        "project_id",
        "title",
        "description",
        "assignee",
        "status",
        "due",
        "depends_on",
        "progress",
        "created_at",
        "updated_at",
    ],
    "properties": {
        "id": {"type": "string"},
        "uri": {"type": "string", "format": "uri"},
        "project_id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "assignee": {"type": ["string", "null"], "description": "an account id"},
        "status": {"type": "string", "enum": ["open", "in_progress", "done"]},
        "due": DATE_OR_NULL,
        "depends_on": {"type": "array", "items": {"type": "string"}},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["ProjectDataset"] = {
    "type": "object",
    "description": "A project's shared data set: an AS2 Document hosted on the project's node, "
    "with FEP-1311's file metadata.",
    "required": [
        "id",
        "uri",
        "project_id",
        "name",
        "description",
        "url",
        "media_type",
        "size",
        "digest_multibase",
        "account",
        "created_at",
    ],
    "properties": {
        "id": {"type": "string"},
        "uri": {"type": "string", "format": "uri"},
        "project_id": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "media_type": NULLABLE_STRING,
        "size": {"type": ["integer", "null"], "minimum": 0},
        "digest_multibase": NULLABLE_STRING,
        "account": {
            "oneOf": [_ref("Account"), {"type": "null"}],
            "description": "who added it (null for a remote project's data set)",
        },
        "created_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["ProjectProgress"] = {
    "type": "object",
    "required": ["total", "done", "per_member", "over_time"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "done": {"type": "integer", "minimum": 0},
        "per_member": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["account", "total", "done"],
                "properties": {
                    "account": {"oneOf": [_ref("Account"), {"type": "null"}]},
                    "total": {"type": "integer"},
                    "done": {"type": "integer"},
                },
            },
        },
        "over_time": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["date", "done"],
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "done": {"type": "integer"},
                },
            },
        },
    },
}

_ERROR = {"description": "refused", "content": {"application/json": {"schema": _ref("Error")}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _answer(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    scope: str | None,
    answer: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    optional_token: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "tags": ["projects"],
        "parameters": parameters or [],
        "responses": {
            "200": _answer(answer),
            "401": _ERROR,
            "403": _ERROR,
            "404": _ERROR,
            "422": _ERROR,
        },
    }
    if scope:
        op["security"] = [{"OAuth2": [scope]}] + ([{}] if optional_token else [])
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


_PROJECT_FIELDS: dict[str, Any] = {
    "name": {"type": "string"},
    "description": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "visibility": {"type": "string", "enum": ["public", "members"]},
    "start_date": {"type": "string", "format": "date"},
    "end_date": {"type": "string", "format": "date"},
    "repositories": {"type": "array", "items": {"type": "string", "format": "uri"}},
}
_EMPTY: dict[str, Any] = {"type": "object"}
_PROJECT = _ref("Project")
_PROJECTS = {"type": "array", "items": _PROJECT}
_INVITATION = _ref("ProjectInvitation")
_STATUS_BODY: dict[str, Any] = {
    "status": {"type": "string"},
    "spoiler_text": {"type": "string"},
    "sensitive": {"type": "boolean"},
    "language": {"type": "string"},
    "in_reply_to_id": {"type": "string"},
    "media_ids": {"type": "array", "items": {"type": "string"}},
}

PATHS: dict[str, dict[str, Any]] = {
    f"{V1}/projects": {
        "get": _op(
            "List and search projects the viewer may see",
            "read",
            _PROJECTS,
            parameters=[
                _query("q", {"type": "string"}),
                _query("tag", {"type": "string"}),
                _query("mine", {"type": "boolean"}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 80}),
                _query("offset", {"type": "integer", "minimum": 0}),
            ],
            optional_token=True,
        ),
        "post": _op(
            "Create a project (its Group actor answers to handle@node)",
            "write",
            _PROJECT,
            body={"handle": {"type": "string"}, **_PROJECT_FIELDS},
        ),
    },
    f"{V1}/projects/lookup": {
        "get": _op(
            "Resolve a project by handle@domain (a remote one gets a local id)",
            "read",
            _PROJECT,
            parameters=[
                {"name": "acct", "in": "query", "required": True, "schema": {"type": "string"}}
            ],
            optional_token=True,
        )
    },
    f"{V1}/projects/{{id}}": {
        "get": _op("A project", "read", _PROJECT, parameters=[_ID], optional_token=True),
        "put": _op(
            "Edit a project (owners, maintainers)",
            "write",
            _PROJECT,
            parameters=[_ID],
            body=_PROJECT_FIELDS,
        ),
        "delete": _op("Delete a project (owners)", "write", _EMPTY, parameters=[_ID]),
    },
    f"{V1}/projects/{{id}}/members": {
        "get": _op(
            "The project's members",
            "read",
            {"type": "array", "items": _ref("ProjectMember")},
            parameters=[_ID],
            optional_token=True,
        )
    },
    f"{V1}/projects/{{id}}/members/{{account_id}}": {
        "put": _op(
            "Change a member's role (owners, maintainers)",
            "write",
            _ref("ProjectMember"),
            parameters=[_ID, _ACCOUNT_ID],
            body={"role": {"type": "string", "enum": ["owner", "maintainer", "member"]}},
        ),
        "delete": _op("Remove a member", "write", _EMPTY, parameters=[_ID, _ACCOUNT_ID]),
    },
    f"{V1}/projects/{{id}}/join": {
        "post": _op(
            "Ask to join", "write", _PROJECT, parameters=[_ID], body={"message": {"type": "string"}}
        )
    },
    f"{V1}/projects/{{id}}/leave": {
        "post": _op("Leave the project", "write", _PROJECT, parameters=[_ID])
    },
    f"{V1}/projects/{{id}}/join_requests": {
        "get": _op(
            "Pending requests to join (owners, maintainers)",
            "read",
            {"type": "array", "items": _ref("ProjectJoinRequest")},
            parameters=[_ID],
        )
    },
    f"{V1}/projects/{{id}}/join_requests/{{account_id}}/authorize": {
        "post": _op("Approve a request to join", "write", _EMPTY, parameters=[_ID, _ACCOUNT_ID])
    },
    f"{V1}/projects/{{id}}/join_requests/{{account_id}}/reject": {
        "post": _op("Refuse a request to join", "write", _EMPTY, parameters=[_ID, _ACCOUNT_ID])
    },
    f"{V1}/projects/{{id}}/invitations": {
        "get": _op(
            "Invitations the project sent (owners, maintainers)",
            "read",
            {"type": "array", "items": _INVITATION},
            parameters=[_ID],
        ),
        "post": _op(
            "Invite a local or remote researcher",
            "write",
            _INVITATION,
            parameters=[_ID],
            body={
                "account": {"type": "string", "description": "user@domain or an account id"},
                "role": {"type": "string", "enum": ["owner", "maintainer", "member"]},
                "message": {"type": "string"},
                "expires_in": {"type": "integer", "minimum": 60},
            },
        ),
    },
    f"{V1}/invitations": {
        "get": _op(
            "Invitations addressed to me (local and remote projects)",
            "read",
            {"type": "array", "items": _INVITATION},
        )
    },
    f"{V1}/invitations/{{id}}": {
        "delete": _op("Withdraw an invitation", "write", _INVITATION, parameters=[_ID])
    },
    f"{V1}/invitations/{{id}}/accept": {
        "post": _op("Accept an invitation", "write", _INVITATION, parameters=[_ID])
    },
    f"{V1}/invitations/{{id}}/reject": {
        "post": _op("Decline an invitation", "write", _INVITATION, parameters=[_ID])
    },
    f"{V1}/projects/{{id}}/statuses": {
        "get": _op(
            "The project feed (posts whose audience is the project)",
            "read",
            {"type": "array", "items": _ref("Status")},
            parameters=[
                _ID,
                _query("max_id", {"type": "string"}),
                _query("since_id", {"type": "string"}),
                _query("min_id", {"type": "string"}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 40}),
            ],
            optional_token=True,
        ),
        "post": _op(
            "Post to the project as a member (Mastodon's status parameters)",
            "write",
            _ref("Status"),
            parameters=[_ID],
            body=_STATUS_BODY,
        ),
    },
}
_TASK = _ref("ProjectTask")
_TASK_FIELDS: dict[str, Any] = {
    "title": {"type": "string"},
    "description": {"type": "string"},
    "assignee": {"type": "string", "description": "an account id of a member; empty: nobody"},
    "status": {"type": "string", "enum": ["open", "in_progress", "done"]},
    "due": {"type": "string", "format": "date"},
    "depends_on": {"type": "array", "items": {"type": "string"}},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
}
PATHS[f"{V1}/projects/{{id}}/tasks"] = {
    "get": _op(
        "The project's tasks",
        "read",
        {"type": "array", "items": _TASK},
        parameters=[_ID],
        optional_token=True,
    ),
    "post": _op(
        "Add a task (members). On a member's node, for a remote project: 202 with the id of the "
        "ForgeFed Offer sent to it; the task arrives with the project's Create of the Ticket",
        "write",
        _TASK,
        parameters=[_ID],
        body=_TASK_FIELDS,
    ),
}
PATHS[f"{V1}/projects/{{id}}/tasks"]["post"]["responses"]["202"] = _answer(
    {
        "type": "object",
        "required": ["offer"],
        "properties": {"offer": {"type": "string", "format": "uri"}},
    },
    "Offered to the remote project, which decides",
)
PATHS[f"{V1}/tasks/{{id}}"] = {
    "get": _op("A task", "read", _TASK, parameters=[_ID], optional_token=True),
    "patch": _op(
        "Change a task (members). For a remote project's task, from a member's node: assignee "
        "(ForgeFed Assign) and status done or open (Resolve, Undo) only; the project decides",
        "write",
        _TASK,
        parameters=[_ID],
        body=_TASK_FIELDS,
    ),
    "delete": _op("Delete a task (owners, maintainers)", "write", _EMPTY, parameters=[_ID]),
}
PATHS[f"{V1}/tasks/{{id}}/comments"] = {
    "get": _op(
        "A task's comments, from any node (posts in the project answering the Ticket)",
        "read",
        {"type": "array", "items": _ref("Status")},
        parameters=[
            _ID,
            _query("max_id", {"type": "string"}),
            _query("since_id", {"type": "string"}),
            _query("min_id", {"type": "string"}),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": 40}),
        ],
        optional_token=True,
    ),
    "post": _op(
        "Comment on a task (members): a post in the project feed answering the Ticket",
        "write",
        _ref("Status"),
        parameters=[_ID],
        body={"status": {"type": "string"}},
    ),
}
PATHS[f"{V1}/projects/{{id}}/datasets"] = {
    "get": _op(
        "The project's shared data sets (members only, for a members-only project)",
        "read",
        {"type": "array", "items": _ref("ProjectDataset")},
        parameters=[_ID],
        optional_token=True,
    ),
    "post": _op(
        "Add a data set (members, on the project's node): a url, or media_id (an upload of "
        "yours, whose URL, type and size it takes); published to the project's members",
        "write",
        _ref("ProjectDataset"),
        parameters=[_ID],
        body={
            "name": {"type": "string"},
            "description": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "media_id": {"type": "string"},
            "media_type": {"type": "string"},
            "size": {"type": "integer", "minimum": 0},
            "digest_multibase": {"type": "string"},
        },
    ),
}
PATHS[f"{V1}/projects/{{id}}/progress"] = {
    "get": _op(
        "Tasks done over total, per member, over time",
        "read",
        _ref("ProjectProgress"),
        parameters=[_ID],
        optional_token=True,
    )
}

__all__ = ["PATHS", "SCHEMAS"]
