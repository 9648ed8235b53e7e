"""Documents and data files as knowledge posts' attachments: PDF, zip, CSV, JSON and plain text
uploaded through /api/v2/media (sniffed by content, bounded), shown to Mastodon clients as type
`unknown`, and carried in the Article as FEP-1311 Documents with size and digestMultibase; a
peer's Article keeps its attachments' descriptions but none on a private address."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user
from quart.datastructures import FileStorage

from fedihub import models
from fedihub.activitypub import parse
from fedihub.knowledge import remote
from fedihub.media import probe
from fedihub.runtime import Runtime
from fedihub.social import statuses

P = "/api/fedihub/v1/articles"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data/readings.csv", "t,v\n0,1\n")
    return out.getvalue()


async def _upload(client: Any, token: str, data: bytes, name: str, content_type: str) -> Any:
    file = FileStorage(io.BytesIO(data), filename=name, content_type=content_type)
    return await client.post("/api/v2/media", headers=bearer(token), files={"file": file})


def _multihash_of(data: bytes) -> str:
    return "z" + probe.base58btc(b"\x12\x20" + hashlib.sha256(data).digest())


def test_base58btc_matches_known_vectors() -> None:
    # draft-msporny-base58 test vectors, and a leading zero byte as '1'
    assert probe.base58btc(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert probe.base58btc(b"\x00\x00\x28\x7f\xb4\xcd") == "11233QC4"
    digest = probe.digest_multibase(b"")
    # the multihash of sha2-256 always starts "zQm" in base58btc
    assert digest.startswith("zQm") and len(digest) == 47


@pytest.mark.parametrize(
    ("data", "name", "declared", "content_type"),
    [
        (PDF, "paper.pdf", "application/pdf", "application/pdf"),
        (_zip(), "dataset.zip", "application/zip", "application/zip"),
        (b"t,v\n0,1\n1,4\n", "readings.csv", "text/csv", "text/csv"),
        (b"t,v\n0,1\n", "readings.csv", "application/octet-stream", "text/csv"),
        (b'{"t": [0, 1], "name": "\xe6\xb8\xa9\xe5\xba\xa6"}', "r.json", "", "application/json"),
        ("Notes, 笔记\n".encode(), "README.txt", "text/plain", "text/plain"),
    ],
)
async def test_documents_and_data_files_upload_as_unknown_and_are_served_as_themselves(
    client: Any, data: bytes, name: str, declared: str, content_type: str
) -> None:
    token = await make_token(await make_user(client.app))
    body = await json_of(await _upload(client, token, data, name, declared))
    assert body["type"] == "unknown" and body["preview_url"] is None
    item = await models.MediaAttachment.get(id=int(body["id"]))
    assert item.meta["digest_multibase"] == _multihash_of(data)
    assert "digest_multibase" not in body["meta"]  # Mastodon's shape only
    assert (item.content_type, item.size) == (content_type, len(data))
    served = await client.get(body["url"].removeprefix("https://fedihub.test"))
    assert served.status_code == 200 and await served.get_data() == data
    assert served.headers["Content-Type"].split(";")[0] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("data", "name", "declared", "words"),
    [
        (b"<html><script>alert(1)</script></html>", "x.html", "text/html", "content type"),
        (b'{"unclosed": [1, 2', "broken.json", "application/json", "content type"),
        (b"t,v\n\x00\x01\x02\x03", "binary.csv", "text/csv", "content type"),
        (b"t,v\n\xc3\x28\xa0\xa1", "latin.csv", "text/csv", "content type"),
        (b"MZ\x90\x00\x03", "tool.exe", "application/octet-stream", "content type"),
        (b"a,b\n" * (probe.MAX_TEXT_BYTES // 4 + 1), "big.csv", "text/csv", "too large"),
    ],
)
async def test_unsupported_or_oversized_files_are_a_clear_422(
    client: Any, data: bytes, name: str, declared: str, words: str
) -> None:
    token = await make_token(await make_user(client.app))
    response = await _upload(client, token, data, name, declared)
    assert response.status_code == 422
    error = (await response.get_json())["error"]
    assert words in error.lower()
    assert await models.MediaAttachment.all().count() == 0


async def test_an_articles_attachments_are_fep_1311_documents_with_size_and_digest(
    client: Any,
) -> None:
    token = await make_token(await make_user(client.app))
    pdf = await json_of(await _upload(client, token, PDF, "paper.pdf", "application/pdf"))
    data = json.dumps({"samples": [1, 2, 3]}).encode()
    table = await json_of(await _upload(client, token, data, "s.json", "application/json"))
    article = await json_of(
        await client.post(
            P,
            json={
                "title": "A dataset",
                "summary": "Readings.",
                "body": "See the files.",
                "media_ids": [pdf["id"], table["id"]],
            },
            headers=bearer(token),
        )
    )
    assert [m["type"] for m in article["media_attachments"]] == ["unknown", "unknown"]
    status = await models.Status.get(id=int(article["status_id"]))
    attached = status.document["attachment"]
    assert [(a["type"], a["mediaType"], a["size"]) for a in attached] == [
        ("Document", "application/pdf", len(PDF)),
        ("Document", "application/json", len(data)),
    ]
    assert [a["digestMultibase"] for a in attached] == [_multihash_of(PDF), _multihash_of(data)]
    # the status Mastodon clients see carries them too
    shown = await json_of(await client.get(f"/api/v1/statuses/{article['status_id']}"))
    assert [m["type"] for m in shown["media_attachments"]] == ["unknown", "unknown"]


async def test_a_peers_article_keeps_documents_but_none_on_private_addresses(rt: Runtime) -> None:
    assert rt.settings.allow_private_networks is False  # production mode
    zoe = await models.Actor.create(
        uri="https://peer.example/users/zoe",
        username="zoe",
        domain="peer.example",
        inbox="https://peer.example/users/zoe/inbox",
    )
    digest = _multihash_of(PDF)
    doc = {
        "id": "https://peer.example/articles/1",
        "type": "Article",
        "attributedTo": zoe.uri,
        "to": [PUBLIC],
        "name": "Paper",
        "content": "<p>Text</p>",
        "published": "2026-01-02T03:04:05Z",
        "attachment": [
            {
                "type": "Document",
                "mediaType": "application/pdf",
                "url": "https://files.peer.example/paper.pdf",
                "name": "The paper",
                "size": len(PDF),
                "digestMultibase": digest,
            },
            {"type": "Document", "mediaType": "text/csv", "url": "http://127.0.0.1/x.csv"},
            {"type": "Document", "mediaType": "text/csv", "url": "http://[::1]/x.csv"},
            {"type": "Document", "mediaType": "text/csv", "url": "http://10.1.2.3/x.csv"},
            {"type": "Document", "mediaType": "text/csv", "url": "http://intranet/x.csv"},
            {"type": "Document", "mediaType": "text/csv", "url": "http://db.internal/x.csv"},
            {"type": "Document", "mediaType": "text/csv", "url": "file:///etc/passwd"},
            {"type": "Document", "mediaType": "text/csv", "url": "ftp://peer.example/x.csv"},
            {"type": "Image", "mediaType": "image/png", "url": "https://peer.example/i.png"},
        ],
    }
    status = await statuses.store_remote(rt, zoe, parse.object_doc(doc), notify=False)
    assert await remote.sync(rt, status) is not None
    kept = await models.MediaAttachment.filter(status_id=status.id).order_by("position")
    assert [m.remote_url for m in kept] == [
        "https://files.peer.example/paper.pdf",
        "https://peer.example/i.png",
    ]
    paper = kept[0]
    assert (paper.kind, paper.content_type, paper.description) == (
        "unknown",
        "application/pdf",
        "The paper",
    )
    assert paper.size == len(PDF) and paper.meta["digest_multibase"] == digest
    assert kept[1].kind == "image"


def test_a_malformed_digest_or_size_from_a_peer_is_ignored() -> None:
    doc = parse.object_doc(
        {
            "id": "https://peer.example/n/1",
            "type": "Note",
            "attachment": [
                {
                    "type": "Document",
                    "url": "https://peer.example/a.pdf",
                    "size": -5,
                    "digestMultibase": "<script>",
                },
                {"type": "Document", "url": "https://peer.example/b.pdf", "size": True},
            ],
        }
    )
    assert [(a.size, a.digest_multibase) for a in doc.attachments] == [(None, None), (None, None)]
