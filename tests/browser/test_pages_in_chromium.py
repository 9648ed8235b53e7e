"""The node's pages in a real browser: Debian's chromium driven by Playwright for Python (never a
browser Playwright downloads). Skipped, with the reason, where either is missing.

One live node (a `fedihub serve` subprocess on SQLite), its admin signs in, writes a post with an
image and its alt text, favourites it with the plain form, switches to Chinese and back, retries a
failing host from the federation page. Every page must load without a Content-Security-Policy
violation and without a serious or critical axe-core finding; screenshots of the main pages in
both languages at phone and desktop widths are saved under test-output/screenshots/.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from live_node import LiveNode, live_node  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
WIDTHS = {"phone": 360, "desktop": 1280}
MAIN_PAGES = ("/", "/home", "/timelines/local", "/@ada", "/notifications", "/search?q=ada")
MAIN_PAGES += ("/settings/profile", "/admin", "/admin/federation")

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is missing")
if shutil.which(CHROMIUM) is None:
    pytest.skip(
        f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; `make test` installs it "
        "when it runs as root)",
        allow_module_level=True,
    )


def _png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * 8 for _ in range(8))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveNode, Path]]:
    workdir = tmp_path_factory.mktemp("browser-node")
    with live_node(workdir, admin=True) as live:
        yield live, workdir


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


class Watched:
    """A page whose console is watched for Content-Security-Policy violations."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.violations: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response


def _sign_in(watched: Watched, live: LiveNode) -> None:
    watched.go("/auth/sign_in")
    watched.page.fill("#login", live.username)
    watched.page.fill("#password", live.password)
    watched.page.click("main button[type=submit]")
    watched.page.wait_for_url(watched.base + "/")


def _seed_failing_host(workdir: Path) -> None:
    """A delivery to a host that keeps failing, as the worker would leave it."""
    database = workdir / "data" / "fedihub.sqlite3"
    with sqlite3.connect(database) as db:
        now_ms = int(time.time() * 1000)
        db.execute(
            "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, "
            "created_at, last_error) VALUES (?, 'deliver', ?, 'pending', ?, 3, 16, "
            "CURRENT_TIMESTAMP, 'connection refused')",
            (
                now_ms,
                json.dumps({"activity": 1, "inbox": "https://down.example/inbox"}),
                now_ms + 3_600_000,
            ),
        )
        db.execute(
            "INSERT INTO hosts (domain, failure_count, unavailable) VALUES ('down.example', 3, 0)"
        )


def _axe_findings(page: Any) -> list[str]:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe_module.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['html'][:200] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_an_admin_posts_with_an_image_switches_language_and_retries_a_host(
    node: tuple[LiveNode, Path], browser: Any, tmp_path: Path
) -> None:
    live, workdir = node
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context.new_page(), live.base_url)
    page = watched.page
    _sign_in(watched, live)

    # Given the home timeline, when ada posts a note with an image and its description
    watched.go("/home")
    page.fill("#status-text", "Spectra from today's run")
    page.click(".composer-more summary")
    page.set_input_files("#media", str(_png(tmp_path / "spectrum.png")))
    page.fill("#media_description", "an absorption spectrum")
    page.click(".composer button[type=submit]")
    page.wait_for_url(f"{live.base_url}/home?posted=1")
    # then it is on her timeline with the image described
    assert page.locator(".status .content", has_text="Spectra from today's run").count() == 1
    assert page.locator('img[alt="an absorption spectrum"]').count() == 1

    # favouriting is a plain form: the page comes back with the button pressed
    page.click(".status button:has-text('Favourite')")
    page.wait_for_load_state()
    assert page.locator(".status button[aria-pressed=true]:has-text('Favourite')").count() == 1

    # the language switch turns the site Chinese and back
    page.click("footer button[lang=zh]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("nav a", has_text="首页").count() == 1
    page.click("footer button[lang=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"

    # an admin sees the failing host and retries it
    _seed_failing_host(workdir)
    watched.go("/admin/federation")
    assert page.locator("th", has_text="down.example").count() == 1
    page.click("button[aria-label='Retry down.example now']")
    page.wait_for_load_state()
    assert "Deliveries scheduled to run now: 1" in page.inner_text("main")

    assert not watched.violations, watched.violations
    context.close()


def test_main_pages_in_both_languages_and_widths_are_accessible(
    node: tuple[LiveNode, Path], browser: Any
) -> None:
    live, _ = node
    SHOTS.mkdir(parents=True, exist_ok=True)
    findings: dict[str, list[str]] = {}
    for label, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        watched = Watched(context.new_page(), live.base_url)
        _sign_in(watched, live)
        for lang in ("en", "zh"):
            watched.page.click(f"footer button[lang={lang}]")
            watched.page.wait_for_load_state()
            for path in MAIN_PAGES:
                watched.go(path)
                name = path.strip("/").replace("/", "_").replace("?", "_") or "front"
                watched.page.screenshot(
                    path=str(SHOTS / f"{name}-{lang}-{label}.png"), full_page=True
                )
                if label == "desktop":
                    found = _axe_findings(watched.page)
                    if found:
                        findings[f"{path} ({lang})"] = found
        # phone width: nothing wider than the screen
        overflow = watched.page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width + 1, (label, overflow)
        assert not watched.violations, watched.violations
        context.close()
    assert not findings, findings
