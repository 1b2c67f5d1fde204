"""``GET /api/map/key-places``: by kind, inside the caller's jurisdiction only, and each
hospital's free beds = capacity − live incidents handed over to it."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import DistrictPaths, login
from tests.e2e.browser.helpers import point_in
from tests.integration.keyplaces.seeding import add_handover, add_place

Client = AsyncTestClient[Any]


@pytest.fixture
async def places(
    client: Client, clean_db: PgPool, make_user: Any, paths: DistrictPaths, district: Geography
) -> dict[str, Any]:
    """One place of each kind in street A, a hospital in street B; leaders of both streets."""
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("lead.a", paths.street_a, Role.STREET_LEADER)
    await make_user("lead.b", paths.street_b, Role.STREET_LEADER)
    await make_user("resp.r", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    lat_a, lon_a = point_in(district, paths.grid_a)
    lat_b, lon_b = point_in(district, paths.grid_b)
    async with clean_db.acquire() as conn:
        await add_place(conn, "KA-1", "key_area", "沙湖村", lat_a, lon_a, paths.grid_a)
        await add_place(
            conn,
            "KF-1",
            "key_facility",
            "加油站",
            lat_a + 0.001,
            lon_a,
            paths.grid_a,
            category="fuel",
        )
        await add_place(conn, "SP-1", "safety_post", "治安岗亭", lat_a, lon_a + 0.001, paths.grid_a)
        await add_place(
            conn,
            "H-A",
            "hospital",
            "坪山区第三人民医院",
            lat_a - 0.001,
            lon_a,
            paths.grid_a,
            capacity=40,
            psychiatric=True,
        )
        await add_place(
            conn, "H-B", "hospital", "坪山区人民医院", lat_b, lon_b, paths.grid_b, capacity=3
        )
    return {"a": (lat_a, lon_a), "b": (lat_b, lon_b)}


async def get_places(client: Client, user: str, **params: Any) -> Any:
    r = await client.get("/api/map/key-places", params=params, headers=await login(client, user))
    assert r.status_code == 200, r.text
    return r.json()


def ids(body: dict[str, Any]) -> list[str]:
    return [p["id"] for p in body["items"]]


async def test_places_by_kind_inside_the_jurisdiction(
    client: Client, places: dict[str, Any], paths: DistrictPaths
) -> None:
    everything = await get_places(client, "lead.d")
    assert sorted(ids(everything)) == ["H-A", "H-B", "KA-1", "KF-1", "SP-1"]
    assert everything["counts"] == {
        "hospital": 2,
        "key_area": 1,
        "key_facility": 1,
        "safety_post": 1,
    }
    ours = await get_places(client, "lead.a")
    assert sorted(ids(ours)) == ["H-A", "KA-1", "KF-1", "SP-1"]
    assert ids(await get_places(client, "lead.a", kind="hospital")) == ["H-A"]
    facility = (await get_places(client, "lead.a", kind="key_facility"))["items"][0]
    assert facility["category"] == "fuel"
    assert facility["capacity"] is None and facility["free"] is None
    # another street's leader sees none of ours, and asking for our street is a 404
    assert ids(await get_places(client, "lead.b")) == ["H-B"]
    r = await client.get(
        "/api/map/key-places",
        params={"unit": paths.street_a},
        headers=await login(client, "lead.b"),
    )
    assert r.status_code == 404
    narrowed = await get_places(client, "lead.d", unit=paths.street_b)
    assert ids(narrowed) == ["H-B"]


async def test_hospital_free_is_capacity_minus_live_handovers(
    client: Client, places: dict[str, Any], clean_db: PgPool, paths: DistrictPaths
) -> None:
    lat, lon = places["a"]
    at = {"org_path": paths.grid_a, "lat": lat, "lon": lon}
    async with clean_db.acquire() as conn:
        # live: one names the hospital by id, one by its name (typed with spaces around it)
        await add_handover(conn, hospital="H-A", state="on_scene", **at)
        await add_handover(conn, hospital=" 坪山区第三人民医院 ", state="resolved", **at)
        # not live, or no hand-over, or another hospital: not counted for H-A
        await add_handover(conn, hospital="H-A", state="closed", **at)
        await add_handover(conn, hospital="H-A", state="cancelled", **at)
        await add_handover(conn, hospital=None, state="responding", **at)
        for _ in range(4):
            await add_handover(conn, hospital="坪山区人民医院", state="dispatching", **at)
    body = await get_places(client, "lead.d", kind="hospital")
    by_id = {p["id"]: p for p in body["items"]}
    assert {k: by_id["H-A"][k] for k in ("capacity", "in_use", "free", "psychiatric")} == {
        "capacity": 40,
        "in_use": 2,
        "free": 38,
        "psychiatric": True,
    }
    # more live hand-overs than beds: free stops at zero
    assert {k: by_id["H-B"][k] for k in ("capacity", "in_use", "free", "psychiatric")} == {
        "capacity": 3,
        "in_use": 4,
        "free": 0,
        "psychiatric": False,
    }


async def test_bbox_and_bad_parameters(
    client: Client, places: dict[str, Any], paths: DistrictPaths
) -> None:
    lat, lon = places["b"]
    box = f"{lon - 0.0005},{lat - 0.0005},{lon + 0.0005},{lat + 0.0005}"
    assert ids(await get_places(client, "lead.d", bbox=box)) == ["H-B"]
    headers = await login(client, "lead.d")
    for params, field in (
        ({"kind": "zoo"}, "kind"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "114.4,22.6,114.3,22.7"}, "bbox"),
        ({"limit": "0"}, "limit"),
        ({"unit": "not-a-path"}, "unit"),
    ):
        r = await client.get("/api/map/key-places", params=params, headers=headers)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["field"] == field, r.text
    responder = await login(client, "resp.r")
    r = await client.get("/api/map/key-places", headers=responder)
    assert r.status_code == 403
