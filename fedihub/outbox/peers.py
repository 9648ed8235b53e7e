"""What we know of a peer server's abilities: which HTTP signature scheme it verifies.

A peer is known to accept RFC 9421 when it signed a request to us with it, or when its NodeInfo
names software that verifies it; otherwise deliveries and fetches use draft-cavage, as Mastodon
signs. A peer that refuses an RFC 9421 signature is put back on draft-cavage for good.
"""

from __future__ import annotations

import logging

from fedihub import models
from fedihub.errors import FedihubError
from fedihub.runtime import Runtime
from fedihub.security import http

log = logging.getLogger(__name__)
RFC9421_SOFTWARE = frozenset({"fedihub"})


def known_scheme(host: models.Host | None) -> str:
    """What a host's row says: "rfc9421" where it is known to verify it, else "cavage"."""
    return "rfc9421" if host is not None and host.accepts_rfc9421 else "cavage"


async def signature_scheme(rt: Runtime, domain: str) -> str:
    """ "rfc9421" or "cavage" for requests to `domain`, probing its NodeInfo once if not known."""
    host = await models.Host.get_or_none(domain=domain)
    if host is not None and host.accepts_rfc9421 is not None:
        return known_scheme(host)
    accepts = await _probe(rt, domain)
    await models.Host.update_or_create(defaults={"accepts_rfc9421": accepts}, domain=domain)
    return "rfc9421" if accepts else "cavage"


async def _probe(rt: Runtime, domain: str) -> bool:
    base = f"{rt.settings.scheme}://{domain}"
    try:
        index = await http.fetch_json(
            rt.http, f"{base}/.well-known/nodeinfo", accept="application/json", max_bytes=64_000
        )
        links = index.get("links")
        href = (
            next(
                (
                    link["href"]
                    for link in links
                    if isinstance(link, dict) and isinstance(link.get("href"), str)
                ),
                None,
            )
            if isinstance(links, list)
            else None
        )
        if href is None:
            return False
        doc = await http.fetch_json(rt.http, href, accept="application/json", max_bytes=64_000)
    except FedihubError as exc:
        log.info("nodeinfo of %s unavailable: %s", domain, exc.public)
        return False
    software = doc.get("software")
    name = software.get("name") if isinstance(software, dict) else None
    return isinstance(name, str) and name.lower() in RFC9421_SOFTWARE


async def learned_from_request(domain: str, scheme: str) -> None:
    """A peer that signs with RFC 9421 verifies it too."""
    if scheme == "rfc9421":
        await models.Host.update_or_create(defaults={"accepts_rfc9421": True}, domain=domain)


async def refused_rfc9421(domain: str) -> None:
    await models.Host.filter(domain=domain).update(accepts_rfc9421=False)
