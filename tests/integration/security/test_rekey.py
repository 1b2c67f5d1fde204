"""Rotating the data key: the census says what each key still seals, a rekey pass re-seals it under
the current key and rewrites stale blind indexes, leaves what no key opens alone, runs again
without changing anything, and the CLI does the same and audits it without printing a value."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
from click.testing import CliRunner

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.cli import main
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher, key_id
from backend.security.keys import Keyring
from backend.security.rekey import key_census, rekey
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths

OLD, NEW, INDEX = b"o" * 32, b"n" * 32, b"i" * 32
ID_NUMBER, PHONE, GUARDIAN = "440310198501011234", "13812345678", "13987654321"
DASHED = "139-8765-4321"  # how a guardian's phone was typed before numbers were normalised
NOTE, ANSWERS = "服药规律，情绪平稳", "1110000"


def cipher(current: str, **keys: bytes) -> FieldCipher:
    return FieldCipher(
        Keyring(signing=b"s" * 32, data=keys, current=current, index=INDEX, audit=b"a" * 32)
    )


def unnormalised_index(value: str) -> bytes:
    """The phone index as it was computed before `normalise_phone` (separators kept)."""
    return hmac.new(INDEX, b"phone\x00" + value.encode(), hashlib.sha256).digest()


@pytest.fixture
async def sealed(clean_db: PgPool, district: Geography, paths: DistrictPaths) -> dict[str, Any]:
    """Two persons and a patient sealed under k1; the patient's guardian phone was indexed in
    its dashed form; one more person's phone under a key nobody has any more. A follow-up's
    notes, an assessment's answers and a session's notes (sealed, not indexed) under k1."""
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 300, seed=3)]
    old = cipher("k1", k1=OLD)
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        address = await conn.fetchval("SELECT id FROM addresses ORDER BY id LIMIT 1")
        first = await create_person(
            conn, old, PersonCreate(name="甲", address_id=address, id_number=ID_NUMBER, phone=PHONE)
        )
        second = await create_person(conn, old, PersonCreate(name="乙", address_id=address))
        await register_patient(
            conn, old, second, PatientCreate(risk_grade=3, guardian_phone=GUARDIAN)
        )
        await conn.execute(
            "UPDATE patients SET guardian_phone_enc = $2, guardian_phone_idx = $3 "
            "WHERE person_id = $1",
            second,
            old.encrypt(DASHED, context=b"phone"),
            unnormalised_index(DASHED),
        )
        lost = await create_person(
            conn,
            cipher("k0", k0=b"z" * 32),
            PersonCreate(name="丙", address_id=address, phone="13700001111"),
        )
        org = await conn.fetchval("SELECT org_path FROM persons WHERE id = $1", first)
        user = await conn.fetchval(
            "INSERT INTO users (username, display_name, password_hash, org_path, roles) "
            "VALUES ('xl.k', 'X', 'x', $1, ARRAY['counsellor']) RETURNING id",
            org,
        )
        await conn.execute(
            "INSERT INTO follow_ups (id, patient_id, by_user, by_name, at, kind, condition, "
            "risk_grade, medication, notes_enc, next_due_at, org_path) VALUES (gen_random_uuid(), "
            "$1, $2, 'X', now(), 'phone', 'stable', 3, 'regular', $3, now() + interval '30 days', $4)",
            second,
            user,
            old.encrypt(NOTE, context=b"follow_up_notes"),
            org,
        )
        await conn.execute(
            "INSERT INTO psych_assessments (id, person_id, scale, answers_enc, score, band, "
            "self_harm, at, by_user, by_name, org_path) VALUES (gen_random_uuid(), $1, 'gad7', $2, "
            "3, 'minimal', false, now(), $3, 'X', $4)",
            first,
            old.encrypt(ANSWERS, context=b"psych_answers"),
            user,
            org,
        )
        await conn.execute(
            "INSERT INTO psych_services (id, person_id, kind, at, minutes, outcome, notes_enc, "
            "by_user, by_name, org_path) VALUES (gen_random_uuid(), $1, 'counselling', now(), 30, "
            "'continue', $2, $3, 'X', $4)",
            first,
            old.encrypt(NOTE, context=b"psych_notes"),
            user,
            org,
        )
        await conn.execute(
            "INSERT INTO buildings (id, address_id, use, org_path) VALUES ('BK', $1, 'village', $2)",
            address,
            org,
        )
        await conn.execute(
            "INSERT INTO houses (id, building_id, address_id, use, is_rental, org_path) "
            "VALUES ('HK', 'BK', $1, 'residence', true, $2)",
            address,
            org,
        )
        await conn.execute(
            "INSERT INTO rental_assessments (id, house_id, at, tenants, registered, found, "
            "factors, score, grade, notes_enc, org_path, by_user, by_name) VALUES "
            "(gen_random_uuid(), 'HK', now(), 1, 1, '{}', '{}', 0, 'green', $1, $2, $3, 'X')",
            old.encrypt(NOTE, context=b"rental_notes"),
            org,
            user,
        )
        dispute = await conn.fetchval(
            "INSERT INTO disputes (id, kind, title, details_enc, parties, risk, source, org_path, "
            "holder_path, reported_at, due_at, created_by, created_by_name) VALUES "
            "(gen_random_uuid(), 'neighbour', '漏水', $1, 2, 'low', 'grid', $2, $2, now(), "
            "now() + interval '30 days', $3, 'X') RETURNING id",
            old.encrypt(NOTE, context=b"dispute_details"),
            org,
            user,
        )
        await conn.execute(
            "INSERT INTO dispute_actions (id, dispute_id, kind, at, notes_enc, by_user, by_name) "
            "VALUES (gen_random_uuid(), $1, 'mediation', now(), $2, $3, 'X')",
            dispute,
            old.encrypt(NOTE, context=b"dispute_notes"),
            user,
        )
    return {"first": first, "second": second, "lost": lost}


def unindexed_under(kid: str) -> dict[str, dict[str, int]]:
    """The census of the sealed, unindexed fields the fixture wrote, all under ``kid``."""
    return {
        "follow_ups.notes": {kid: 1},
        "psych_assessments.answers": {kid: 1},
        "psych_services.notes": {kid: 1},
        "ledger_entries.notes": {},  # none written: listed, with nothing to count
        "ledger_checks.notes": {},
        "rental_assessments.notes": {kid: 1},
        "rental_hazards.signoff_notes": {},
        "disputes.details": {kid: 1},
        "dispute_actions.notes": {kid: 1},
    }


async def _guardian_lookup(conn: Any, c: FieldCipher, phone: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT person_id::text AS id FROM patients WHERE guardian_phone_idx = $1",
        c.blind_index(phone, kind="phone"),
    )
    return [r["id"] for r in rows]


async def test_a_rekey_pass_moves_everything_it_can_open_to_the_current_key(
    clean_db: PgPool, sealed: dict[str, Any]
) -> None:
    rotated = cipher("k2", k2=NEW, k1=OLD)
    async with clean_db.acquire() as conn:
        assert await key_census(conn) == {
            "persons.id_number": {"k1": 1},
            "persons.phone": {"k0": 1, "k1": 1},
            "patients.guardian_phone": {"k1": 1},
            **unindexed_under("k1"),
        }
        assert await _guardian_lookup(conn, rotated, GUARDIAN) == []  # the dashed index

        reports = {r.field: r for r in await rekey(conn, rotated, batch=100)}
        assert {
            f: (r.scanned, r.resealed, r.reindexed, r.unreadable) for f, r in reports.items()
        } == {
            "persons.id_number": (1, 1, 0, 0),
            "persons.phone": (2, 1, 0, 1),  # k0's value: nobody can open it, left as it is
            "patients.guardian_phone": (1, 1, 1, 0),
            "follow_ups.notes": (1, 1, 0, 0),
            "psych_assessments.answers": (1, 1, 0, 0),
            "psych_services.notes": (1, 1, 0, 0),
            "ledger_entries.notes": (0, 0, 0, 0),
            "ledger_checks.notes": (0, 0, 0, 0),
            "rental_assessments.notes": (1, 1, 0, 0),
            "rental_hazards.signoff_notes": (0, 0, 0, 0),
            "disputes.details": (1, 1, 0, 0),
            "dispute_actions.notes": (1, 1, 0, 0),
        }
        assert await key_census(conn) == {
            "persons.id_number": {"k2": 1},
            "persons.phone": {"k0": 1, "k2": 1},
            "patients.guardian_phone": {"k2": 1},
            **unindexed_under("k2"),
        }
        # what was sealed is what opens, now under k2 alone
        only_new = cipher("k2", k2=NEW)
        row = await conn.fetchrow(
            "SELECT id_number_enc, phone_enc FROM persons WHERE id = $1", sealed["first"]
        )
        assert only_new.decrypt(bytes(row["id_number_enc"]), context=b"id_number") == ID_NUMBER
        assert only_new.decrypt(bytes(row["phone_enc"]), context=b"phone") == PHONE
        assert await _guardian_lookup(conn, rotated, GUARDIAN) == [sealed["second"]]
        for sql, context, value in (
            ("SELECT notes_enc FROM follow_ups", b"follow_up_notes", NOTE),
            ("SELECT answers_enc FROM psych_assessments", b"psych_answers", ANSWERS),
            ("SELECT notes_enc FROM psych_services", b"psych_notes", NOTE),
            ("SELECT notes_enc FROM rental_assessments", b"rental_notes", NOTE),
            ("SELECT details_enc FROM disputes", b"dispute_details", NOTE),
            ("SELECT notes_enc FROM dispute_actions", b"dispute_notes", NOTE),
        ):
            assert only_new.decrypt(bytes(await conn.fetchval(sql)), context=context) == value
        lost = await conn.fetchval("SELECT phone_enc FROM persons WHERE id = $1", sealed["lost"])
        assert key_id(bytes(lost)) == "k0"

        again = await rekey(conn, rotated, batch=100)
        assert [(r.resealed, r.reindexed) for r in again] == [(0, 0)] * 12


async def _fetchrow(database_url: str, sql: str) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchrow(sql)
    finally:
        await conn.close()


def test_the_cli_reports_audits_and_never_prints_a_value(
    clean_db: PgPool,
    sealed: dict[str, Any],
    database_url: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    env = {
        "PINGAN_DATABASE_URL": database_url,
        "PINGAN_REDIS_URL": redis_url,
        "PINGAN_DATA_DIR": str(tmp_path / "data"),
        "PINGAN_DATA_KEYS": ",".join(
            f"{kid}:{base64.b64encode(key).decode()}" for kid, key in (("k2", NEW), ("k1", OLD))
        ),
        "PINGAN_INDEX_KEY": base64.b64encode(INDEX).decode(),
    }
    status = CliRunner().invoke(main, ["keys", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert "current key: k2" in status.stdout
    assert "patients.guardian_phone" in status.stdout and "k1: 1" in status.stdout

    result = CliRunner().invoke(main, ["keys", "rekey", "--batch", "100"], env=env)
    # k0's value cannot be opened: said, and the exit status says so too
    assert result.exit_code == 1, result.output
    assert "1 value(s) open with no configured key" in result.output
    reports = [msgspec.json.decode(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [(r["field"], r["resealed"]) for r in reports] == [
        ("persons.id_number", 1),
        ("persons.phone", 1),
        ("patients.guardian_phone", 1),
        ("follow_ups.notes", 1),
        ("psych_assessments.answers", 1),
        ("psych_services.notes", 1),
        ("ledger_entries.notes", 0),
        ("ledger_checks.notes", 0),
        ("rental_assessments.notes", 1),
        ("rental_hazards.signoff_notes", 0),
        ("disputes.details", 1),
        ("dispute_actions.notes", 1),
    ]
    for value in (ID_NUMBER, PHONE, GUARDIAN, DASHED, NOTE):
        assert value not in result.output
    status = CliRunner().invoke(main, ["keys", "status"], env=env)
    assert "k1:" not in status.stdout  # k1 seals nothing now: it may be removed
    audited = asyncio.run(
        _fetchrow(
            database_url,
            "SELECT actor_name, object_id, details FROM audit_log WHERE action = 'keys.rekey'",
        )
    )
    assert audited is not None and audited["object_id"] == "k2"
    assert audited["actor_name"].startswith("cli:")
    assert msgspec.json.decode(audited["details"])["patients.guardian_phone"]["reindexed"] == 1

    bad = CliRunner().invoke(main, ["keys", "rekey", "--batch", "5"], env=env)
    assert bad.exit_code == 2 and "--batch" in bad.output
