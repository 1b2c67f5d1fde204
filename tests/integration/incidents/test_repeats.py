"""Repeat calls from one place: a second incident at an address within 30 days carries the
repeat_call flag and names the earlier ones; the flat next door, an old call and a far point do
not count; a call placed by coordinates counts what happened within 100 m."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from backend.early_warning.follow_up_rule import check_follow_ups
from backend.early_warning.repeat_call_rule import RepeatCallPolicy, check_repeat_calls
from backend.early_warning.store import RuleRun
from backend.followups.policy import FollowUpPolicy
from backend.incidents.archive import build_archive
from backend.security.policy import Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths
from tests.integration.incidents.conftest import add_patient

Client = AsyncTestClient[Any]


async def _create(app: Client, operator: dict[str, str], place: dict[str, Any]) -> dict[str, Any]:
    r = await app.post(
        "/api/incidents", headers=operator, json={"kind": "crisis_at_home", "place": place}
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["incident"])


async def _created_event(app: Client, operator: dict[str, str], incident_id: str) -> Any:
    r = await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)
    assert r.status_code == 200, r.text
    return next(e["data"] for e in r.json() if e["kind"] == "incident.created")


async def test_a_second_call_from_an_address_knows_the_first(
    app: Client, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    first = await _create(app, operator, {"address_id": address["id"]})
    assert first["earlier"] == {"count": 0, "latest": []}
    assert "repeat_call" not in first["flags"]

    second = await _create(app, operator, {"address_id": address["id"]})
    assert second["earlier"]["count"] == 1
    (earlier,) = second["earlier"]["latest"]
    assert (earlier["id"], earlier["kind"]) == (first["summary"]["id"], "crisis_at_home")
    assert "repeat_call" in second["flags"]
    created = await _created_event(app, operator, second["summary"]["id"])
    assert (created["earlier_at_place"], created["repeat_of"]) == (1, [first["summary"]["id"]])

    # the detail says the same on every read; the first incident knows of no earlier one
    again = (await app.get(f"/api/incidents/{second['summary']['id']}", headers=operator)).json()
    assert again["earlier"] == second["earlier"]
    first_now = (await app.get(f"/api/incidents/{first['summary']['id']}", headers=operator)).json()
    assert first_now["earlier"]["count"] == 0

    # a call from 31 days ago no longer counts
    async with clean_db.acquire() as conn:
        await conn.execute(
            "UPDATE incidents SET created_at = now() - interval '31 days' WHERE id = $1",
            first["summary"]["id"],
        )
    third = await _create(app, operator, {"address_id": address["id"]})
    assert [e["id"] for e in third["earlier"]["latest"]] == [second["summary"]["id"]]


async def test_the_flat_next_door_is_another_household_but_a_bare_point_counts_what_is_near(
    app: Client, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    async with clean_db.acquire() as conn:
        # another address at the very same point: the next flat of the building
        await conn.execute(
            "CREATE TEMP TABLE next_door AS SELECT * FROM addresses WHERE id = $1", address["id"]
        )
        await conn.execute("UPDATE next_door SET id = 'NEXT-DOOR', text = text || '隔壁'")
        neighbour = await conn.fetchval(
            "INSERT INTO addresses SELECT * FROM next_door RETURNING id"
        )
        await conn.execute("DROP TABLE next_door")
    await _create(app, operator, {"address_id": address["id"]})
    next_door = await _create(app, operator, {"address_id": neighbour})
    assert next_door["earlier"]["count"] == 0

    # a passer-by's call by coordinates 40 m away: both earlier incidents are within 100 m
    lat, lon = address["lat"] + 40 / 111_320, address["lon"]
    bare = await _create(app, operator, {"lat": lat, "lon": lon})
    assert bare["address_id"] is None
    assert bare["earlier"]["count"] == 2
    # ... and a call 300 m away knows none of them
    far = await _create(app, operator, {"lat": address["lat"] + 300 / 111_320, "lon": lon})
    assert far["earlier"]["count"] == 0


async def _rule(pool: PgPool, now: datetime | None = None) -> RuleRun:
    async with pool.acquire() as conn, conn.transaction():
        return await check_repeat_calls(conn, RepeatCallPolicy(), now or datetime.now(UTC))


async def test_a_third_call_from_a_household_raises_a_warning_its_care_teams_hear_of(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    clean_db: PgPool,
    app_settings: Settings,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    patient = await add_patient(clean_db, app_settings, address["id"], "周六", risk_grade=2)
    doctor = await make_user("doctor", paths.community_a, Role.CASE_WORKER)
    await clean_db.execute(
        "INSERT INTO care_team_members (patient_id, user_id, role) VALUES ($1::uuid, $2, 'community_doctor')",
        patient,
        doctor.id,
    )
    for _ in range(2):
        await _create(app, operator, {"address_id": address["id"]})
    assert (await _rule(clean_db)).raised == []  # two calls: the incident flag is enough
    third = await _create(app, operator, {"address_id": address["id"]})
    run = await _rule(clean_db)
    assert len(run.raised) == 1
    row = await clean_db.fetchrow("SELECT * FROM early_warnings WHERE id = $1", run.raised[0])
    assert (row["rule"], row["subject_type"], row["subject_id"]) == (
        "repeat_calls",
        "address",
        address["id"],
    )
    assert (row["level"], row["details"]["calls"]) == ("warning", 3)
    assert row["details"]["incident_ids"][0] == third["summary"]["id"]
    told = await clean_db.fetch(
        "SELECT subject FROM outbox WHERE stream = 'personal' AND kind = 'warning.raised'"
    )
    assert [t["subject"] for t in told] == [str(doctor.id)]
    assert (await _rule(clean_db)).raised == []  # once

    # The next call, about the patient whose follow-up is also overdue: the operator sees both.
    await clean_db.execute(
        "UPDATE patients SET risk_grade = 4, last_follow_up_at = now() - interval '20 days' "
        "WHERE person_id = $1::uuid",
        patient,
    )
    async with clean_db.acquire() as conn, conn.transaction():
        await check_follow_ups(conn, FollowUpPolicy(), datetime.now(UTC))
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={
            "kind": "crisis_at_home",
            "place": {"address_id": address["id"]},
            "patient_id": patient,
        },
    )
    assert r.status_code == 201, r.text
    noted = r.json()["incident"]["warnings"]
    assert [(w["rule"], w["state"]) for w in noted] == [
        ("repeat_calls", "open"),
        ("follow_up_overdue", "open"),
    ]
    assert "details" not in noted[0]
    shown = (await app.get(f"/api/incidents/{third['summary']['id']}", headers=operator)).json()
    assert [w["rule"] for w in shown["warnings"]] == ["repeat_calls"]  # no patient linked there

    # The review sees what was foreseen when each call came: nothing for the third call (its
    # warning came after it), both warnings for the fourth, with how long they had been open.
    async with clean_db.acquire() as conn:
        fourth = await build_archive(conn, r.json()["incident"]["summary"]["id"])
        third_archive = await build_archive(conn, third["summary"]["id"])
    assert third_archive.foreseen == []
    assert sorted(w.rule for w in fourth.foreseen) == ["follow_up_overdue", "repeat_calls"]
    assert all(w.days_before_call >= 0 and w.acknowledged_at is None for w in fourth.foreseen)

    await _create(app, operator, {"address_id": address["id"]})  # the fifth call
    run = await _rule(clean_db)
    assert run.escalated == [row["id"]]
    row = await clean_db.fetchrow("SELECT * FROM early_warnings WHERE id = $1", row["id"])
    assert (row["level"], row["details"]["calls"]) == ("serious", 5)

    # A month with no call: the household is quiet again.
    run = await _rule(clean_db, datetime.now(UTC) + timedelta(days=31))
    assert run.resolved == [row["id"]]
    state = await clean_db.fetchrow(
        "SELECT state, resolution FROM early_warnings WHERE id = $1", row["id"]
    )
    assert tuple(state) == ("resolved", "quiet_again")
