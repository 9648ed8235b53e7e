"""Registration of local users from the web: registration mode, invitation codes, all or nothing.

A registration either creates the user and uses one slot of its invitation code, or changes nothing:
both happen in one transaction, so a failed creation never consumes an invite and a used-up invite
never leaves a half-made user.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.accounts import node_settings, users
from fedihub.accounts.node_settings import RegistrationMode
from fedihub.errors import Forbidden, Invalid
from fedihub.runtime import Runtime


class RegistrationClosed(Forbidden):
    default_message = "registrations are closed on this node"


async def mode() -> RegistrationMode:
    """The registration mode in force now (changed at run time with `fedihub setting`)."""
    return await node_settings.registration_mode()


async def register(
    rt: Runtime,
    *,
    username: str,
    email: str,
    password: str,
    password_confirmation: str,
    invite_code: str = "",
    locale: str = "en",
) -> models.User:
    """Create a local user as the registration mode allows; Invalid/Conflict name the field."""
    current = await mode()
    if current is RegistrationMode.CLOSED:
        raise RegistrationClosed()
    if password != password_confirmation:
        raise Invalid("the two passwords differ", field="password_confirmation")
    code = invite_code.strip()
    if current is RegistrationMode.INVITE:
        if not code:
            raise Invalid("an invitation code is needed to register here", field="invite_code")
        # a cheap look before the expensive key generation; the real check is the redemption below
        if not await models.InviteCode.filter(code=code).exists():
            raise Invalid("this invitation code is not valid", field="invite_code")
    async with in_transaction():
        user = await users.create(rt, username, email, password, locale=locale)
        if current is RegistrationMode.INVITE:
            # inside the transaction: if the code is used up meanwhile, the user is rolled back too
            await users.redeem_invite(code)
    return user
