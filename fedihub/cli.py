"""The `fedihub` command: parse arguments, call services, print. Errors become one plain line."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from hypercorn.config import Config as HypercornConfig
from hypercorn.run import run

from fedihub import cli_moderation, config, db, doctor, logs, models, node
from fedihub.accounts import instance, key_rotation, node_settings, revocations, users
from fedihub.discovery import directory, peers
from fedihub.errors import ConfigError, FedihubError
from fedihub.jobs import admin
from fedihub.media import migrate
from fedihub.runtime import Runtime
from fedihub.security import keys


def _settings(args: argparse.Namespace, **extra: Any) -> config.Settings:
    overrides = {
        "data_dir": getattr(args, "data_dir", None),
        "database_url": getattr(args, "database", None),
        "config_file": getattr(args, "config", None),
        **extra,
    }
    return config.load(overrides=overrides)


def _require_domain(settings: config.Settings) -> None:
    if not settings.domain:
        raise ConfigError(
            "no domain is configured: run `fedihub init --domain DOMAIN` or set FEDIHUB_DOMAIN"
        )


async def _with_runtime(
    settings: config.Settings,
    body: Callable[[Runtime], Awaitable[int]],
    *,
    role: node.Role = node.Role.COMMAND,
    concurrency: int | None = None,
    bus: bool | None = None,
) -> int:
    _require_domain(settings)
    secrets = keys.load_node_secrets(settings.keys_dir)
    async with db.database(settings):
        pending = await db.pending_migrations(settings)
    if pending:
        raise ConfigError(f"the database needs {len(pending)} migration(s): run `fedihub migrate`")
    rt = node.build(settings, secrets)
    async with node.running(rt, role, concurrency=concurrency, bus=bus):
        return await body(rt)


# ---- init -------------------------------------------------------------------------------------


async def _init(args: argparse.Namespace) -> int:
    settings = _settings(args, domain=args.domain, scheme=args.scheme, keys_dir=args.keys_dir)
    _require_domain(settings)
    marker = settings.data_dir / "fedihub.toml"
    if (marker.exists() or keys.secrets_exist(settings.keys_dir)) and not args.force:
        raise ConfigError(
            "a node is already initialised here "
            f"({marker if marker.exists() else settings.keys_dir}); "
            "use --force to rewrite its configuration"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "media").mkdir(exist_ok=True)
    async with db.database(settings):
        applied = await db.migrate(settings)
        if keys.secrets_exist(settings.keys_dir):
            # regenerating would orphan every sealed private key in the database
            secrets = keys.load_node_secrets(settings.keys_dir)
            print(f"kept the existing secrets in {settings.keys_dir}")
        else:
            secrets = keys.create_node_secrets(settings.keys_dir)
            print(f"wrote the node's secrets to {settings.keys_dir} (mode 0600; back them up)")
        rt = node.build(settings, secrets)
        await instance.ensure_instance_actor(rt)
    values: dict[str, Any] = {"domain": settings.domain, "scheme": settings.scheme}
    if args.database:
        values["database_url"] = settings.database_url
    if args.keys_dir:
        values["keys_dir"] = str(Path(args.keys_dir).resolve())
    config.write_toml(marker, values)
    print(f"applied {len(applied)} migration(s)")
    print(
        f"initialised {settings.base_url} in {settings.data_dir} "
        f"(database: {_redact(settings.database_url)})"
    )
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


# ---- migrate ----------------------------------------------------------------------------------


async def _migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    async with db.database(settings):
        applied = await db.migrate(settings)
    if applied:
        for name in applied:
            print(f"applied {name}")
    else:
        print("the database is up to date")
    return 0


# ---- users ------------------------------------------------------------------------------------


async def _user_create(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        password = args.password or users.generate_password(args.username, args.email)
        user = await users.create(
            rt, args.username, args.email, password, admin=args.admin, allow_reserved=True
        )
        await user.fetch_related("actor")
        print(
            f"created {'admin ' if user.is_admin else ''}user {user.actor.username} <{user.email}>"
        )
        if not args.password:
            print(f"password (shown once): {password}")
        return 0

    return await _with_runtime(_settings(args), body)


async def _user_list(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        rows = await models.User.all().order_by("id").prefetch_related("actor")
        print(f"{'username':<30} {'email':<40} {'admin':<6} {'disabled':<8}")
        for user in rows:
            flags = ("yes" if user.is_admin else "no", "yes" if user.disabled else "no")
            print(f"{user.actor.username:<30} {user.email:<40} {flags[0]:<6} {flags[1]:<8}")
        print(f"{len(rows)} user(s)")
        return 0

    return await _with_runtime(_settings(args), body)


async def _user_disable(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        user = await users.set_disabled(args.username, not args.enable)
        if not args.enable:
            await revocations.account_disabled(rt, user.id)  # its open streams close
        print(f"{'enabled' if args.enable else 'disabled'} {args.username}")
        return 0

    # a bus, to tell the web processes' streams of this account to close
    return await _with_runtime(_settings(args), body, bus=True)


async def _user_rotate_key(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        user = await users.by_username(args.username)
        await key_rotation.rotate(rt, user)
        print(f"rotated the key of {args.username}; followers' servers get an Update")
        return 0

    return await _with_runtime(_settings(args), body)


async def _jobs_status(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        for line in await admin.describe():
            print(line)
        return 0

    return await _with_runtime(_settings(args), body)


async def _jobs_retry(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        count = await admin.retry_now(args.kind)
        print(f"{count} job(s) scheduled to run now")
        return 0

    return await _with_runtime(_settings(args), body)


async def _directory_sync(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        indexed = 0
        while batch := await directory.sync(rt):
            indexed += batch
            if batch < directory.SYNC_BATCH:
                break
        await directory.refresh_activity(rt)
        print(f"{indexed} account(s) indexed")
        for domain, outcome in (await peers.read_due(rt, everyone=True)).items():
            said = f"{outcome} entries read" if isinstance(outcome, int) else f"failed: {outcome}"
            print(f"{domain}: {said}")
        return 0

    return await _with_runtime(_settings(args), body)


async def _media_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.s3_bucket:
        raise ConfigError(
            "media migrate needs object storage configured (FEDIHUB_S3_BUCKET, FEDIHUB_S3_ENDPOINT)"
        )

    async def body(rt: Runtime) -> int:
        report = await migrate.run(
            rt, to_object_storage=args.to == "s3", delete_source=args.delete_source
        )
        print(
            f"copied {report.copied}, already there {report.skipped}, avatar/header URLs switched "
            f"{report.urls_switched}, source files deleted {report.deleted}"
        )
        for key in report.failures:
            print(f"failed: {key} (left where it was)")
        return 1 if report.failures else 0

    return await _with_runtime(settings, body)


async def _invite(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        invite = await users.create_invite(None, max_uses=args.uses)
        print(invite.code)
        return 0

    return await _with_runtime(_settings(args), body)


async def _setting(args: argparse.Namespace) -> int:
    async def body(rt: Runtime) -> int:
        if args.value is None:
            print(json.dumps(await node_settings.get(args.key)))
        else:
            try:
                value = json.loads(args.value)
            except ValueError:
                value = args.value
            await node_settings.set_value(args.key, value)
            print(f"{args.key} = {json.dumps(value)}")
        return 0

    return await _with_runtime(_settings(args), body)


# ---- serve, worker, doctor ------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _require_domain(settings)
    if settings.is_sqlite and args.workers > 1:
        raise ConfigError(
            "SQLite is served by one process: "
            "use PostgreSQL (FEDIHUB_DATABASE_URL) for --workers > 1"
        )
    keys.load_node_secrets(settings.keys_dir)  # fail here, plainly, not in every worker

    async def check() -> None:
        async with db.database(settings):
            pending = await db.pending_migrations(settings)
        if pending:
            raise ConfigError(
                f"the database needs {len(pending)} migration(s): run `fedihub migrate`"
            )

    asyncio.run(check())
    # worker processes read their settings from the environment, so pass the overrides on
    os.environ["FEDIHUB_DATA_DIR"] = str(settings.data_dir)
    os.environ["FEDIHUB_DATABASE_URL"] = settings.database_url
    if settings.config_file:
        os.environ["FEDIHUB_CONFIG"] = str(settings.config_file)
    hc = HypercornConfig()
    hc.application_path = "fedihub.asgi:create_from_environment()"
    hc.bind = [f"{args.host}:{args.port}"]
    hc.workers = 0 if args.workers == 1 else args.workers
    hc.accesslog = "-" if args.access_log else None
    hc.graceful_timeout = 10
    # the client must be the side that ends an idle kept-alive connection: when the server ends it
    # first (Hypercorn's 5 s, which is also httpx's idle expiry), a request sent at that moment
    # is lost with the connection (seen in the inbox benchmark: ~1 POST in 3,000). 75 s outlasts
    # httpx's 5 s and nginx's and HAProxy's usual upstream keep-alive of 60 s.
    hc.keep_alive_timeout = 75
    # a burst of peers connecting at once waits in the queue instead of being refused
    hc.backlog = 1024
    jobs_where = "in process" if settings.jobs_in_process else "in `fedihub worker`"
    print(
        f"serving {settings.base_url} on http://{args.host}:{args.port} "
        f"({args.workers} process(es); background jobs {jobs_where})",
        flush=True,
    )
    return run(hc)


async def _worker(args: argparse.Namespace) -> int:
    settings = _settings(args)
    logs.configure(settings)
    if settings.is_sqlite and settings.jobs_in_process:
        raise ConfigError(
            "on SQLite `fedihub serve` runs the background jobs itself, in one process; "
            "use PostgreSQL (FEDIHUB_DATABASE_URL) to run separate workers"
        )

    concurrency = args.concurrency or settings.worker_concurrency

    async def body(rt: Runtime) -> int:
        # the runner started with the worker role; this waits for SIGTERM or SIGINT, and leaving
        # lets running jobs finish for a grace period and hands the rest back
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print(f"worker {rt.worker_name} running with concurrency {concurrency}", flush=True)
        await stop.wait()
        return 0

    return await _with_runtime(settings, body, role=node.Role.WORKER, concurrency=concurrency)


async def _doctor(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"problem  configuration: {exc.public}")
        return 1
    report = await doctor.examine(settings)
    for line in report.lines:
        print(line)
    print("all checks passed" if report.ok else f"{report.problems} problem(s) found")
    return 0 if report.ok else 1


# ---- parser -----------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="node data directory (FEDIHUB_DATA_DIR; default ./data)")
    parser.add_argument("--database", help="database URL (FEDIHUB_DATABASE_URL)")
    parser.add_argument("--config", help="TOML configuration file (FEDIHUB_CONFIG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fedihub", description="fedihub node administration")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the data directory, database schema and keys")
    _common(p)
    p.add_argument(
        "--domain", required=True, help="the node's public host name, e.g. social.example.edu"
    )
    p.add_argument(
        "--scheme", choices=["https", "http"], help="https (default) or http for local work"
    )
    p.add_argument("--keys-dir", help="where to write the node's secrets (default ./keys)")
    p.add_argument(
        "--force", action="store_true", help="rewrite the configuration of an initialised node"
    )
    p.set_defaults(run=_init)

    p = sub.add_parser("serve", help="serve the node over HTTP with Hypercorn")
    _common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="web processes (PostgreSQL only for > 1)")
    p.add_argument("--access-log", action="store_true", help="log every request to stdout")
    p.set_defaults(run=_serve, sync=True)

    p = sub.add_parser("worker", help="run background jobs (deliveries, inbox processing)")
    _common(p)
    p.add_argument("--concurrency", type=int, help="jobs run at once (default: worker_concurrency)")
    p.set_defaults(run=_worker)

    p = sub.add_parser("migrate", help="apply database migrations (idempotent)")
    _common(p)
    p.set_defaults(run=_migrate)

    p = sub.add_parser("doctor", help="check configuration, database, keys and migrations")
    _common(p)
    p.set_defaults(run=_doctor)

    user = sub.add_parser("user", help="manage local users").add_subparsers(
        dest="user_command", required=True
    )
    p = user.add_parser("create", help="create a local user")
    _common(p)
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="default: generate one and print it once")
    p.add_argument("--admin", action="store_true")
    p.set_defaults(run=_user_create)
    p = user.add_parser("list", help="list local users")
    _common(p)
    p.set_defaults(run=_user_list)
    p = user.add_parser("disable", help="disable a user (they can no longer sign in)")
    _common(p)
    p.add_argument("username")
    p.add_argument("--enable", action="store_true", help="enable the user again instead")
    p.set_defaults(run=_user_disable)

    p = user.add_parser(
        "rotate-key", help="give a user a new key pair and tell their followers' servers"
    )
    _common(p)
    p.add_argument("username")
    p.set_defaults(run=_user_rotate_key)
    cli_moderation.add_role_parser(user, _common, _runtime_for)

    job = sub.add_parser("jobs", help="inspect and nudge background jobs").add_subparsers(
        dest="jobs_command", required=True
    )
    p = job.add_parser("status", help="jobs by kind and state, and failing hosts")
    _common(p)
    p.set_defaults(run=_jobs_status)
    p = job.add_parser("retry", help="run waiting retries now (after a peer's outage ends)")
    _common(p)
    p.add_argument("--kind", help="only jobs of this kind (deliver, inbox...)")
    p.set_defaults(run=_jobs_retry)

    media = sub.add_parser("media", help="stored media").add_subparsers(
        dest="media_command", required=True
    )
    p = media.add_parser("migrate", help="copy stored media between local disk and object storage")
    _common(p)
    p.add_argument("--to", choices=["s3", "disk"], required=True)
    p.add_argument(
        "--delete-source", action="store_true", help="delete the originals once all are copied"
    )
    p.set_defaults(run=_media_migrate)

    p = sub.add_parser(
        "directory", help="index the expertise directory and read fedihub peers' directories now"
    )
    _common(p)
    p.add_argument("action", choices=["sync"])
    p.set_defaults(run=_directory_sync)

    p = sub.add_parser("invite", help="create an invitation code for registration")
    _common(p)
    p.add_argument("--uses", type=int, default=1, help="how many registrations it allows")
    p.set_defaults(run=_invite)

    p = sub.add_parser(
        "setting", help="read or change a run-time setting (registration_mode, authorized_fetch...)"
    )
    _common(p)
    p.add_argument("key")
    p.add_argument("value", nargs="?", help="new value (JSON or plain text); omit to read")
    p.set_defaults(run=_setting)

    cli_moderation.add_parser(sub, _common, _runtime_for)
    return parser


async def _runtime_for(args: argparse.Namespace, body: Callable[[Runtime], Awaitable[int]]) -> int:
    return await _with_runtime(_settings(args), body)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "sync", False):
            return int(args.run(args))
        coro: Coroutine[Any, Any, int] = args.run(args)
        return asyncio.run(coro)
    except FedihubError as exc:
        print(f"fedihub: {exc.public}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
