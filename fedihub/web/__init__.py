"""The HTML pages and the HTTP endpoints that are not the Mastodon API."""

from __future__ import annotations

from quart import Quart

from fedihub.security import html
from fedihub.web import (
    account_pages,
    account_settings,
    admin_pages,
    auth,
    data_pages,
    federation,
    health,
    inbox,
    knowledge,
    language,
    live,
    media,
    meetings,
    member_pages,
    metrics,
    migration_pages,
    page_headers,
    page_kit,
    pages,
    project_forms,
    project_task_pages,
    projects,
    search_pages,
    settings_pages,
    sign_in_settings,
    static,
    status_pages,
    timeline_pages,
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
    app.register_blueprint(projects.blueprint)
    app.register_blueprint(project_forms.blueprint)
    app.register_blueprint(project_task_pages.blueprint)
    app.register_blueprint(meetings.blueprint)
    app.register_blueprint(knowledge.blueprint)
    auth.register(app)
    settings_pages.register(app)
    language.register(app)
    timeline_pages.register(app)
    status_pages.register(app)
    account_pages.register(app)
    member_pages.register(app)
    live.register(app)
    search_pages.register(app)
    account_settings.register(app)
    migration_pages.register(app)
    sign_in_settings.register(app)
    data_pages.register(app)
    admin_pages.register(app)
    app.errorhandler(page_kit.SignInNeeded)(_to_sign_in)
    media.register(app)
    static.register(app)
    page_headers.register(app)


async def _to_sign_in(_exc: page_kit.SignInNeeded) -> page_kit.Redirect:
    return page_kit.to_sign_in()
