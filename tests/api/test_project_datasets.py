"""A project's shared data sets on the project's node: members add them (a URL with FEP-1311's
metadata), the Group publishes a Document to the members' nodes addressed as the project's other
content is, and a members-only project's data sets stay hidden from non-members."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor
from werkzeug.datastructures import FileStorage

from fedihub import models
from fedihub.errors import NotFound
from fedihub.social import media_access

P = "/api/fedihub/v1/projects"
DIGEST = "zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk"


async def test_members_add_data_sets_published_to_members_only(app: Any) -> None:
    client = app.test_client()
    ada, eve = await make_user(app, "ada"), await make_user(app, "eve")
    ada_h, eve_h = bearer(await make_token(ada)), bearer(await make_token(eve))
    project = await json_of(
        await client.post(
            P, json={"handle": "cohort", "name": "C", "visibility": "members"}, headers=ada_h
        )
    )
    sets = f"{P}/{project['id']}/datasets"
    stored = await models.Project.get(id=int(project["id"]))
    rita = await remote_actor("rita", "lab.example", shared_inbox="https://lab.example/inbox")
    await models.ProjectMember.create(project=stored, actor=rita)

    # When ada adds a data set
    made = await json_of(
        await client.post(
            sets,
            json={
                "name": "Spectra 2026",
                "description": "Raw spectra, one file per run",
                "url": "https://data.example.org/spectra.csv",
                "media_type": "text/csv",
                "size": 52_428_800,
                "digest_multibase": DIGEST,
            },
            headers=ada_h,
        )
    )

    # Then it is listed to members, and its Document went to the members' nodes only
    listed = await json_of(await client.get(sets, headers=ada_h))
    assert [d["name"] for d in listed] == ["Spectra 2026"]
    assert listed[0]["size"] == 52_428_800 and listed[0]["digest_multibase"] == DIGEST
    (create,) = [json.loads(r.body) for r in await models.OutboxActivity.all()]
    document = create["object"]
    assert create["type"] == "Create" and document["type"] == "Document"
    assert document["id"] == made["uri"] and document["mediaType"] == "text/csv"
    assert create["to"] == [stored.members_url] and create["cc"] == []
    assert document["to"] == [stored.members_url]
    inboxes = {j.payload["inbox"] for j in await models.Job.filter(kind="deliver")}
    assert inboxes == {"https://lab.example/inbox"}

    # a non-member neither lists nor adds; bad input is refused with the field named
    assert (await client.get(sets, headers=eve_h)).status_code == 404
    assert (await client.get(sets)).status_code == 404
    for body, field in (
        ({"url": "https://data.example.org/x"}, "name"),
        ({"name": "X", "url": "ftp://data.example.org/x"}, "url"),
        ({"name": "X"}, "url"),
        ({"name": "X", "url": "https://d.example/x", "media_type": "csv"}, "media_type"),
        ({"name": "X", "url": "https://d.example/x", "digest_multibase": "!"}, "digest_multibase"),
    ):
        refused = await client.post(sets, json=body, headers=ada_h)
        assert refused.status_code == 422, body
        assert field in (await refused.get_json())["error"]


async def test_a_members_only_projects_data_file_is_served_to_its_members_alone(app: Any) -> None:
    client = app.test_client()
    ada, bob, eve = [await make_user(app, n) for n in ("ada", "bob", "eve")]
    ada_h, bob_h, eve_h = [bearer(await make_token(u)) for u in (ada, bob, eve)]
    project = await json_of(
        await client.post(
            P, json={"handle": "cohort", "name": "C", "visibility": "members"}, headers=ada_h
        )
    )
    stored = await models.Project.get(id=int(project["id"]))
    await models.ProjectMember.create(project=stored, actor_id=bob.actor_id)
    rita = await remote_actor("rita", "lab.example", shared_inbox="https://lab.example/inbox")
    await models.ProjectMember.create(project=stored, actor=rita)
    stranger = await remote_actor("sam", "elsewhere.example")
    data = b"run,value\n1,0.5\n2,0.7\n"
    file = FileStorage(io.BytesIO(data), filename="runs.csv", content_type="text/csv")
    upload = await json_of(await client.post("/api/v2/media", headers=ada_h, files={"file": file}))
    made = await json_of(
        await client.post(
            f"{P}/{project['id']}/datasets",
            json={"name": "Runs", "media_id": upload["id"]},
            headers=ada_h,
        )
    )
    # the file moved out of the public folder before the Document named it
    path = made["url"].removeprefix("https://fedihub.test")
    assert path.startswith("/media/restricted/"), made["url"]
    assert (await client.get(upload["url"].removeprefix("https://fedihub.test"))).status_code == 404
    for headers, status in ((ada_h, 200), (bob_h, 200), (eve_h, 404), ({}, 404)):
        response = await client.get(path, headers=headers)
        assert response.status_code == status, headers
        if status == 200:
            assert await response.get_data() == data
    # a signed fetch from a node where a member lives may have it; another node may not
    key = path.removeprefix("/media/")
    assert (await media_access.downloadable(key, rita)).id == int(upload["id"])
    with pytest.raises(NotFound):
        await media_access.downloadable(key, stranger)
