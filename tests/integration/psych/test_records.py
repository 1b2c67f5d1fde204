"""Assessments and sessions: scoring on the server, the crisis warning raised and resolved in
the same transaction, idempotent retries, bad input, jurisdiction, sealing, audit and the
attention list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.psych.conftest import Residents

Client = AsyncTestClient[Any]
SELF_HARM = [1, 1, 0, 0, 1, 0, 0, 0, 1]  # 4, minimal, but item 9 says "several days"
SEVERE = [3, 3, 3, 3, 3, 2, 2, 2, 0]  # 21


def assessment(person: str, answers: list[int], scale: str = "phq9", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "person_id": person,
        "scale": scale,
        "answers": answers,
        "at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
    }
    body.update(over)
    return body


def session(person: str, kind: str = "crisis_intervention", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "person_id": person,
        "kind": kind,
        "at": datetime.now(UTC).isoformat(),
        "minutes": 45,
        "outcome": "referred_psychiatry",
        "notes": "情绪低落，已联系家属陪同就诊",
    }
    body.update(over)
    return body


@pytest.fixture
async def counsellor(client: Client, make_user: Any, paths: DistrictPaths) -> dict[str, str]:
    await make_user("xl.a", paths.community_a, Role.COUNSELLOR)
    return await login(client, "xl.a")


async def _warnings(pool: PgPool, person: str) -> list[Any]:
    return list(
        await pool.fetch(
            "SELECT * FROM early_warnings WHERE rule = 'psych_crisis' AND subject_id = $1 ORDER BY id",
            person,
        )
    )


async def test_thoughts_of_self_harm_raise_a_serious_crisis_warning_with_the_assessment(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    r = await client.post(
        "/api/psych/assessments", json=assessment(residents.plain, SELF_HARM), headers=counsellor
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["assessment"]["score"], out["assessment"]["band"]) == (4, "minimal")
    assert out["assessment"]["self_harm"] is True
    assert out["assessment"]["answers"] == SELF_HARM
    assert out["warning"]["level"] == "serious"
    assert out["warning"]["rule"] == "psych_crisis"
    [warning] = await _warnings(clean_db, residents.plain)
    assert warning["details"] == {"scale": "phq9", "band": "minimal", "self_harm": True}
    assert warning["subject_type"] == "person"
    # announced to the jurisdiction in the same transaction, with no name in it
    event = await clean_db.fetchrow(
        "SELECT kind, payload::text AS payload FROM outbox WHERE kind = 'warning.raised'"
    )
    assert event is not None and "李平" not in event["payload"]
    # the answers are sealed at rest; the audit names the person
    sealed = await clean_db.fetchval("SELECT answers_enc FROM psych_assessments")
    assert b"110010001" not in bytes(sealed)
    audit = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'psych.assess' AND object_id = $1",
        residents.plain,
    )
    assert audit == 1


async def test_a_severe_result_warns_and_is_serious_for_a_patient_or_a_special_group(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    levels = {}
    for person in (residents.plain, residents.patient, residents.tagged):
        r = await client.post(
            "/api/psych/assessments", json=assessment(person, SEVERE), headers=counsellor
        )
        assert r.status_code == 201, r.text
        levels[person] = r.json()["warning"]["level"]
    assert levels == {
        residents.plain: "warning",
        residents.patient: "serious",
        residents.tagged: "serious",
    }
    # a later self-harm finding escalates the live warning instead of raising a second one
    r = await client.post(
        "/api/psych/assessments", json=assessment(residents.plain, SELF_HARM), headers=counsellor
    )
    assert r.json()["warning"]["level"] == "serious"
    assert [w["level"] for w in await _warnings(clean_db, residents.plain)] == ["serious"]
    kinds = await clean_db.fetch("SELECT kind FROM outbox WHERE kind LIKE 'warning.%' ORDER BY seq")
    assert [k["kind"] for k in kinds].count("warning.escalated") == 1


async def test_the_same_form_sent_twice_is_stored_once_and_another_form_under_its_id_is_refused(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    body = assessment(residents.plain, SELF_HARM)
    first = await client.post("/api/psych/assessments", json=body, headers=counsellor)
    again = await client.post("/api/psych/assessments", json=body, headers=counsellor)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    assert again.json()["warning"]["id"] == first.json()["warning"]["id"]
    other = await client.post(
        "/api/psych/assessments", json={**body, "answers": [0] * 9}, headers=counsellor
    )
    assert other.status_code == 409
    assert (other.json()["error"]["code"], other.json()["error"]["field"]) == (
        "assessment_id_taken",
        "id",
    )
    assert await clean_db.fetchval("SELECT count(*) FROM psych_assessments") == 1
    assert len(await _warnings(clean_db, residents.plain)) == 1


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"answers": [0] * 7}, "answers", "wrong_count"),
        ({"answers": [0, 0, 0, 4, 0, 0, 0, 0, 0]}, "answers[3]", "out_of_range"),
        ({"scale": "bdi"}, "scale", None),
        ({"at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}, "at", "in_future"),
        ({"at": "2026-01-01T10:00:00"}, "at", None),  # no time zone
        ({"answers": "000000000"}, "answers", None),
    ],
)
async def test_bad_forms_are_refused_at_their_field_and_store_nothing(
    client: Client,
    counsellor: dict[str, str],
    residents: Residents,
    clean_db: PgPool,
    over: dict[str, Any],
    field: str,
    code: str | None,
) -> None:
    body = {**assessment(residents.plain, SELF_HARM), **over}
    r = await client.post("/api/psych/assessments", json=body, headers=counsellor)
    assert r.status_code in (400, 422), r.text
    error = r.json()["error"]
    assert error["field"] == field
    if code is not None:
        assert error["code"] == code
    assert await clean_db.fetchval("SELECT count(*) FROM psych_assessments") == 0
    assert await clean_db.fetchval("SELECT count(*) FROM early_warnings") == 0


async def test_a_person_of_another_jurisdiction_is_unknown_and_the_attempt_is_recorded(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    for url, body in (
        ("/api/psych/assessments", assessment(residents.other_community, SELF_HARM)),
        ("/api/psych/services", session(residents.other_community)),
    ):
        r = await client.post(url, json=body, headers=counsellor)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["field"] == "person_id"
    r = await client.get(f"/api/psych/persons/{residents.other_community}", headers=counsellor)
    assert r.status_code == 404
    unknown = await client.post(
        "/api/psych/assessments", json=assessment(str(uuid.uuid4()), SELF_HARM), headers=counsellor
    )
    assert unknown.status_code == 404
    denials = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
        residents.other_community,
    )
    assert denials == 3
    assert await clean_db.fetchval("SELECT count(*) FROM psych_assessments") == 0
    assert await clean_db.fetchval("SELECT count(*) FROM psych_services") == 0


async def test_a_crisis_intervention_resolves_the_warning_and_clears_the_attention_list(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    await client.post(
        "/api/psych/assessments", json=assessment(residents.plain, SELF_HARM), headers=counsellor
    )
    moderate = [2, 2, 1, 1, 1, 1, 1, 1, 0]  # 10
    await client.post(
        "/api/psych/assessments", json=assessment(residents.tagged, moderate), headers=counsellor
    )
    mild = [1, 1, 1, 1, 1, 0, 0, 0, 0]  # 5: not waiting for anyone
    await client.post(
        "/api/psych/assessments", json=assessment(residents.patient, mild), headers=counsellor
    )
    page = (await client.get("/api/psych/attention", headers=counsellor)).json()
    assert [i["person_id"] for i in page["items"]] == [residents.plain, residents.tagged]
    assert page["total"] == 2
    assert page["items"][0]["name"] == "李平"  # a counsellor sees the name of whom they serve
    assert page["items"][0]["warning"]["level"] == "serious"
    assert page["items"][1]["warning"] is None  # moderate: a session is due, no crisis

    counselling = session(residents.tagged, kind="counselling", outcome="continue")
    r = await client.post("/api/psych/services", json=counselling, headers=counsellor)
    assert r.status_code == 201 and r.json()["resolved_warnings"] == []
    body = session(residents.plain)
    r = await client.post("/api/psych/services", json=body, headers=counsellor)
    assert r.status_code == 201, r.text
    [warning] = await _warnings(clean_db, residents.plain)
    assert r.json()["resolved_warnings"] == [warning["id"]]
    assert warning["state"] == "resolved"
    again = await client.post("/api/psych/services", json=body, headers=counsellor)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    clash = await client.post(
        "/api/psych/services", json={**body, "minutes": 50}, headers=counsellor
    )
    assert clash.status_code == 409
    assert (await client.get("/api/psych/attention", headers=counsellor)).json() == {
        "items": [],
        "total": 0,
    }
    record = (await client.get(f"/api/psych/persons/{residents.plain}", headers=counsellor)).json()
    assert [s["notes"] for s in record["services"]] == [body["notes"]]
    assert record["assessments"][0]["answers"] == SELF_HARM
    reads = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'psych.read' AND object_id = $1",
        residents.plain,
    )
    assert reads == 2  # listed once on the attention list, then the record opened


async def test_who_may_do_what(
    client: Client, make_user: Any, paths: DistrictPaths, residents: Residents
) -> None:
    await make_user("cw.a", paths.community_a, Role.CASE_WORKER)
    await make_user("boss", paths.street_a, Role.STREET_LEADER)
    for name in ("cw.a", "boss"):
        headers = await login(client, name)
        r = await client.post(
            "/api/psych/assessments", json=assessment(residents.plain, SELF_HARM), headers=headers
        )
        assert r.status_code == 403, name
    boss = await login(client, "boss")
    assert (await client.get("/api/psych/units?level=community", headers=boss)).status_code == 200
    assert (await client.get("/api/psych/attention", headers=boss)).status_code == 403
    cw = await login(client, "cw.a")
    assert (await client.get("/api/psych/units", headers=cw)).status_code == 403


async def test_a_counsellor_sees_and_takes_only_psychological_crises_among_the_warnings(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    await client.post(
        "/api/psych/assessments", json=assessment(residents.plain, SELF_HARM), headers=counsellor
    )
    follow_up = await clean_db.fetchval(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level)
        VALUES ('follow_up_overdue', 'patient', $1, $2, 'warning') RETURNING id
        """,
        residents.patient,
        await clean_db.fetchval(
            "SELECT org_path FROM persons WHERE id = $1::uuid", residents.patient
        ),
    )
    page = (await client.get("/api/warnings", headers=counsellor)).json()
    assert [w["rule"] for w in page["items"]] == ["psych_crisis"]
    assert page["open"] == 1
    [crisis] = page["items"]
    taken = await client.post(
        f"/api/warnings/{crisis['id']}/acknowledge",
        json={"note": "已电话联系，今晚上门"},
        headers=counsellor,
    )
    assert taken.status_code == 200, taken.text
    hidden = await client.post(
        f"/api/warnings/{follow_up}/acknowledge", json={"note": "不该看到"}, headers=counsellor
    )
    assert hidden.status_code == 404
    assert (await client.get("/api/warnings/units", headers=counsellor)).status_code == 403


async def test_a_resident_is_found_by_id_number_only_in_ones_jurisdiction(
    client: Client, counsellor: dict[str, str], residents: Residents, clean_db: PgPool
) -> None:
    r = await client.post(
        "/api/persons/lookup", json={"id_number": residents.plain_id_number}, headers=counsellor
    )
    assert r.status_code == 200, r.text
    [person] = r.json()["items"]
    assert person["id"] == residents.plain
    assert person["id_number"] != residents.plain_id_number  # masked for a counsellor
    assert person["id_number"][-4:] == residents.plain_id_number[-4:]
    elsewhere = await client.post(
        "/api/persons/lookup", json={"id_number": residents.other_id_number}, headers=counsellor
    )
    assert elsewhere.status_code == 404
    assert (elsewhere.json()["error"]["field"], elsewhere.json()["error"]["code"]) == (
        "id_number",
        "unknown_person",
    )
    both = await client.post(
        "/api/persons/lookup",
        json={"id_number": residents.plain_id_number, "phone": "13800000000"},
        headers=counsellor,
    )
    assert both.status_code == 422
    assert both.json()["error"]["code"] == "one_key_required"
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
        residents.other_community,
    )
    assert denied == 1
