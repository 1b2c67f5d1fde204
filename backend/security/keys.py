"""The keys of one deployment: token signing, field encryption, blind index, audit chain.

Configured through ``PINGAN_SECRET_KEY``, ``PINGAN_DATA_KEYS``, ``PINGAN_INDEX_KEY`` and
``PINGAN_AUDIT_KEY``. Any that is unset is generated once and kept in ``<data_dir>/keys.json``
(mode 0600), which suits one machine; several nodes must be given the same keys explicitly.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

import msgspec

from backend.settings import ConfigError, Settings, env_name


class Keyring(msgspec.Struct, frozen=True, kw_only=True):
    """Raw key material. Never log or serialise it outside keys.json."""

    signing: bytes
    data: dict[str, bytes]
    """Encryption keys by key id; ``current`` encrypts, all decrypt (rotation)."""
    current: str
    index: bytes
    audit: bytes


class _StoredKeys(msgspec.Struct, kw_only=True):
    signing: str
    data: str
    index: str
    audit: str


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _decode_key(field: str, text: str, *, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{env_name(field)}: not valid base64") from None
    if size is not None and len(raw) != size:
        raise ConfigError(f"{env_name(field)}: must decode to {size} bytes, got {len(raw)}")
    if len(raw) < 16:
        raise ConfigError(f"{env_name(field)}: must decode to at least 16 bytes")
    return raw


def parse_data_keys(text: str) -> tuple[dict[str, bytes], str]:
    """``kid:base64,kid:base64`` → keys by id and the current (first) id."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for part in text.split(","):
        kid, sep, material = part.strip().partition(":")
        if not sep or not kid.isalnum() or len(kid) > 16:
            raise ConfigError(f"{env_name('data_keys')}: expected id:base64key[,id:base64key...]")
        keys[kid] = _decode_key("data_keys", material, size=32)
        order.append(kid)
    return keys, order[0]


def _load_or_create(path: Path) -> _StoredKeys:
    if path.exists():
        return msgspec.json.decode(path.read_bytes(), type=_StoredKeys)
    stored = _StoredKeys(
        signing=_b64(secrets.token_bytes(32)),
        data="k1:" + _b64(secrets.token_bytes(32)),
        index=_b64(secrets.token_bytes(32)),
        audit=_b64(secrets.token_bytes(32)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(msgspec.json.encode(stored))
    return stored


def load_keyring(settings: Settings) -> Keyring:
    """Keys from the settings, falling back to (and creating) ``<data_dir>/keys.json``."""
    needs_file = None in (
        settings.secret_key,
        settings.data_keys,
        settings.index_key,
        settings.audit_key,
    )
    stored = _load_or_create(Path(settings.data_dir) / "keys.json") if needs_file else None
    signing = settings.secret_key or (stored.signing if stored else "")
    data_text = settings.data_keys or (stored.data if stored else "")
    data, current = parse_data_keys(data_text)
    return Keyring(
        signing=_decode_key("secret_key", signing),
        data=data,
        current=current,
        index=_decode_key("index_key", settings.index_key or (stored.index if stored else "")),
        audit=_decode_key("audit_key", settings.audit_key or (stored.audit if stored else "")),
    )
