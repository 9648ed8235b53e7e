"""The node's Quart application class: ASGI middleware (the client address behind proxies, API
paths with a trailing slash) wraps every call, the test client's included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable, Scope
from quart import Quart

# ASGI as the middleware see it: a scope they may copy and change, and the two channels
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
Middleware = Callable[[ASGIApp], ASGIApp]


class FedihubApp(Quart):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entry: ASGIApp = super().asgi_app

    def wrap(self, middleware: Middleware) -> None:
        """Put `middleware` around everything wrapped so far (the last added runs first)."""
        self._entry = middleware(self._entry)

    async def asgi_app(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        await self._entry(scope, receive, send)
