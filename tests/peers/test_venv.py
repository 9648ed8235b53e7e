"""bovine's private venv: reused when ready, and a pip failure becomes a skip with pip's reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.peers import fixtures, venv


def test_a_ready_venv_is_reused_without_running_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = tmp_path / "venv"
    (location / "bin").mkdir(parents=True)
    (location / "bin" / "python").write_text("")
    (location / ".fedihub-ready").write_text("\n".join(venv.REQUIREMENTS) + "\n")
    monkeypatch.setenv(venv.ENV_VAR, str(location))

    def no_build(path: Path) -> None:
        raise AssertionError(f"rebuilt {path}")

    monkeypatch.setattr(venv, "_build", no_build)

    assert venv.ensure() == location / "bin" / "python"


def test_a_venv_for_other_requirements_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = tmp_path / "venv"
    (location / "bin").mkdir(parents=True)
    (location / "bin" / "python").write_text("")
    (location / ".fedihub-ready").write_text("bovine-herd==0.5.1\n")
    monkeypatch.setenv(venv.ENV_VAR, str(location))
    built: list[Path] = []
    monkeypatch.setattr(venv, "_build", built.append)

    venv.ensure()

    assert built == [location]


def test_pip_failure_skips_with_pips_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(venv.ENV_VAR, str(tmp_path / "venv"))
    # a requirement pip rejects before asking any index, so the test stays offline
    monkeypatch.setattr(venv, "REQUIREMENTS", ("bovine-herd=0.5",))

    with pytest.raises(pytest.skip.Exception) as skipped:
        fixtures._require_bovine()

    assert "bovine-herd unavailable: pip could not install bovine-herd=0.5" in str(skipped.value)
    assert not (tmp_path / "venv" / ".fedihub-ready").exists()
