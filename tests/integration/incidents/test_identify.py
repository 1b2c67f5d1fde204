"""Identifying the incident's subject after intake: the working responders get their need to know,
the run sees the patient, a correction needs a reason, and a lookup by ID number or by phone (the
patient's own or their guardian's) finds the patient without the number ever reaching a URL or a
log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.incidents.conftest import Crew, add_patient

Client = AsyncTestClient[Any]
ID_NUMBER = "440310198805120016"
SECOND_ID_NUMBER = "440310199201230027"
FAR_ID_NUMBER = "440310197707070038"
GUARDIAN_PHONE = "13900001111"  # both patients' guardian, see _patient
OWN_PHONE = "13722223333"


async def _patient(
    pool: PgPool, settings: Settings, address_id: str, name: str, id_number: str, risk_grade: int
) -> str:
    return await add_patient(
        pool,
        settings,
        address_id,
        name,
        id_number=id_number,
        risk_grade=risk_grade,
        guardian_name="王监护",
        guardian_phone=GUARDIAN_PHONE,
    )


async def _patient_reads(pool: PgPool) -> list[Any]:
    """Every ``patient.read`` audit row, oldest first."""
    async with pool.acquire() as conn:
        return list(
            await conn.fetch(
                "SELECT object_id, outcome, details FROM audit_log "
                "WHERE action = 'patient.read' ORDER BY seq"
            )
        )


@pytest.fixture
async def patient(clean_db: PgPool, address: dict[str, Any], app_settings: Settings) -> str:
    return await _patient(clean_db, app_settings, address["id"], "张三丰", ID_NUMBER, 2)


@pytest.fixture
async def far_patient(clean_db: PgPool, app_settings: Settings, paths: DistrictPaths) -> str:
    """A patient in community B: outside a street-A operator's jurisdiction."""
    async with clean_db.acquire() as conn:
        address_id = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_b,
        )
    assert address_id is not None, "the test district has no address in community B"
    return await _patient(clean_db, app_settings, address_id, "赵远方", FAR_ID_NUMBER, 4)


async def _working_incident(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> tuple[str, str]:
    """An incident opened without a patient, police.f working on it (accepted), doctor.f only
    offered; returns (incident id, police.f's assignment id)."""
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.f", Capability.POLICE, lat + 0.002, lon)
    await crew.add("doctor.f", Capability.COMMUNITY_DOCTOR, lat, lon + 0.003)
    r = await app.post(
        "/api/incidents",
        headers=operator,
        # Coordinates only, as a caller on the street gives them: nobody is registered there.
        json={"kind": "crisis_at_home", "place": {"lat": lat + 0.0004, "lon": lon}},
    )
    assert r.status_code == 201, r.text
    incident_id = str(r.json()["incident"]["summary"]["id"])
    assert r.json()["incident"]["patient_id"] is None
    (offer,) = await crew.mine("police.f")
    accepted = await app.post(
        f"/api/assignments/{offer['id']}/accept", headers=crew.headers["police.f"]
    )
    assert accepted.status_code == 200, accepted.text
    return incident_id, str(offer["id"])


async def _kinds(app: Client, operator: dict[str, str], incident_id: str) -> list[dict[str, Any]]:
    r = await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["kind"] in ("patient.linked", "subject_identified")]


async def _context(pool: PgPool, incident_id: str) -> dict[str, Any]:
    async with pool.acquire() as conn:
        run = await conn.fetchval("SELECT run_state FROM incidents WHERE id = $1", incident_id)
    return dict(msgspec.json.decode(msgspec.json.encode(run))["context"])


async def test_the_working_responder_gets_the_patient_and_the_run_sees_them(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    patient: str,
    clean_db: PgPool,
) -> None:
    incident_id, aid = await _working_incident(app, crew, operator, address)
    phone = crew.headers["police.f"]
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 404

    r = await app.post(
        f"/api/incidents/{incident_id}/patient", json={"patient_id": patient}, headers=operator
    )
    assert r.status_code == 200, r.text
    assert r.json()["patient_id"] == patient
    assert r.json()["summary"]["has_patient"] is True

    brief = (await app.get(f"/api/assignments/{aid}/brief", headers=phone)).json()
    assert brief["patient_id"] == patient
    record = await app.get(f"/api/patients/{patient}", headers=phone)
    assert record.status_code == 200 and record.json()["access"] == "need_to_know"
    # Offered, not working: no need to know yet.
    doctor = crew.headers["doctor.f"]
    assert (await app.get(f"/api/patients/{patient}", headers=doctor)).status_code == 404

    assert [(e["kind"], e["data"]) for e in await _kinds(app, operator, incident_id)] == [
        ("patient.linked", {"replaced": False}),
        ("subject_identified", {"risk_grade": 2, "has_care_team": False}),
    ]
    context = await _context(clean_db, incident_id)
    assert (context["risk_grade"], context.get("has_care_team", False)) == (2, False)

    again = await app.post(
        f"/api/incidents/{incident_id}/patient", json={"patient_id": patient}, headers=operator
    )
    assert again.status_code == 200, again.text
    assert len(await _kinds(app, operator, incident_id)) == 2  # a double click adds nothing


async def test_a_correction_needs_a_reason_and_moves_the_need_to_know(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    patient: str,
    clean_db: PgPool,
    app_settings: Settings,
) -> None:
    incident_id, _ = await _working_incident(app, crew, operator, address)
    phone = crew.headers["police.f"]
    other = await _patient(clean_db, app_settings, address["id"], "张三", SECOND_ID_NUMBER, 3)
    first = await app.post(
        f"/api/incidents/{incident_id}/patient", json={"patient_id": patient}, headers=operator
    )
    assert first.status_code == 200, first.text

    refused = await app.post(
        f"/api/incidents/{incident_id}/patient", json={"patient_id": other}, headers=operator
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "reason"
    assert refused.json()["error"]["code"] == "reason_required"
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert detail["patient_id"] == patient  # unchanged

    r = await app.post(
        f"/api/incidents/{incident_id}/patient",
        json={"patient_id": other, "reason": "现场核对身份证，认错人了"},
        headers=operator,
    )
    assert r.status_code == 200, r.text
    assert r.json()["patient_id"] == other
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 404
    assert (await app.get(f"/api/patients/{other}", headers=phone)).status_code == 200
    linked = [e["data"] for e in await _kinds(app, operator, incident_id)]
    assert linked[-2:] == [
        {"replaced": True, "reason": "现场核对身份证，认错人了"},
        {"risk_grade": 3, "has_care_team": False},
    ]
    assert (await _context(clean_db, incident_id))["risk_grade"] == 3


async def test_bad_requests_name_the_field_and_change_nothing(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    patient: str,
    far_patient: str,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    await make_user("op.a", paths.street_a, Role.OPERATOR)
    operator_a = await login(app, "op.a")
    incident_id, _ = await _working_incident(app, crew, operator_a, address)
    url = f"/api/incidents/{incident_id}/patient"

    unknown = await app.post(
        url, json={"patient_id": "00000000-0000-4000-8000-000000000000"}, headers=operator_a
    )
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"]["field"] == "patient_id"
    outside = await app.post(url, json={"patient_id": far_patient}, headers=operator_a)
    assert outside.status_code == 404, outside.text
    assert outside.json()["error"] == unknown.json()["error"] | {
        "message": outside.json()["error"]["message"]
    }  # the same answer as for nobody
    for body, field in (
        ({"patient_id": "not-a-uuid"}, "patient_id"),
        ({"patient_id": 42}, "patient_id"),
        ({}, "patient_id"),
        ({"patient_id": patient, "reason": "x"}, "reason"),
        ({"patient_id": patient, "nickname": "老张"}, "nickname"),
    ):
        bad = await app.post(url, json=body, headers=operator_a)
        assert bad.status_code == 400, (body, bad.text)
        assert field in bad.text, (body, bad.text)
    responder = await app.post(url, json={"patient_id": patient}, headers=crew.headers["police.f"])
    assert responder.status_code == 403
    nowhere = await app.post(
        "/api/incidents/INC-20260101-99999/patient",
        json={"patient_id": patient},
        headers=operator_a,
    )
    assert nowhere.status_code == 404

    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator_a)).json()
    assert detail["patient_id"] is None
    assert await _kinds(app, operator_a, incident_id) == []
    async with clean_db.acquire() as conn:
        denied = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
            far_patient,
        )
    assert denied == 1

    cancelled = await app.post(
        f"/api/incidents/{incident_id}/cancel", json={"reason": "误报，测试"}, headers=operator_a
    )
    assert cancelled.status_code == 204, cancelled.text
    ended = await app.post(url, json={"patient_id": patient}, headers=operator_a)
    assert ended.status_code == 409
    assert ended.json()["error"]["code"] == "incident_ended"


async def test_a_lookup_by_id_number_finds_the_patient_masked_and_audited(
    app: Client,
    operator: dict[str, str],
    patient: str,
    far_patient: str,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await make_user("op.a", paths.street_a, Role.OPERATOR)
    operator_a = await login(app, "op.a")
    r = await app.post(
        "/api/patients/lookup", json={"id_number": ID_NUMBER.lower()}, headers=operator_a
    )
    assert r.status_code == 200, r.text
    (found,) = r.json()["items"]
    assert found["person"]["id"] == patient
    assert found["risk_grade"] == 2
    assert ID_NUMBER not in r.text  # masked for an operator

    for body, status, field in (
        ({"id_number": "44031019880512001"}, 400, "id_number"),  # 17 digits
        ({"id_number": 440310198805120016}, 400, "id_number"),
        ({"id_number": SECOND_ID_NUMBER}, 404, "id_number"),  # nobody has it
        ({"id_number": FAR_ID_NUMBER}, 404, "id_number"),  # outside street A
    ):
        bad = await app.post("/api/patients/lookup", json=body, headers=operator_a)
        assert bad.status_code == status, (body, bad.text)
        assert field in bad.text, (body, bad.text)
        assert str(body["id_number"]) not in bad.text  # a refusal does not echo the number
    district_wide = await app.post(
        "/api/patients/lookup", json={"id_number": FAR_ID_NUMBER}, headers=operator
    )
    assert district_wide.status_code == 200, district_wide.text

    reads = await _patient_reads(clean_db)
    assert [(r["object_id"], r["outcome"]) for r in reads] == [
        (patient, "ok"),
        (far_patient, "denied"),
        (far_patient, "ok"),
    ]
    text = caplog.text + "\n".join(str(r["details"]) for r in reads)
    # ID_NUMBER[:17] also catches the refused 17-digit number and the lower-case form.
    for number in (ID_NUMBER[:17], FAR_ID_NUMBER, SECOND_ID_NUMBER):
        assert number not in text


async def test_a_lookup_by_phone_finds_patients_by_their_own_or_their_guardians_number(
    app: Client,
    operator: dict[str, str],
    patient: str,
    far_patient: str,
    address: dict[str, Any],
    app_settings: Settings,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    own = await add_patient(
        clean_db, app_settings, address["id"], "李自己", phone=OWN_PHONE, risk_grade=1
    )
    await make_user("op.a", paths.street_a, Role.OPERATOR)
    operator_a = await login(app, "op.a")

    # The guardian's number, written as a phone may show it: street A sees its own patient only.
    r = await app.post("/api/patients/lookup", json={"phone": "139 0000 1111"}, headers=operator_a)
    assert r.status_code == 200, r.text
    assert [p["person"]["id"] for p in r.json()["items"]] == [patient]
    assert GUARDIAN_PHONE not in r.text  # masked for an operator
    # The district sees both patients of that guardian, highest risk first.
    r = await app.post("/api/patients/lookup", json={"phone": GUARDIAN_PHONE}, headers=operator)
    assert [p["person"]["id"] for p in r.json()["items"]] == [far_patient, patient]
    # The patient's own number, as a caller ID shows it with the country code.
    r = await app.post(
        "/api/patients/lookup", json={"phone": "+86 137-2222-3333"}, headers=operator_a
    )
    assert [p["person"]["id"] for p in r.json()["items"]] == [own]

    for body, status, field in (
        ({}, 422, "id_number"),  # neither key
        ({"id_number": ID_NUMBER, "phone": OWN_PHONE}, 422, "phone"),  # both
        ({"phone": "12"}, 400, "phone"),  # not a phone number
        ({"phone": 13722223333}, 400, "phone"),
        ({"phone": "13811112222"}, 404, "phone"),  # nobody has it
        ({"pager": OWN_PHONE}, 400, "pager"),
    ):
        bad = await app.post("/api/patients/lookup", json=body, headers=operator_a)
        assert bad.status_code == status, (body, bad.text)
        named = bad.json()["error"].get("field") or bad.json()["error"]["message"]
        assert field in named, (body, bad.text)
        assert OWN_PHONE not in bad.text and ID_NUMBER not in bad.text  # nothing echoed

    reads = await _patient_reads(clean_db)
    assert [(r["object_id"], r["outcome"]) for r in reads] == [
        (far_patient, "denied"),
        (patient, "ok"),
        (far_patient, "ok"),
        (patient, "ok"),
        (own, "ok"),
    ]
    assert {r["details"].get("lookup") for r in reads if r["outcome"] == "ok"} == {"phone"}
    text = caplog.text + "\n".join(str(r["details"]) for r in reads)
    for number in (GUARDIAN_PHONE, OWN_PHONE, "139 0000 1111", "137-2222-3333", "13811112222"):
        assert number not in text


@pytest.fixture
async def library_app(
    clean_db: PgPool, district: Any, app_settings: Settings
) -> AsyncIterator[Client]:
    """The app with the real playbook library (the package's own)."""
    async with AsyncTestClient(create_app(app_settings)) as c:
        yield c


async def test_the_timeline_says_when_the_library_would_now_choose_another_playbook(
    library_app: Client,
    make_user: Any,
    paths: DistrictPaths,
    address: dict[str, Any],
    clean_db: PgPool,
    app_settings: Settings,
) -> None:
    await make_user("op.lib", paths.district, Role.OPERATOR)
    operator = await login(library_app, "op.lib")
    high = await _patient(clean_db, app_settings, address["id"], "钱高危", SECOND_ID_NUMBER, 4)
    r = await library_app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    assert r.status_code == 201, r.text
    incident_id = r.json()["incident"]["summary"]["id"]
    assert r.json()["incident"]["summary"]["playbook_id"] == "crisis_at_home"
    linked = await library_app.post(
        f"/api/incidents/{incident_id}/patient", json={"patient_id": high}, headers=operator
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["summary"]["playbook_id"] == "crisis_at_home"  # not swapped mid-run
    (event,) = [
        e for e in await _kinds(library_app, operator, incident_id) if e["kind"] == "patient.linked"
    ]
    assert event["data"]["playbook_suggested"] == "public_safety_high_risk"
