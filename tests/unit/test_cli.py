"""The `fedihub` command as a user runs it: a subprocess in a fresh folder, plain errors.

Exit codes: 0 done, 1 doctor found problems, 2 refused with one line on stderr (never a traceback).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fedihub import config, db
from fedihub.accounts import users
from fedihub.errors import Forbidden

FEDIHUB = Path(sys.executable).parent / "fedihub"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIHUB_")}
    env["FEDIHUB_SCHEME"] = "http"
    env.update(extra)
    return env


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FEDIHUB), *args], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120
    )


def refused(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    """Exit 2 with one plain line on stderr that says `fragment`."""
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fedihub: ") and fragment in lines[0], lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an initialised node on SQLite and one user, ada (tests add, never remove)."""
    folder = tmp_path_factory.mktemp("node")
    assert run(folder, "init", "--domain", "node.test").returncode == 0
    result = run(
        folder, "user", "create", "ada", "--email", "ada@uni.example", "--password", PASSWORD
    )
    assert result.returncode == 0, result.stderr
    return folder


# ---- init and migrate -------------------------------------------------------------------------


def test_init_creates_data_database_and_owner_only_keys(tmp_path: Path) -> None:
    result = run(tmp_path, "init", "--domain", "Social.Example.EDU")
    assert result.returncode == 0, result.stderr
    assert "initialised http://social.example.edu" in result.stdout
    assert (tmp_path / "data" / "fedihub.sqlite3").is_file()
    assert (tmp_path / "data" / "media").is_dir()
    assert 'domain = "social.example.edu"' in (tmp_path / "data" / "fedihub.toml").read_text()
    secret_files = sorted((tmp_path / "keys").iterdir())
    assert [p.name for p in secret_files] == ["instance.pem", "kek.key", "session.key"]
    for path in secret_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_second_init_is_refused_and_changes_nothing_and_force_keeps_the_keys(
    tmp_path: Path,
) -> None:
    assert run(tmp_path, "init", "--domain", "one.example").returncode == 0
    keys_before = snapshot(tmp_path / "keys")
    toml_before = (tmp_path / "data" / "fedihub.toml").read_bytes()
    refused(run(tmp_path, "init", "--domain", "two.example"), "already initialised")
    assert snapshot(tmp_path / "keys") == keys_before
    assert (tmp_path / "data" / "fedihub.toml").read_bytes() == toml_before

    forced = run(tmp_path, "init", "--domain", "two.example", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "kept the existing secrets" in forced.stdout
    assert snapshot(tmp_path / "keys") == keys_before
    assert 'domain = "two.example"' in (tmp_path / "data" / "fedihub.toml").read_text()


def test_migrate_twice_is_idempotent(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    first = run(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "applied models.0001_initial" in first.stdout
    second = run(tmp_path, "migrate")
    assert second.returncode == 0 and "the database is up to date" in second.stdout


def test_migrate_without_a_data_folder_says_to_run_init(tmp_path: Path) -> None:
    refused(run(tmp_path, "migrate"), "run `fedihub init`")


# ---- users ------------------------------------------------------------------------------------


def test_user_create_list_and_disable(node: Path) -> None:
    created = run(node, "user", "create", "grace", "--email", "Grace@Uni.Example")
    assert created.returncode == 0, created.stderr
    assert "created user grace <grace@uni.example>" in created.stdout
    prefix = "password (shown once): "
    shown = [line for line in created.stdout.splitlines() if line.startswith(prefix)]
    password = shown[0].split(": ", 1)[1]
    assert len(password) >= 10

    listed = run(node, "user", "list")
    assert listed.returncode == 0
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:-1]}
    assert rows["grace"][1:] == ["grace@uni.example", "no", "no"]

    assert run(node, "user", "disable", "grace").returncode == 0
    listed = run(node, "user", "list")
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:-1]}
    assert rows["grace"][3] == "yes"

    async def sign_in() -> None:
        settings = config.load(environ={}, overrides={"data_dir": node / "data"})
        async with db.database(settings):
            with pytest.raises(Forbidden):
                await users.authenticate("grace", password)
            assert (await users.authenticate("ada", PASSWORD)).email == "ada@uni.example"

    asyncio.run(sign_in())


def test_user_create_refuses_bad_input_in_one_line(node: Path) -> None:
    create = ("user", "create")
    refused(run(node, *create, "ADA", "--email", "other@uni.example"), "is taken")
    refused(run(node, *create, "bob", "--email", "ADA@uni.example"), "e-mail address exists")
    weak = run(node, *create, "bob", "--email", "bob@uni.example", "--password", "short")
    refused(weak, "password")
    refused(run(node, *create, "bob", "--email", "not-an-address"), "not a valid e-mail address")
    refused(run(node, *create, "bad name", "--email", "bob@uni.example"), "username may use only")
    listed = run(node, "user", "list").stdout
    assert "bob" not in listed and "other@" not in listed


def test_the_admin_may_take_a_reserved_name_from_the_command_line(node: Path) -> None:
    result = run(node, "user", "create", "support", "--email", "support@uni.example", "--admin")
    assert result.returncode == 0, result.stderr
    assert "created admin user support" in result.stdout


# ---- doctor -----------------------------------------------------------------------------------


def test_doctor_passes_on_a_good_node(node: Path) -> None:
    result = run(node, "doctor")
    assert result.returncode == 0, result.stdout
    assert "all checks passed" in result.stdout
    assert "ok       database: connected" in result.stdout
    assert "ok       migrations: up to date" in result.stdout


def _copy_node(node: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(node, copy)
    return copy


def test_doctor_names_missing_or_unreadable_keys(node: Path, tmp_path: Path) -> None:
    copy = _copy_node(node, tmp_path)
    shutil.rmtree(copy / "keys")
    result = run(copy, "doctor")
    assert result.returncode == 1
    assert "problem  keys: keys folder keys does not exist" in result.stdout
    shutil.copytree(node / "keys", copy / "keys")
    # a folder where a key file should be cannot be read, even by root
    (copy / "keys" / "kek.key").unlink()
    (copy / "keys" / "kek.key").mkdir()
    result = run(copy, "doctor")
    assert result.returncode == 1
    assert "problem  keys: keys/kek.key cannot be read" in result.stdout


def test_doctor_names_a_bad_or_unreachable_database(node: Path) -> None:
    result = run(node, "doctor", "--database", "mysql://localhost/fedihub")
    assert result.returncode == 1
    assert "problem  configuration: database_url" in result.stdout
    result = run(node, "doctor", "--database", "postgres://postgres@127.0.0.1:1/x")
    assert result.returncode == 1
    assert "problem  database: cannot connect to the database" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# ---- serve ------------------------------------------------------------------------------------


def test_serve_refuses_plainly_before_starting(node: Path, tmp_path: Path) -> None:
    refused(run(node, "serve", "--database", "postgresql://host:port/x"), "database_url")
    refused(run(node, "serve", "--workers", "2"), "SQLite is served by one process")
    copy = _copy_node(node, tmp_path)
    shutil.rmtree(copy / "keys")
    refused(run(copy, "serve"), "keys folder keys does not exist")
    refused(run(node, "serve", "--database", "postgres://postgres@127.0.0.1:1/x"), "cannot connect")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(node: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(FEDIHUB), "serve", "--port", str(port)],
        cwd=node,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # waiting for a process to listen, not for work: poll the socket
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_answers_healthz_and_the_front_page(served: str) -> None:
    health = httpx.get(f"{served}/healthz", timeout=5)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    home = httpx.get(f"{served}/", timeout=5)
    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert "node.test" in home.text


# ---- PostgreSQL -------------------------------------------------------------------------------


def test_init_with_a_database_url_records_it(
    tmp_path: Path, database_url: str, backend: str
) -> None:
    # database_url (tests/conftest.py) is a fresh PostgreSQL database, created and dropped around
    # the test, or a SQLite file; PostgreSQL is skipped with the reason when none answers
    node = tmp_path / "node"
    node.mkdir()
    result = run(node, "init", "--domain", "db.example", "--database", database_url)
    assert result.returncode == 0, result.stderr
    assert f'database_url = "{database_url}"' in (node / "data" / "fedihub.toml").read_text()
    created = run(node, "user", "create", "ada", "--email", "ada@uni.example")
    assert created.returncode == 0, created.stderr
    assert "ada@uni.example" in run(node, "user", "list").stdout
    doctor = run(node, "doctor")
    assert doctor.returncode == 0, doctor.stdout
    if backend == "postgres":
        assert not (node / "data" / "fedihub.sqlite3").exists()


# ---- packaging --------------------------------------------------------------------------------


def test_a_built_wheel_ships_the_templates(tmp_path: Path) -> None:
    # build from a copy, so the shared work tree gets no build/ or egg-info litter
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, source / name)
    for folder in ("fedihub", "templates"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "-w", str(tmp_path / "dist"), "--no-deps"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("fedihub-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fedihub/templates/base.html" in names
    assert "fedihub/templates/errors/error.html" in names
    assert "fedihub/templates/auth/sign_in.html" in names
