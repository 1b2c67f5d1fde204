"""The overdue-follow-up rule and the early-warning record: raised once, escalated, resolved by a
visit or by the data, taken in hand, announced to the jurisdiction and the care team."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.early_warning.follow_up_rule import check_follow_ups
from backend.early_warning.store import RuleRun, reopen_lapsed
from backend.followups.policy import FollowUpPolicy
from backend.push.sender import PUSHED_KINDS, notification
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.followups.conftest import Ward

Client = AsyncTestClient[Any]
POLICY = FollowUpPolicy()


async def run_rule(pool: PgPool, now: datetime | None = None) -> RuleRun:
    async with pool.acquire() as conn, conn.transaction():
        return await check_follow_ups(conn, POLICY, now or datetime.now(UTC))


async def live(pool: PgPool) -> dict[str, Any]:
    rows = await pool.fetch("SELECT * FROM early_warnings WHERE state <> 'resolved'")
    return {r["subject_id"]: r for r in rows}


async def test_each_overdue_high_risk_patient_raises_one_warning_and_a_second_pass_none(
    ward: Ward, clean_db: PgPool
) -> None:
    first = await run_rule(clean_db)
    assert len(first.raised) == 3
    found = await live(clean_db)
    # Not the patient seen 3 days ago, nor the grade-1 patient however late.
    assert set(found) == {ward.overdue_high, ward.late_high, ward.other_community}
    assert found[ward.overdue_high]["level"] == "warning"  # 6 days late
    assert found[ward.late_high]["level"] == "serious"  # 16 days late
    assert found[ward.overdue_high]["details"]["risk_grade"] == 4
    second = await run_rule(clean_db)
    assert (second.raised, second.escalated, second.resolved) == ([], [], [])
    assert await clean_db.fetchval("SELECT count(*) FROM early_warnings") == 3


async def test_two_nodes_running_the_rule_at_once_raise_each_warning_once(
    ward: Ward, clean_db: PgPool
) -> None:
    runs = await asyncio.gather(*(run_rule(clean_db) for _ in range(4)))
    assert sum(len(r.raised) for r in runs) == 3
    assert await clean_db.fetchval("SELECT count(*) FROM early_warnings") == 3


async def test_a_warning_becomes_serious_when_the_visit_is_a_week_late(
    ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    later = await run_rule(clean_db, datetime.now(UTC) + timedelta(days=2))
    assert len(later.escalated) == 2  # overdue_high and other_community: 6 → 8 days late
    assert {r["level"] for r in (await live(clean_db)).values()} == {"serious"}
    kinds = await clean_db.fetch(
        "SELECT kind, count(*) AS n FROM outbox WHERE stream = 'incidents' GROUP BY kind"
    )
    assert {k["kind"]: k["n"] for k in kinds} == {"warning.raised": 3, "warning.escalated": 2}


async def test_the_data_changing_resolves_a_warning_on_the_next_pass(
    ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    await clean_db.execute(
        "UPDATE patients SET risk_grade = 2 WHERE person_id = $1::uuid", ward.overdue_high
    )
    await clean_db.execute(
        "UPDATE patients SET last_follow_up_at = now() WHERE person_id = $1::uuid", ward.late_high
    )
    run = await run_rule(clean_db)
    assert len(run.resolved) == 2
    assert set(await live(clean_db)) == {ward.other_community}
    resolutions = await clean_db.fetch(
        "SELECT DISTINCT resolution FROM early_warnings WHERE state = 'resolved'"
    )
    assert [r["resolution"] for r in resolutions] == ["no_longer_due"]


async def test_a_recorded_visit_resolves_the_warning_at_once_and_a_new_lapse_raises_a_new_one(
    client: Client, make_user: Any, paths: DistrictPaths, ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    warning_id = (await live(clean_db))[ward.overdue_high]["id"]
    await make_user("worker", paths.community_a, Role.CASE_WORKER)
    worker = await login(client, "worker")
    at = datetime.now(UTC) - timedelta(days=13)  # grade 4: due again tomorrow
    r = await client.post(
        f"/api/patients/{ward.overdue_high.upper()}/follow-ups",  # one patient, however spelt
        json={
            "id": str(uuid.uuid4()),
            "at": at.isoformat(),
            "kind": "phone",
            "condition": "basically_stable",
            "risk_grade": 4,
            "medication": "irregular",
        },
        headers=worker,
    )
    assert r.status_code == 201, r.text
    assert r.json()["resolved_warnings"] == [warning_id]
    row = await clean_db.fetchrow("SELECT * FROM early_warnings WHERE id = $1", warning_id)
    assert (row["state"], row["resolution"]) == ("resolved", "follow_up_recorded")
    # Two days on, that visit's next one is overdue in its turn: a new warning, not the old one.
    run = await run_rule(clean_db, datetime.now(UTC) + timedelta(days=2))
    fresh = (await live(clean_db))[ward.overdue_high]
    assert fresh["id"] in run.raised and fresh["id"] != warning_id


async def test_warnings_are_listed_by_jurisdiction_and_taken_in_hand_once(
    client: Client, make_user: Any, paths: DistrictPaths, ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    await make_user("worker", paths.community_a, Role.CASE_WORKER)
    await make_user("leader_b", paths.community_b, Role.COMMUNITY_LEADER)
    worker, leader_b = await login(client, "worker"), await login(client, "leader_b")
    page = (await client.get("/api/warnings", headers=worker)).json()
    assert {w["subject_id"] for w in page["items"]} == {ward.overdue_high, ward.late_high}
    assert page["items"][0]["level"] == "serious"  # serious first
    assert (page["open"], page["acknowledged"], page["serious"]) == (2, 0, 1)
    assert page["items"][0]["org_name"]
    theirs = (await client.get("/api/warnings", headers=leader_b)).json()
    assert [w["subject_id"] for w in theirs["items"]] == [ward.other_community]

    mine = page["items"][0]["id"]
    r = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "明早入户"}, headers=worker
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["ack_note"]) == ("acknowledged", "明早入户")
    assert r.json()["acknowledged_by_name"] == "Worker"
    again = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "再次"}, headers=worker
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "warning_not_open")
    elsewhere = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "不是我的"}, headers=leader_b
    )
    assert elsewhere.status_code == 404
    for bad in ({"note": ""}, {"note": "ok\x00"}, {}, {"note": "好", "extra": 1}):
        r = await client.post(f"/api/warnings/{mine}/acknowledge", json=bad, headers=worker)
        assert r.status_code == 400, bad
    for wid in ("99999999", str(2**63), "9" * 5000, "１２"):  # beyond bigint, huge, not ASCII
        r = await client.post(
            f"/api/warnings/{wid}/acknowledge", json={"note": "无此预警"}, headers=worker
        )
        assert r.status_code == 404
    acked = (await client.get("/api/warnings?state=acknowledged", headers=worker)).json()
    assert [w["id"] for w in acked["items"]] == [mine]
    assert (await client.get("/api/warnings?state=lost", headers=worker)).status_code == 400

    await make_user("cop", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    cop = await login(client, "cop")
    assert (await client.get("/api/warnings", headers=cop)).status_code == 403
    audit = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'warning.acknowledge'"
    )
    assert audit == 1


async def test_the_care_team_hears_of_a_warning_on_their_phones_without_personal_data(
    make_user: Any, paths: DistrictPaths, ward: Ward, clean_db: PgPool
) -> None:
    doctor = await make_user("doctor", paths.community_a, Role.CASE_WORKER)
    await clean_db.execute(
        "INSERT INTO care_team_members (patient_id, user_id, role) VALUES ($1::uuid, $2, 'community_doctor')",
        ward.overdue_high,
        doctor.id,
    )
    await run_rule(clean_db)
    personal = await clean_db.fetch(
        "SELECT kind, subject, payload FROM outbox WHERE stream = 'personal'"
    )
    assert [(p["kind"], p["subject"]) for p in personal] == [("warning.raised", str(doctor.id))]
    assert "warning.raised" in PUSHED_KINDS
    shown = notification("warning.raised", dict(personal[0]["payload"]))
    assert (shown["subject_type"], shown["subject_id"]) == ("patient", ward.overdue_high)
    text = str(shown)
    assert "陈一" not in text and "address" not in text
    wall = await clean_db.fetch(
        "SELECT org_path, payload FROM outbox WHERE stream = 'incidents' AND kind = 'warning.raised'"
    )
    assert {w["payload"]["subject_id"] for w in wall} == {
        ward.overdue_high,
        ward.late_high,
        ward.other_community,
    }


@pytest.mark.parametrize("grade", [3, 5])
async def test_a_raised_grade_brings_the_due_date_forward_at_once(
    grade: int, ward: Ward, clean_db: PgPool
) -> None:
    # overdue_low: grade 1, seen 40 days ago; at a high grade it is 26 days late.
    await clean_db.execute(
        "UPDATE patients SET risk_grade = $2 WHERE person_id = $1::uuid", ward.overdue_low, grade
    )
    await run_rule(clean_db)
    found = await live(clean_db)
    assert found[ward.overdue_low]["level"] == "serious"


async def test_leaders_see_live_warnings_per_unit_with_the_serious_ones_first(
    client: Client, make_user: Any, paths: DistrictPaths, ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    await make_user("leader", paths.district, Role.DISTRICT_LEADER)
    await make_user("street_b", paths.street_b, Role.STREET_LEADER)
    leader, street_b = await login(client, "leader"), await login(client, "street_b")
    r = await client.get("/api/warnings/units?level=community", headers=leader)
    assert r.status_code == 200, r.text
    units = r.json()["units"]
    by_path = {u["org_path"]: u for u in units}
    assert (by_path[paths.community_a]["open"], by_path[paths.community_a]["serious"]) == (2, 1)
    assert by_path[paths.community_b]["open"] == 1
    # Follow-up coverage: A watches 3 high-risk patients (2 overdue), B one (overdue).
    assert (by_path[paths.community_a]["high_risk"], by_path[paths.community_a]["overdue"]) == (
        3,
        2,
    )
    assert (by_path[paths.community_b]["high_risk"], by_path[paths.community_b]["overdue"]) == (
        1,
        1,
    )
    assert sum(u["high_risk"] for u in units) == 4
    assert units[0]["org_path"] == paths.community_a  # the one with a serious warning
    assert sum(u["open"] for u in units) == 3 and len(units) > 2  # the quiet ones are listed
    theirs = (await client.get("/api/warnings/units?level=community", headers=street_b)).json()
    assert paths.community_a not in {u["org_path"] for u in theirs["units"]}
    assert sum(u["open"] for u in theirs["units"]) == 1
    streets = (await client.get("/api/warnings/units?level=street", headers=leader)).json()
    assert sum(u["open"] + u["acknowledged"] for u in streets["units"]) == 3
    assert (await client.get("/api/warnings/units?level=house", headers=leader)).status_code == 400


async def test_a_warning_taken_in_hand_and_left_is_opened_again_for_everyone(
    client: Client, make_user: Any, paths: DistrictPaths, ward: Ward, clean_db: PgPool
) -> None:
    await run_rule(clean_db)
    await make_user("worker", paths.community_a, Role.CASE_WORKER)
    worker = await login(client, "worker")
    mine = (await live(clean_db))[ward.overdue_high]["id"]
    r = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "本周入户"}, headers=worker
    )
    assert r.status_code == 200, r.text

    async def reopen(days: float) -> list[int]:
        async with clean_db.acquire() as conn, conn.transaction():
            return await reopen_lapsed(
                conn, datetime.now(UTC) + timedelta(days=days), timedelta(days=3)
            )

    assert await reopen(2) == []  # still within the promise
    assert await reopen(3.5) == [mine]
    row = await clean_db.fetchrow("SELECT * FROM early_warnings WHERE id = $1", mine)
    # open again, and who had it stays on the row
    assert (row["state"], row["ack_note"]) == ("open", "本周入户")
    assert await reopen(4) == []  # once
    kinds = await clean_db.fetch(
        "SELECT stream FROM outbox WHERE kind = 'warning.reopened' ORDER BY stream"
    )
    assert [k["stream"] for k in kinds] == ["incidents"]  # nobody on this patient's team yet
    page = (await client.get("/api/warnings?state=open", headers=worker)).json()
    assert mine in {w["id"] for w in page["items"]}
    again = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "今天下午去"}, headers=worker
    )
    assert (again.status_code, again.json()["state"]) == (200, "acknowledged")
    assert "warning.reopened" in PUSHED_KINDS
