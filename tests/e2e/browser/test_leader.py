"""The leader view in a real browser against a real backend: live incidents with escalations
first, an acceptance from a responder client reaching the leader view and the wall, a closed
incident's archive with a review note saved, KPI trends and SLA heat drawn, both languages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from backend.kpi.buckets import DISTRICT_TZ
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import (
    emit_incident_event,
    incident_state,
    point_in,
    visible_raw_keys,
    wait_connection,
    wait_map_count,
    wait_map_ready,
)
from tests.e2e.browser.test_responders import put_responder_on_duty
from tests.integration.kpi.seeding import add_incident, add_responder

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


async def bearer(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def open_leader(open_page: Opener, **options: Any) -> Page:
    page = await open_page("lead.d", "/leader/", **options)
    await wait_map_ready(page)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    return page


async def row_ids(page: Page) -> list[str]:
    return await page.eval_on_selector_all(
        ".leader__list .incident", "rows => rows.map(r => r.dataset.id)"
    )


async def test_escalated_first_and_an_accept_reaches_leader_and_wall(
    open_page: Opener,
    users: None,
    make_user: Any,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
) -> None:
    leader = await open_leader(open_page, motion=False)
    wall = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(wall, "live")
    await wait_map_count(wall, "incidents", 0)
    lat, lon = point_in(district, paths.grid_b)
    # A P1 that is fine and a P3 that escalated: the escalated one leads.
    await emit_incident_event(
        database_url,
        "incident.created",
        incident_state("INC-P1", paths.grid_b, lat, lon, priority=1),
    )
    await emit_incident_event(
        database_url,
        "incident.created",
        incident_state("INC-P3", paths.grid_b, lat, lon, priority=3, escalations=1),
    )
    # A P5 past its step's deadline: before the P1 (missed deadlines first), after the escalated.
    late = incident_state("INC-P5", paths.grid_b, lat, lon, priority=5)
    late["step"] = {**late["step"], "deadline_at": time.time() - 30}
    await emit_incident_event(database_url, "incident.created", late)
    await wait_map_count(leader, "incidents", 3)
    assert await row_ids(leader) == ["INC-P3", "INC-P5", "INC-P1"]
    assert await leader.locator(".leader__list .incident--p5").count() == 1

    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        responder = await put_responder_on_duty(http, make_user, district, paths)
        op = await bearer(http, "op.d")
        a_lat, a_lon = point_in(district, paths.grid_a)
        r = await http.post(
            "/api/incidents",
            json={"kind": "crisis_at_home", "place": {"lat": a_lat, "lon": a_lon}},
            headers=op,
        )
        assert r.status_code == 201, r.text
        incident_id = r.json()["incident"]["summary"]["id"]
        row = f".leader__list .incident[data-id='{incident_id}']"
        await leader.wait_for_selector(row, timeout=15_000)
        # The drill-down follows the incident's own topic.
        await leader.click(row)
        await leader.wait_for_selector(f".detail[data-incident='{incident_id}'] .detail__fact")
        offers: list[dict[str, Any]] = []
        deadline = time.monotonic() + 20
        while not offers and time.monotonic() < deadline:
            offers = (await http.get("/api/assignments/mine", headers=responder)).json()
            await leader.wait_for_timeout(300)
        assert offers, "the responder on duty near the incident got no offer"
        r = await http.post(f"/api/assignments/{offers[0]['id']}/accept", headers=responder)
        assert r.status_code == 200, r.text
    await leader.wait_for_selector(f"{row}[data-state='responding']", timeout=15_000)
    await leader.wait_for_selector(
        ".detail .detail__fact[data-kind='assignment.accepted']", timeout=15_000
    )
    await leader.wait_for_selector(".detail__state[data-state='responding']")
    await wall.wait_for_selector(".incident >> text=处置力量赶赴", timeout=15_000)
    assert leader.errors == [] and wall.errors == []  # type: ignore[attr-defined]


async def seed_history(
    pool: PgPool, make_user: Any, district: Geography, paths: DistrictPaths
) -> None:
    """Closed incidents over the last ten days in both streets, with known milestone times."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        rid = await add_responder(
            conn, make_user, "resp.h", paths.grid_a, [Capability.POLICE], "off_duty"
        )
        for street, grid in ((0, paths.grid_a), (1, paths.grid_b)):
            lat, lon = point_in(district, grid)
            for day in range(10):
                for k in range(1 + (day + street) % 3):
                    created = now - timedelta(days=day, hours=1 + k)
                    accept = 60 + 25 * ((day * 3 + k + street) % 7)
                    await add_incident(
                        conn,
                        org_path=grid,
                        lat=lat + 0.004 * k,
                        lon=lon + 0.004 * (day % 3),
                        created=created,
                        responder_id=rid,
                        alert_s=8 + k,
                        accept_s=accept,
                        arrive_s=accept * 4 + 120 * street,
                        closed_after_s=1800,
                    )


async def test_trends_sla_heat_and_archive_review(
    open_page: Opener,
    users: None,
    make_user: Any,
    clean_db: PgPool,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
) -> None:
    await seed_history(clean_db, make_user, district, paths)
    async with clean_db.acquire() as conn:
        # An archive for the newest closed incident (closing for real is the incidents' tests).
        newest = await conn.fetchval("SELECT id FROM incidents ORDER BY id DESC LIMIT 1")
        await conn.execute(
            "INSERT INTO incident_archives (incident_id, data) VALUES ($1, $2)",
            newest,
            {
                "incident": {
                    "id": newest,
                    "kind": "crisis_at_home",
                    "priority": 2,
                    "state": "closed",
                    "address": "坪山区 测试路 9 号",
                    "org_path": paths.grid_a,
                    "opened_at": 0,
                    "updated_at": 0,
                    "escalations": 0,
                },
                "outcome": "stabilised_at_home",
                "record_sheet_id": "RS-9",
                "handover_hospital": None,
                "kpis": {
                    "to_first_offer_s": 8.0,
                    "to_first_accept_s": 60.0,
                    "to_first_arrival_s": 240.0,
                    "to_close_s": 1800.0,
                },
                "deadlines": [
                    {
                        "timer_id": "t1",
                        "purpose": "arrive_by",
                        "due_at": "2025-01-01T00:00:00Z",
                        "fired_at": None,
                        "met": True,
                    }
                ],
                "assignments": [],
                "timeline": [
                    {
                        "id": 1,
                        "at": "2025-01-01T00:00:00Z",
                        "kind": "incident.created",
                        "actor_name": "Op",
                        "data": {},
                    }
                ],
            },
        )
    page = await open_leader(open_page)
    await page.wait_for_selector(".trends[data-loaded='true'] svg.chart--bars rect")
    await page.wait_for_selector(".trends svg.chart--lines path")
    # Whole, distinct counts up the y axis; the last day along x is the district's today, in
    # whatever time zone the browser runs (this one runs in UTC, eight hours behind).
    axis = await page.eval_on_selector_all(
        ".trends svg.chart--bars text.chart__axis",
        "ns => ns.map((n) => [n.getAttribute('text-anchor'), n.textContent])",
    )
    ys = [text for anchor, text in axis if anchor == "end"]
    xs = [text for anchor, text in axis if anchor == "middle"]
    assert len(ys) >= 2 and len(set(ys)) == len(ys) and all(y.isdigit() for y in ys), ys
    days = {
        datetime.now(DISTRICT_TZ).date(),
        (datetime.now(DISTRICT_TZ) - timedelta(minutes=1)).date(),
    }
    assert xs[-1] in {f"{d.month}/{d.day}" for d in days}, xs
    units = await page.locator(".trends__units tbody tr").count()
    assert units >= 2
    await page.wait_for_selector(".map-view[data-sla-cells]")
    assert int(await page.get_attribute(".map-view", "data-sla-cells") or "0") > 0
    await page.wait_for_timeout(1500)
    await page.screenshot(path=screenshot_path("leader-trends-1920x1080.png"))

    # Weekly buckets and one street's series.
    await page.click(".seg__btn[data-bucket='week']")
    await page.wait_for_selector(".trends[data-loaded='true'] svg.chart--bars rect")
    await page.click(f".trends__row[data-path='{paths.street_a}']")
    await page.wait_for_selector(f".trends__row.is-selected[data-path='{paths.street_a}']")

    # The archive: listed, opened, a note added and saved on the server.
    await page.click(".tabs__btn[data-tab='archives']")
    await page.click(f".archives__item[data-id='{newest}']")
    await page.wait_for_selector(".archives__page .archives__kpis")
    assert "RS-9" not in await page.inner_text(".archives__page")  # the record sheet stays in print
    await page.fill(".archives__note-input", "复盘：接单及时，到场偏慢")
    await page.click(".archives__add")
    await page.wait_for_selector(".archives__note-text >> text=复盘：接单及时，到场偏慢")
    async with clean_db.acquire() as conn:
        notes = await conn.fetch(
            "SELECT text, author_name FROM archive_notes WHERE incident_id = $1", newest
        )
    assert [n["text"] for n in notes] == ["复盘：接单及时，到场偏慢"]
    await page.screenshot(path=screenshot_path("leader-archive-1920x1080.png"))
    assert await visible_raw_keys(page) == []
    await page.click(".lang__btn >> text=EN")
    await page.wait_for_selector(".tabs__btn[data-tab='archives'] >> text=Archives")
    assert await visible_raw_keys(page) == []
    await page.click(".tabs__btn[data-tab='trends']")
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("leader-en-trends-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]


async def test_another_streets_leader_sees_none_of_ours(
    open_page: Opener,
    make_user: Any,
    clean_db: PgPool,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
) -> None:
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("lead.sb", paths.street_b, Role.STREET_LEADER)
    await seed_history(clean_db, make_user, district, paths)
    lat, lon = point_in(district, paths.grid_a)
    page = await open_page("lead.sb", "/leader/", motion=False)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    await emit_incident_event(
        database_url, "incident.created", incident_state("INC-A1", paths.grid_a, lat, lon)
    )
    await page.wait_for_selector(".trends[data-loaded='true'] svg.chart--bars rect")
    paths_shown = await page.eval_on_selector_all(
        ".trends__row", "rows => rows.map(r => r.dataset.path)"
    )
    assert paths_shown == [paths.street_b], paths_shown
    await page.click(".tabs__btn[data-tab='archives']")
    await page.wait_for_selector(".archives[data-count]")
    ids = await page.eval_on_selector_all(".archives__item", "rows => rows.map(r => r.dataset.id)")
    async with clean_db.acquire() as conn:
        ours = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM incidents WHERE org_path LIKE $1 || '.%'", paths.street_a
            )
        }
    assert ids and not ours & set(ids)
    await page.wait_for_timeout(1000)
    assert await page.locator(".leader__list .incident[data-id='INC-A1']").count() == 0
