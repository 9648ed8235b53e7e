"""`fedihub domain ...`: the node's policy towards other servers from the command line.

fedihub domain block DOMAIN [--severity suspend|silence|noop] [--reject-media] [--reject-reports]
                            [--public-comment TEXT] [--private-comment TEXT] [--obfuscate]
fedihub domain silence DOMAIN [...]        # block --severity silence
fedihub domain unblock DOMAIN
fedihub domain allow DOMAIN [--remove]     # the allowlist (allowlist mode: `fedihub setting
                                           # allowlist_mode true`)
fedihub domain list
fedihub domain import FILE                 # Mastodon's CSV, or one domain a line ('-': stdin)
fedihub domain export [FILE]               # Mastodon's CSV (default: stdout)
    fedihub user role NAME moderator|none      # give or take the moderator role
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fedihub import models
from fedihub.accounts import users
from fedihub.models import Severity, StaffRole
from fedihub.moderation import audit, domains, staff
from fedihub.runtime import Runtime

Runner = Callable[[argparse.Namespace, Callable[[Runtime], Awaitable[int]]], Awaitable[int]]


def _spec(args: argparse.Namespace, severity: Severity) -> domains.BlockSpec:
    return domains.BlockSpec(
        severity=severity,
        reject_media=args.reject_media,
        reject_reports=args.reject_reports,
        private_comment=args.private_comment or "",
        public_comment=args.public_comment or "",
        obfuscate=args.obfuscate,
    )


def _commands(with_runtime: Runner) -> dict[str, Callable[[argparse.Namespace], Awaitable[int]]]:
    async def block(args: argparse.Namespace) -> int:
        severity = Severity(getattr(args, "severity", None) or Severity.SUSPEND)
        if args.domain_command == "silence":
            severity = Severity.SILENCE

        async def body(rt: Runtime) -> int:
            row = await domains.block(rt, args.domain, _spec(args, severity))
            await audit.record(None, "create", "DomainBlock", row.domain, detail=row.severity.value)
            print(f"{row.domain}: {row.severity.value}")
            return 0

        return await with_runtime(args, body)

    async def unblock(args: argparse.Namespace) -> int:
        async def body(rt: Runtime) -> int:
            row = await domains.unblock(args.domain)
            await audit.record(None, "destroy", "DomainBlock", row.domain)
            print(f"{row.domain}: unblocked")
            return 0

        return await with_runtime(args, body)

    async def allow(args: argparse.Namespace) -> int:
        async def body(rt: Runtime) -> int:
            if args.remove:
                row = await domains.disallow(args.domain)
                await audit.record(None, "destroy", "DomainAllow", row.domain)
                print(f"{row.domain}: no longer on the allowlist")
            else:
                row = await domains.allow(rt, args.domain)
                await audit.record(None, "create", "DomainAllow", row.domain)
                print(f"{row.domain}: on the allowlist")
            return 0

        return await with_runtime(args, body)

    async def listing(args: argparse.Namespace) -> int:
        async def body(rt: Runtime) -> int:
            for blocked in await models.DomainBlock.all().order_by("domain"):
                media = " reject-media" if blocked.reject_media else ""
                print(
                    f"{blocked.domain}\t{blocked.severity.value}{media}\t{blocked.public_comment}"
                )
            for allowed in await models.DomainAllow.all().order_by("domain"):
                print(f"{allowed.domain}\tallowed")
            return 0

        return await with_runtime(args, body)

    async def import_(args: argparse.Namespace) -> int:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")

        async def body(rt: Runtime) -> int:
            result = await domains.import_csv(rt, text)
            await audit.record(
                None, "import", "DomainBlock", args.file, detail=f"{result.imported} imported"
            )
            print(f"imported {result.imported} domain block(s)")
            for number, why in result.skipped:
                print(f"line {number} skipped: {why}", file=sys.stderr)
            return 1 if result.skipped else 0

        return await with_runtime(args, body)

    async def export(args: argparse.Namespace) -> int:
        async def body(rt: Runtime) -> int:
            text = await domains.export_csv()
            await audit.record(None, "export", "DomainBlock", args.file or "-")
            if args.file:
                Path(args.file).write_text(text, "utf-8")
            else:
                sys.stdout.write(text)
            return 0

        return await with_runtime(args, body)

    return {
        "block": block,
        "silence": block,
        "unblock": unblock,
        "allow": allow,
        "list": listing,
        "import": import_,
        "export": export,
    }


def add_role_parser(
    user: Any, common: Callable[[argparse.ArgumentParser], None], with_runtime: Runner
) -> None:
    """`fedihub user role NAME moderator|none`: give or take the moderator role."""

    async def role(args: argparse.Namespace) -> int:
        async def body(rt: Runtime) -> int:
            account = await users.by_username(args.username)
            await staff.set_role(account, StaffRole(args.role if args.role != "none" else ""))
            await audit.record(
                None, "change_role", "Account", account.username_key, detail=args.role
            )
            print(f"{args.username}: {args.role}")
            return 0

        return await with_runtime(args, body)

    p = user.add_parser("role", help="give a user the moderator role, or take it (none)")
    common(p)
    p.add_argument("username")
    p.add_argument("role", choices=["moderator", "none"])
    p.set_defaults(run=role)


def add_parser(
    sub: Any, common: Callable[[argparse.ArgumentParser], None], with_runtime: Runner
) -> None:
    """Add `domain` and its subcommands to the `fedihub` parser."""
    run = _commands(with_runtime)
    domain = sub.add_parser("domain", help="block, silence or allow other servers").add_subparsers(
        dest="domain_command", required=True
    )
    for name, text in (
        ("block", "refuse a server (suspend: nothing in or out, what is stored dropped)"),
        ("silence", "limit a server: its posts reach only its accounts' followers"),
    ):
        p = domain.add_parser(name, help=text)
        common(p)
        p.add_argument("domain")
        if name == "block":
            p.add_argument("--severity", choices=[s.value for s in Severity], default="suspend")
        p.add_argument("--reject-media", action="store_true", help="do not copy its media files")
        p.add_argument("--reject-reports", action="store_true", help="ignore its reports")
        p.add_argument("--public-comment", help="the reason shown with the public list")
        p.add_argument("--private-comment", help="a note for moderators")
        p.add_argument("--obfuscate", action="store_true", help="star the name in the public list")
        p.set_defaults(run=run[name])
    p = domain.add_parser("unblock", help="lift a server's block")
    common(p)
    p.add_argument("domain")
    p.set_defaults(run=run["unblock"])
    p = domain.add_parser("allow", help="put a server on the allowlist (allowlist mode)")
    common(p)
    p.add_argument("domain")
    p.add_argument("--remove", action="store_true", help="take it off the allowlist instead")
    p.set_defaults(run=run["allow"])
    p = domain.add_parser("list", help="blocked and allowed servers")
    common(p)
    p.set_defaults(run=run["list"])
    p = domain.add_parser("import", help="import a blocklist (Mastodon's CSV, or a domain a line)")
    common(p)
    p.add_argument("file", help="the file, or - for standard input")
    p.set_defaults(run=run["import"])
    p = domain.add_parser("export", help="export the blocklist in Mastodon's CSV format")
    common(p)
    p.add_argument("file", nargs="?", help="default: standard output")
    p.set_defaults(run=run["export"])
