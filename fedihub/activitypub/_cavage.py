"""draft-cavage-12 Signature headers: their parameters, and the signing string they cover.

Imports nothing of fedihub but `errors`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fedihub.errors import BadSignature

REQUEST_TARGET = "(request-target)"
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|(\d+))\s*(?:,|$)')


def parse_params(raw: str) -> dict[str, str]:
    """keyId="…",algorithm="…",headers="…",signature="…" (created/expires may be bare numbers)."""
    params: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        m = _PARAM.match(raw, pos)
        if m is None or m.end() == pos:
            raise BadSignature("malformed Signature header")
        name = m.group(1)
        if name in params:
            raise BadSignature(f"Signature header repeats {name}")
        params[name] = m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()
    for required in ("keyId", "signature"):
        if not params.get(required):
            raise BadSignature(f"Signature header has no {required}")
    return params


def int_param(params: Mapping[str, str], name: str) -> int | None:
    if name not in params:
        return None
    try:
        return int(params[name])
    except ValueError:
        raise BadSignature(f"Signature parameter {name} is not a number") from None


def signing_string(
    names: list[str],
    method: str,
    path: str,
    headers: Mapping[str, str],
    created: int | None,
    expires: int | None,
) -> tuple[str, str | None]:
    """The string the named headers cover, and the same without the query in (request-target)
    (None when that is no different). `headers` must have lower-case names."""
    lines, fallback = [], []
    for name in names:
        if name == REQUEST_TARGET:
            value = f"{method.lower()} {path}"
            fallback.append(f"{name}: {method.lower()} {path.partition('?')[0]}")
        elif name in ("(created)", "(expires)"):
            number = created if name == "(created)" else expires
            if number is None:
                raise BadSignature(f"{name} is signed but has no parameter")
            value = str(number)
        elif name in headers:
            value = headers[name].strip()
        else:
            raise BadSignature(f"signed header {name!r} is missing from the request")
        lines.append(f"{name}: {value}")
        if name != REQUEST_TARGET:
            fallback.append(lines[-1])
    return "\n".join(lines), ("\n".join(fallback) if fallback != lines else None)
