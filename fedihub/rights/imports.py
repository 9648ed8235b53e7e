"""Import of Mastodon's CSV exports (follows, blocks, mutes, domain blocks, bookmarks, lists):
the upload is checked and stored, then applied line by line by a background job (`KIND`) that
records its progress on the DataImport row.

Modes as Mastodon has them: `merge` adds what the file lists; `overwrite` first removes what the
account has of that kind and the file does not list. A run works for at most SLICE_S and then
queues its continuation, so a 100,000-line file never holds a job past its timeout, and the
request that uploaded it only stores it. Remote accounts are resolved here, through WebFinger.
A line that cannot be read or applied is counted and its first MAX_ERRORS reported; the rest of
the file goes on.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from fedihub import jobs, models
from fedihub.accounts import resolver
from fedihub.errors import Conflict, FedihubError, Invalid
from fedihub.models import TransferState
from fedihub.moderation import policy, user_domains
from fedihub.rights import exports
from fedihub.runtime import Runtime
from fedihub.social import blocks, follows, interactions, lists, remote

log = logging.getLogger(__name__)

KIND = "rights_import"
# Mastodon's import types, and the export each reads
KINDS = {
    "following": "following_accounts",
    "blocking": "blocked_accounts",
    "muting": "muted_accounts",
    "domain_blocking": "blocked_domains",
    "bookmarks": "bookmarks",
    "lists": "lists",
}
MODES = ("merge", "overwrite")
MAX_LINES = 100_000
MAX_BYTES = 10 * 1024 * 1024
MAX_UNFINISHED = 10
MAX_ERRORS = 50
SLICE_S = 20.0
BATCH = 100


def rows_of(body: str) -> list[list[str]]:
    """The data rows of a CSV file: Mastodon's header line skipped, blank lines dropped."""
    rows = [row for row in csv.reader(io.StringIO(body)) if any(cell.strip() for cell in row)]
    if rows and rows[0] and rows[0][0].strip().lower() == "account address":
        rows = rows[1:]
    return rows


async def create(
    rt: Runtime, user: models.User, kind: str, mode: str, data: bytes
) -> models.DataImport:
    """Check and store an uploaded file and queue its job; Invalid names the bad field."""
    if kind not in KINDS:
        raise Invalid(f"type must be one of {', '.join(KINDS)}", field="type")
    if mode not in MODES:
        raise Invalid("mode must be merge or overwrite", field="mode")
    if not data:
        raise Invalid("choose a CSV file", field="data")
    if len(data) > MAX_BYTES:
        raise Invalid(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="data")
    try:
        body = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text", field="data") from None
    if "\x00" in body:
        raise Invalid("the file is not a CSV file", field="data")
    try:
        total = len(rows_of(body))
    except csv.Error:
        raise Invalid("the file is not a CSV file", field="data") from None
    if total > MAX_LINES:
        raise Invalid(f"the file has more than {MAX_LINES} lines", field="data")
    unfinished = models.DataImport.filter(
        user_id=user.id, state__in=(TransferState.PENDING, TransferState.RUNNING)
    )
    if await unfinished.count() >= MAX_UNFINISHED:
        raise Conflict("wait for your earlier imports to finish")
    row = await models.DataImport.create(
        user_id=user.id, kind=kind, mode=mode, body=body, total=total
    )
    await jobs.enqueue(rt, KIND, {"id": row.id, "from": 0}, dedupe_key=f"{KIND}:{row.id}:0")
    return row


# ---- applying lines ---------------------------------------------------------------------------


class _Context:
    """One run's account, and the accounts it resolved already."""

    def __init__(self, rt: Runtime, user: models.User) -> None:
        self.rt, self.user, self.me = rt, user, user.actor
        self.accounts: dict[str, models.Actor] = {}
        self.lists: dict[str, models.List] = {}

    async def account(self, address: str) -> models.Actor:
        key = _normal_address(address)
        if not key:
            raise Invalid("the line has no account address", field="address")
        if key not in self.accounts:
            self.accounts[key] = await resolver.resolve_account(self.rt, key)
        return self.accounts[key]


def _normal_address(address: str) -> str:
    return address.strip().removeprefix("acct:").lstrip("@").lower()


def _flag(row: list[str], index: int, default: bool) -> bool:
    value = row[index].strip().lower() if len(row) > index else ""
    return default if not value else value in ("true", "1", "yes")


async def _following(ctx: _Context, row: list[str]) -> None:
    await follows.follow(ctx.rt, ctx.me, await ctx.account(row[0]))


async def _blocking(ctx: _Context, row: list[str]) -> None:
    await blocks.block(ctx.rt, ctx.me, await ctx.account(row[0]))


async def _muting(ctx: _Context, row: list[str]) -> None:
    target = await ctx.account(row[0])
    if target.id == ctx.me.id:
        raise Invalid("you cannot mute yourself", field="address")
    await models.Mute.update_or_create(
        actor_id=ctx.me.id, target_id=target.id, defaults={"notifications": _flag(row, 1, True)}
    )


async def _domain_blocking(ctx: _Context, row: list[str]) -> None:
    await user_domains.block(ctx.rt, ctx.user, row[0].strip())


async def _bookmarks(ctx: _Context, row: list[str]) -> None:
    uri = row[0].strip()
    if not uri.startswith(("https://", "http://")):
        raise Invalid("a bookmark is the address of a post", field="uri")
    status = await remote.fetch_status(ctx.rt, uri, remote.FetchBudget(1))
    await interactions.bookmark(ctx.me, status.id)


async def _lists(ctx: _Context, row: list[str]) -> None:
    if len(row) < 2 or not row[0].strip():
        raise Invalid("a list line is `list name,address`", field="address")
    title = row[0].strip()[:255]
    lst = ctx.lists.get(title)
    if lst is None:
        lst = await models.List.filter(owner_id=ctx.me.id, title=title).first()
        if lst is None:
            lst = await models.List.create(owner_id=ctx.me.id, title=title)
        ctx.lists[title] = lst
    member = await ctx.account(row[1])
    if member.id != ctx.me.id:
        await follows.follow(ctx.rt, ctx.me, member)  # Mastodon follows a list's members too
    if not await models.ListAccount.filter(list_id=lst.id, actor_id=member.id).exists():
        await lists.add(lst, [member.id])


_APPLY: dict[str, Callable[[_Context, list[str]], Awaitable[None]]] = {
    "following": _following,
    "blocking": _blocking,
    "muting": _muting,
    "domain_blocking": _domain_blocking,
    "bookmarks": _bookmarks,
    "lists": _lists,
}


# ---- overwrite: what the file does not list goes ----------------------------------------------


async def _overwrite(ctx: _Context, kind: str, rows: list[list[str]]) -> None:
    domain = ctx.rt.urls.domain
    me = ctx.me.id
    listed = {_normal_address(r[0]) for r in rows if r}

    def kept(actor: models.Actor) -> bool:
        return exports.handle(actor, domain).lower() in listed

    if kind == "following":
        for row in await models.Follow.filter(follower_id=me).prefetch_related("target"):
            if not kept(row.target):
                await follows.unfollow(ctx.rt, ctx.me, row.target)
    elif kind == "blocking":
        for block in await models.Block.filter(actor_id=me).prefetch_related("target"):
            if not kept(block.target):
                await blocks.unblock(ctx.rt, ctx.me, block.target)
    elif kind == "muting":
        for mute in await models.Mute.filter(actor_id=me):
            target = await models.Actor.get_or_none(id=mute.target_id)
            if target is None or not kept(target):
                await blocks.unmute(ctx.me, mute.target_id)
    elif kind == "domain_blocking":
        for blocked in await models.UserDomainBlock.filter(actor_id=me):
            if policy.normalise(blocked.domain) not in {policy.normalise(d) for d in listed}:
                await user_domains.unblock(ctx.user, blocked.domain)
    elif kind == "bookmarks":
        uris = {r[0].strip() for r in rows if r}
        for mark in await models.Bookmark.filter(actor_id=me):
            status = await models.Status.get_or_none(id=mark.status_id)
            if status is None or status.uri not in uris:
                await mark.delete()
    elif kind == "lists":
        wanted: dict[str, set[str]] = {}
        for r in rows:
            if len(r) >= 2:
                wanted.setdefault(r[0].strip(), set()).add(_normal_address(r[1]))
        for lst in await models.List.filter(owner_id=me, title__in=list(wanted)):
            members = await models.Actor.filter(list_memberships__list_id=lst.id)
            gone = [
                a.id for a in members if exports.handle(a, domain).lower() not in wanted[lst.title]
            ]
            if gone:
                await lists.remove(lst, gone)


# ---- the job ----------------------------------------------------------------------------------


async def run(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND: apply the file from where the last slice stopped."""
    imp = await models.DataImport.get_or_none(id=int(payload["id"]))
    if imp is None or imp.state in (TransferState.DONE, TransferState.FAILED):
        return
    user = await models.User.get_or_none(id=imp.user_id).prefetch_related("actor")
    if user is None or user.disabled:
        imp.state, imp.finished_at, imp.body = TransferState.FAILED, datetime.now(UTC), ""
        await imp.save(update_fields=["state", "finished_at", "body"])
        return
    ctx = _Context(rt, user)
    rows = rows_of(imp.body)
    if imp.state is TransferState.PENDING:
        imp.state = TransferState.RUNNING
        await imp.save(update_fields=["state"])
        if imp.mode == "overwrite":
            await _overwrite(ctx, imp.kind, rows)
    apply = _APPLY[imp.kind]
    errors = imp.errors.splitlines()
    deadline = time.monotonic() + SLICE_S
    while imp.processed < len(rows):
        for row in rows[imp.processed : imp.processed + BATCH]:
            line = imp.processed + 1
            imp.processed += 1
            try:
                await apply(ctx, row)
                imp.imported += 1
            except (FedihubError, ValueError, IndexError, httpx.HTTPError) as exc:
                imp.failed += 1
                if len(errors) < MAX_ERRORS:
                    reason = exc.public if isinstance(exc, FedihubError) else type(exc).__name__
                    errors.append(f"{line}: {','.join(row)[:200]} — {reason}"[:400])
        imp.errors = "\n".join(errors)
        await imp.save(update_fields=["processed", "imported", "failed", "errors"])
        if imp.processed < len(rows) and time.monotonic() > deadline:
            await jobs.enqueue(
                rt,
                KIND,
                {"id": imp.id, "from": imp.processed},
                dedupe_key=f"{KIND}:{imp.id}:{imp.processed}",
            )
            return
    imp.state, imp.finished_at, imp.body = TransferState.DONE, datetime.now(UTC), ""
    await imp.save(update_fields=["state", "finished_at", "body"])
    log.info(
        "import %s of user %s: %d imported, %d failed", imp.id, user.id, imp.imported, imp.failed
    )
