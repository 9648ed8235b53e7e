"""Shared helpers for benchmark scripts: the machine they ran on, and results as JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """Where the figures come from: platform, CPU model and count, Python."""
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def record(
    path: str | Path | None,
    benchmark: str,
    figure: str,
    value: float,
    unit: str,
    database: str,
    processes: int,
) -> None:
    """Print one figure and, when path is given, append it to the results file as a JSON line."""
    print(f"{benchmark:<16} {figure:<40} {value:>14,.2f} {unit}")
    if path is None:
        return
    line = {
        "benchmark": benchmark,
        "figure": figure,
        "value": value,
        "unit": unit,
        "database": database,
        "processes": processes,
    }
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the option every benchmark takes (--results FILE); add your own."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--results", help="append JSON lines with the figures to this file")
    return p


def print_machine() -> None:
    print("machine:", json.dumps(machine()), file=sys.stdout)
