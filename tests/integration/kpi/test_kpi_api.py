"""``/api/kpi``: exact percentiles from constructed timestamps, local-day and week buckets, and
jurisdiction scoping (another street's leader never sees ours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.kpi.buckets import day_start
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import DistrictPaths, login
from tests.e2e.browser.helpers import point_in
from tests.integration.kpi.seeding import add_incident, add_responder

Client = AsyncTestClient[Any]
# Monday 3 March 2025, local time (+08:00).
MONDAY = datetime.fromisoformat("2025-03-03T09:00:00+08:00")
TUESDAY = MONDAY + timedelta(days=1)
WINDOW = {"since": "2025-03-03T00:00:00+08:00", "until": "2025-03-05T00:00:00+08:00"}


@pytest.fixture
async def seeded(
    client: Client, clean_db: PgPool, make_user: Any, paths: DistrictPaths, district: Geography
) -> dict[str, Any]:
    """Five incidents in street A (alert 10..50 s, accept 60..240 s with one never accepted,
    arrive 300 and 600 s), one in street B, across Monday and Tuesday; leaders of both."""
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("lead.a", paths.street_a, Role.STREET_LEADER)
    await make_user("lead.b", paths.street_b, Role.STREET_LEADER)
    lat_a, lon_a = point_in(district, paths.grid_a)
    lat_b, lon_b = point_in(district, paths.grid_b)
    async with clean_db.acquire() as conn:
        rid = await add_responder(
            conn, make_user, "resp.x", paths.grid_a, [Capability.POLICE], "available"
        )
        a = {"org_path": paths.grid_a, "lat": lat_a, "lon": lon_a, "responder_id": rid}
        # Monday: three, the last at 23:30 local (15:30 UTC), still Monday's.
        await add_incident(
            conn,
            created=MONDAY,
            alert_s=10,
            accept_s=60,
            arrive_s=300,
            closed_after_s=86_400,
            extra_offer_s=5_000,
            **a,
        )
        await add_incident(
            conn,
            created=MONDAY + timedelta(hours=2),
            alert_s=20,
            accept_s=120,
            arrive_s=600,
            closed_after_s=80_000,
            **a,
        )
        await add_incident(
            conn, created=MONDAY.replace(hour=23, minute=30), alert_s=30, accept_s=180, **a
        )
        # Tuesday: 00:10 local is Monday 16:10 UTC; one never accepted and then cancelled.
        await add_incident(
            conn,
            created=TUESDAY.replace(hour=0, minute=10),
            alert_s=40,
            accept_s=240,
            state="resolved",
            **a,
        )
        await add_incident(
            conn,
            created=TUESDAY + timedelta(hours=3),
            alert_s=50,
            closed_after_s=600,
            state="cancelled",
            **a,
        )
        await add_incident(
            conn,
            org_path=paths.grid_b,
            lat=lat_b,
            lon=lon_b,
            responder_id=rid,
            created=TUESDAY,
            alert_s=999,
            accept_s=999,
            arrive_s=999,
        )
    return {"lat": lat_a, "lon": lon_a}


def series(body: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return next(u["buckets"] for u in body["units"] if u["path"] == path)


async def test_week_bucket_percentiles_are_exact(
    client: Client, seeded: dict[str, Any], paths: DistrictPaths
) -> None:
    leader = await login(client, "lead.a")
    r = await client.get("/api/kpi/trends", params={"bucket": "week", **WINDOW}, headers=leader)
    assert r.status_code == 200, r.text
    body = r.json()
    ((week,),) = [[b["figures"] for b in series(body, paths.street_a)]]
    assert week["opened"] == 5
    assert week["closed"] == 2  # the cancelled one is not closed
    assert week["to_alert"] == {"p50_s": 30.0, "p90_s": 46.0, "n": 5}
    assert week["to_accept"] == {"p50_s": 150.0, "p90_s": 222.0, "n": 4}
    assert week["to_arrive"] == {"p50_s": 450.0, "p90_s": 570.0, "n": 2}
    assert body["total"]["buckets"][0]["start"].startswith("2025-03-03T00:00:00")


async def test_day_buckets_follow_local_midnight(
    client: Client, seeded: dict[str, Any], paths: DistrictPaths
) -> None:
    leader = await login(client, "lead.d")
    r = await client.get(
        "/api/kpi/trends", params={"bucket": "day", "level": "street", **WINDOW}, headers=leader
    )
    assert r.status_code == 200, r.text
    body = r.json()
    monday, tuesday = (b["figures"] for b in series(body, paths.street_a))
    assert (monday["opened"], tuesday["opened"]) == (3, 2)
    assert monday["to_alert"] == {"p50_s": 20.0, "p90_s": 28.0, "n": 3}
    assert tuesday["to_accept"] == {"p50_s": 240.0, "p90_s": 240.0, "n": 1}
    assert (monday["closed"], tuesday["closed"]) == (0, 2)
    b_monday, b_tuesday = (b["figures"] for b in series(body, paths.street_b))
    assert (b_monday["opened"], b_tuesday["opened"]) == (0, 1)
    # The district's total holds both streets.
    assert [b["figures"]["opened"] for b in body["total"]["buckets"]] == [3, 3]
    other_streets = [u for u in body["units"] if u["path"] not in (paths.street_a, paths.street_b)]
    assert other_streets and all(
        b["figures"]["opened"] == 0 for u in other_streets for b in u["buckets"]
    )


async def test_community_level_and_unit_drilldown(
    client: Client, seeded: dict[str, Any], paths: DistrictPaths
) -> None:
    leader = await login(client, "lead.d")
    r = await client.get(
        "/api/kpi/trends",
        params={"bucket": "week", "level": "community", "unit": paths.street_a, **WINDOW},
        headers=leader,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["org_path"] == paths.street_a
    assert all(u["path"].startswith(paths.street_a + ".") for u in body["units"])
    assert series(body, paths.community_a)[0]["figures"]["opened"] == 5
    assert body["total"]["buckets"][0]["figures"]["opened"] == 5


async def test_another_streets_leader_sees_none_of_ours(
    client: Client, seeded: dict[str, Any], paths: DistrictPaths, clean_db: PgPool
) -> None:
    leader_b = await login(client, "lead.b")
    r = await client.get("/api/kpi/trends", params={"bucket": "week", **WINDOW}, headers=leader_b)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [u["path"] for u in body["units"]] == [paths.street_b]
    assert body["total"]["buckets"][0]["figures"]["opened"] == 1
    assert body["total"]["buckets"][0]["figures"]["to_alert"]["p50_s"] == 999.0
    for path in ("/api/kpi/trends", "/api/kpi/sla-cells", "/api/kpi/today"):
        refused = await client.get(path, params={"unit": paths.street_a}, headers=leader_b)
        assert refused.status_code == 404, (path, refused.text)
    cells = await client.get("/api/kpi/sla-cells", params=WINDOW, headers=leader_b)
    assert [c["incidents"] for c in cells.json()["cells"]] == [1]
    async with clean_db.acquire() as conn:
        denied = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
            paths.street_a,
        )
    assert denied == 3


async def test_sla_cells(client: Client, seeded: dict[str, Any], paths: DistrictPaths) -> None:
    leader = await login(client, "lead.a")
    r = await client.get("/api/kpi/sla-cells", params={"res": 9, **WINDOW}, headers=leader)
    assert r.status_code == 200, r.text
    (cell,) = r.json()["cells"]  # every street-A incident is at the same point
    assert cell["incidents"] == 5
    assert cell["to_accept"] == {"p50_s": 150.0, "p90_s": 222.0, "n": 4}
    assert cell["to_arrive"] == {"p50_s": 450.0, "p90_s": 570.0, "n": 2}
    assert abs(cell["lat"] - seeded["lat"]) < 0.01


async def test_today_figures_and_responders_on_duty(
    client: Client, clean_db: PgPool, make_user: Any, paths: DistrictPaths, district: Geography
) -> None:
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    lat, lon = point_in(district, paths.grid_a)
    now = datetime.now(UTC)
    start = day_start(now)
    async with clean_db.acquire() as conn:
        rid = await add_responder(
            conn, make_user, "resp.p", paths.grid_a, [Capability.POLICE], "available"
        )
        await add_responder(
            conn,
            make_user,
            "resp.d",
            paths.grid_b,
            [Capability.POLICE, Capability.COMMUNITY_DOCTOR],
            "en_route",
        )
        await add_responder(
            conn, make_user, "resp.o", paths.grid_b, [Capability.PSYCHIATRIST], "off_duty"
        )
        place = {"org_path": paths.grid_a, "lat": lat, "lon": lon, "responder_id": rid}
        # Today (between local midnight and now), whatever the hour the test runs at.
        for i, alert in enumerate((12, 18, 36)):
            created = start + (now - start) / (i + 2)
            await add_incident(
                conn,
                created=created,
                alert_s=alert,
                accept_s=alert * 10,
                closed_after_s=0.5,
                **place,
            )
        await add_incident(
            conn, created=start - timedelta(minutes=1), alert_s=1, closed_after_s=0.1, **place
        )
    leader = await login(client, "lead.d")
    r = await client.get("/api/kpi/today", headers=leader)
    assert r.status_code == 200, r.text
    body = r.json()
    figures = body["figures"]
    assert figures["opened"] == 3  # yesterday's does not count
    assert figures["to_alert"] == {"p50_s": 18.0, "p90_s": 32.4, "n": 3}
    assert figures["to_accept"] == {"p50_s": 180.0, "p90_s": 324.0, "n": 3}
    assert figures["to_arrive"] == {"p50_s": None, "p90_s": None, "n": 0}
    assert body["on_duty_by_capability"] == {"community_doctor": 1, "police": 2}
    assert body["on_duty"] == 2


async def test_bad_input_is_a_clear_4xx(client: Client, seeded: dict[str, Any]) -> None:
    leader = await login(client, "lead.d")
    cases = [
        ({"bucket": "month"}, "bucket"),
        ({"level": "grid"}, "level"),
        ({"since": "2025-03-05T00:00:00+08:00", "until": "2025-03-03T00:00:00+08:00"}, "until"),
        ({"since": "2020-01-01T00:00:00+08:00", "until": "2025-01-01T00:00:00+08:00"}, "since"),
        ({"unit": "x.y"}, "unit"),
    ]
    for params, field in cases:
        r = await client.get("/api/kpi/trends", params=params, headers=leader)
        assert r.status_code == 400, (params, r.text)
        assert field in r.text, (params, r.text)
    assert (
        await client.get("/api/kpi/trends", params={"unit": "440310.99"}, headers=leader)
    ).status_code == 404
