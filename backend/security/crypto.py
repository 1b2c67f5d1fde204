"""Field encryption (AES-256-GCM with a key id, so keys rotate) and HMAC blind indexes.

A ciphertext is ``kid_len(1) | kid | nonce(12) | ciphertext+tag``. The blind index is an HMAC of
the normalised value, for exact lookup (an ID number, a phone) without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.security.keys import Keyring


class DecryptionError(ValueError):
    """A ciphertext could not be decrypted (unknown key id or tampered bytes)."""


def normalise(value: str) -> str:
    """The form values are indexed and compared in: NFKC (full-width digits), no spaces, upper."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


_PHONE_SEPARATORS = str.maketrans("", "", " -().")


def normalise_phone(value: str) -> str:
    """A phone number as it is indexed and compared: ``+86 139-0000-1111``, ``0086 13900001111``
    and ``13900001111`` are one number. NFKC, no separators, the mainland country code dropped
    (another country's code keeps its ``+``). A plain mainland number is unchanged, so indexes
    written before this form existed still match."""
    digits = unicodedata.normalize("NFKC", value).translate(_PHONE_SEPARATORS)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    return digits


def key_id(blob: bytes) -> str:
    """The id of the key that sealed ``blob`` (the layout in the module docstring)."""
    return bytes(blob[1 : 1 + blob[0]]).decode(errors="replace") if blob else ""


class FieldCipher:
    """Encrypts and decrypts personal fields; computes their blind index."""

    def __init__(self, keyring: Keyring) -> None:
        self._keys = {kid: AESGCM(key) for kid, key in keyring.data.items()}
        self._current = keyring.current
        self._index_key = keyring.index

    @property
    def current_key_id(self) -> str:
        """The id of the key new values are sealed with."""
        return self._current

    def encrypt(self, plaintext: str, *, context: bytes = b"") -> bytes:
        """Encrypt with the current key; ``context`` (e.g. the column name) is authenticated."""
        kid = self._current.encode()
        nonce = secrets.token_bytes(12)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode(), context)
        return bytes([len(kid)]) + kid + nonce + sealed

    def unseal(self, sealed: bytes | None, *, context: bytes, show: bool) -> str | None:
        """A sealed column as the caller may read it: its text when ``show`` and it holds one,
        else None (so a reader without the right never costs a decryption)."""
        if not show or sealed is None:
            return None
        return self.decrypt(bytes(sealed), context=context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> str:
        """Decrypt with whichever key id the blob names."""
        n = blob[0] if blob else 0
        kid = key_id(blob)
        cipher = self._keys.get(kid)
        if cipher is None:
            raise DecryptionError(f"unknown data key id {kid!r}")
        nonce = blob[1 + n : 13 + n]
        try:
            return cipher.decrypt(nonce, blob[13 + n :], context).decode()
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    def blind_index(self, value: str, *, kind: str) -> bytes:
        """HMAC-SHA256 of the normalised value, separated per kind of field."""
        form = normalise_phone(value) if kind == "phone" else normalise(value)
        message = kind.encode() + b"\x00" + form.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).digest()
