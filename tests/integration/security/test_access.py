"""Permissions by role and jurisdiction by org unit, with denials audited."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]


async def test_missing_permission_is_403_and_audited(
    client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("op.a", paths.district, Role.OPERATOR)
    headers = await login(client, "op.a")
    r = await client.get("/api/audit", headers=headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    async with clean_db.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM audit_log WHERE action = 'access.permission'")
    assert row["outcome"] == "denied"
    assert row["actor_name"] == "op.a"
    assert row["reason"] == "missing permission audit:read"


async def test_geo_units_stay_inside_the_jurisdiction(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("lead.c", paths.community_a, Role.COMMUNITY_LEADER)
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    community = await login(client, "lead.c")
    district = await login(client, "lead.d")
    grids_c = (await client.get("/api/geo/units?level=grid", headers=community)).json()["features"]
    grids_d = (await client.get("/api/geo/units?level=grid", headers=district)).json()["features"]
    assert grids_c
    assert all(f["properties"]["path"].startswith(paths.community_a + ".") for f in grids_c)
    assert len(grids_d) > len(grids_c)
    streets_c = (await client.get("/api/geo/units?level=street", headers=community)).json()[
        "features"
    ]
    assert streets_c == []  # the community's parent street lies outside its jurisdiction
    bad = await client.get("/api/geo/units?level=planet", headers=district)
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "level"


async def test_auditor_reads_the_trail_within_jurisdiction(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("aud.d", paths.district, Role.AUDITOR)
    await make_user("aud.s", paths.street_b, Role.AUDITOR)
    await make_user("op.s", paths.street_a, Role.OPERATOR)
    await login(client, "op.s")  # an audited login in street A
    district = await login(client, "aud.d")
    street_b = await login(client, "aud.s")
    all_rows = (await client.get("/api/audit?action=auth.login", headers=district)).json()["items"]
    b_rows = (await client.get("/api/audit?action=auth.login", headers=street_b)).json()["items"]
    assert "op.s" in {r["actor_name"] for r in all_rows}
    assert "op.s" not in {r["actor_name"] for r in b_rows}
    page = (await client.get("/api/audit?limit=1", headers=district)).json()
    assert len(page["items"]) == 1
    assert page["next_before"] == page["items"][0]["seq"]
    bad = await client.get("/api/audit?limit=100000", headers=district)
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "limit"
