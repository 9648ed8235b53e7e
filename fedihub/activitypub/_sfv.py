"""The slice of RFC 8941 structured fields that RFC 9421 signatures and Content-Digest need.

Dictionaries whose members are items or inner lists, with parameters; bare items are integers,
decimals, strings, tokens, byte sequences and booleans. Parsing raises ValueError; callers turn
that into their own error. Serialisation is the canonical form the signature base requires.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TypeAlias

Bare: TypeAlias = int | float | str | bytes | bool
Params: TypeAlias = dict[str, Bare]
Item: TypeAlias = tuple[Bare, Params]
Member: TypeAlias = tuple[Bare | list[Item], Params]

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_NUMBER = re.compile(r"-?\d{1,15}(\.\d{1,3})?")
_BYTES = re.compile(r":([A-Za-z0-9+/=]*):")


class _Reader:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def skip(self, chars: str = " ") -> None:
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def key(self) -> str:
        m = _KEY.match(self.s, self.i)
        if m is None:
            raise ValueError(f"expected a key at {self.i}")
        self.i = m.end()
        return m.group()

    def bare(self) -> Bare:
        c = self.peek()
        if c == '"':
            out, self.i = [], self.i + 1
            while self.i < len(self.s):
                ch = self.s[self.i]
                self.i += 1
                if ch == "\\":
                    if self.peek() not in ('"', "\\"):
                        raise ValueError("bad escape in string")
                    out.append(self.s[self.i])
                    self.i += 1
                elif ch == '"':
                    return "".join(out)
                elif not " " <= ch <= "~":
                    raise ValueError("bad character in string")
                else:
                    out.append(ch)
            raise ValueError("unterminated string")
        if c == ":":
            m = _BYTES.match(self.s, self.i)
            if m is None:
                raise ValueError("bad byte sequence")
            self.i = m.end()
            try:
                return base64.b64decode(m.group(1), validate=True)
            except binascii.Error:
                raise ValueError("bad base64 in byte sequence") from None
        if c == "?":
            value = self.s[self.i + 1 : self.i + 2]
            if value not in ("0", "1"):
                raise ValueError("bad boolean")
            self.i += 2
            return value == "1"
        m = _NUMBER.match(self.s, self.i)
        if m is not None:
            self.i = m.end()
            return float(m.group()) if m.group(1) else int(m.group())
        m = _TOKEN.match(self.s, self.i)
        if m is not None:
            self.i = m.end()
            return m.group()
        raise ValueError(f"unexpected {c!r} at {self.i}")

    def params(self) -> Params:
        out: Params = {}
        while self.peek() == ";":
            self.i += 1
            self.skip()
            name = self.key()
            if self.peek() == "=":
                self.i += 1
                out[name] = self.bare()
            else:
                out[name] = True
        return out

    def inner_list(self) -> list[Item]:
        self.i += 1  # "("
        items: list[Item] = []
        while True:
            self.skip()
            if self.peek() == ")":
                self.i += 1
                return items
            value = self.bare()
            items.append((value, self.params()))
            if self.peek() not in (" ", ")"):
                raise ValueError("inner list items must be separated by spaces")


def parse_dictionary(text: str) -> dict[str, Member]:
    r = _Reader(text)
    out: dict[str, Member] = {}
    r.skip()
    while r.i < len(r.s):
        name = r.key()
        value: Bare | list[Item]
        if r.peek() == "=":
            r.i += 1
            value = r.inner_list() if r.peek() == "(" else r.bare()
        else:
            value = True
        out[name] = (value, r.params())
        r.skip(" \t")
        if r.i >= len(r.s):
            break
        if r.peek() != ",":
            raise ValueError(f"expected ',' at {r.i}")
        r.i += 1
        r.skip(" \t")
        if r.i >= len(r.s):
            raise ValueError("trailing comma")
    return out


def serialize_bare(value: Bare) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_params(params: Params) -> str:
    return "".join(f";{k}" if v is True else f";{k}={serialize_bare(v)}" for k, v in params.items())


def serialize_item(value: Bare, params: Params) -> str:
    return serialize_bare(value) + serialize_params(params)


def serialize_inner_list(items: list[Item], params: Params) -> str:
    return "(" + " ".join(serialize_item(v, p) for v, p in items) + ")" + serialize_params(params)
