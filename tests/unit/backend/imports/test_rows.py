"""Row validation of the importers, without a database: what is accepted and why a row is not."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import msgspec
import pytest

from backend.imports.blockdata import KINDS, id_check_char
from backend.imports.engine import Context, check_row
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring

CIPHER = FieldCipher(
    Keyring(
        signing=secrets.token_bytes(32),
        data={"t": secrets.token_bytes(32)},
        current="t",
        index=secrets.token_bytes(32),
        audit=secrets.token_bytes(32),
    )
)
CTX = Context(cipher=CIPHER, now=datetime(2026, 11, 1, tzinfo=UTC))
ID = "44031019900101123"
PERSON = {
    "external_id": "P1",
    "name": "张三",
    "address_id": "A-1",
    "id_number": ID + id_check_char(ID),
}


def check(kind: str, row: dict[str, object] | bytes) -> tuple[object, object]:
    return check_row(KINDS[kind], 7, row, CTX)


def test_a_good_person_is_staged_encrypted() -> None:
    record, reject = check("persons", msgspec.json.encode(PERSON))
    assert reject is None and record is not None
    assert record[0] == 7 and record[1] == "P1"
    assert PERSON["id_number"].encode() not in record  # type: ignore[union-attr]
    assert CIPHER.decrypt(record[5], context=b"id_number") == PERSON["id_number"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({**PERSON, "name": ""}, "name", "length"),
        ({**PERSON, "id_number": ID + "0" if id_check_char(ID) != "0" else ID + "1"}, "id_number", "check digit"),
        ({**PERSON, "phone": "call me"}, "phone", "regex"),
        ({"external_id": "P1", "name": "x"}, "address_id", "required"),
        ({**PERSON, "tags": ["Not A Tag"]}, "tags[0]", "regex"),
        ({**PERSON, "birth_year": 1800}, "birth_year", ">= 1900"),
        ({**PERSON, "name": "a\x00b"}, "name", "regex"),
    ],
)  # fmt: skip
def test_bad_persons_name_the_field(row: dict[str, object], field: str, words: str) -> None:
    record, reject = check("persons", msgspec.json.encode(row))
    assert record is None and reject is not None
    assert reject.field == field, reject  # type: ignore[attr-defined]
    assert words in reject.reason, reject  # type: ignore[attr-defined]


def test_csv_rows_are_converted_and_bad_bytes_rejected() -> None:
    row = {
        "id": "H1",
        "building_id": "B1",
        "address_id": "A1",
        "floor": "3",
        "is_rental": "true",
        "rental_grade": "red",
    }
    record, reject = check("houses", row)
    assert reject is None and record is not None
    bad, why = check("houses", {**row, "use": "m\udcb9\udce3"})
    assert bad is None and why.field == "use" and "UTF-8" in why.reason  # type: ignore[attr-defined]


def test_events_must_be_plausible_in_time() -> None:
    event = {
        "id": "E1",
        "type": "hotline",
        "address_id": "A1",
        "occurred_at": "2027-03-01T00:00:00Z",
    }
    record, reject = check("events", msgspec.json.encode(event))
    assert record is None and reject.field == "occurred_at"  # type: ignore[attr-defined]
    naive = {**event, "occurred_at": "2026-03-01T00:00:00"}
    record, reject = check("events", msgspec.json.encode(naive))
    assert record is None and reject.field == "occurred_at"  # type: ignore[attr-defined]
