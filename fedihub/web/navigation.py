"""The site's navigation: one table of entries, each shown once a route answers its path.

Knowledge posts and projects bring their own pages (templates/knowledge/, templates/projects/):
their entries are here already and appear as soon as their blueprints serve /knowledge and
/projects, so no template needs to change for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from quart import current_app, request
from werkzeug.exceptions import HTTPException

from fedihub import models
from fedihub.web.i18n import N_


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    signed_in: bool | None = None  # True: members only, False: visitors only, None: everyone
    admin: bool = False


@dataclass(frozen=True)
class Item:
    path: str
    label: str
    current: bool
    badge: int = 0


NAV: tuple[Entry, ...] = (
    Entry("/home", N_("Home"), signed_in=True),
    Entry("/", N_("About"), signed_in=False),
    Entry("/timelines/local", N_("Local")),
    Entry("/timelines/federated", N_("Federated"), signed_in=True),
    Entry("/knowledge", N_("Knowledge")),
    Entry("/projects", N_("Projects")),
    Entry("/notifications", N_("Notifications"), signed_in=True),
    Entry("/conversations", N_("Messages"), signed_in=True),
    Entry("/search", N_("Search")),
    Entry("/settings/profile", N_("Settings"), signed_in=True),
    Entry("/admin", N_("Admin"), signed_in=True, admin=True),
)


def _served(path: str) -> bool:
    # routes are fixed once the app serves: matched once per path and process
    known: dict[str, bool] = current_app.extensions.setdefault("fedihub.nav_served", {})
    if path not in known:
        try:
            current_app.url_map.bind("localhost").match(path, method="GET")
            known[path] = True
        except HTTPException:
            known[path] = False
    return known[path]


async def badges(user: models.User | None) -> dict[str, int]:
    """Counts shown beside entries: the invitations to projects waiting for this user's answer
    (one indexed count per page)."""
    if user is None:
        return {}
    pending = await models.ProjectInvitation.filter(
        invitee_id=user.actor_id, state=models.InvitationState.PENDING
    ).count()
    return {"/projects": pending} if pending else {}


def items(
    user: models.User | None, *, unread: int = 0, badges: dict[str, int] | None = None
) -> list[Item]:
    """The entries this reader sees, the current one marked, with their badges."""
    shown = []
    for entry in NAV:
        if entry.signed_in is not None and entry.signed_in != (user is not None):
            continue
        if entry.admin and (user is None or not user.is_admin):
            continue
        if not _served(entry.path):
            continue
        current = request.path == entry.path or (
            entry.path != "/" and request.path.startswith(entry.path + "/")
        )
        badge = unread if entry.path == "/notifications" else (badges or {}).get(entry.path, 0)
        shown.append(Item(entry.path, entry.label, current, badge))
    return shown
