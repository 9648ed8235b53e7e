"""Act as bovine actors through bovine's own client library, for fedihub's federation tests.

Runs with bovine's venv python (bovine's libraries cannot be imported into fedihub's test process),
in the peer's working directory, as one long-lived process per peer: one JSON request per line on
stdin, one JSON answer per line on stdout ({"ok": result} or {"error": "..."}). Each request names
the actor by "domain" and "secret" (written by bovine_server.py into actors.json):

    {"command": "follow", "target": "<actor uri>"}                  -> {"id": "<Follow id>"}
    {"command": "post_note", "content": "...", "public": true, "to": [...]}
        -> {"id": "<Note id>", "activity_id": "<Create id>"}
    {"command": "send", "activity": {...}}  any activity via the outbox -> {"id": "<activity id>"}
    {"command": "undo", "activity_id": "..."}  e.g. unfollow            -> {"id": "<Undo id>"}
    {"command": "collection", "name": "inbox" | "outbox" | "followers" | "following"}
        -> {"items": [...]}  inbox/outbox items as documents, the others as ids
    {"command": "fetch", "url": "..."}  fetched as the actor via its proxyUrl -> {"object": {...}}
    {"command": "actor"}  the actor document as its owner sees it      -> {"actor": {...}}

The client authenticates with Moo-Auth-1 (an Ed25519 key registered by bovine_server.py), the
way bovine's own clients talk to their server; the server signs whatever it sends on. Documents
come back as bovine's proxy returns them: compacted against its internal context, so public
addressing reads "as:Public", and with "actor"/"attributedTo" embedded, which this script turns
back into plain ids so tests can compare them with actor URIs.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bovine import BovineClient


def _as_id(value: Any) -> Any:
    return value.get("id", value) if isinstance(value, dict) else value


def _flatten_actors(doc: Any) -> Any:
    """Turn embedded actor documents back into ids, in the activity and its object."""
    if not isinstance(doc, dict):
        return doc
    doc = dict(doc)
    for key in ("actor", "attributedTo"):
        if key in doc:
            doc[key] = _as_id(doc[key])
    if isinstance(doc.get("object"), dict):
        doc["object"] = _flatten_actors(doc["object"])
    return doc


async def _send(client: BovineClient, activity: dict[str, Any]) -> str:
    response = await client.send_to_outbox(activity)
    if response.status != 201:
        raise RuntimeError(f"outbox answered {response.status}: {await response.text()}")
    return str(response.headers["location"])


async def _collection(client: BovineClient, name: str) -> list[Any]:
    url = (client.information or {})[name]
    resolve = name in ("inbox", "outbox")
    items = [item async for item in client.collection_helper(url, resolve=resolve)]
    return [_flatten_actors(item) for item in items]


async def handle(client: BovineClient, args: dict[str, Any]) -> dict[str, Any]:
    activities, objects = client.factories
    command = args["command"]
    if command == "actor":
        return {"actor": client.information}
    if command == "follow":
        return {"id": await _send(client, activities.follow(args["target"]).build())}
    if command == "post_note":
        note = objects.note(content=args["content"], to=set(args.get("to", [])))
        if args.get("public", True):
            note = note.as_public()
        activity_id = await _send(client, activities.create(note.build()).build())
        stored = await client.proxy(activity_id)
        return {"id": _as_id(stored["object"]), "activity_id": activity_id}
    if command == "send":
        return {"id": await _send(client, args["activity"])}
    if command == "undo":
        original = await client.proxy(args["activity_id"])
        return {"id": await _send(client, activities.undo(original).build())}
    if command == "collection":
        return {"items": await _collection(client, args["name"])}
    if command == "fetch":
        return {"object": _flatten_actors(await client.proxy(args["url"]))}
    raise ValueError(f"unknown command {command!r}")


async def serve() -> None:
    clients: dict[tuple[str, str], BovineClient] = {}
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            args = json.loads(line)
            try:
                key = (args["domain"], args["secret"])
                if key not in clients:
                    client = BovineClient(domain=key[0], secret=key[1])
                    await client.init()
                    clients[key] = client
                answer: dict[str, Any] = {"ok": await handle(clients[key], args)}
            except Exception as exc:  # reported to the test, which raises it there
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        for client in clients.values():
            if client.session is not None:
                await client.session.close()


if __name__ == "__main__":
    asyncio.run(serve())
