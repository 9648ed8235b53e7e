"""HTTP signature throughput: signs/s and verifies/s for draft-cavage and RFC 9421, and what
parsing a PEM costs (why private keys are parsed once and public keys cached).

    python -m benchmarks.bench_signatures [--results FILE] [--seconds 1.0]
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization

from benchmarks.common import parser, print_machine, record
from fedihub.activitypub import signatures
from fedihub.security import keys

INBOX = "https://b.example/users/bob/inbox"
KEY_ID = "https://a.example/users/alice#main-key"
# A typical Create{Note} delivery body.
BODY = (
    b'{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","actor":'
    b'"https://a.example/users/alice","object":{"type":"Note","content":"' + b"x" * 1500 + b'"}}'
)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of fn, measured for about `seconds` after a short warm-up."""
    for _ in range(3):
        fn()
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        fn()
        n += 1
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--seconds", type=float, default=1.0, help="time per figure")
    args = p.parse_args(argv)
    print_machine()
    key = keys.generate_private_key()
    private_pem = keys.private_pem(key)
    public_pem = keys.public_pem(key)
    out = args.results

    def put(figure: str, value: float, unit: str) -> None:
        record(out, "signatures", figure, value, unit, "none", 1)

    for scheme, sign in (("cavage", signatures.sign_cavage), ("rfc9421", signatures.sign_rfc9421)):
        headers = {"Content-Type": "application/activity+json"}
        put(
            f"{scheme} sign POST",
            rate(
                lambda sign=sign, headers=headers: sign("POST", INBOX, headers, BODY, KEY_ID, key),
                args.seconds,
            ),
            "signs/s",
        )
        signed_headers = headers | sign("POST", INBOX, headers, BODY, KEY_ID, key)
        signed_headers.setdefault("Host", "b.example")

        def check(h: dict[str, str] = signed_headers) -> None:
            s = signatures.parse("POST", "/users/bob/inbox", h)
            signatures.require_components(s, for_post=True)
            signatures.check_digest(h, BODY)
            signatures.verify(s, public_pem)  # PEM cached after the first call

        put(f"{scheme} parse+digest+verify POST", rate(check, args.seconds), "verifies/s")

    def parse_private() -> object:
        return serialization.load_pem_private_key(private_pem, None)

    def parse_public() -> object:
        return serialization.load_pem_public_key(public_pem.encode())

    put("parse private PEM (RSA 2048)", rate(parse_private, args.seconds), "parses/s")
    put("parse public PEM (RSA 2048)", rate(parse_public, args.seconds), "parses/s")
    put("generate RSA 2048 key", rate(keys.generate_private_key, args.seconds), "keys/s")


if __name__ == "__main__":
    main()
