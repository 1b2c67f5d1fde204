"""What the console's intake form reads before it creates an incident: the patients registered
at an address (masked, audited), and the playbook the incident would run."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]
GUARDIAN_PHONE = "13987654321"


class Home(msgspec.Struct, frozen=True, kw_only=True):
    address_id: str  # in community A; houses a patient and a plain resident
    other_address_id: str  # in community A; houses nobody
    patient_id: str


@pytest.fixture
async def home(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> Home:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        addresses = await conn.fetch(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 2",
            paths.community_a,
        )
        assert len(addresses) == 2, "the synthetic district has addresses in community A"
        cipher = FieldCipher(load_keyring(app_settings))
        patient = await create_person(
            conn, cipher, PersonCreate(name="张三丰", address_id=addresses[0]["id"])
        )
        await create_person(conn, cipher, PersonCreate(name="王五", address_id=addresses[0]["id"]))
        await register_patient(
            conn,
            cipher,
            patient,
            PatientCreate(
                risk_grade=4,
                diagnosis="F20.0",
                guardian_name="张大山",
                guardian_phone=GUARDIAN_PHONE,
            ),
        )
    return Home(
        address_id=addresses[0]["id"], other_address_id=addresses[1]["id"], patient_id=patient
    )


async def _reads(pool: PgPool, object_id: str, outcome: str) -> int:
    async with pool.acquire() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND object_id = $1 "
                "AND outcome = $2",
                object_id,
                outcome,
            )
        )


async def test_patients_at_an_address_are_masked_and_audited(
    client: Client, make_user: Any, paths: DistrictPaths, home: Home, clean_db: PgPool
) -> None:
    await make_user("op.a", paths.district, Role.OPERATOR)
    await make_user("op.b", paths.street_b, Role.OPERATOR)
    operator = await login(client, "op.a")
    r = await client.get(f"/api/patients?address_id={home.address_id}", headers=operator)
    assert r.status_code == 200, r.text
    (patient,) = r.json()["items"]
    assert patient["person"]["id"] == home.patient_id
    assert patient["risk_grade"] == 4
    assert patient["diagnosis"] is None  # hidden from operators
    assert patient["guardian_phone"] != GUARDIAN_PHONE  # masked
    assert patient["person"]["name"] != "张三丰"  # masked
    assert await _reads(clean_db, home.patient_id, "ok") == 1
    empty = await client.get(f"/api/patients?address_id={home.other_address_id}", headers=operator)
    assert empty.json()["items"] == []
    # Another street's operator learns nothing about this address.
    other = await login(client, "op.b")
    r = await client.get(f"/api/patients?address_id={home.address_id}", headers=other)
    assert r.json()["items"] == []
    bad = await client.get("/api/patients?address_id=no%20spaces", headers=operator)
    assert bad.status_code == 400


async def test_select_names_the_playbook_intake_would_run(
    client: Client, make_user: Any, paths: DistrictPaths, home: Home, clean_db: PgPool
) -> None:
    await make_user("op.a", paths.district, Role.OPERATOR)
    await make_user("op.b", paths.street_b, Role.OPERATOR)
    operator = await login(client, "op.a")
    r = await client.get("/api/playbooks/select?kind=crisis_at_home", headers=operator)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "crisis_at_home"
    assert r.json()["steps"][0]["id"] == "notify_guardian"
    # The patient's risk grade 4 picks the high-risk plan, and that read is audited.
    r = await client.get(
        f"/api/playbooks/select?kind=crisis_at_home&patient_id={home.patient_id}",
        headers=operator,
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "public_safety_high_risk"
    assert await _reads(clean_db, home.patient_id, "ok") == 1
    # It matches what intake really chooses.
    created = await client.post(
        "/api/incidents",
        headers=operator,
        json={
            "kind": "crisis_at_home",
            "place": {"address_id": home.address_id},
            "patient_id": home.patient_id,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["incident"]["summary"]["playbook_id"] == "public_safety_high_risk"
    other = await login(client, "op.b")
    denied = await client.get(
        f"/api/playbooks/select?kind=crisis_at_home&patient_id={home.patient_id}", headers=other
    )
    assert denied.status_code == 404
    assert denied.json()["error"]["field"] == "patient_id"
    assert await _reads(clean_db, home.patient_id, "denied") == 1
    bad = await client.get("/api/playbooks/select?kind=arson", headers=operator)
    assert bad.status_code == 400
