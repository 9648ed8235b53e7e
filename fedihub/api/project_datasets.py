"""/api/fedihub/v1/projects/:id/datasets: a project's shared data sets. GET lists them to whoever
may see the project (members only, for a members-only project); POST adds one (a member, on the
project's node): `name`, `description`, and `url` or `media_id` (an upload of hers), with
`media_type`, `size` and `digest_multibase` (FEP-1311) when known. Scopes `read` and `write`.
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub.api.auth import current_actor, optional_user, require_scope, scope_if_token
from fedihub.api.common import params, parse_id
from fedihub.api.entities.project import dataset_entity
from fedihub.api.projects import visible
from fedihub.projects import datasets
from fedihub.web.common import runtime

blueprint = Blueprint("api_project_datasets", __name__)
P = "/api/fedihub/v1/projects/<raw_id>/datasets"


@blueprint.get(P)
@scope_if_token("read")
async def index(raw_id: str) -> Response:
    user = await optional_user()
    project = await visible(raw_id, user.actor if user is not None else None)
    rt = runtime()
    return jsonify(
        [dataset_entity(rt, d, d.created_by) for d in await datasets.of_project(project)]
    )


@blueprint.post(P)
@require_scope("write")
async def create(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    p = await params()
    media = p.str("media_id")
    raw = {
        "name": p.str("name"),
        "description": p.str("description"),
        "url": p.str("url"),
        "media_type": p.str("media_type"),
        "size": p.int("size", None, low=0),
        "digest_multibase": p.str("digest_multibase"),
    }
    made = await datasets.add(runtime(), project, actor, raw, parse_id(media) if media else None)
    return jsonify(dataset_entity(runtime(), made, actor))
