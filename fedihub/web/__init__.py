"""The HTML pages and the HTTP endpoints that are not the Mastodon API."""

from __future__ import annotations

from quart import Quart

from fedihub.security import html
from fedihub.web import (
    auth,
    federation,
    health,
    inbox,
    knowledge,
    media,
    metrics,
    page_headers,
    pages,
    settings_pages,
    static,
    wellknown,
)


def register_blueprints(app: Quart) -> None:
    # templates put every href built from data the node did not write through this filter
    app.jinja_env.filters["safe_link"] = html.safe_link
    metrics.register(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(wellknown.blueprint)
    app.register_blueprint(federation.blueprint)
    app.register_blueprint(inbox.blueprint)
    app.register_blueprint(knowledge.blueprint)
    auth.register(app)
    settings_pages.register(app)
    media.register(app)
    static.register(app)
    page_headers.register(app)
