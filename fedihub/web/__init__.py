"""The HTML pages and the HTTP endpoints that are not the Mastodon API."""

from __future__ import annotations

from quart import Quart

from fedihub.web import (
    auth,
    federation,
    health,
    inbox,
    media,
    metrics,
    pages,
    settings_pages,
    wellknown,
)


def register_blueprints(app: Quart) -> None:
    metrics.register(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(wellknown.blueprint)
    app.register_blueprint(federation.blueprint)
    app.register_blueprint(inbox.blueprint)
    auth.register(app)
    settings_pages.register(app)
    media.register(app)
