"""OAuth 2 clients, authorisation codes and access tokens (tokens and codes stored hashed)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class OAuthApp(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    name = fields.CharField(max_length=255)
    website = fields.CharField(max_length=768, null=True)
    redirect_uris = fields.TextField()  # newline-separated, as Mastodon stores them
    scopes = fields.CharField(max_length=1024, default="read")
    client_id = fields.CharField(max_length=64, unique=True)
    client_secret_hash = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_apps"


class OAuthCode(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    code_hash = fields.CharField(max_length=128, unique=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="codes", on_delete=fields.CASCADE
    )
    user_id = fields.BigIntField()
    redirect_uri = fields.CharField(max_length=768)
    scopes = fields.CharField(max_length=1024)
    code_challenge = fields.CharField(max_length=128, null=True)
    code_challenge_method = fields.CharField(max_length=16, null=True)
    expires_at = fields.DatetimeField()
    used = fields.BooleanField(default=False)

    app_id: int

    class Meta:
        table = "oauth_codes"


class OAuthToken(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    token_hash = fields.CharField(max_length=128, unique=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id = fields.BigIntField(null=True)  # None for client_credentials tokens
    scopes = fields.CharField(max_length=1024)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    app_id: int

    class Meta:
        table = "oauth_tokens"
        indexes = (("user_id",),)
