"""The node's secrets in keys/ (mode 0600, plain errors naming the file) and sealed private keys."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from fedihub.errors import ConfigError
from fedihub.security import keys


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, keys.NodeSecrets]:
    folder = tmp_path_factory.mktemp("node") / "keys"
    return folder, keys.create_node_secrets(folder)


def test_secrets_are_written_owner_only_and_load_back(made: tuple[Path, keys.NodeSecrets]) -> None:
    folder, secrets = made
    assert _mode(folder) == 0o700
    for name in (keys.SESSION_KEY_FILE, keys.KEK_FILE, keys.INSTANCE_KEY_FILE):
        assert _mode(folder / name) == 0o600, name
    assert keys.loose_permissions(folder) == []
    loaded = keys.load_node_secrets(folder)
    assert loaded.session_key == secrets.session_key and len(loaded.kek) == 32
    assert loaded.instance_public_pem == secrets.instance_public_pem
    assert loaded.instance_key.key_size == 2048


def test_sealed_key_opens_only_with_its_kek(made: tuple[Path, keys.NodeSecrets]) -> None:
    _, secrets = made
    key = secrets.instance_key
    sealed = keys.seal(key, secrets.kek)
    assert "PRIVATE KEY" not in sealed and sealed.startswith("v1:")
    assert keys.seal(key, secrets.kek) != sealed  # a fresh nonce each time
    assert keys.public_pem(keys.unseal(sealed, secrets.kek)) == keys.public_pem(key)
    with pytest.raises(ConfigError, match="does not open"):
        keys.unseal(sealed, os.urandom(32))
    with pytest.raises(ConfigError, match="unknown format"):
        keys.unseal(keys.private_pem(key).decode(), secrets.kek)


def test_private_key_cache_parses_once_per_owner(made: tuple[Path, keys.NodeSecrets]) -> None:
    _, secrets = made
    sealed = keys.seal(secrets.instance_key, secrets.kek)
    cache = keys.PrivateKeyCache(secrets.kek, capacity=2)
    first = cache.get(1, sealed)
    assert cache.get(1, sealed) is first  # served from the cache, not unsealed again
    cache.get(2, sealed)
    cache.get(3, sealed)  # over capacity: owner 1 is the least recently used and goes
    assert cache.get(1, sealed) is not first
    cache.forget(3)
    with pytest.raises(ConfigError):
        cache.get(3, "not even sealed")


def test_private_key_cache_follows_a_key_rotated_elsewhere(
    made: tuple[Path, keys.NodeSecrets],
) -> None:
    _, secrets = made
    cache = keys.PrivateKeyCache(secrets.kek)
    old = cache.get(1, keys.seal(secrets.instance_key, secrets.kek))
    rotated = keys.generate_private_key()
    # another process rotated the key: the stored sealed text changed, so the cache must not
    # serve the old key
    new = cache.get(1, keys.seal(rotated, secrets.kek))
    assert new is not old
    assert keys.public_pem(new) == keys.public_pem(rotated)


def test_missing_unreadable_or_malformed_secrets_name_the_file(
    made: tuple[Path, keys.NodeSecrets], tmp_path: Path
) -> None:
    source, _ = made
    with pytest.raises(ConfigError, match="does not exist"):
        keys.load_node_secrets(tmp_path / "nowhere")
    folder = tmp_path / "keys"
    folder.mkdir()
    for name in (keys.SESSION_KEY_FILE, keys.KEK_FILE, keys.INSTANCE_KEY_FILE):
        (folder / name).write_bytes((source / name).read_bytes())
        os.chmod(folder / name, 0o600)

    (folder / keys.KEK_FILE).unlink()
    with pytest.raises(ConfigError, match=r"kek\.key is missing"):
        keys.load_node_secrets(folder)
    (folder / keys.KEK_FILE).write_bytes(b"not base64 at all!\n")
    with pytest.raises(ConfigError, match=r"kek\.key is not valid base64"):
        keys.load_node_secrets(folder)
    (folder / keys.KEK_FILE).write_bytes(base64.b64encode(b"short") + b"\n")
    with pytest.raises(ConfigError, match=r"kek\.key must hold 32 bytes"):
        keys.load_node_secrets(folder)
    (folder / keys.KEK_FILE).write_bytes((source / keys.KEK_FILE).read_bytes())
    (folder / keys.INSTANCE_KEY_FILE).write_text("-----BEGIN NONSENSE-----\n")
    with pytest.raises(ConfigError, match=r"instance\.pem is not an RSA private key"):
        keys.load_node_secrets(folder)
    (folder / keys.INSTANCE_KEY_FILE).write_bytes((source / keys.INSTANCE_KEY_FILE).read_bytes())
    os.chmod(folder / keys.KEK_FILE, 0o600)
    os.chmod(folder / keys.INSTANCE_KEY_FILE, 0o644)
    assert keys.loose_permissions(folder) == [folder / keys.INSTANCE_KEY_FILE]
    # unreadable even for root: a folder where the file should be
    (folder / keys.SESSION_KEY_FILE).unlink()
    (folder / keys.SESSION_KEY_FILE).mkdir()
    with pytest.raises(ConfigError, match=r"session\.key cannot be read"):
        keys.load_node_secrets(folder)
