"""Settings: overrides, environment, TOML file, defaults, in that order; plain bad-value errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedihub import config
from fedihub.errors import ConfigError


def _toml(path: Path, body: str) -> Path:
    path.write_text("[fedihub]\n" + body, encoding="utf-8")
    return path


def test_defaults_give_https_and_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = config.load(environ={}, overrides={"data_dir": tmp_path})
    assert settings.scheme == "https"
    assert settings.database_url == f"sqlite://{tmp_path / 'fedihub.sqlite3'}"
    assert settings.media_dir == tmp_path / "media"
    assert settings.jobs_in_process  # SQLite: one process does everything


def test_environment_beats_toml_and_overrides_beat_both(tmp_path: Path) -> None:
    _toml(
        tmp_path / "fedihub.toml",
        'domain = "file.example"\nscheme = "http"\ndb_pool_size = 3\nhttp_timeout = 2.5\n',
    )
    env = {
        "FEDIHUB_DATA_DIR": str(tmp_path),
        "FEDIHUB_DOMAIN": "Env.Example",
        "FEDIHUB_DB_POOL_SIZE": "7",
    }
    settings = config.load(environ=env)
    assert settings.domain == "env.example"  # from the environment, lower-cased
    assert settings.scheme == "http"  # only in the file
    assert settings.db_pool_size == 7
    assert settings.http_timeout == 2.5
    assert settings.config_file == tmp_path / "fedihub.toml"
    settings = config.load(environ=env, overrides={"domain": "cli.example", "db_pool_size": None})
    assert settings.domain == "cli.example"
    assert settings.db_pool_size == 7  # None means "not given"


def test_fedihub_config_names_another_file_and_it_must_exist(tmp_path: Path) -> None:
    other = _toml(tmp_path / "elsewhere.toml", 'domain = "other.example"\nlog_json = true\n')
    env = {"FEDIHUB_CONFIG": str(other), "FEDIHUB_DATA_DIR": str(tmp_path)}
    settings = config.load(environ=env)
    assert settings.domain == "other.example" and settings.log_json is True
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(environ={"FEDIHUB_CONFIG": str(tmp_path / "missing.toml")})


def test_postgres_urls_are_accepted_and_normalised(tmp_path: Path) -> None:
    for url in ("postgresql://u:p@db.example:5433/fedihub", "postgres://u@db.example/fedihub"):
        env = {"FEDIHUB_DATABASE_URL": url}
        settings = config.load(environ=env, overrides={"data_dir": tmp_path})
        assert settings.database_url.startswith("postgres://u")
        assert not settings.is_sqlite and not settings.jobs_in_process


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FEDIHUB_SCHEME": "ftp"}, "scheme"),
        ({"FEDIHUB_DOMAIN": "not a domain!"}, "domain"),
        ({"FEDIHUB_DOMAIN": "https://social.example"}, "domain"),
        ({"FEDIHUB_DATABASE_URL": "mysql://localhost/x"}, "database_url"),
        ({"FEDIHUB_DATABASE_URL": "postgres://host:notaport/x"}, "database_url"),
        ({"FEDIHUB_DATABASE_URL": "sqlite://"}, "database_url"),
        ({"FEDIHUB_DB_POOL_SIZE": "ten"}, "db_pool_size"),
        ({"FEDIHUB_WORKER_CONCURRENCY": "0"}, "worker_concurrency"),
        ({"FEDIHUB_HTTP_TIMEOUT": "soon"}, "http_timeout"),
        ({"FEDIHUB_ALLOW_PRIVATE_NETWORKS": "maybe"}, "allow_private_networks"),
        ({"FEDIHUB_LOG_LEVEL": "LOUD"}, "log_level"),
    ],
)
def test_bad_values_raise_config_error_naming_the_setting(
    env: dict[str, str], named: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(environ=env, overrides={"data_dir": tmp_path})
    assert named in caught.value.public
    assert "\n" not in caught.value.public


def test_bad_value_in_toml_file_is_refused_too(tmp_path: Path) -> None:
    _toml(tmp_path / "fedihub.toml", 'max_media_bytes = "lots"\n')
    with pytest.raises(ConfigError, match="max_media_bytes"):
        config.load(environ={}, overrides={"data_dir": tmp_path})


def test_unknown_toml_key_is_named(tmp_path: Path) -> None:
    _toml(tmp_path / "fedihub.toml", 'domain = "a.example"\ndomian = "typo.example"\n')
    with pytest.raises(ConfigError, match="unknown setting 'domian'"):
        config.load(environ={}, overrides={"data_dir": tmp_path})


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fedihub.toml"
    path.write_text("[fedihub\ndomain = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(environ={}, overrides={"data_dir": tmp_path})
    assert str(path) in caught.value.public and "not valid TOML" in caught.value.public


def test_write_toml_round_trips_through_load(tmp_path: Path) -> None:
    config.write_toml(
        tmp_path / "fedihub.toml",
        {
            "domain": "round.example",
            "scheme": "http",
            "log_json": True,
            "db_pool_size": 4,
            "keys_dir": 'C:\\odd "path"',
        },
    )
    settings = config.load(environ={}, overrides={"data_dir": tmp_path})
    assert (settings.domain, settings.scheme, settings.log_json, settings.db_pool_size) == (
        "round.example",
        "http",
        True,
        4,
    )
    assert settings.keys_dir == Path('C:\\odd "path"')
