"""The node's secrets in keys/, and RSA keys: made, sealed at rest, parsed once.

keys/ holds `session.key` (cookie and CSRF signing), `kek.key` (AES-256-GCM key-encryption key) and
`instance.pem` (the instance actor's RSA key), each mode 0600. Local actors' private keys are
stored in the database sealed with the KEK, so a dump alone cannot sign as anyone. Parsing a PEM
costs milliseconds, so parsed keys are cached by owner (bovine keeps key objects; Takahē re-parses
each request, which shows in its profiles).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fedihub.errors import ConfigError

SESSION_KEY_FILE = "session.key"
KEK_FILE = "kek.key"
INSTANCE_KEY_FILE = "instance.pem"
_SEAL_PREFIX = "v1:"
_AAD = b"fedihub actor private key"


@dataclass(frozen=True)
class NodeSecrets:
    session_key: bytes
    kek: bytes
    instance_key: rsa.RSAPrivateKey

    @property
    def instance_public_pem(self) -> str:
        return public_pem(self.instance_key)

    def derived(self, purpose: str) -> bytes:
        """A 32-byte key for one purpose, derived from the session key (HMAC-SHA256 as a PRF,
        HKDF-Expand's one-block case): no new file to keep, distinct keys per purpose, and a
        signature made for one purpose never verifies for another. Replacing session.key
        replaces every derived key (and so invalidates what they signed)."""
        return hmac.new(
            self.session_key,
            b"fedihub derived key\x00" + purpose.encode() + b"\x01",
            hashlib.sha256,
        ).digest()


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def load_private_pem(data: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def seal(key: rsa.RSAPrivateKey, kek: bytes) -> str:
    """Encrypt a private key for storage in the database."""
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, private_pem(key), _AAD)
    return _SEAL_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(sealed: str, kek: bytes) -> rsa.RSAPrivateKey:
    """Decrypt a stored private key; raises ConfigError if the KEK is not the one that sealed it."""
    if not sealed.startswith(_SEAL_PREFIX):
        raise ConfigError("stored private key is in an unknown format")
    raw = base64.b64decode(sealed[len(_SEAL_PREFIX) :])
    try:
        pem = AESGCM(kek).decrypt(raw[:12], raw[12:], _AAD)
    except InvalidTag:
        raise ConfigError(
            "keys/kek.key does not open the stored private keys (wrong keys/ folder?)"
        ) from None
    return load_private_pem(pem)


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def create_node_secrets(keys_dir: Path) -> NodeSecrets:
    """Write fresh secrets into keys_dir (made 0700 if missing)."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    instance_key = generate_private_key()
    session_key = os.urandom(32)
    kek = AESGCM.generate_key(bit_length=256)
    _write_secret(keys_dir / SESSION_KEY_FILE, base64.b64encode(session_key) + b"\n")
    _write_secret(keys_dir / KEK_FILE, base64.b64encode(kek) + b"\n")
    _write_secret(keys_dir / INSTANCE_KEY_FILE, private_pem(instance_key))
    return NodeSecrets(session_key=session_key, kek=kek, instance_key=instance_key)


def secrets_exist(keys_dir: Path) -> bool:
    return any(
        (keys_dir / name).exists() for name in (SESSION_KEY_FILE, KEK_FILE, INSTANCE_KEY_FILE)
    )


def _read(keys_dir: Path, name: str) -> bytes:
    path = keys_dir / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing (run `fedihub init`, or point FEDIHUB_KEYS_DIR at the node's keys)"
        ) from None
    except PermissionError:
        raise ConfigError(f"{path} cannot be read by this user") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror}") from None
    return data


def _decode_b64(keys_dir: Path, name: str, size: int) -> bytes:
    try:
        value = base64.b64decode(_read(keys_dir, name).strip(), validate=True)
    except ValueError:
        raise ConfigError(f"{keys_dir / name} is not valid base64") from None
    if len(value) != size:
        raise ConfigError(f"{keys_dir / name} must hold {size} bytes, not {len(value)}")
    return value


def load_node_secrets(keys_dir: Path) -> NodeSecrets:
    """Read keys/; raises ConfigError naming the file that is missing, unreadable or malformed."""
    if not keys_dir.is_dir():
        raise ConfigError(f"keys folder {keys_dir} does not exist (run `fedihub init`)")
    session_key = _decode_b64(keys_dir, SESSION_KEY_FILE, 32)
    kek = _decode_b64(keys_dir, KEK_FILE, 32)
    try:
        instance_key = load_private_pem(_read(keys_dir, INSTANCE_KEY_FILE))
    except ValueError:
        raise ConfigError(
            f"{keys_dir / INSTANCE_KEY_FILE} is not an RSA private key in PEM form"
        ) from None
    return NodeSecrets(session_key=session_key, kek=kek, instance_key=instance_key)


def loose_permissions(keys_dir: Path) -> list[Path]:
    """Secret files that others than the owner can read (doctor warns about them)."""
    loose = []
    for name in (SESSION_KEY_FILE, KEK_FILE, INSTANCE_KEY_FILE):
        path = keys_dir / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(path)
    return loose


class PrivateKeyCache:
    """Parsed private keys by owner id: unsealed and parsed once per process, bounded in size.

    Entries remember the sealed text they came from, so a key rotated by another process (the
    CLI, another web worker) is picked up at the next use instead of signing with a stale key.
    """

    def __init__(self, kek: bytes, capacity: int = 4096) -> None:
        self._kek = kek
        self._capacity = capacity
        self._keys: OrderedDict[int, tuple[str, rsa.RSAPrivateKey]] = OrderedDict()

    def get(self, owner_id: int, sealed: str) -> rsa.RSAPrivateKey:
        entry = self._keys.get(owner_id)
        if entry is None or entry[0] != sealed:
            key = unseal(sealed, self._kek)
            self._keys[owner_id] = (sealed, key)
            if len(self._keys) > self._capacity:
                self._keys.popitem(last=False)
            return key
        self._keys.move_to_end(owner_id)
        return entry[1]

    def forget(self, owner_id: int) -> None:
        self._keys.pop(owner_id, None)
