"""``GET /api/coverage/gaps`` against the real app: responders placed in the live index at known
distances from grid centres (one grid covered, others not), capability filtering, the travel
time, small counts withheld, jurisdiction, and bad parameters naming their field."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.api.coverage.services import CoverageCache
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.keyplaces.seeding import add_patients

Client = AsyncTestClient[Any]
M_PER_DEG_LAT = 111_195.0


def north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` due north (great-circle distance equals ``metres`` to ~0.1 %)."""
    return lat + metres / M_PER_DEG_LAT, lon


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111.195
    dx = (a[1] - b[1]) * 111.195 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


@pytest.fixture
async def grids(
    client: Client, clean_db: PgPool, make_user: Any, paths: DistrictPaths
) -> dict[str, Any]:
    """Grid A (2 high-risk patients), and the two grids farthest from it, B (6 high-risk and 3
    of grade 1) and C (2 high-risk): all three more than 5 km apart."""
    async with clean_db.acquire() as conn:
        rows = await conn.fetch(
            "SELECT path, center_lat, center_lon FROM org_units WHERE level = 'grid' "
            "AND center_lat IS NOT NULL"
        )
    centre = {r["path"]: (r["center_lat"], r["center_lon"]) for r in rows}
    a = paths.grid_a
    far = sorted(centre, key=lambda p: -km_between(centre[a], centre[p]))
    b = far[0]
    c = next(p for p in far if km_between(centre[b], centre[p]) > 5)
    assert min(km_between(centre[a], centre[b]), km_between(centre[a], centre[c])) > 5
    async with clean_db.acquire() as conn:
        await add_patients(conn, a, 3, 2)
        await add_patients(conn, b, 4, 4)
        await add_patients(conn, b, 5, 2)
        await add_patients(conn, b, 1, 3)
        await add_patients(conn, c, 3, 2)
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("lead.a", paths.street_a, Role.STREET_LEADER)
    return {"a": a, "b": b, "c": c, "centre": centre}


async def on_duty_at(
    client: Client,
    make_user: Any,
    pool: PgPool,
    name: str,
    home: str,
    capability: Capability,
    mode: str,
    at: tuple[float, float],
) -> None:
    """A responder who goes on duty and reports a fix at ``at`` (through the public API)."""
    user = await make_user(name, home, Role.RESPONDER, capabilities=[capability])
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO responders (user_id, mode) VALUES ($1::uuid, $2)", user.id, mode
        )
    headers = await login(client, name)
    r = await client.put("/api/responders/me/duty", json={"status": "available"}, headers=headers)
    assert r.status_code == 200, r.text
    item = {"responder_id": str(user.id), "lat": at[0], "lon": at[1], "accuracy_m": 8.0}
    item["ts"] = time.time()
    r = await client.post("/api/positions", json={"items": [item]}, headers=headers)
    assert r.json()["applied"] == 1, r.text


async def gaps(client: Client, user: str = "lead.d", **params: Any) -> dict[str, Any]:
    """The gaps now (the 5-second cache emptied first: each call sees the index as it is)."""
    cache = client.app.dependencies["coverage_cache"].dependency.__self__
    assert isinstance(cache, CoverageCache)
    cache.clear()
    r = await client.get("/api/coverage/gaps", params=params, headers=await login(client, user))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def by_path(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["path"]: g for g in body["gaps"]}


async def test_a_police_car_near_one_grid_covers_it_and_only_it(
    client: Client, grids: dict[str, Any], make_user: Any, clean_db: PgPool, paths: DistrictPaths
) -> None:
    before = await gaps(client)
    assert set(by_path(before)) == {grids["a"], grids["b"], grids["c"]}
    assert before["grids_checked"] == 3
    assert (before["minutes"], before["capabilities"], before["min_risk_grade"]) == (
        10,
        ["police"],
        3,
    )
    # 2 km north of A's centre by car: 2000 m x 1.4 / 8 m/s = 350 s, inside 10 minutes
    near_a = north_of(*grids["centre"][grids["a"]], 2000)
    await on_duty_at(
        client, make_user, clean_db, "police.a", paths.grid_a, Capability.POLICE, "vehicle", near_a
    )
    after = await gaps(client)
    found = by_path(after)
    assert set(found) == {grids["b"], grids["c"]}
    # most patients first; counts only (B's grade-1 patients are not high-risk), 1-4 withheld
    assert [g["path"] for g in after["gaps"]] == [grids["b"], grids["c"]]
    assert (found[grids["b"]]["high_risk"], found[grids["b"]]["suppressed"]) == (6, False)
    assert (found[grids["c"]]["high_risk"], found[grids["c"]]["suppressed"]) == (None, True)
    assert found[grids["b"]]["best_eta_s"] is None  # nobody within reach at all
    assert set(found[grids["b"]]) == {
        "path",
        "name_zh",
        "name_en",
        "lat",
        "lon",
        "high_risk",
        "suppressed",
        "best_eta_s",
    }


async def test_travel_time_decides_and_the_best_eta_is_reported(
    client: Client, grids: dict[str, Any], make_user: Any, clean_db: PgPool, paths: DistrictPaths
) -> None:
    # on foot 1 km from A's centre: 1000 m x 1.3 / 1.3 m/s = 1000 s, more than 10 minutes
    near_a = north_of(*grids["centre"][grids["a"]], 1000)
    await on_duty_at(
        client, make_user, clean_db, "police.f", paths.grid_a, Capability.POLICE, "on_foot", near_a
    )
    ten = by_path(await gaps(client))
    assert ten[grids["a"]]["best_eta_s"] == pytest.approx(1000, rel=0.01)
    twenty = by_path(await gaps(client, minutes=20))
    assert grids["a"] not in twenty
    assert grids["b"] in twenty


async def test_only_qualified_responders_count(
    client: Client, grids: dict[str, Any], make_user: Any, clean_db: PgPool, paths: DistrictPaths
) -> None:
    near_b = north_of(*grids["centre"][grids["b"]], 500)
    await on_duty_at(
        client,
        make_user,
        clean_db,
        "doctor.b",
        paths.grid_b,
        Capability.COMMUNITY_DOCTOR,
        "vehicle",
        near_b,
    )
    assert grids["b"] in by_path(await gaps(client))  # a doctor is not police
    doctors = by_path(await gaps(client, capability="community_doctor"))
    assert grids["b"] not in doctors and grids["a"] in doctors
    either = by_path(await gaps(client, capability="police,community_doctor"))
    assert set(either) == {grids["a"], grids["c"]}
    # a busy doctor covers nobody: only available responders count
    headers = await login(client, "doctor.b")
    r = await client.put("/api/responders/me/duty", json={"status": "off_duty"}, headers=headers)
    assert r.status_code == 200, r.text
    assert grids["b"] in by_path(await gaps(client, capability="community_doctor"))


async def test_scoped_to_the_jurisdiction_and_bad_parameters_name_their_field(
    client: Client, grids: dict[str, Any], paths: DistrictPaths
) -> None:
    ours = await gaps(client, "lead.a")
    assert ours["org_path"] == paths.street_a
    assert all(g["path"].startswith(paths.street_a + ".") for g in ours["gaps"])
    assert grids["a"] in by_path(ours)
    narrowed = await gaps(client, unit=paths.grid_a)
    assert [g["path"] for g in narrowed["gaps"]] == [grids["a"]]
    headers = await login(client, "lead.a")
    r = await client.get("/api/coverage/gaps", params={"unit": paths.street_b}, headers=headers)
    assert r.status_code == 404
    for params, field in (
        ({"minutes": "0"}, "minutes"),
        ({"minutes": "61"}, "minutes"),
        ({"minutes": "ten"}, "minutes"),
        ({"capability": "wizard"}, "capability"),
        ({"capability": ","}, "capability"),
        ({"capability": "Police!"}, "capability"),
        ({"min_risk_grade": "9"}, "min_risk_grade"),
        ({"unit": "x"}, "unit"),
    ):
        r = await client.get("/api/coverage/gaps", params=params, headers=headers)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["field"] == field, r.text
