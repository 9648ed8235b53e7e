"""The ASGI entry point for Hypercorn workers: `fedihub.asgi:create_from_environment()`."""

from __future__ import annotations

from quart import Quart

from fedihub import config
from fedihub.app import create_app


def create_from_environment() -> Quart:
    return create_app(config.load())
