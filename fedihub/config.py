"""Settings: read once at start from FEDIHUB_* environment variables and an optional TOML file.

This is the only module that reads the environment. Precedence, highest first: explicit overrides
(command-line options), environment variables, the TOML file, defaults. The TOML file is
`$FEDIHUB_CONFIG` if set, else `<data_dir>/fedihub.toml` (which `fedihub init` writes). A bad value
raises ConfigError with one plain sentence naming the setting. Options that an admin changes while
the node runs (registration mode, authorized fetch) live in the database, not here.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fedihub.errors import ConfigError

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
    r"(:[0-9]{1,5})?$"
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    domain: str = ""
    scheme: str = "https"
    database_url: str = ""
    data_dir: Path = Path("data")
    keys_dir: Path = Path("keys")
    allow_private_networks: bool = False
    # pool and worker sizes: defaults suit a 2-core machine
    db_pool_size: int = 10
    worker_concurrency: int = 8
    # how long a claimed job is reserved for its worker before another may take it over
    job_lease_seconds: int = 120
    http_max_connections: int = 100
    http_max_per_host: int = 4
    http_timeout: float = 10.0
    # bounds on untrusted input
    max_inbox_body: int = 1_000_000
    max_json_depth: int = 32
    max_media_bytes: int = 16 * 1024 * 1024  # uploads, and images copied from peers
    # an image uploaded through /api/v2/media with more pixels than this gets its preview and
    # blurhash from a job (202, then 200), as Mastodon does for slow files; smaller ones at once.
    # 2048x2048: such a PNG costs ~0.2 s of CPU, a 12-MP JPEG ~0.07 s (benchmarks/bench_media.py)
    media_inline_pixels: int = 4_194_304
    # remote media cache: video and audio copied from peers (Mastodon's VIDEO_LIMIT was 40 MB), and
    # how many days a copy is kept before the attachment falls back to its remote URL (0: forever)
    remote_media_max_bytes: int = 40 * 1024 * 1024
    media_cache_retention_days: int = 7
    # background work inside `serve` (the SQLite default: one process does everything)
    run_jobs_in_process: bool | None = None
    # S3-compatible object storage for media (empty bucket: local disk under data_dir/media)
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_path_style: bool = True
    s3_public_url: str = ""
    s3_signed_urls: bool = False
    # a Redis server shared by every process (rate limits; later the event bus); empty: none
    redis_url: str = ""
    # reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or CIDR
    # ranges); requests from anyone else are taken at their own address, so clients cannot pick
    # the address that rate limits and sign-in throttling count against
    trusted_proxies: str = "127.0.0.0/8,::1/128"
    # who may read /metrics (comma-separated addresses or CIDR ranges, matched against the client
    # address after trusted proxies): the figures name peers and queue depths, and each scrape
    # reads the jobs table
    metrics_allow: str = "127.0.0.0/8,::1/128"
    # project meetings' rooms, on a video engine the admin runs or trusts (never one of ours):
    # a Jitsi Meet base URL (rooms get unguessable names), or BigBlueButton's API URL with its
    # shared secret (https://bbb.example.org/bigbluebutton/); none: meetings have no room
    jitsi_url: str = ""
    bbb_url: str = ""
    bbb_secret: str = ""
    log_level: str = "INFO"
    log_json: bool = False
    config_file: Path | None = None

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def jobs_in_process(self) -> bool:
        if self.run_jobs_in_process is not None:
            return self.run_jobs_in_process
        return self.is_sqlite

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


_INT_FIELDS = {f.name for f in fields(Settings) if f.type in ("int",)}
_FLOAT_FIELDS = {f.name for f in fields(Settings) if f.type in ("float",)}
_BOOL_FIELDS = {f.name for f in fields(Settings) if f.type in ("bool", "bool | None")}
_PATH_FIELDS = {"data_dir", "keys_dir", "config_file"}
# media_cache_retention_days 0 turns the clean-up off; media_inline_pixels 0 defers every v2 image
_ZERO_ALLOWED = {"media_cache_retention_days", "media_inline_pixels"}


def _cast(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, not {value!r}", field=name)
    if name in _INT_FIELDS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number, not {value!r}", field=name) from None
        least = 0 if name in _ZERO_ALLOWED else 1
        if number < least:
            raise ConfigError(f"{name} must be at least {least}, not {number}", field=name)
        return number
    if name in _FLOAT_FIELDS:
        try:
            real = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, not {value!r}", field=name) from None
        if real <= 0:
            raise ConfigError(f"{name} must be positive, not {real}", field=name)
        return real
    if name in _PATH_FIELDS:
        return Path(str(value)).expanduser()
    return str(value)


def normalise_database_url(url: str, data_dir: Path) -> str:
    """Accept sqlite:///abs, sqlite://rel, postgres://, postgresql://; refuse anything else."""
    url = url.strip()
    if not url:
        return f"sqlite://{(data_dir / 'fedihub.sqlite3').as_posix()}"
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = url[len("sqlite://") :]
        if not path or path == "/":
            raise ConfigError(
                "database_url: a sqlite URL needs a file path, e.g. sqlite:///var/fedihub.db"
            )
        return url
    if parts.scheme in ("postgres", "postgresql", "postgresql+asyncpg", "asyncpg"):
        if not parts.hostname and not parts.path.strip("/"):
            raise ConfigError(
                f"database_url: {url!r} names no host or database", field="database_url"
            )
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise ConfigError(
                f"database_url: {url!r} has a malformed port", field="database_url"
            ) from None
        return "postgres://" + url.split("://", 1)[1]
    raise ConfigError(
        f"database_url: {url!r} is not a sqlite:// or postgres:// URL", field="database_url"
    )


def proxy_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A list of addresses or CIDR ranges (trusted_proxies, metrics_allow) as networks; raises
    ValueError naming a malformed entry."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR range") from None
    return tuple(networks)


def validate(settings: Settings) -> Settings:
    """Check every value; fill the database URL default. Raises ConfigError."""
    if settings.scheme not in ("http", "https"):
        raise ConfigError(f"scheme must be https or http, not {settings.scheme!r}", field="scheme")
    domain = settings.domain.strip().lower()
    if domain and not _DOMAIN_RE.match(domain):
        raise ConfigError(
            f"domain {settings.domain!r} is not a host name (example: social.example.edu)",
            field="domain",
        )
    if settings.s3_bucket and not settings.s3_endpoint.startswith(("https://", "http://")):
        raise ConfigError(
            "s3_endpoint must be an http(s) URL when s3_bucket is set", field="s3_endpoint"
        )
    if settings.redis_url and not settings.redis_url.startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise ConfigError(
            f"redis_url {settings.redis_url!r} is not a redis:// URL", field="redis_url"
        )
    try:
        proxy_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise ConfigError(f"trusted_proxies: {exc}", field="trusted_proxies") from None
    try:
        proxy_networks(settings.metrics_allow)
    except ValueError as exc:
        raise ConfigError(f"metrics_allow: {exc}", field="metrics_allow") from None
    for name in ("jitsi_url", "bbb_url"):
        value = getattr(settings, name)
        if value and not (value.startswith(("https://", "http://")) and urlsplit(value).hostname):
            raise ConfigError(f"{name} must be an http(s) URL, not {value!r}", field=name)
    if bool(settings.bbb_url) != bool(settings.bbb_secret):
        raise ConfigError("bbb_url and bbb_secret are set together", field="bbb_secret")
    if settings.jitsi_url and settings.bbb_url:
        raise ConfigError("set jitsi_url or bbb_url, not both", field="jitsi_url")
    if settings.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"log_level {settings.log_level!r} is not DEBUG, INFO, WARNING or ERROR")
    return replace(
        settings,
        domain=domain,
        log_level=settings.log_level.upper(),
        database_url=normalise_database_url(settings.database_url, settings.data_dir),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"configuration file {path} cannot be read: {exc.strerror}") from None
    section = data.get("fedihub", data)
    if not isinstance(section, dict):
        raise ConfigError(f"configuration file {path}: [fedihub] must be a table")
    return section


def load(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from the environment, the TOML file and overrides, validated."""
    env = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)}
    from_env = {
        key[len("FEDIHUB_") :].lower(): value
        for key, value in env.items()
        if key.startswith("FEDIHUB_") and key[len("FEDIHUB_") :].lower() in known
    }
    # CONFIG is the file's own name, spelled FEDIHUB_CONFIG
    if "FEDIHUB_CONFIG" in env:
        from_env["config_file"] = env["FEDIHUB_CONFIG"]
    given = {k: v for k, v in (overrides or {}).items() if v is not None}

    data_dir = _cast("data_dir", given.get("data_dir", from_env.get("data_dir", "data")))
    file_value = given.get("config_file", from_env.get("config_file"))
    config_file = Path(str(file_value)).expanduser() if file_value else data_dir / "fedihub.toml"
    from_file: dict[str, Any] = {}
    if config_file.exists():
        from_file = _read_toml(config_file)
        unknown = sorted(set(from_file) - known)
        if unknown:
            raise ConfigError(f"configuration file {config_file}: unknown setting {unknown[0]!r}")
    elif file_value:
        raise ConfigError(f"configuration file {config_file} does not exist")

    merged: dict[str, Any] = {**from_file, **from_env, **given}
    merged["data_dir"] = data_dir
    merged["config_file"] = config_file if config_file.exists() else None
    values = {name: _cast(name, merged[name]) for name in known if name in merged}
    return validate(Settings(**values))


def write_toml(path: Path, values: Mapping[str, Any]) -> None:
    """Write a minimal [fedihub] TOML file (strings, booleans and numbers only)."""
    lines = [
        "# written by `fedihub init`; environment variables FEDIHUB_* override it",
        "[fedihub]",
    ]
    for key, value in values.items():
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int | float):
            rendered = str(value)
        else:
            rendered = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"{key} = {rendered}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
