"""Every query with a time window refuses, naming the end, what it cannot serve: a time without a
zone, a time outside 2000-2100 (year 1 once overflowed the map's default start into a 500), or
an end before its start."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Role
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]

ROUTES = ["/api/map/cells?layer=events", "/api/kpi/trends?bucket=day", "/api/audit?limit=5"]
BAD = [
    ("until=0001-01-02T00:00:00Z", "until"),
    ("since=9999-12-31T23:59:59Z", "since"),
    ("since=2026-01-01T00:00:00", "since"),
    ("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
]


@pytest.fixture
async def leader(client: Client, make_user: Any, paths: DistrictPaths) -> dict[str, str]:
    await make_user("lead.w", paths.district, Role.DISTRICT_LEADER, Role.AUDITOR)
    return await login(client, "lead.w")


@pytest.mark.parametrize("route", ROUTES)
async def test_a_window_it_cannot_serve_is_refused_at_its_end(
    client: Client, leader: dict[str, str], route: str
) -> None:
    for query, field in BAD:
        r = await client.get(f"{route}&{query}", headers=leader)
        assert r.status_code == 400, (query, r.text)
        assert r.json()["error"]["field"] == field, query
    good = await client.get(
        f"{route}&since=2026-01-01T00:00:00Z&until=2026-01-08T00:00:00%2B08:00", headers=leader
    )
    assert good.status_code == 200, good.text
