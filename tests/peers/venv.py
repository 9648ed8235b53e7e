"""The private virtual environment that bovine-herd runs in, made on first use and cached.

bovine-herd 0.5.x pins older quart, cryptography and tortoise-orm than fedihub uses, so it never
enters fedihub's environment: it gets a venv of its own (default `<repo>/.cache/bovine-venv`,
overridable with FEDIHUB_BOVINE_VENV) and runs as a separate process. Creation is guarded by a
file lock so that pytest-xdist workers starting together build it once, and it is marked complete
only after pip succeeded, so an interrupted build is redone rather than half-used.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

# One exact version: the harness relies on bovine-herd's internals (BovineHerd(), the store's
# register/identity API, the inbox processor chain), which change between releases.
REQUIREMENTS = ("bovine-herd==0.5.19",)
ENV_VAR = "FEDIHUB_BOVINE_VENV"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LOCATION = REPO_ROOT / ".cache" / "bovine-venv"
PIP_TIMEOUT_S = 600


class BovineUnavailable(Exception):
    """pip could not install bovine-herd; the message says why (tests skip with it)."""


def location() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_LOCATION)


def python_path(venv: Path) -> Path:
    return venv / "bin" / "python"


def _marker(venv: Path) -> Path:
    return venv / ".fedihub-ready"


def _wanted() -> str:
    return "\n".join(REQUIREMENTS) + "\n"


def _is_ready(venv: Path) -> bool:
    marker = _marker(venv)
    return marker.is_file() and marker.read_text() == _wanted() and python_path(venv).exists()


def ensure() -> Path:
    """Return the venv's python, creating the venv first if needed (idempotent, lock-guarded).

    Raises BovineUnavailable only when pip fails; any other failure is a real error.
    """
    venv = location()
    if _is_ready(venv):
        return python_path(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    lock_path = venv.parent / (venv.name + ".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it: wait for it
        try:
            if not _is_ready(venv):
                _build(venv)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return python_path(venv)


def _build(venv: Path) -> None:
    _marker(venv).unlink(missing_ok=True)
    if not python_path(venv).exists():
        # the base interpreter, not fedihub's venv, so nothing of fedihub's leaks in
        base = Path(sys.base_prefix) / "bin" / "python3"
        interpreter = str(base) if base.exists() else sys.executable
        subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
    cmd = [
        str(python_path(venv)), "-m", "pip", "install", "--quiet",
        "--disable-pip-version-check", *REQUIREMENTS,
    ]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise BovineUnavailable(f"pip install {' '.join(REQUIREMENTS)} timed out") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BovineUnavailable(
            f"pip could not install {' '.join(REQUIREMENTS)} into {venv}: " + " | ".join(tail)
        )
    _marker(venv).write_text(_wanted())
