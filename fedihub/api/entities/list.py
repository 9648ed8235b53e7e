"""List: a user's list of accounts, spelled as Mastodon's REST::ListSerializer."""

from __future__ import annotations

from typing import Any

from fedihub import models


def list_entity(lst: models.List) -> dict[str, Any]:
    return {
        "id": str(lst.id),
        "title": lst.title,
        "replies_policy": str(lst.replies_policy),
        "exclusive": lst.exclusive,
    }
