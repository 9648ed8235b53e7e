"""The HTML pages and the HTTP endpoints that are not the Mastodon API."""

from __future__ import annotations

from quart import Quart

from fedihub.web import health, pages


def register_blueprints(app: Quart) -> None:
    app.register_blueprint(health.blueprint)
    app.register_blueprint(pages.blueprint)
