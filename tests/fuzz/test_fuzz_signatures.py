"""HTTP signature and digest headers under random and mutated input: draft-cavage `Signature`
(and `Authorization: Signature`), RFC 9421 `Signature-Input`/`Signature`, the structured-field
parser under them, `Date`, and `Digest`/`Content-Digest`. Each step of the check either passes
or raises BadSignature (StaleSignature is one), and a mutated request that still verifies
covers exactly what the original covered."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from fuzzkit import header_text, mutated_bytes
from hypothesis import given
from hypothesis import strategies as st

from fedihub.activitypub import _sfv, digests, signatures
from fedihub.errors import BadSignature
from fedihub.security import keys

KEY = keys.generate_private_key()
PUBLIC = keys.public_pem(KEY)
KEY_ID = "https://a.example/users/alice#main-key"
INBOX = "https://b.example/users/bob/inbox"
BODY = b'{"type": "Create", "actor": "https://a.example/users/alice"}'
HEADER_NAMES = st.sampled_from(
    "Signature Signature-Input Authorization Date Host Digest Content-Digest Content-Type "
    "Accept".split()
)


def _signed(scheme: str, method: str) -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json", "Host": "b.example"}
    sign: Callable[..., dict[str, str]] = (
        signatures.sign_cavage if scheme == "cavage" else signatures.sign_rfc9421
    )
    headers.update(sign(method, INBOX, headers, BODY if method == "POST" else None, KEY_ID, KEY))
    return headers


ORIGINALS = {
    (scheme, method): _signed(scheme, method)
    for scheme in ("cavage", "rfc9421")
    for method in ("GET", "POST")
}


def _check(method: str, path: str, headers: dict[str, str], body: bytes) -> set[str] | None:
    """The bases the request's signature may cover (with and without the query, as Mastodon
    before 4.3 signed) when every check passes, else None; only BadSignature may be raised."""
    try:
        signed = signatures.parse(method, path, headers)
        signatures.require_components(signed, for_post=method == "POST")
        signatures.check_date(headers, time.time(), signed=signed)
        if method == "POST":
            required = signatures.covered_digests(signed)
            signatures.check_digest(headers, body, required=required)
        signatures.verify(signed, PUBLIC)
    except BadSignature:
        return None
    return {signed.base, signed.fallback_base or signed.base}


@st.composite
def _mutated_request(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    scheme, method = draw(st.sampled_from(sorted(ORIGINALS)))
    headers = dict(ORIGINALS[(scheme, method)])
    body = BODY
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.integers(0, 4))
        name = draw(st.sampled_from(sorted(headers)))
        if how == 0:
            value = headers[name].encode("latin-1")
            headers[name] = draw(mutated_bytes(value)).decode("latin-1")
        elif how == 1:
            headers[name] = draw(header_text())
        elif how == 2:
            del headers[name]
            if not headers:
                break
        elif how == 3:
            headers[draw(HEADER_NAMES)] = draw(header_text())
        else:
            body = draw(mutated_bytes(BODY))
    path = draw(st.sampled_from(["/users/bob/inbox", "/users/bob/inbox?x=1", "/", "/inbox"]))
    return method, path, headers, body


@given(_mutated_request())
def test_mutated_signed_requests_verify_only_unchanged(
    request: tuple[str, str, dict[str, str], bytes],
) -> None:
    method, path, headers, body = request
    bases = _check(method, path, headers, body)
    if bases is None:
        return
    scheme = "rfc9421" if "Signature-Input" in headers else "cavage"
    original = _check(method, "/users/bob/inbox", ORIGINALS[(scheme, method)], BODY)
    assert original is not None and original & bases
    if method == "POST":
        assert body == BODY


@given(
    st.sampled_from(["GET", "POST", "get", "", "DELETE"]),
    st.text(max_size=30),
    st.dictionaries(HEADER_NAMES, header_text(), max_size=6),
    st.binary(max_size=40),
)
def test_random_signature_headers_raise_bad_signature_only(
    method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    assert _check(method, path, headers, body) is None


_SFV_ALPHABET = st.sampled_from(list('sig1=();:"\\ ,?*-.0123456789abcdefABC+/@') + ["keyid", "alg"])


@given(st.lists(_SFV_ALPHABET, max_size=40).map("".join) | header_text())
def test_structured_field_dictionaries_parse_or_raise_value_error(text: str) -> None:
    try:
        parsed = _sfv.parse_dictionary(text)
    except ValueError:
        return
    for value, params in parsed.values():
        if isinstance(value, list):
            _sfv.serialize_inner_list(value, params)
        else:
            _sfv.serialize_item(value, params)


@given(
    st.lists(_SFV_ALPHABET, max_size=40).map("".join),
    st.lists(_SFV_ALPHABET, max_size=40).map("".join),
)
def test_random_rfc9421_fields_raise_bad_signature_only(inputs: str, signature: str) -> None:
    headers = {"Signature-Input": "sig1=" + inputs, "Signature": "sig1=" + signature}
    headers["Host"] = "b.example"
    assert _check("POST", "/users/bob/inbox", headers, BODY) is None


@given(
    st.lists(
        st.sampled_from(list('keyId=",algorithm headers signature created 0123 ')), max_size=60
    ).map("".join)
)
def test_random_cavage_parameters_raise_bad_signature_only(raw: str) -> None:
    for headers in ({"Signature": raw}, {"Authorization": "Signature " + raw}):
        assert _check("GET", "/", {**headers, "Host": "b.example"}, b"") is None


@given(header_text(60))
def test_random_dates_raise_bad_signature_only(date: str) -> None:
    try:
        signatures.check_date({"Date": date}, time.time())
    except BadSignature:
        pass


GOOD_DIGESTS = {
    "Digest": digests.digest_header(BODY),
    "Content-Digest": digests.content_digest_header(BODY),
}


@given(
    st.dictionaries(
        st.sampled_from(["Digest", "Content-Digest", "digest"]), header_text(), max_size=2
    ),
    st.binary(max_size=40),
)
def test_random_digest_headers_raise_bad_signature_only(
    headers: dict[str, str], body: bytes
) -> None:
    try:
        digests.check_digest(headers, body)
    except BadSignature:
        return
    # one that passes holds this body's own SHA-256 or SHA-512
    assert any(
        encoded.decode("ascii", "replace") in " ".join(headers.values())
        for encoded in _b64_digests(body)
    )


def _b64_digests(body: bytes) -> list[bytes]:
    import base64

    return [base64.b64encode(hashlib.new(alg, body).digest()) for alg in ("sha256", "sha512")]


@given(
    st.sampled_from(sorted(GOOD_DIGESTS)).flatmap(
        lambda name: st.tuples(st.just(name), mutated_bytes(GOOD_DIGESTS[name].encode()))
    )
)
def test_mutated_digest_headers_match_only_the_body(named: tuple[str, bytes]) -> None:
    name, value = named
    headers = {name: value.decode("latin-1")}
    try:
        digests.check_digest(headers, BODY)
    except BadSignature:
        return
    assert any(encoded.decode() in headers[name] for encoded in _b64_digests(BODY))
