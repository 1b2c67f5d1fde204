"""Recording follow-up visits: the shared record, idempotent retries, the due date, bad input,
jurisdiction, masking of notes, audit and the care team."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.followups.conftest import Ward

Client = AsyncTestClient[Any]


def visit(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "kind": "home_visit",
        "condition": "stable",
        "risk_grade": 2,
        "medication": "regular",
        "notes": "服药规律，家属配合；下次带量表",
    }
    body.update(over)
    return body


@pytest.fixture
async def worker(client: Client, make_user: Any, paths: DistrictPaths) -> dict[str, str]:
    await make_user("worker", paths.community_a, Role.CASE_WORKER)
    return await login(client, "worker")


async def _patient(pool: PgPool, patient_id: str) -> Any:
    return await pool.fetchrow(
        "SELECT risk_grade, last_follow_up_at, follow_up_due_at FROM patients WHERE person_id = $1::uuid",
        patient_id,
    )


async def test_a_visit_becomes_the_patients_last_and_sets_grade_and_next_due(
    client: Client, worker: dict[str, str], ward: Ward, clean_db: PgPool
) -> None:
    body = visit(condition="unstable", risk_grade=4)
    r = await client.post(f"/api/patients/{ward.overdue_low}/follow-ups", json=body, headers=worker)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["duplicate"] is False
    assert out["follow_up"]["notes"] == body["notes"]
    at = datetime.fromisoformat(body["at"])
    # Unstable: the next visit within 14 days, whatever the grade would allow.
    assert datetime.fromisoformat(out["due_at"]) == at + timedelta(days=14)
    row = await _patient(clean_db, ward.overdue_low)
    assert row["risk_grade"] == 4
    assert row["last_follow_up_at"] == at
    assert row["follow_up_due_at"] == at + timedelta(days=14)
    audit = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'follow_up.record' AND object_id = $1",
        ward.overdue_low,
    )
    assert audit == 1


async def test_the_same_visit_sent_twice_is_stored_once_and_another_visit_under_its_id_is_refused(
    client: Client, worker: dict[str, str], ward: Ward, clean_db: PgPool
) -> None:
    body = visit()
    url = f"/api/patients/{ward.overdue_high}/follow-ups"
    first = await client.post(url, json=body, headers=worker)
    upper = f"/api/patients/{ward.overdue_high.upper()}/follow-ups"  # the same patient
    again = await client.post(upper, json=body, headers=worker)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    assert again.json()["follow_up"]["id"] == first.json()["follow_up"]["id"]
    other = await client.post(url, json={**body, "condition": "unstable"}, headers=worker)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "follow_up_id_taken"
    assert other.json()["error"]["field"] == "id"
    assert await clean_db.fetchval("SELECT count(*) FROM follow_ups") == 1


async def test_a_visit_typed_in_late_joins_the_record_but_changes_nothing_newer(
    client: Client, worker: dict[str, str], ward: Ward, clean_db: PgPool
) -> None:
    url = f"/api/patients/{ward.overdue_high}/follow-ups"
    recent = visit(risk_grade=3)
    assert (await client.post(url, json=recent, headers=worker)).status_code == 201
    before = await _patient(clean_db, ward.overdue_high)
    old_at = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    older = visit(at=old_at, risk_grade=5, condition="unstable")
    assert (await client.post(url, json=older, headers=worker)).status_code == 201
    assert await _patient(clean_db, ward.overdue_high) == before
    page = (await client.get(url, headers=worker)).json()
    assert [v["id"] for v in page["items"]] == [recent["id"], older["id"]]  # newest first


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "at", "in_future"),
        ({"at": (datetime.now(UTC) - timedelta(days=400)).isoformat()}, "at", "too_old"),
        (
            {"next_due_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
            "next_due_at",
            "before_visit",
        ),
        (
            {"next_due_at": (datetime.now(UTC) + timedelta(days=60)).isoformat()},
            "next_due_at",
            "later_than_rule",
        ),
    ],
)
async def test_impossible_times_are_refused_naming_the_field(
    client: Client,
    worker: dict[str, str],
    ward: Ward,
    clean_db: PgPool,
    over: dict[str, Any],
    field: str,
    code: str,
) -> None:
    r = await client.post(
        f"/api/patients/{ward.overdue_high}/follow-ups", json=visit(**over), headers=worker
    )
    assert r.status_code == 422, r.text
    assert (r.json()["error"]["field"], r.json()["error"]["code"]) == (field, code)
    assert await clean_db.fetchval("SELECT count(*) FROM follow_ups") == 0


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"risk_grade": 6}, "risk_grade"),
        ({"kind": "telepathy"}, "kind"),
        ({"id": "not-a-uuid"}, "id"),
        ({"at": "2026-11-01T10:00:00"}, "at"),  # no time zone
        ({"notes": "x" * 2001}, "notes"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_malformed_visits_get_a_400_naming_the_field(
    client: Client,
    worker: dict[str, str],
    ward: Ward,
    clean_db: PgPool,
    over: dict[str, Any],
    field: str,
) -> None:
    r = await client.post(
        f"/api/patients/{ward.overdue_high}/follow-ups", json=visit(**over), headers=worker
    )
    assert r.status_code == 400, r.text
    assert field in (r.json()["error"]["field"] or r.json()["error"]["message"])
    assert await clean_db.fetchval("SELECT count(*) FROM follow_ups") == 0


async def test_another_communitys_patient_is_not_found_and_the_attempt_is_audited(
    client: Client, worker: dict[str, str], ward: Ward, clean_db: PgPool
) -> None:
    for url in (
        f"/api/patients/{ward.other_community}/follow-ups",
        f"/api/patients/{uuid.uuid4()}/follow-ups",
        "/api/patients/nonsense/follow-ups",
    ):
        r = await client.post(url, json=visit(), headers=worker)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["field"] == "patient_id"
    assert (
        await client.get(f"/api/patients/{ward.other_community}/follow-ups", headers=worker)
    ).status_code == 404
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE object_id = $1 AND outcome = 'denied'",
        ward.other_community,
    )
    assert denied == 2  # the write and the read
    assert await clean_db.fetchval("SELECT count(*) FROM follow_ups") == 0


async def test_notes_are_sealed_at_rest_and_shown_only_to_those_who_record_visits(
    client: Client,
    worker: dict[str, str],
    make_user: Any,
    paths: DistrictPaths,
    ward: Ward,
    clean_db: PgPool,
) -> None:
    body = visit(notes="患者自述幻听加重")
    url = f"/api/patients/{ward.overdue_high}/follow-ups"
    assert (await client.post(url, json=body, headers=worker)).status_code == 201
    sealed = await clean_db.fetchval("SELECT notes_enc FROM follow_ups")
    assert "幻听".encode() not in bytes(sealed)
    await make_user("duty", paths.district, Role.OPERATOR)
    operator = await login(client, "duty")
    seen = (await client.get(url, headers=operator)).json()["items"][0]
    assert (seen["notes"], seen["notes_hidden"]) == (None, True)
    assert seen["condition"] == "stable"
    reads = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND object_id = $1 "
        "AND actor_name = 'duty'",
        ward.overdue_high,
    )
    assert reads == 1
    await make_user("cop", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    responder = await login(client, "cop")
    assert (await client.get(url, headers=responder)).status_code == 403
    assert (await client.post(url, json=visit(), headers=responder)).status_code == 403
    assert (await client.post(url, json=visit(), headers=operator)).status_code == 403


async def test_the_care_team_is_kept_and_hears_of_each_visit_but_the_author_does_not(
    client: Client,
    worker: dict[str, str],
    make_user: Any,
    paths: DistrictPaths,
    ward: Ward,
    clean_db: PgPool,
) -> None:
    doctor = await make_user("doctor", paths.community_a, Role.CASE_WORKER)
    police = await make_user(
        "police", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
    )
    me = await clean_db.fetchval("SELECT id::text FROM users WHERE username = 'worker'")
    team_url = f"/api/patients/{ward.overdue_high}/care-team"
    for user, role, primary in (
        (doctor.id, "community_doctor", True),
        (police.id, "police", False),
        (me, "social_worker", True),  # the new primary replaces the doctor
    ):
        r = await client.post(
            team_url,
            json={"user_id": str(user), "role": role, "is_primary": primary},
            headers=worker,
        )
        assert r.status_code == 200, r.text
    team = r.json()["items"]
    assert (team[0]["role"], team[0]["is_primary"]) == ("social_worker", True)
    assert sum(m["is_primary"] for m in team) == 1
    bad = await client.post(
        team_url, json={"user_id": str(uuid.uuid4()), "role": "police"}, headers=worker
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (404, "user_id")
    wrong_role = await client.post(
        team_url, json={"user_id": str(police.id), "role": "astrologer"}, headers=worker
    )
    assert wrong_role.status_code == 400

    r = await client.post(
        f"/api/patients/{ward.overdue_high}/follow-ups", json=visit(), headers=worker
    )
    assert r.status_code == 201
    told = await clean_db.fetch(
        "SELECT subject FROM outbox WHERE kind = 'follow_up.recorded' AND stream = 'personal' ORDER BY subject"
    )
    assert sorted(t["subject"] for t in told) == sorted([str(doctor.id), str(police.id)])
    payload = await clean_db.fetchval(
        "SELECT payload FROM outbox WHERE kind = 'follow_up.recorded' LIMIT 1"
    )
    assert "notes" not in payload and payload["patient_id"] == ward.overdue_high

    gone = await client.delete(f"{team_url}/{police.id}?role=police", headers=worker)
    assert gone.status_code == 200
    assert str(police.id) not in {m["user_id"] for m in gone.json()["items"]}
    again = await client.delete(f"{team_url}/{police.id}?role=police", headers=worker)
    assert again.status_code == 404
    bad_id = await client.delete(f"{team_url}/nope?role=police", headers=worker)
    assert (bad_id.status_code, bad_id.json()["error"]["field"]) == (400, "user_id")
    actions = await clean_db.fetch(
        "SELECT action FROM audit_log WHERE action LIKE 'care_team.%' AND outcome = 'ok'"
    )
    assert [a["action"] for a in actions].count("care_team.add") == 3
    assert [a["action"] for a in actions].count("care_team.remove") == 1


async def test_the_worklist_puts_the_most_overdue_first_and_masks_by_role(
    client: Client,
    worker: dict[str, str],
    make_user: Any,
    paths: DistrictPaths,
    ward: Ward,
    clean_db: PgPool,
) -> None:
    r = await client.get("/api/follow-ups/due?within_days=0", headers=worker)
    assert r.status_code == 200, r.text
    page = r.json()
    ids = [i["patient_id"] for i in page["items"]]
    # Overdue in community A: late_high (16 d), overdue_low (10 d), overdue_high (6 d).
    assert ids == [ward.late_high, ward.overdue_low, ward.overdue_high]
    assert page["overdue"] == 3
    assert [i["days_overdue"] for i in page["items"]] == [16, 10, 6]
    assert all(i["overdue"] for i in page["items"])
    assert page["items"][0]["name"] == "陈二"
    soon = (await client.get("/api/follow-ups/due?within_days=30", headers=worker)).json()
    assert soon["items"][-1]["patient_id"] == ward.on_time_high
    assert soon["items"][-1]["days_overdue"] == -10  # 10 days and some hours left
    assert soon["items"][-1]["overdue"] is False
    high = (await client.get("/api/follow-ups/due?within_days=0&risk_min=3", headers=worker)).json()
    assert [i["patient_id"] for i in high["items"]] == [ward.late_high, ward.overdue_high]
    mine = (await client.get("/api/follow-ups/due?scope=mine", headers=worker)).json()
    assert (mine["items"], mine["overdue"]) == ([], 0)

    await make_user("leader", paths.district, Role.DISTRICT_LEADER)
    leader = await login(client, "leader")
    district = (await client.get("/api/follow-ups/due?within_days=0", headers=leader)).json()
    assert district["overdue"] == 4  # community B's patient too
    assert all(i["name"] is None or "*" in i["name"] for i in district["items"])
    reads = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND actor_name = 'leader' "
        "AND details->>'list' = 'follow_ups_due'"
    )
    assert reads == 4
    bad = await client.get("/api/follow-ups/due?scope=everyone", headers=leader)
    assert bad.status_code == 400
