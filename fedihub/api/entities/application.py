"""Application and CredentialApplication (Mastodon 4.3)."""

from __future__ import annotations

from typing import Any

from fedihub import models


def application(app: models.OAuthApp) -> dict[str, Any]:
    uris = app.redirect_uris.split()
    return {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }


def credential_application(app: models.OAuthApp, client_secret: str) -> dict[str, Any]:
    return {
        **application(app),
        "client_id": app.client_id,
        "client_secret": client_secret,
        "client_secret_expires_at": 0,
    }
