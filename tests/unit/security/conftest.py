"""Fixtures for the outbound-client tests (the server itself lives in netfixtures.py)."""

from __future__ import annotations

from netfixtures import loopback

__all__ = ["loopback"]
