"""Request parameters as Mastodon clients send them, and the API's small response helpers.

Clients send the same parameters as a query string, form data, multipart or JSON; `params()` reads
them all into one `Params`. Booleans follow Rails (Mastodon's ActiveModel::Type::Boolean),
arrays come as `id[]=` or repeated `id=`, and nested hashes as `source[privacy]=` or JSON objects.
"""

from __future__ import annotations

import builtins
import json
import re
from typing import Any

from quart import g, request
from werkzeug.datastructures import FileStorage

from fedihub.activitypub import parse
from fedihub.errors import Invalid, NotFound

_TRUE = {"1", "true", "t", "on", "yes"}
_FALSE = {"0", "false", "f", "off", "no", ""}
_INDEXED = re.compile(r"^(\w+)\[(\w*)\](?:\[(\w+)\])?$")
# ASCII digits only: str.isdigit() also passes '²' and '١٢', which int() then refuses or reads
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]{1,40}", re.ASCII)
MAX_ID = 2**63 - 1  # ids are signed 64-bit columns on both databases
# OFFSET makes the database step over every skipped row: 10,000 is 250 pages of 40 results
MAX_OFFSET = 10_000


def invalid(message: str, field: str | None = None) -> Invalid:
    """Mastodon's 422 wording: 'Validation failed: ...'."""
    return Invalid(f"Validation failed: {message}", field=field)


def not_found() -> NotFound:
    return NotFound("Record not found")


def digits(raw: Any) -> int | None:
    """The number written in ASCII digits, None for anything else (signs, spaces inside, other
    scripts' digits, more than 40 digits)."""
    text = str(raw).strip()
    if len(text) > 40 or not _DIGITS.fullmatch(text):
        return None
    return int(text)


def id_or_none(raw: Any) -> int | None:
    """An id a row can have (1 to MAX_ID), else None."""
    value = digits(raw)
    return value if value is not None and 0 < value <= MAX_ID else None


def parse_id(raw: Any) -> int:
    """An id from a path or parameter; anything not a positive 64-bit number is simply not found."""
    value = id_or_none(raw)
    if value is None:
        raise not_found()
    return value


def to_bool(value: Any, default: bool | None = None) -> bool | None:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


class Params:
    """Parameters merged from the query string, the form (or multipart) and a JSON body."""

    def __init__(self, values: dict[str, list[Any]], files: dict[str, FileStorage]) -> None:
        self._values = values
        self.files = files

    def has(self, name: builtins.str) -> builtins.bool:
        return name in self._values or f"{name}[]" in self._values

    def raw(self, name: builtins.str) -> Any:
        values = self._values.get(name)
        return values[-1] if values else None

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, dict | list):
            raise invalid(f"{name} must be a string", name)
        return str(value) if not isinstance(value, bool) else ("true" if value else "false")

    def bool(
        self, name: builtins.str, default: builtins.bool | None = None
    ) -> builtins.bool | None:
        return to_bool(self.raw(name), default)

    def int(
        self,
        name: builtins.str,
        default: builtins.int | None = None,
        *,
        low: builtins.int | None = None,
        high: builtins.int | None = None,
        clamp: builtins.bool = False,
    ) -> builtins.int | None:
        """A whole number within [low, high]; outside it a 422 naming the parameter, or with
        `clamp` the nearest bound (Mastodon clamps `limit` so, and clients count on it)."""
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = int(value)  # a JSON 20.0
        if isinstance(value, bool) or not _WHOLE.fullmatch(str(value).strip()):
            raise invalid(f"{name} must be a whole number", name)
        number = int(str(value).strip())
        if (low is not None and number < low) or (high is not None and number > high):
            if not clamp:
                raise invalid(f"{name} must be {_range(low, high)}", name)
            number = max(number, low) if low is not None else number
            number = min(number, high) if high is not None else number
        return number

    def offset(self, name: builtins.str = "offset") -> builtins.int:
        """Mastodon's `offset` paging: 0 to MAX_OFFSET."""
        return self.int(name, 0, low=0, high=MAX_OFFSET) or 0

    def list(self, name: builtins.str) -> builtins.list[Any]:
        """Values of `name[]` and `name` (a JSON array counts as several values)."""
        out: builtins.list[Any] = []
        for key in (f"{name}[]", name):
            for value in self._values.get(key, []):
                out.extend(value if isinstance(value, list) else [value])
        return out

    def hash(self, name: builtins.str) -> dict[builtins.str, Any]:
        """A nested hash: JSON `{"source": {...}}` or form keys `source[privacy]`."""
        value = self.raw(name)
        out: dict[builtins.str, Any] = dict(value) if isinstance(value, dict) else {}
        for key, values in self._values.items():
            match = _INDEXED.match(key)
            if match and match.group(1) == name and match.group(2) and match.group(3) is None:
                out[match.group(2)] = values[-1]
        return out

    def rows(self, name: builtins.str) -> builtins.list[dict[builtins.str, Any]] | None:
        """An array of hashes (JSON list or `{"0": {}}`, or form `name[0][key]`); None if absent."""
        value = self.raw(name)
        rows: dict[str, dict[builtins.str, Any]] = {}
        found = value is not None
        if isinstance(value, list):
            rows = {str(i): dict(v) for i, v in enumerate(value) if isinstance(v, dict)}
        elif isinstance(value, dict):
            rows = {str(k): dict(v) for k, v in value.items() if isinstance(v, dict)}
        for key, values in self._values.items():
            match = _INDEXED.match(key)
            if match and match.group(1) == name and match.group(3):
                found = True
                rows.setdefault(match.group(2), {})[match.group(3)] = values[-1]
        if not found:
            return None
        # numbered rows in their order ("2" before "10"), then named ones
        numbered = [k for k in rows if _DIGITS.fullmatch(k)]
        order = sorted(numbered, key=lambda k: (len(k.lstrip("0")), k.lstrip("0"))) + sorted(
            k for k in rows if not _DIGITS.fullmatch(k)
        )
        return [rows[k] for k in order]


def _range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _json_body(raw: str | bytes) -> Any:
    """A JSON body, or None when it is not one, as Quart's get_json(silent=True) answers; but
    NaN and Infinity, bytes that are not UTF-8 (which get_json let out as UnicodeDecodeError, a
    500 found by tests/fuzz) and nesting past the recursion limit are not one either."""
    try:
        return json.loads(raw, parse_constant=parse.not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


async def params() -> Params:
    """This request's parameters (read once and kept on `g`)."""
    cached: Params | None = getattr(g, "_api_params", None)
    if cached is not None:
        return cached
    values: dict[str, list[Any]] = {}
    for key, value in request.args.items(multi=True):
        values.setdefault(key, []).append(value)
    files: dict[str, FileStorage] = {}
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.is_json:
            body = _json_body(await request.get_data(cache=True))
            if body is not None and not isinstance(body, dict):
                raise invalid("the JSON body must be an object")
            for key, value in (body or {}).items():
                values[key] = [value]
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form
            for key, value in form.items(multi=True):
                values.setdefault(key, []).append(value)
            files = {key: storage for key, storage in (await request.files).items()}
    for key, found in values.items():
        # PostgreSQL's text columns refuse U+0000: every such write and lookup was a 500 there
        if parse.holds_nul(key) or parse.holds_nul(found):
            raise invalid(f"{key} contains a NUL character", key)
    result = Params(values, files)
    g._api_params = result
    return result
