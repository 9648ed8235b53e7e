"""create_app(settings): builds a fresh Quart app with its blueprints, error handlers and lifespan.

There is no module-level app: `fedihub.asgi` calls the factory once per process, and each test
node gets its own.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from quart import Quart, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from fedihub import api, node
from fedihub.config import Settings, proxy_networks
from fedihub.errors import FedihubError
from fedihub.security.keys import NodeSecrets, load_node_secrets
from fedihub.web import register_blueprints
from fedihub.web.application import FedihubApp
from fedihub.web.common import RUNTIME_KEY, wants_json
from fedihub.web.forwarded import ForwardedFor

log = logging.getLogger(__name__)


def templates_dir() -> Path:
    """templates/ inside an installed wheel, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("templates folder not found next to the fedihub package")


def create_app(settings: Settings, *, secrets: NodeSecrets | None = None) -> Quart:
    if secrets is None:
        secrets = load_node_secrets(settings.keys_dir)
    rt = node.build(settings, secrets)
    app = FedihubApp("fedihub", template_folder=str(templates_dir()), static_folder=None)
    app.extensions[RUNTIME_KEY] = rt
    app.secret_key = secrets.session_key
    app.config.update(
        SESSION_COOKIE_NAME="fedihub_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.scheme == "https",
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=max(settings.max_media_bytes, settings.max_inbox_body) + 65536,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    register_blueprints(app)
    api.register(app)
    _register_error_handlers(app)
    trusted = proxy_networks(settings.trusted_proxies)
    app.wrap(lambda inner: ForwardedFor(inner, trusted))

    lifecycle = contextlib.AsyncExitStack()

    @app.before_serving
    async def _open() -> None:
        await lifecycle.enter_async_context(node.running(rt, node.Role.WEB))

    @app.after_serving
    async def _close() -> None:
        await lifecycle.aclose()

    return app


def _register_error_handlers(app: Quart) -> None:
    @app.errorhandler(FedihubError)
    async def _fedihub_error(exc: FedihubError) -> tuple[Response | str, int]:
        return await _error_response(exc.status, exc.public)

    @app.errorhandler(HTTPException)
    async def _http_error(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        messages = {404: "Record not found", 405: "Method not allowed", 413: "Payload too large"}
        return await _error_response(status, messages.get(status, exc.name))

    @app.errorhandler(Exception)
    async def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return await _error_response(500, "internal error")


async def _error_response(status: int, message: str) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": message}), status
    return await render_template("errors/error.html", status=status, message=message), status
