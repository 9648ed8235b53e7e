"""Hypothesis profiles for the fuzz tests.

`short` (the default) runs inside `make test` and keeps the whole folder to about 30 s on two
cores; `long` is what `make fuzz` selects with FEDIHUB_FUZZ=long, and FEDIHUB_FUZZ_EXAMPLES sets
how many inputs each target tries there (the Makefile's default keeps a run near 15 minutes).
Hypothesis keeps the failing inputs it finds under .hypothesis/ and tries them first next time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "short",
    max_examples=60,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FEDIHUB_FUZZ_EXAMPLES", "20000")),
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(os.environ.get("FEDIHUB_FUZZ", "short"))
