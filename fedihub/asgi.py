"""The ASGI entry point for Hypercorn workers: `fedihub.asgi:create_from_environment()`."""

from __future__ import annotations

from quart import Quart

from fedihub import config, logs
from fedihub.app import create_app


def create_from_environment() -> Quart:
    settings = config.load()
    logs.configure(settings)
    return create_app(settings)
