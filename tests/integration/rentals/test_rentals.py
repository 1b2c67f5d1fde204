"""Rental-housing grading: an inspection graded on the server, the grade on the house and the
map, rectifications opened and cleared by later inspections, resends and late forms, the two
overdue rules, the lists and each unit's counts, bad input, and who may do what."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.early_warning.rental_rule import check_rentals
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.rentals.conftest import Houses

Client = AsyncTestClient[Any]


def inspection(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(),
        "tenants": 2,
        "registered": 2,
        "found": [],
        "notes": "房东在场，已告知整改要求",
    }
    body.update(over)
    return body


@pytest.fixture
async def worker(client: Client, make_user: Any, paths: DistrictPaths) -> dict[str, str]:
    await make_user("grid.a", paths.community_a, Role.GRID_WORKER)
    return await login(client, "grid.a")


async def _inspect(client: Client, who: dict[str, str], house: str, **over: Any) -> Any:
    r = await client.post(
        f"/api/rentals/houses/{house}/assessments", json=inspection(**over), headers=who
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _rentals_layer(pool: PgPool, address_of: str) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT key, sum(n)::int AS n FROM (SELECT key, n, h3_r9 FROM map_cell_counts "
        "WHERE layer = 'rentals' UNION ALL SELECT key, n, h3_r9 FROM map_cell_deltas "
        "WHERE layer = 'rentals') c WHERE h3_r9 = (SELECT h3_r9 FROM addresses a JOIN houses h "
        "ON h.address_id = a.id WHERE h.id = $1) GROUP BY 1 HAVING sum(n) <> 0",
        address_of,
    )
    return {r["key"]: r["n"] for r in rows}


async def test_an_inspection_is_graded_on_the_server_and_grades_the_house_and_the_map(
    client: Client, worker: dict[str, str], houses: Houses, clean_db: PgPool
) -> None:
    before = await _rentals_layer(clean_db, houses.crowded)
    # 20 m² for 5 tenants (overcrowded), 3 registered, no extinguisher, a key person lives there
    out = await _inspect(
        client, worker, houses.crowded, tenants=5, registered=3, found=["no_extinguisher"]
    )
    a = out["assessment"]
    assert a["found"] == ["no_extinguisher", "overcrowded", "unregistered_tenants"]
    assert a["factors"] == ["key_person_resident"]
    assert (a["score"], a["grade"]) == (9, "red")
    assert (out["latest"], out["duplicate"]) == (True, False)
    assert out["opened_hazards"] == ["no_extinguisher", "overcrowded", "unregistered_tenants"]
    house = out["house"]
    assert (house["grade"], house["assessed"], house["open_hazards"]) == ("red", True, 3)
    due = datetime.fromisoformat(house["due_at"]) - datetime.fromisoformat(a["at"])
    assert due == timedelta(days=7)  # red: weekly
    assert (
        await clean_db.fetchval("SELECT rental_grade FROM houses WHERE id = $1", houses.crowded)
        == "red"
    )
    after = await _rentals_layer(clean_db, houses.crowded)  # the cell may hold other houses
    assert after.get("ungraded", 0) == before.get("ungraded", 0) - 1
    assert after.get("red", 0) == before.get("red", 0) + 1
    # the notes are sealed at rest
    sealed = await clean_db.fetchval(
        "SELECT notes_enc FROM rental_assessments WHERE id = $1::uuid", a["id"]
    )
    assert sealed is not None and "房东".encode() not in bytes(sealed)
    assert a["notes"] == "房东在场，已告知整改要求"


async def test_a_later_inspection_clears_what_it_no_longer_finds_and_keeps_first_deadlines(
    client: Client, worker: dict[str, str], houses: Houses
) -> None:
    t0 = datetime.now(UTC) - timedelta(days=3)
    first = await _inspect(
        client,
        worker,
        houses.roomy,
        at=t0.isoformat(),
        found=["ebike_indoor_charging", "no_smoke_alarm"],
    )
    assert first["assessment"]["grade"] == "red"  # decisive alone
    detail = (await client.get(f"/api/rentals/houses/{houses.roomy}", headers=worker)).json()
    deadlines = {h["item"]: h["due_at"] for h in detail["hazards"]}
    assert set(deadlines) == {"ebike_indoor_charging", "no_smoke_alarm"}

    second = await _inspect(client, worker, houses.roomy, found=["no_smoke_alarm"])
    assert second["cleared_hazards"] == ["ebike_indoor_charging"]
    assert second["opened_hazards"] == []  # found again: still the first rectification
    assert (second["assessment"]["grade"], second["house"]["grade"]) == ("green", "green")
    detail = (await client.get(f"/api/rentals/houses/{houses.roomy}", headers=worker)).json()
    open_ = [h for h in detail["hazards"] if h["cleared_at"] is None]
    assert [(h["item"], h["due_at"]) for h in open_] == [
        ("no_smoke_alarm", deadlines["no_smoke_alarm"])
    ]
    assert [h["item"] for h in detail["hazards"] if h["cleared_at"]] == ["ebike_indoor_charging"]
    assert [x["id"] for x in detail["assessments"]] == [
        second["assessment"]["id"],
        first["assessment"]["id"],
    ]
    assert (detail["residents"], detail["key_persons"]) == (0, 0)


async def test_a_resend_is_stored_once_and_a_late_paper_form_changes_nothing_newer(
    client: Client, worker: dict[str, str], houses: Houses, clean_db: PgPool
) -> None:
    body = inspection(found=["unsafe_wiring"])
    url = f"/api/rentals/houses/{houses.roomy}/assessments"
    assert (await client.post(url, json=body, headers=worker)).status_code == 201
    again = await client.post(url, json=body, headers=worker)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    other = await client.post(url, json={**body, "found": []}, headers=worker)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "assessment_id_taken")
    assert await clean_db.fetchval("SELECT count(*) FROM rental_assessments") == 1

    late = await _inspect(
        client,
        worker,
        houses.roomy,
        at=(datetime.now(UTC) - timedelta(days=20)).isoformat(),
        found=["blocked_exit"],
    )
    assert (late["latest"], late["assessment"]["grade"]) == (False, "red")
    assert late["house"]["grade"] == "yellow"  # still the newer inspection's
    assert late["opened_hazards"] == []
    assert await clean_db.fetchval(
        "SELECT array_agg(item) FROM rental_hazards WHERE cleared_at IS NULL"
    ) == ["unsafe_wiring"]
    # each stored inspection told the rentals topic once (the resend and the refusal did not)
    events = await clean_db.fetch(
        "SELECT org_path, payload FROM outbox WHERE kind = 'rental.updated' ORDER BY id"
    )
    house_path = await clean_db.fetchval("SELECT org_path FROM houses WHERE id = $1", houses.roomy)
    assert [(e["org_path"], e["payload"]) for e in events] == [
        (house_path, {"house_id": houses.roomy, "action": "inspected", "latest": True}),
        (house_path, {"house_id": houses.roomy, "action": "inspected", "latest": False}),
    ]


async def test_a_reimport_of_the_block_data_does_not_undo_an_inspected_grade(
    client: Client, worker: dict[str, str], houses: Houses, clean_db: PgPool
) -> None:
    await _inspect(client, worker, houses.roomy, found=["three_in_one"])
    await clean_db.execute("UPDATE houses SET rental_grade = 'green' WHERE id = $1", houses.roomy)
    assert (
        await clean_db.fetchval("SELECT rental_grade FROM houses WHERE id = $1", houses.roomy)
        == "red"
    )
    # a house never inspected still takes the block data's grade
    await clean_db.execute(
        "UPDATE houses SET rental_grade = 'red' WHERE id = $1", houses.other_community
    )
    assert (
        await clean_db.fetchval(
            "SELECT rental_grade FROM houses WHERE id = $1", houses.other_community
        )
        == "red"
    )
    # and a house no longer let loses its grade as the block data says
    await clean_db.execute(
        "UPDATE houses SET is_rental = false, rental_grade = NULL WHERE id = $1", houses.roomy
    )
    assert (
        await client.get(f"/api/rentals/houses/{houses.roomy}", headers=worker)
    ).status_code == 404


async def test_the_overdue_rules_warn_escalate_and_an_inspection_resolves_them(
    client: Client, worker: dict[str, str], houses: Houses, clean_db: PgPool
) -> None:
    # yellow (score 3: inspected again in 30 days); rectify within 30 and 15 days
    await _inspect(client, worker, houses.roomy, found=["lease_unfiled", "no_extinguisher"])
    await _inspect(client, worker, houses.crowded, found=["blocked_exit"], tenants=1, registered=1)
    later = datetime.now(UTC) + timedelta(days=31)
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_rentals(conn, later)
    rows = await clean_db.fetch(
        "SELECT rule, subject_type, level, details FROM early_warnings ORDER BY rule, subject_id"
    )
    got = sorted(
        (r["rule"], r["level"], r["details"].get("item", r["details"].get("grade"))) for r in rows
    )
    assert got == [
        ("rental_hazard_overdue", "serious", "blocked_exit"),  # decisive: serious at once
        ("rental_hazard_overdue", "serious", "no_extinguisher"),  # 16 days late
        ("rental_hazard_overdue", "warning", "lease_unfiled"),  # a day late
        ("rental_inspection_overdue", "serious", "red"),  # a red house: serious at once
        ("rental_inspection_overdue", "warning", "yellow"),
    ]
    assert len(run.raised) == 5
    async with clean_db.acquire() as conn, conn.transaction():
        again = await check_rentals(conn, later)
    assert again.raised == []  # one live warning per subject
    async with clean_db.acquire() as conn, conn.transaction():
        escalated = await check_rentals(conn, later + timedelta(days=14))
    assert len(escalated.escalated) == 2

    # the roomy house is inspected again and found in order: its three warnings go
    out = await _inspect(client, worker, houses.roomy)
    assert len(out["resolved_warnings"]) == 3
    left = await clean_db.fetch(
        "SELECT rule, details FROM early_warnings WHERE state <> 'resolved' ORDER BY rule"
    )
    assert [(r["rule"], r["details"]["house_id"]) for r in left] == [
        ("rental_hazard_overdue", houses.crowded),
        ("rental_inspection_overdue", houses.crowded),
    ]
    async with clean_db.acquire() as conn, conn.transaction():
        await check_rentals(conn, datetime.now(UTC))  # now: nothing is overdue any more
    assert (
        await clean_db.fetchval("SELECT count(*) FROM early_warnings WHERE state <> 'resolved'")
        == 0
    )


async def test_the_lists_and_each_units_counts(
    client: Client,
    worker: dict[str, str],
    houses: Houses,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    await _inspect(client, worker, houses.crowded, found=["ebike_indoor_charging"])
    await make_user("street.l", paths.street_a, Role.STREET_LEADER)
    leader = await login(client, "street.l")

    page = (await client.get("/api/rentals?which=red", headers=leader)).json()
    assert [h["house_id"] for h in page["items"]] == [houses.crowded]
    assert (page["rentals"], page["assessed"], page["red"]) == (2, 1, 1)
    unassessed = (await client.get("/api/rentals?which=unassessed", headers=worker)).json()
    assert [h["house_id"] for h in unassessed["items"]] == [houses.roomy]
    due = (await client.get("/api/rentals?which=due", headers=worker)).json()
    assert [h["house_id"] for h in due["items"]] == [houses.crowded]
    with_hazards = (await client.get("/api/rentals?which=hazards", headers=worker)).json()
    assert [(h["house_id"], h["open_hazards"]) for h in with_hazards["items"]] == [
        (houses.crowded, 1)
    ]

    fire = (await client.get("/api/rentals/hazards?department=fire", headers=leader)).json()
    assert [h["item"] for h in fire["items"]] == ["ebike_indoor_charging"]
    housing = (await client.get("/api/rentals/hazards?department=housing", headers=leader)).json()
    assert [h["item"] for h in housing["items"]] == []

    summary = (await client.get("/api/rentals/summary?level=community", headers=leader)).json()
    a = next(u for u in summary["units"] if u["org_path"] == paths.community_a)
    assert (a["rentals"], a["green"], a["red"], a["ungraded"], a["assessed"]) == (2, 1, 1, 0, 1)
    assert all(u["org_path"].startswith(paths.street_a) for u in summary["units"])
    assert summary["total"]["rentals"] == 2  # community B's house is in the other street


async def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(
    client: Client, worker: dict[str, str], houses: Houses, clean_db: PgPool
) -> None:
    url = f"/api/rentals/houses/{houses.roomy}/assessments"
    cases: list[tuple[dict[str, Any], int, str, str | None]] = [
        ({"registered": 3, "tenants": 2}, 422, "registered", "more_than_tenants"),
        ({"found": ["no_extinguisher", "no_extinguisher"]}, 422, "found", "duplicate_item"),
        ({"found": ["overcrowded"]}, 400, "found", None),  # derived: the server's to say
        ({"at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, 422, "at", "in_future"),
        ({"tenants": -1}, 400, "tenants", None),
        ({"tenants": "many"}, 400, "tenants", None),
        ({"id": "not-a-uuid"}, 400, "id", None),
    ]
    for over, status, field, code in cases:
        r = await client.post(url, json=inspection(**over), headers=worker)
        assert r.status_code == status, (over, r.text)
        error = r.json()["error"]
        assert field in (error.get("field") or "") or field in r.text, (over, r.text)
        if code:
            assert error["code"] == code
    for house in ("NOPE", houses.owned, houses.other_community, "bad id!"):
        r = await client.post(
            f"/api/rentals/houses/{house}/assessments", json=inspection(), headers=worker
        )
        assert r.status_code == 404, (house, r.text)
    assert await clean_db.fetchval("SELECT count(*) FROM rental_assessments") == 0
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
        houses.other_community,
    )
    assert denied == 1


async def test_who_may_read_and_who_may_inspect(
    client: Client,
    worker: dict[str, str],
    houses: Houses,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    await _inspect(client, worker, houses.crowded)
    await make_user("comm.l", paths.community_a, Role.COMMUNITY_LEADER)
    await make_user("resp", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    leader = await login(client, "comm.l")
    responder = await login(client, "resp")
    detail = await client.get(f"/api/rentals/houses/{houses.crowded}", headers=leader)
    assert detail.status_code == 200
    body = detail.json()
    assert body["assessments"][0]["notes"] is None  # notes for those who inspect
    assert (body["residents"], body["key_persons"]) == (2, 1)
    assert "赵矫" not in detail.text  # counted, never named
    r = await client.post(
        f"/api/rentals/houses/{houses.crowded}/assessments", json=inspection(), headers=leader
    )
    assert r.status_code == 403
    assert (await client.get("/api/rentals", headers=responder)).status_code == 403
    actions = await clean_db.fetch(
        "SELECT action FROM audit_log WHERE object_type = 'house' AND object_id = $1 ORDER BY seq",
        houses.crowded,
    )
    assert [a["action"] for a in actions] == ["rental.assess", "rental.read"]
    me = (await client.get("/api/me", headers=worker)).json()
    assert "rentals" in me["menus"]


async def test_a_grid_worker_sees_and_takes_in_hand_the_warnings_of_its_work_alone(
    client: Client,
    worker: dict[str, str],
    houses: Houses,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    await _inspect(client, worker, houses.roomy, found=["blocked_exit"])
    async with clean_db.acquire() as conn, conn.transaction():
        await check_rentals(conn, datetime.now(UTC) + timedelta(days=8))
    # a crisis warning in the same community, which is not a grid worker's business
    await clean_db.execute(
        "INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level) "
        "VALUES ('psych_crisis', 'person', $1, $2, 'serious')",
        str(uuid.uuid4()),
        paths.community_a,
    )
    page = (await client.get("/api/warnings", headers=worker)).json()
    assert sorted(w["rule"] for w in page["items"]) == [
        "rental_hazard_overdue",
        "rental_inspection_overdue",
    ]
    crisis = await clean_db.fetchval("SELECT id FROM early_warnings WHERE rule = 'psych_crisis'")
    hidden = await client.post(
        f"/api/warnings/{crisis}/acknowledge", json={"note": "看看"}, headers=worker
    )
    assert hidden.status_code == 404
    mine = page["items"][0]["id"]
    taken = await client.post(
        f"/api/warnings/{mine}/acknowledge", json={"note": "已联系房东，明天复查"}, headers=worker
    )
    assert taken.status_code == 200 and taken.json()["state"] == "acknowledged"
    await make_user("psy", paths.community_a, Role.COUNSELLOR)
    counsellor = await login(client, "psy")
    seen = (await client.get("/api/warnings", headers=counsellor)).json()
    assert [w["rule"] for w in seen["items"]] == ["psych_crisis"]


async def test_the_rental_list_pages(
    client: Client, worker: dict[str, str], houses: Houses
) -> None:
    one = (await client.get("/api/rentals?which=unassessed&limit=1", headers=worker)).json()
    two = (
        await client.get("/api/rentals?which=unassessed&limit=1&offset=1", headers=worker)
    ).json()
    three = (
        await client.get("/api/rentals?which=unassessed&limit=1&offset=2", headers=worker)
    ).json()
    pages = [p["house_id"] for page in (one, two, three) for p in page["items"]]
    assert sorted(pages) == sorted([houses.roomy, houses.crowded])
