"""RFC 9421 signature bases: the component values of a request and the string they make.

Shared by signing and verifying so both sides build the base the same way. Derived components
supported: @method @target-uri @authority @scheme @request-target @path @query @query-param;
header fields by lower-case name. Imports nothing of fedihub but `errors` and `_sfv`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from fedihub.activitypub import _sfv
from fedihub.errors import BadSignature


@dataclass(frozen=True)
class Target:
    method: str
    scheme: str
    authority: str
    path_with_query: str

    def value(self, name: str, params: Mapping[str, _sfv.Bare], h: Mapping[str, str]) -> str:
        path, _, query = self.path_with_query.partition("?")
        if name == "@query-param":
            return _query_param(query, params)
        if params:
            raise BadSignature(f"unsupported parameters on component {name!r}")
        if name.startswith("@"):
            derived = {
                "@method": self.method,
                "@scheme": self.scheme,
                "@authority": self.authority,
                "@target-uri": f"{self.scheme}://{self.authority}{self.path_with_query}",
                "@request-target": self.path_with_query,
                "@path": path or "/",
                "@query": "?" + query,
            }
            if name not in derived:
                raise BadSignature(f"unsupported derived component {name!r}")
            return derived[name]
        if name not in h:
            raise BadSignature(f"signed header {name!r} is missing from the request")
        return h[name].strip()


def _query_param(query: str, params: Mapping[str, _sfv.Bare]) -> str:
    # Values are re-encoded as the RFC asks; quote() stands in for the WHATWG form encoder and
    # differs from it only on characters such as "*" that peers do not put in signed parameters.
    wanted = params.get("name")
    found = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == wanted]
    if len(found) != 1:
        raise BadSignature(f"signed query parameter {wanted!r} is missing or repeated")
    return quote(found[0], safe="")


def signature_base(
    target: Target,
    headers: Mapping[str, str],
    items: list[_sfv.Item],
    params: _sfv.Params,
) -> tuple[str, tuple[str, ...]]:
    """The signature base for these covered components and parameters, and the component names.

    `headers` must have lower-case names."""
    lines, names = [], []
    for name, component_params in items:
        if not isinstance(name, str):
            raise BadSignature("a covered component is not a string")
        name = name.lower()
        value = target.value(name, component_params, headers)
        lines.append(f"{_sfv.serialize_item(name, component_params)}: {value}")
        names.append(name)
    lines.append(f'"@signature-params": {_sfv.serialize_inner_list(items, params)}')
    return "\n".join(lines), tuple(names)
