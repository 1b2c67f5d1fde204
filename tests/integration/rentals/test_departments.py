"""The rental departments' own accounts: the fire brigade follows the fire rectifications alone
and signs off one it verified on site (整改销号) — once, whatever the resends — which closes it
and its overdue warning, announces it, and leaves the house's grade to the next inspection;
another department's item is a recorded 404; a ledger department has no rental page at all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.early_warning.rental_rule import check_rentals
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.rentals.conftest import Houses

Client = AsyncTestClient[Any]


def sign_off(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(),
        "notes": "现场复核：充电线已拆除",
    }
    body.update(over)
    return body


class Staff:
    def __init__(self, **who: dict[str, str]) -> None:
        self.grid, self.fire, self.police, self.justice = (
            who["grid"],
            who["fire"],
            who["police"],
            who["justice"],
        )


@pytest.fixture
async def staff(client: Client, make_user: Any, paths: DistrictPaths) -> Staff:
    await make_user("grid.d", paths.community_a, Role.GRID_WORKER)
    await make_user("xf.d", paths.district, Role.DEPARTMENT_OFFICER, department="fire")
    await make_user("pcs.a", paths.street_a, Role.DEPARTMENT_OFFICER, department="public_security")
    await make_user("sfs.d", paths.street_a, Role.DEPARTMENT_OFFICER, department="justice")
    return Staff(
        grid=await login(client, "grid.d"),
        fire=await login(client, "xf.d"),
        police=await login(client, "pcs.a"),
        justice=await login(client, "sfs.d"),
    )


async def test_the_fire_brigade_signs_off_its_own_rectification_once(
    client: Client, staff: Staff, houses: Houses, clean_db: PgPool
) -> None:
    me = (await client.get("/api/me", headers=staff.fire)).json()
    assert (me["department"], me["menus"]) == ("fire", ["rentals"])
    assert "rental:rectify" in me["permissions"] and "ledger:read" not in me["permissions"]
    police = (await client.get("/api/me", headers=staff.police)).json()
    assert police["menus"] == ["ledgers", "rentals"]

    r = await client.post(
        f"/api/rentals/houses/{houses.roomy}/assessments",
        json={
            "id": str(uuid.uuid4()),
            "at": (datetime.now(UTC) - timedelta(days=5)).isoformat(),
            "tenants": 2,
            "registered": 1,  # a tenant unregistered: the police's
            "found": ["ebike_indoor_charging"],  # the fire brigade's, decisive: red
        },
        headers=staff.grid,
    )
    assert r.status_code == 201, r.text
    assert r.json()["house"]["grade"] == "red"
    # three days to put it right, five days ago: overdue, and warned about
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_rentals(conn, datetime.now(UTC))
    assert len(run.raised) == 1  # the fire item (3 days); the police item has 7

    # each department sees its own items alone, by default and by right
    fire = (await client.get("/api/rentals/hazards", headers=staff.fire)).json()
    assert [h["item"] for h in fire["items"]] == ["ebike_indoor_charging"]
    mine = (await client.get("/api/rentals/hazards", headers=staff.police)).json()
    assert [h["item"] for h in mine["items"]] == ["unregistered_tenants"]
    other = await client.get("/api/rentals/hazards?department=police", headers=staff.fire)
    assert (other.status_code, other.json()["error"]["code"]) == (403, "not_your_department")
    # the houses themselves are shared; the rules' warnings are not the department's
    assert (await client.get("/api/rentals", headers=staff.fire)).status_code == 200
    warnings = await client.get("/api/warnings", headers=staff.fire)
    assert warnings.status_code in (200, 403)
    if warnings.status_code == 200:
        assert warnings.json()["items"] == []

    hazard = fire["items"][0]
    police_item = mine["items"][0]
    url = f"/api/rentals/hazards/{hazard['id']}/sign-off"
    body = sign_off()
    done = await client.post(url, json=body, headers=staff.fire)
    assert done.status_code == 201, done.text
    out = done.json()
    assert out["hazard"]["cleared_at"] is not None and out["hazard"]["signed_off_name"] == "Xf.D"
    assert len(out["resolved_warnings"]) == 1
    again = await client.post(url, json=body, headers=staff.fire)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    second = await client.post(url, json=sign_off(), headers=staff.fire)
    assert (second.status_code, second.json()["error"]["code"]) == (409, "hazard_cleared")
    reused = await client.post(
        f"/api/rentals/hazards/{police_item['id']}/sign-off", json=body, headers=staff.police
    )
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "signoff_id_taken")

    # another department's item: the same 404 as an unknown one, recorded
    theirs = await client.post(
        f"/api/rentals/hazards/{police_item['id']}/sign-off", json=sign_off(), headers=staff.fire
    )
    assert (theirs.status_code, theirs.json()["error"]["field"]) == (404, "hazard_id")
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE actor_name = 'xf.d' AND outcome = 'denied' "
        "AND reason = 'another department''s item'"
    )
    assert denied == 1
    # the grid worker inspects, and signs nothing off
    assert (
        await client.post(
            f"/api/rentals/hazards/{police_item['id']}/sign-off",
            json=sign_off(),
            headers=staff.grid,
        )
    ).status_code == 403

    # the house keeps its grade until the next inspection; the sign-off is on record
    house = (await client.get(f"/api/rentals/houses/{houses.roomy}", headers=staff.fire)).json()
    assert house["house"]["grade"] == "red"
    row = await clean_db.fetchrow(
        "SELECT signed_off_name, signoff_notes_enc FROM rental_hazards WHERE id = $1::uuid",
        hazard["id"],
    )
    assert row["signed_off_name"] == "Xf.D"
    assert b"\xe5\x85\x85" not in bytes(row["signoff_notes_enc"])  # 充: the note is sealed
    warning = await clean_db.fetchrow(
        "SELECT state, resolution FROM early_warnings WHERE subject_id = $1", hazard["id"]
    )
    assert tuple(warning) == ("resolved", "rental_rectified")
    events = await clean_db.fetch(
        "SELECT payload FROM outbox WHERE kind = 'rental.updated' ORDER BY id"
    )
    assert events[-1]["payload"]["action"] == "signed_off"
    assert (
        await clean_db.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'rental.sign_off' AND outcome = 'ok'"
        )
        == 1
    )


async def test_what_a_sign_off_cannot_be(
    client: Client, staff: Staff, houses: Houses, clean_db: PgPool
) -> None:
    r = await client.post(
        f"/api/rentals/houses/{houses.roomy}/assessments",
        json={
            "id": str(uuid.uuid4()),
            "at": datetime.now(UTC).isoformat(),
            "tenants": 1,
            "registered": 1,
            "found": ["no_extinguisher"],
        },
        headers=staff.grid,
    )
    assert r.status_code == 201, r.text
    hazard = (await client.get("/api/rentals/hazards", headers=staff.fire)).json()["items"][0]
    url = f"/api/rentals/hazards/{hazard['id']}/sign-off"
    for body, field in (
        (sign_off(at=(datetime.now(UTC) - timedelta(days=1)).isoformat()), "at"),  # before found
        (sign_off(at=(datetime.now(UTC) + timedelta(days=1)).isoformat()), "at"),
        (sign_off(id="not-a-uuid"), "id"),
        (sign_off(notes="x" * 2001), "notes"),
        ({**sign_off(), "extra": 1}, "extra"),
    ):
        bad = await client.post(url, json=body, headers=staff.fire)
        assert bad.status_code in (400, 422), bad.text
        assert bad.json()["error"]["field"] == field, bad.text
    unknown = await client.post(
        f"/api/rentals/hazards/{uuid.uuid4()}/sign-off", json=sign_off(), headers=staff.fire
    )
    assert unknown.status_code == 404
    assert (
        await client.post("/api/rentals/hazards/nope/sign-off", json=sign_off(), headers=staff.fire)
    ).status_code == 404
    # a ledger department has no rental page
    assert (await client.get("/api/rentals/hazards", headers=staff.justice)).status_code == 403
    assert (
        await clean_db.fetchval("SELECT count(*) FROM rental_hazards WHERE cleared_at IS NOT NULL")
        == 0
    )
