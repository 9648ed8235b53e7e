"""The users service: unique names and addresses, reserved names, password rules, sealed keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fedihub import models
from fedihub.accounts import users
from fedihub.errors import ConfigError, Conflict, Forbidden, Invalid, Unauthorized
from fedihub.runtime import Runtime
from fedihub.security import keys

PASSWORD = "correct horse battery"


async def test_usernames_are_unique_whatever_their_case(rt: Runtime) -> None:
    user = await users.create(rt, "Ada", "ada@uni.example", PASSWORD)
    await user.fetch_related("actor")
    assert user.username_key == "ada" and user.actor.username == "Ada"
    assert user.actor.uri == "https://fedihub.test/users/Ada" and user.actor.domain is None
    with pytest.raises(Conflict) as caught:
        await users.create(rt, "ADA", "other@uni.example", PASSWORD)
    assert caught.value.field == "username"
    assert (await users.by_username("aDa")).id == user.id


async def test_reserved_names_are_refused_except_from_the_command_line(rt: Runtime) -> None:
    for name in ("admin", "Support", "well-known"):
        with pytest.raises(Invalid) as caught:
            await users.create(rt, name, f"{name}@uni.example", PASSWORD)
        assert caught.value.field == "username" and "reserved" in caught.value.public
    admin = await users.create(
        rt, "admin", "admin@uni.example", PASSWORD, allow_reserved=True, admin=True
    )
    assert admin.is_admin


async def test_malformed_usernames_are_refused(rt: Runtime) -> None:
    for name in ("", "a b", "-lead", "tail-", "x" * 31, "ünï", "a/b"):
        with pytest.raises(Invalid) as caught:
            await users.create(rt, name, "x@uni.example", PASSWORD)
        assert caught.value.field == "username", name


async def test_email_is_normalised_and_unique(rt: Runtime) -> None:
    user = await users.create(rt, "ada", "  Ada@Uni.EXAMPLE ", PASSWORD)
    assert user.email == "ada@uni.example"
    with pytest.raises(Conflict) as caught:
        await users.create(rt, "bob", "ADA@uni.example", PASSWORD)
    assert caught.value.field == "email"
    for bad in ("ada", "ada@", "@uni.example", "a b@uni.example", "ada@uni"):
        with pytest.raises(Invalid) as invalid:
            await users.create(rt, "carol", bad, PASSWORD)
        assert invalid.value.field == "email", bad


async def test_weak_passwords_are_refused(rt: Runtime) -> None:
    for password in ("short", "password123", "aaaaaaaaaaaaaa", "my-ada-password", "x" * 1025):
        with pytest.raises(Invalid) as caught:
            await users.create(rt, "ada", "someone@uni.example", password)
        assert caught.value.field == "password", password
    assert await models.User.all().count() == 0


async def test_every_user_gets_an_rsa_2048_key_sealed_at_rest(rt: Runtime) -> None:
    user = await users.create(rt, "ada", "ada@uni.example", PASSWORD)
    await user.fetch_related("actor")
    stored = await models.User.get(id=user.id)
    assert "PRIVATE KEY" not in stored.private_key_sealed
    private = keys.unseal(stored.private_key_sealed, rt.secrets.kek)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    assert keys.public_pem(private) == user.actor.public_key_pem
    assert user.actor.public_key_id == "https://fedihub.test/users/ada#main-key"
    with pytest.raises(ConfigError):
        keys.unseal(stored.private_key_sealed, b"\x01" * 32)


async def test_failed_creation_leaves_no_actor_behind(rt: Runtime) -> None:
    # the same e-mail address under another case-distinct name: refused before anything is written
    await users.create(rt, "ada", "ada@uni.example", PASSWORD)
    with pytest.raises(Conflict):
        await users.create(rt, "bob", "ada@uni.example", PASSWORD)
    # an actor row already holding the URI makes the insert itself fail inside the transaction
    await models.Actor.create(uri=rt.urls.actor("carol"), username="ghost", domain="remote.example")
    with pytest.raises(Exception):  # noqa: B017 - any failure will do; what matters is what is left
        await users.create(rt, "carol", "carol@uni.example", PASSWORD)
    assert await models.Actor.filter(username="bob").count() == 0
    assert await models.Actor.filter(username="carol").count() == 0
    assert await models.User.all().count() == 1


async def test_authenticate_by_name_or_address_and_refuse_disabled_accounts(rt: Runtime) -> None:
    user = await users.create(rt, "ada", "ada@uni.example", PASSWORD)
    assert (await users.authenticate("ADA", PASSWORD)).id == user.id
    assert (await users.authenticate("Ada@Uni.Example", PASSWORD)).id == user.id
    with pytest.raises(Unauthorized):
        await users.authenticate("ada", "wrong password 1")
    with pytest.raises(Unauthorized):
        await users.authenticate("nobody", PASSWORD)
    disabled = await users.set_disabled("ada")
    assert disabled.session_epoch == 1
    with pytest.raises(Forbidden):
        await users.authenticate("ada", PASSWORD)


async def test_password_change_bumps_the_session_epoch(rt: Runtime) -> None:
    user = await users.create(rt, "ada", "ada@uni.example", PASSWORD)
    with pytest.raises(Invalid):
        await users.change_password(user, "not the password", "another long secret")
    await users.change_password(user, PASSWORD, "another long secret")
    assert (await models.User.get(id=user.id)).session_epoch == 1
    assert (await users.authenticate("ada", "another long secret")).id == user.id


def test_generated_passwords_always_pass_the_strength_rules_for_their_account() -> None:
    # a one-letter name turns up in about half of all random 20-character passwords: the
    # generator must draw again instead of handing `fedihub user create` a password it refuses
    from fedihub.security import passwords

    for _ in range(200):
        password = users.generate_password("a", "ab@uni.example")
        passwords.check_strength(password, username="a", email="ab@uni.example")
        assert "a" not in password.lower()
