"""A project's shared data sets on the project's node: members add them (a URL with FEP-1311's
metadata), the Group publishes a Document to the members' nodes addressed as the project's other
content is, and a members-only project's data sets stay hidden from non-members."""

from __future__ import annotations

import json
from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import models

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
