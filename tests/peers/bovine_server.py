"""Serve bovine-herd on a loopback port, for fedihub's federation tests.

Runs with bovine's own venv python (see venv.py), never inside fedihub's environment, and with its
working directory set to the peer's folder: bovine opens `bovine_jsonld_cache.sqlite` relative to
the working directory when it is imported, so BovinePeer fills that cache before starting this.

    python bovine_server.py --port 8123 --handle alice --handle bob [--no-auto-accept]

Before serving it creates the database, registers each handle as an actor on
http://127.0.0.1:PORT with an Ed25519 "Moo-Auth-1" client key, and writes `actors.json`
(handle -> actor id, bovine name, client secret), which the driver script uses to act as them.

bovine-herd itself never answers a Follow: a client has to post the Accept. With auto-accept on
(the default) this server does it the way such a client would, by putting bovine's own
`ActivityFactory.accept(follow)` through the actor's outbox pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
from pathlib import Path

from bovine.activitystreams.activity_factory import ActivityFactory
from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key
from bovine.types import Visibility
from bovine_herd import BovineHerd
from bovine_herd.add_to_queue import add_to_queue
from bovine_process import handle_outbox_item, process_inbox_item, process_outbox_item
from bovine_process.types import ProcessingItem
from bovine_process.utils import ProcessorList
from bovine_store import BovineAdminStore
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

logger = logging.getLogger("bovine_server")


def _object_id(value: object) -> object:
    return value.get("id") if isinstance(value, dict) else value


def build_app(port: int, handles: list[str], auto_accept: bool, workdir: Path) -> Quart:
    domain = f"http://127.0.0.1:{port}"
    app = Quart(__name__)

    async def accept_follows(item: ProcessingItem, actor):  # type: ignore[no-untyped-def]
        data = item.data
        if data.get("type") != "Follow" or _object_id(data.get("object")) != actor.actor_id:
            return item
        info = actor.actor_object.build(visibility=Visibility.OWNER)
        accept = ActivityFactory(info).accept(data).build()
        outgoing = ProcessingItem(actor.actor_id, accept)
        outgoing = await handle_outbox_item(outgoing, actor)
        await process_outbox_item(outgoing, actor)
        logger.info("auto-accepted %s from %s", data.get("id"), data.get("actor"))
        return item

    processors = [process_inbox_item, add_to_queue]
    if auto_accept:
        processors.append(accept_follows)

    async def start_inbox_task(item: ProcessingItem, actor) -> None:  # type: ignore[no-untyped-def]
        app.add_background_task(ProcessorList(*processors).__call__, item, actor)

    BovineHerd(
        app,
        start_background_task_inbox=start_inbox_task,
        db_url=f"sqlite://{workdir / 'bovine.sqlite3'}",
    )

    @app.before_serving
    async def register_actors() -> None:
        # runs after BovineHerd's own before_serving hooks, so tortoise is up and tables exist
        path = workdir / "actors.json"
        actors = json.loads(path.read_text()) if path.exists() else {}
        store = BovineAdminStore(domain=domain)
        for handle in handles:
            if handle in actors:
                continue
            bovine_name = await store.register(handle)
            secret = generate_ed25519_private_key()
            await store.add_identity_string_to_actor(
                bovine_name, "fedihub-tests", private_key_to_did_key(secret)
            )
            actor = await store.actor_for_name(bovine_name)
            if actor.session is not None:
                await actor.session.close()
            actors[handle] = {
                "actor_id": actor.actor_object.id,
                "bovine_name": bovine_name,
                "secret": secret,
                "domain": domain,
            }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(actors, indent=2))
        tmp.replace(path)  # atomic: the harness never reads half a file

    return app


async def _serve(app: Quart, port: int) -> None:
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = logging.getLogger("hypercorn.access")
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()

    async def stop_when_orphaned() -> None:
        # a test run that is killed outright cannot stop us: do not outlive it
        while not stop.is_set():
            if os.getppid() != parent:
                stop.set()
            await asyncio.sleep(1)

    watcher = asyncio.create_task(stop_when_orphaned())
    await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]
    watcher.cancel()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--handle", action="append", default=[])
    parser.add_argument("--no-auto-accept", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = build_app(args.port, args.handle or ["alice"], not args.no_auto_accept, Path.cwd())
    asyncio.run(_serve(app, args.port))


if __name__ == "__main__":
    main()
