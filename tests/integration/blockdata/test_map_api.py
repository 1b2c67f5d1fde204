"""The one map over HTTP: counts within the caller's jurisdiction, small counts suppressed,
drill-down to buildings and houses, persons only through the masked and audited people API."""

from __future__ import annotations

from typing import Any

import h3
from litestar.testing import AsyncTestClient

from backend.api.map.suppression import K_MIN
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.blockdata.conftest import Loaded

Client = AsyncTestClient[Any]


def counted(body: dict[str, Any]) -> int:
    return sum(c["count"] or 0 for c in body["cells"])


async def test_district_leader_sees_every_resident_at_each_resolution(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("boss", paths.district, Role.DISTRICT_LEADER)
    headers = await login(client, "boss")
    async with clean_db.acquire() as conn:
        people = await conn.fetchval("SELECT count(*) FROM persons")
    for res in (7, 8, 9):
        r = await client.get(f"/api/map/cells?layer=people&res={res}", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert counted(body) == people
        assert all(h3.get_resolution(c["cell"]) == res for c in body["cells"])
    units = (await client.get("/api/map/units?layer=people&level=street", headers=headers)).json()
    assert len(units["units"]) == 6
    assert sum(u["count"] for u in units["units"]) == people


async def test_community_leader_aggregation_covers_only_their_community(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("chief", paths.community_a, Role.COMMUNITY_LEADER)
    headers = await login(client, "chief")
    async with clean_db.acquire() as conn:
        mine = await conn.fetchval(
            "SELECT count(*) FROM persons WHERE org_path LIKE $1 || '.%'", paths.community_a
        )
        cells = {
            h3.int_to_str(r["h3_r9"])
            for r in await conn.fetch(
                "SELECT DISTINCT a.h3_r9 FROM persons p JOIN addresses a ON a.id = p.address_id "
                "WHERE p.org_path LIKE $1 || '.%'",
                paths.community_a,
            )
        }
    assert mine > 0
    body = (await client.get("/api/map/cells?layer=people&res=9", headers=headers)).json()
    assert counted(body) == mine
    assert {c["cell"] for c in body["cells"]} <= cells
    res7 = (await client.get("/api/map/cells?layer=people&res=7", headers=headers)).json()
    assert counted(res7) == mine, "a res-7 cell straddling the boundary counts only our part"
    units = (await client.get("/api/map/units?layer=people&level=street", headers=headers)).json()
    assert units["units"] == []
    grids = (await client.get("/api/map/units?layer=people&level=grid", headers=headers)).json()
    assert grids["units"] and all(
        u["path"].startswith(paths.community_a + ".") for u in grids["units"]
    )
    other = await client.get(f"/api/map/units/{paths.community_b}/buildings", headers=headers)
    assert other.status_code == 404


async def test_patient_counts_never_single_out_a_household(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("boss", paths.district, Role.DISTRICT_LEADER)
    headers = await login(client, "boss")
    async with clean_db.acquire() as conn:
        patients = await conn.fetchval("SELECT count(*) FROM patients")
    assert patients > 0
    for query in ("layer=patients&res=9", "layer=patients&res=7", "layer=patients&res=8&key=1"):
        body = (await client.get(f"/api/map/cells?{query}", headers=headers)).json()
        for cell in body["cells"]:
            assert cell["count"] is None or cell["count"] >= K_MIN, (query, cell)
            assert cell["suppressed"] == (cell["count"] is None)
            assert set(cell) == {"cell", "lat", "lon", "count", "suppressed"}, "counts only"
    body = (await client.get("/api/map/cells?layer=patients&res=9", headers=headers)).json()
    assert body["suppressed_cells"] > 0, "a small synthetic district has small cells"
    units = (
        await client.get("/api/map/units?layer=patients&level=district", headers=headers)
    ).json()
    assert units["units"][0]["count"] == (patients if patients >= K_MIN else None)


async def test_events_layer_counts_a_time_window_by_type(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("operator1", paths.district, Role.OPERATOR)
    headers = await login(client, "operator1")
    since, until = "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z"
    async with clean_db.acquire() as conn:
        expected = await conn.fetchval(
            "SELECT count(*) FROM block_events WHERE type = 'hotline' "
            "AND occurred_at >= $1::text::timestamptz AND occurred_at < $2::text::timestamptz",
            since,
            until,
        )
    r = await client.get(
        "/api/map/cells",
        params={"layer": "events", "key": "hotline", "res": 8, "since": since, "until": until},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert counted(r.json()) == expected > 0
    bad = await client.get(
        "/api/map/cells",
        params={"layer": "events", "since": until, "until": since},
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "until"


async def test_drill_down_from_cell_to_building_to_house_to_masked_audited_persons(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("chief", paths.community_a, Role.COMMUNITY_LEADER)
    headers = await login(client, "chief")
    cells = (await client.get("/api/map/cells?layer=people&res=8", headers=headers)).json()
    busiest = max(cells["cells"], key=lambda c: c["count"] or 0)
    buildings = await client.get(f"/api/map/cells/{busiest['cell']}/buildings", headers=headers)
    assert buildings.status_code == 200
    items = buildings.json()["items"]
    assert items and all(b["org_path"].startswith(paths.community_a + ".") for b in items)
    building = max(items, key=lambda b: b["houses"])
    houses = await client.get(f"/api/map/buildings/{building['id']}/houses", headers=headers)
    assert houses.status_code == 200
    house = max(houses.json()["items"], key=lambda h: h["residents"])
    assert house["residents"] > 0
    persons = await client.get(
        "/api/persons", params={"address_id": house["address_id"]}, headers=headers
    )
    assert persons.status_code == 200
    listed = persons.json()["items"]
    assert len(listed) == house["residents"]
    assert all(p["masked"] and p["id_number"].count("*") >= 8 for p in listed)
    async with clean_db.acquire() as conn:
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'person.read' AND object_id = ANY($1::text[])",
            [p["id"] for p in listed],
        )
    assert audited == len(listed)


async def test_responder_cannot_list_persons_nor_read_the_map(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("resp1", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    headers = await login(client, "resp1")
    for url in (
        "/api/persons",
        "/api/map/cells?layer=people",
        "/api/map/units?layer=patients",
        "/api/addresses/search?q=深汕路",
    ):
        r = await client.get(url, headers=headers)
        assert r.status_code == 403, url


async def test_address_search_is_guarded_and_filtered_by_jurisdiction(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("chief", paths.community_a, Role.COMMUNITY_LEADER)
    headers = await login(client, "chief")
    async with clean_db.acquire() as conn:
        inside = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1",
            paths.community_a,
        )
        outside = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1",
            paths.community_b,
        )
    r = await client.get(
        "/api/addresses/search", params={"q": inside["text"], "limit": 5}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["items"][0]["address_id"] == inside["id"]
    r = await client.get("/api/addresses/search", params={"q": outside["text"]}, headers=headers)
    assert outside["id"] not in {c["address_id"] for c in r.json()["items"]}
    bad = await client.get("/api/addresses/search", params={"q": "x\x00"}, headers=headers)
    assert bad.status_code == 400


async def test_bad_map_queries_get_a_clear_400(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("boss", paths.district, Role.DISTRICT_LEADER)
    headers = await login(client, "boss")
    for query, field in (
        ("layer=people&bbox=1.2.3,2,3,4", "bbox"),
        ("layer=people&bbox=10,20,5,30", "bbox"),
        ("layer=patients&key=9", "key"),
    ):
        r = await client.get(f"/api/map/cells?{query}", headers=headers)
        assert r.status_code == 400, (query, r.text)
        assert r.json()["error"]["field"] == field
    assert (await client.get("/api/map/cells?layer=nope", headers=headers)).status_code == 400
    assert (
        await client.get("/api/map/cells?layer=people&res=6", headers=headers)
    ).status_code == 400
    r = await client.get("/api/map/cells/zzz/buildings", headers=headers)
    assert r.status_code == 400 and r.json()["error"]["field"] == "cell"
