"""BovinePeer: a real bovine-herd server on a loopback port, driven from fedihub's tests.

bovine-herd runs from its own venv (venv.py) as a separate process (bovine_server.py); a second
long-lived process (bovine_driver.py) acts as its actors through bovine's client library. This
module only starts, talks to and stops them; it imports nothing of bovine.

    peer = BovinePeer(tmp_path / "bovine")
    await peer.start(port)                 # actor "alice" on http://127.0.0.1:port
    await peer.follow(fedihub_actor_uri)   # Follow delivered to fedihub's inbox
    note_id = await peer.post_note("hi")   # Create(Note) to as:Public, cc followers
    item = await peer.wait_for_inbox(lambda a: a["type"] == "Create")
    await peer.stop()

Follows of bovine's actors are accepted automatically unless auto_accept=False (bovine-herd
itself never answers a Follow; see bovine_server.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.peers import venv

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE / "bovine_server.py"
DRIVER_SCRIPT = HERE / "bovine_driver.py"
JSONLD_DIR = HERE.parent / "fixtures" / "jsonld"
JSONLD_CACHE = "bovine_jsonld_cache.sqlite"  # bovine opens it relative to its working directory
START_TIMEOUT_S = 60.0  # generous: CI machines run two workers and PostgreSQL
WAIT_TIMEOUT_S = 45.0  # bovine delivers from a background task: slow on a loaded machine
REQUEST_TIMEOUT_S = 60.0


class BovineError(Exception):
    """bovine or its driver failed; the message carries its answer and the server log's tail."""


@dataclass(frozen=True)
class BovineAccount:
    handle: str
    actor_id: str
    bovine_name: str
    secret: str  # Ed25519 Moo-Auth-1 client key, for the driver only
    domain: str  # http://127.0.0.1:PORT

    @property
    def key_id(self) -> str:
        # bovine signs with keyId = publicKey.id = actor id + "#serverKey"
        return f"{self.actor_id}#serverKey"


def jsonld_documents() -> dict[str, Any]:
    """The contexts bovine would otherwise download, keyed by URL (tests/fixtures/jsonld/)."""
    index = json.loads((JSONLD_DIR / "index.json").read_text())
    return {
        url: json.loads((JSONLD_DIR / name).read_text())["@context"] for url, name in index.items()
    }


def prefill_jsonld_cache(workdir: Path) -> None:
    """Write the contexts into bovine's cache before it starts: offline it would cache `[]`."""
    with sqlite3.connect(workdir / JSONLD_CACHE) as db:
        db.execute("CREATE TABLE IF NOT EXISTS jsonld (url TEXT PRIMARY KEY, context TEXT)")
        db.executemany(
            "INSERT OR REPLACE INTO jsonld VALUES (?, ?)",
            [(url, json.dumps(ctx)) for url, ctx in jsonld_documents().items()],
        )
    db.close()


def read_jsonld_cache(workdir: Path) -> dict[str, Any]:
    with sqlite3.connect(workdir / JSONLD_CACHE) as db:
        rows = db.execute("SELECT url, context FROM jsonld").fetchall()
    db.close()
    return {url: json.loads(ctx) for url, ctx in rows}


class BovinePeer:
    """One bovine-herd server with one or more actors (the first one is the default actor)."""

    def __init__(
        self, workdir: Path, handles: Iterable[str] = ("alice",), auto_accept: bool = True
    ) -> None:
        self.workdir = Path(workdir)
        self.handles = list(handles)
        self.auto_accept = auto_accept
        self.port = 0
        self.accounts: dict[str, BovineAccount] = {}
        self._server: asyncio.subprocess.Process | None = None
        self._driver: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor_uri(self) -> str:
        return self.account().actor_id

    def account(self, handle: str | None = None) -> BovineAccount:
        return self.accounts[handle or self.handles[0]]

    async def start(self, port: int) -> None:
        """Start bovine-herd on 127.0.0.1:port and wait until it answers (about 1.5 s)."""
        python = await asyncio.to_thread(venv.ensure)
        self.port = port
        self.workdir.mkdir(parents=True, exist_ok=True)
        prefill_jsonld_cache(self.workdir)
        # -I below: isolated mode, so this folder (whose bovine.py and venv.py would shadow the
        # bovine package and the stdlib) is not on the scripts' path, nor is PYTHONPATH
        env = dict(os.environ)
        env["BUTCHER_ALLOW_HTTP"] = "1"  # bovine talks plain HTTP to loopback test nodes
        args = ["--port", str(port)]
        for handle in self.handles:
            args += ["--handle", handle]
        if not self.auto_accept:
            args.append("--no-auto-accept")
        with open(self.workdir / "server.log", "ab") as log:
            self._server = await asyncio.create_subprocess_exec(
                str(python), "-I", str(SERVER_SCRIPT), *args,
                cwd=self.workdir, env=env, stdout=log, stderr=log,
            )  # fmt: skip
        await self._wait_until_serving()
        self._check_jsonld_cache()
        accounts = json.loads((self.workdir / "actors.json").read_text())
        self.accounts = {h: BovineAccount(handle=h, **accounts[h]) for h in self.handles}
        with open(self.workdir / "driver.log", "ab") as log:
            self._driver = await asyncio.create_subprocess_exec(
                str(python), "-I", str(DRIVER_SCRIPT),
                cwd=self.workdir, env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=log, limit=32 * 1024 * 1024,
            )  # fmt: skip

    async def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                assert self._server is not None
                if self._server.returncode is not None:
                    raise BovineError(f"bovine-herd exited at start-up\n{self.log_tail()}")
                try:
                    response = await client.get(f"{self.base_url}/.well-known/nodeinfo")
                    if response.status_code == 200 and (self.workdir / "actors.json").exists():
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise BovineError(f"bovine-herd did not answer on {self.base_url}")
                await asyncio.sleep(0.05)  # start-up polling, not a wait in an assertion

    def _check_jsonld_cache(self) -> None:
        problems = self.empty_jsonld_contexts()
        cached = read_jsonld_cache(self.workdir)
        problems += [url for url in jsonld_documents() if not cached.get(url)]
        if problems:
            raise BovineError(f"bovine's JSON-LD cache lacks {problems}: signatures would fail")

    def empty_jsonld_contexts(self) -> list[str]:
        """Context URLs bovine failed to load and cached as `[]` (it never retries them)."""
        return [url for url, ctx in read_jsonld_cache(self.workdir).items() if ctx == []]

    async def stop(self) -> None:
        if self._driver is not None:
            if self._driver.stdin is not None:
                self._driver.stdin.close()  # the driver ends at end of input
            await _end(self._driver, grace=5)
            self._driver = None
        if self._server is not None:
            await _end(self._server)
            self._server = None

    def log_tail(self, lines: int = 40) -> str:
        path = self.workdir / "server.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # -- acting as an actor -------------------------------------------------------------------

    async def _call(self, handle: str | None, **request: Any) -> dict[str, Any]:
        if self._driver is None or self._driver.stdin is None or self._driver.stdout is None:
            raise BovineError("the peer is not started")
        account = self.account(handle)
        request.update(domain=account.domain, secret=account.secret)
        async with self._lock:
            self._driver.stdin.write(json.dumps(request).encode() + b"\n")
            await self._driver.stdin.drain()
            try:
                line = await asyncio.wait_for(self._driver.stdout.readline(), REQUEST_TIMEOUT_S)
            except TimeoutError:
                # a late answer would be read as the next request's: end the driver instead
                driver, self._driver = self._driver, None
                await _end(driver)
                message = f"{request['command']} got no answer\n{self.log_tail()}"
                raise BovineError(message) from None
        if not line:
            raise BovineError(f"the bovine driver died\n{self.log_tail()}")
        answer = json.loads(line)
        if "error" in answer:
            raise BovineError(f"{request['command']}: {answer['error']}\n{self.log_tail()}")
        result: dict[str, Any] = answer["ok"]
        return result

    async def actor_document(self, *, handle: str | None = None) -> dict[str, Any]:
        """The actor document as its owner sees it (inbox, outbox, followers, publicKey …)."""
        return dict((await self._call(handle, command="actor"))["actor"])

    async def follow(self, remote_actor_uri: str, *, handle: str | None = None) -> str:
        """Send a Follow of remote_actor_uri; returns the Follow's id."""
        return str((await self._call(handle, command="follow", target=remote_actor_uri))["id"])

    async def unfollow(self, follow_id: str, *, handle: str | None = None) -> str:
        """Send an Undo of the Follow; returns the Undo's id."""
        return str((await self._call(handle, command="undo", activity_id=follow_id))["id"])

    async def post_note(
        self,
        content: str,
        to_public: bool = True,
        *,
        to: Iterable[str] = (),
        handle: str | None = None,
    ) -> str:
        """Create a Note (public: to as:Public, cc followers; plus `to`); returns the Note's id."""
        result = await self._call(
            handle, command="post_note", content=content, public=to_public, to=list(to)
        )
        return str(result["id"])

    async def send(self, activity: dict[str, Any], *, handle: str | None = None) -> str:
        """Post any activity to the actor's outbox; bovine assigns ids and delivers it."""
        return str((await self._call(handle, command="send", activity=activity))["id"])

    async def accept(self, follow: dict[str, Any], *, handle: str | None = None) -> str:
        """Accept a Follow from the inbox (auto_accept=False), shaped as bovine's client does."""
        accept = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Accept",
            "actor": self.account(handle).actor_id,
            "object": follow["id"],
            "to": [follow["actor"]],
        }
        return await self.send(accept, handle=handle)

    async def inbox_items(self, *, handle: str | None = None) -> list[dict[str, Any]]:
        """Activities received, newest first, with embedded objects and actor ids."""
        return list((await self._call(handle, command="collection", name="inbox"))["items"])

    async def outbox_items(self, *, handle: str | None = None) -> list[dict[str, Any]]:
        return list((await self._call(handle, command="collection", name="outbox"))["items"])

    async def followers(self, *, handle: str | None = None) -> list[str]:
        return list((await self._call(handle, command="collection", name="followers"))["items"])

    async def following(self, *, handle: str | None = None) -> list[str]:
        return list((await self._call(handle, command="collection", name="following"))["items"])

    async def fetch(self, url: str, *, handle: str | None = None) -> dict[str, Any]:
        """Fetch url as the actor (bovine signs the GET), as bovine stores it."""
        return dict((await self._call(handle, command="fetch", url=url))["object"])

    async def wait_for_inbox(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        *,
        timeout: float = WAIT_TIMEOUT_S,
        handle: str | None = None,
    ) -> dict[str, Any]:
        """Poll the inbox until an activity matches; AssertionError with what came if none does."""
        return await self.wait_until(
            lambda: self.inbox_items(handle=handle), predicate, timeout=timeout, what="inbox"
        )

    async def wait_until(
        self,
        read: Callable[[], Any],
        predicate: Callable[[Any], bool],
        *,
        timeout: float = WAIT_TIMEOUT_S,
        what: str = "collection",
    ) -> Any:
        """Poll `await read()` (a list) until an item matches the predicate, at most `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            items = await read()
            for item in items:
                if predicate(item):
                    return item
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"nothing matching arrived in bovine's {what} within {timeout} s; it has "
                    f"{json.dumps(items, indent=1)[:4000]}\n--- server log ---\n{self.log_tail()}"
                )
            await asyncio.sleep(0.1)


async def _end(process: asyncio.subprocess.Process, grace: float = 0) -> None:
    """Wait `grace` seconds for the process to end, then SIGTERM it, then SIGKILL it."""
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None and process.returncode is None:
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                pass
        try:
            await asyncio.wait_for(process.wait(), grace if sig is None else 10)
            return
        except TimeoutError:
            continue
