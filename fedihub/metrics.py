"""Process-local counters in Prometheus' text format; imports nothing of fedihub.

Counters count what this process did (requests served, activities accepted or refused at the
inbox). Figures that must be true for the whole node (queue depth, deliveries by outcome,
failing hosts) are read from the database at scrape time instead, so they are right whichever
process answers the scrape.
"""

from __future__ import annotations

import threading
from collections import defaultdict

_lock = threading.Lock()
_counters: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
_help: dict[str, str] = {}


def describe(name: str, text: str) -> None:
    _help[name] = text


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    key = tuple(sorted(labels.items()))
    with _lock:
        series = _counters[name]
        series[key] = series.get(key, 0.0) + amount


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in pairs) + "}"


def render_counters() -> list[str]:
    lines: list[str] = []
    with _lock:
        snapshot = {name: dict(series) for name, series in _counters.items()}
    for name in sorted(snapshot):
        if name in _help:
            lines.append(f"# HELP {name} {_help[name]}")
        lines.append(f"# TYPE {name} counter")
        for pairs, value in sorted(snapshot[name].items()):
            lines.append(f"{name}{_labels(pairs)} {value:g}")
    return lines


def render_gauge(name: str, text: str, samples: list[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        lines.append(f"{name}{_labels(tuple(sorted(labels.items())))} {value:g}")
    return lines


def reset() -> None:
    """Forget every counter (tests)."""
    with _lock:
        _counters.clear()


describe("fedihub_http_requests_total", "HTTP requests served by this process, by route and status")
describe("fedihub_inbox_total", "Inbox POSTs handled by this process, by outcome and reason")
