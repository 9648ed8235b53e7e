"""Who may moderate: admins (User.is_admin) may do everything; moderators (the `moderator` role)
may act on accounts and reports, but not change the node's federation policy, as Mastodon's
default Moderator role may not (its manage_federation permission is the Admin's).
"""

from __future__ import annotations

from enum import StrEnum

from fedihub import models
from fedihub.errors import Forbidden
from fedihub.models import StaffRole

NOT_ALLOWED = "This action is not allowed"  # Mastodon's words


class Permission(StrEnum):
    ACCOUNTS = "accounts"
    REPORTS = "reports"
    FEDERATION = "federation"
    AUDIT = "audit"


_MODERATOR = frozenset({Permission.ACCOUNTS, Permission.REPORTS})


async def role_of(user: models.User) -> str:
    """'admin', 'moderator' or '' (a user with no staff role)."""
    if user.is_admin:
        return "admin"
    row = await models.AccountModeration.get_or_none(actor_id=user.actor_id)
    return row.role.value if row is not None else ""


async def may(user: models.User, permission: Permission) -> bool:
    role = await role_of(user)
    return role == "admin" or (role == StaffRole.MODERATOR.value and permission in _MODERATOR)


async def require(user: models.User, permission: Permission) -> None:
    """Forbidden (403) unless `user` holds `permission`."""
    if not await may(user, permission):
        raise Forbidden(NOT_ALLOWED)


async def set_role(user: models.User, role: StaffRole) -> None:
    await models.AccountModeration.update_or_create(defaults={"role": role}, actor_id=user.actor_id)


__all__ = ["NOT_ALLOWED", "Permission", "may", "require", "role_of", "set_role"]
