"""Persons and patients: the access matrix by role and jurisdiction, masking, grants, reveal, audit."""

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
from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]
ID_A, PHONE_A, GUARDIAN_A = "440310198501011234", "13812345678", "13987654321"


class People(msgspec.Struct, frozen=True, kw_only=True):
    patient_a: str  # in community A
    patient_b: str  # in community B
    person_a: str  # plain resident in community A


@pytest.fixture
async def people(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> People:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        addr_a = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1", paths.community_a
        )
        addr_b = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1", paths.community_b
        )
        assert addr_a and addr_b, "the synthetic district has addresses in both communities"
        cipher = FieldCipher(load_keyring(app_settings))
        pa = await create_person(
            conn,
            cipher,
            PersonCreate(name="张三丰", address_id=addr_a, id_number=ID_A, phone=PHONE_A),
        )
        pb = await create_person(conn, cipher, PersonCreate(name="李四", address_id=addr_b))
        plain = await create_person(
            conn, cipher, PersonCreate(name="王五", address_id=addr_a, phone="13700001111")
        )
        care = PatientCreate(
            risk_grade=4,
            diagnosis="F20.0",
            guardian_name="张大山",
            guardian_phone=GUARDIAN_A,
            de_escalation_notes="speak slowly; his sister calms him",
            medication="olanzapine 10 mg",
        )
        await register_patient(conn, cipher, pa, care)
        await register_patient(conn, cipher, pb, PatientCreate(risk_grade=1))
    return People(patient_a=pa, patient_b=pb, person_a=plain)


async def _denied_rows(pool: PgPool, object_id: str) -> int:
    async with pool.acquire() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE object_id = $1 AND outcome = 'denied'",
                object_id,
            )
        )


ROLES_IN_A = [
    ("district_leader", "district", Role.DISTRICT_LEADER),
    ("street_leader", "street_a", Role.STREET_LEADER),
    ("community_leader", "community_a", Role.COMMUNITY_LEADER),
    ("operator", "district", Role.OPERATOR),
    ("case_worker", "community_a", Role.CASE_WORKER),
]


@pytest.mark.parametrize(("name", "where", "role"), ROLES_IN_A)
async def test_roles_read_patients_of_their_jurisdiction_masked_by_policy(
    client: Client,
    make_user: Any,
    paths: DistrictPaths,
    people: People,
    name: str,
    where: str,
    role: Role,
) -> None:
    await make_user(name, getattr(paths, where), role)
    headers = await login(client, name)
    r = await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    assert r.status_code == 200
    body = r.json()
    person = body["person"]
    if role is Role.CASE_WORKER:
        assert person["name"] == "张三丰"
        assert body["guardian_phone"] == GUARDIAN_A
        assert body["diagnosis"] == "F20.0"
    else:
        assert person["name"] == "张**"
        assert body["guardian_phone"] in ("139****4321", None)
        assert body["diagnosis"] is None
    assert person["id_number"] in ("440310********1234", None)
    assert body["risk_grade"] == 4


@pytest.mark.parametrize(
    ("name", "where", "role"),
    [
        ("street_leader_b", "street_b", Role.STREET_LEADER),
        ("community_leader_b", "community_b", Role.COMMUNITY_LEADER),
        ("case_worker_b", "community_b", Role.CASE_WORKER),
    ],
)
async def test_other_jurisdiction_gets_404_and_a_denied_audit_row(
    client: Client,
    make_user: Any,
    paths: DistrictPaths,
    people: People,
    clean_db: PgPool,
    name: str,
    where: str,
    role: Role,
) -> None:
    await make_user(name, getattr(paths, where), role)
    headers = await login(client, name)
    for url in (f"/api/patients/{people.patient_a}", f"/api/persons/{people.patient_a}"):
        r = await client.get(url, headers=headers)
        assert r.status_code == 404, url
        assert r.json()["error"]["code"] == "not_found"
    assert await _denied_rows(clean_db, people.patient_a) == 2
    unknown = await client.get(
        "/api/patients/00000000-0000-0000-0000-000000000000", headers=headers
    )
    assert unknown.status_code == 404  # same answer as "exists elsewhere": nothing is revealed


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN, Role.GATEWAY])
async def test_roles_without_people_permissions_are_refused(
    client: Client, make_user: Any, paths: DistrictPaths, people: People, role: Role
) -> None:
    await make_user("nobody", paths.district, role)
    headers = await login(client, "nobody")
    assert (await client.get("/api/persons", headers=headers)).status_code == 403
    assert (
        await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    ).status_code == 404


async def test_responder_cannot_list_persons_and_sees_a_patient_only_while_granted(
    client: Client, make_user: Any, paths: DistrictPaths, people: People, clean_db: PgPool
) -> None:
    responder = await make_user(
        "resp", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
    )
    headers = await login(client, "resp")
    assert (await client.get("/api/persons", headers=headers)).status_code == 403
    assert (
        await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    ).status_code == 404
    async with clean_db.acquire() as conn:
        await conn.execute(
            "INSERT INTO patient_access_grants (patient_id, user_id, incident_id) VALUES ($1::uuid, $2::uuid, 'INC-1')",
            people.patient_a,
            responder.id,
        )
    granted = await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    assert granted.status_code == 200
    body = granted.json()
    assert body["access"] == "need_to_know"
    assert body["person"]["name"] == "张三丰"
    assert body["guardian_phone"] == GUARDIAN_A
    assert body["de_escalation_notes"].startswith("speak slowly")
    assert body["person"]["id_number"] is None  # need-to-know never includes the ID number
    assert body["diagnosis"] is None
    async with clean_db.acquire() as conn:
        await conn.execute("UPDATE patient_access_grants SET ended_at = now()")
    assert (
        await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    ).status_code == 404


async def test_every_patient_read_is_audited(
    client: Client, make_user: Any, paths: DistrictPaths, people: People, clean_db: PgPool
) -> None:
    await make_user("op.one", paths.district, Role.OPERATOR)
    headers = await login(client, "op.one")
    await client.get(f"/api/patients/{people.patient_a}", headers=headers)
    listing = (await client.get("/api/patients?risk_min=0", headers=headers)).json()["items"]
    assert [p["risk_grade"] for p in listing] == [4, 1]
    async with clean_db.acquire() as conn:
        reads = await conn.fetch(
            "SELECT object_id FROM audit_log WHERE action = 'patient.read' AND outcome = 'ok'"
        )
    assert sorted(r["object_id"] for r in reads) == sorted(
        [people.patient_a, people.patient_a, people.patient_b]
    )


async def test_reveal_needs_permission_and_reason_and_is_audited(
    client: Client, make_user: Any, paths: DistrictPaths, people: People, clean_db: PgPool
) -> None:
    await make_user("lead", paths.district, Role.DISTRICT_LEADER)
    await make_user("op.one", paths.district, Role.OPERATOR)
    leader, operator = await login(client, "lead"), await login(client, "op.one")
    url = f"/api/persons/{people.patient_a}/reveal"
    assert (await client.post(url, json={"reason": "urgent"}, headers=leader)).status_code == 400
    assert (
        await client.post(url, json={"reason": "family dispute escalation call"}, headers=operator)
    ).status_code == 403
    r = await client.post(url, json={"reason": "family dispute escalation call"}, headers=leader)
    assert r.status_code == 200
    assert r.json()["id_number"] == ID_A
    assert r.json()["phone"] == PHONE_A
    assert r.json()["masked"] is False
    async with clean_db.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM audit_log WHERE action = 'person.reveal'")
    assert row["reason"] == "family dispute escalation call"
    assert row["actor_name"] == "lead"


async def test_encrypted_columns_hold_no_plaintext(people: People, clean_db: PgPool) -> None:
    async with clean_db.acquire() as conn:
        raw = await conn.fetchrow("SELECT * FROM persons WHERE id = $1::uuid", people.patient_a)
        dump = "".join(str(v) for v in raw.values())
        bytes_dump = b"".join(bytes(v) for v in raw.values() if isinstance(v, bytes | memoryview))
    assert ID_A not in dump
    assert ID_A.encode() not in bytes_dump
    assert PHONE_A.encode() not in bytes_dump
