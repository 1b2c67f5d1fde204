"""Field encryption round-trips, rotates, refuses tampering; blind indexes normalise."""

from __future__ import annotations

import pytest

from backend.security.crypto import DecryptionError, FieldCipher
from backend.security.keys import Keyring


def _ring(current: str, **keys: bytes) -> Keyring:
    return Keyring(signing=b"s" * 32, data=keys, current=current, index=b"i" * 32, audit=b"a" * 32)


def test_round_trip_and_context() -> None:
    cipher = FieldCipher(_ring("k1", k1=b"1" * 32))
    blob = cipher.encrypt("440310198501011234", context=b"id_number")
    assert b"440310198501011234" not in blob
    assert cipher.decrypt(blob, context=b"id_number") == "440310198501011234"
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, context=b"phone")  # a value moved to another column is refused


def test_rotation_keeps_old_ciphertexts_readable() -> None:
    old = FieldCipher(_ring("k1", k1=b"1" * 32))
    blob = old.encrypt("13812345678")
    new = FieldCipher(_ring("k2", k1=b"1" * 32, k2=b"2" * 32))
    assert new.decrypt(blob) == "13812345678"
    assert new.encrypt("x")[1:3] == b"k2"


def test_tampering_and_unknown_keys_are_refused() -> None:
    cipher = FieldCipher(_ring("k1", k1=b"1" * 32))
    blob = bytearray(cipher.encrypt("secret"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(bytes(blob))
    stranger = FieldCipher(_ring("k9", k9=b"9" * 32))
    with pytest.raises(DecryptionError, match="unknown data key"):
        stranger.decrypt(cipher.encrypt("secret"))


def test_blind_index_normalises_and_separates_kinds() -> None:
    cipher = FieldCipher(_ring("k1", k1=b"1" * 32))
    assert cipher.blind_index("44031019850101123x", kind="id_number") == cipher.blind_index(
        "４４０３１０１９８５０１０１１２３Ｘ", kind="id_number"
    )
    assert cipher.blind_index("138 1234 5678", kind="phone") == cipher.blind_index(
        "13812345678", kind="phone"
    )
    assert cipher.blind_index("13812345678", kind="phone") != cipher.blind_index(
        "13812345678", kind="id_number"
    )


def test_a_phone_is_one_number_however_it_is_written() -> None:
    cipher = FieldCipher(_ring("k1", k1=b"1" * 32))
    plain = cipher.blind_index("13812345678", kind="phone")
    for written in (
        "+86 138-1234-5678",
        "0086 13812345678",
        "(138) 1234.5678",
        "１３８１２３４５６７８",
    ):
        assert cipher.blind_index(written, kind="phone") == plain, written
    # Another country's code is another number; the mainland code only goes at the front.
    assert cipher.blind_index("+85213812345678", kind="phone") != plain
    assert cipher.blind_index("1388612345678", kind="phone") != plain
