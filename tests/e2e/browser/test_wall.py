"""The wall in a real browser against a real backend: sign-in, boundaries, live link, incidents
through the realtime pipeline, and recovery after the network drops."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from backend.kpi.buckets import day_start
from backend.security.policy import Capability
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths
from tests.e2e.browser.conftest import Opener, Start, screenshot_path, sign_in
from tests.e2e.browser.helpers import (
    emit_incident_event,
    incident_state,
    point_in,
    wait_connection,
    wait_map_count,
    wait_map_ready,
)
from tests.integration.kpi.seeding import add_incident, add_responder

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


async def kpi_value(page: Page, index: int) -> str:
    """The text of the KPI tile at ``index`` (0 live incidents, 1 escalated, 2 on duty)."""
    return (await page.locator(".kpi .kpi__value").nth(index).inner_text()).strip()


async def test_wall_signs_in_draws_boundaries_and_goes_live(
    open_page: Opener, users: None, district: Geography
) -> None:
    page = await open_page("lead.d", "/wall/")
    polygons = await wait_map_ready(page)
    drawn = sum(1 for u in district.units.values() if u.level != "district")
    assert polygons == drawn, f"map drew {polygons} boundaries, the district has {drawn}"
    await wait_connection(page, "live")
    # The snapshot arrived: panels leave "loading" for "none yet", the on-duty tile reads 0.
    await page.wait_for_selector(".kpi:not(.is-loading)")
    assert await kpi_value(page, 0) == "0"
    assert await kpi_value(page, 2) == "0"
    await wait_map_count(page, "incidents", 0)
    await wait_map_count(page, "responders", 0)
    await page.wait_for_timeout(1500)  # let the map settle before the picture
    await page.screenshot(path=screenshot_path("wall-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]


async def test_incident_events_reach_list_map_kpis_and_ticker(
    open_page: Opener, users: None, district: Geography, paths: DistrictPaths, database_url: str
) -> None:
    page = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    lat, lon = point_in(district, paths.grid_a)
    state = incident_state("INC-A", paths.grid_a, lat, lon, address="坪山区 龙田路 8 号")
    await emit_incident_event(database_url, "incident.created", state)
    await wait_map_count(page, "incidents", 1)
    row = page.locator(".incident").first
    assert "患者在家发病" in await row.inner_text()
    assert "龙田路 8 号" in await row.inner_text()
    assert await kpi_value(page, 0) == "1"
    await page.wait_for_selector(".ticker__item >> text=新警情")
    # The row is kept and updated in place: its timer ticks, and an update restyles it, but the
    # element stays the same one (a rebuilt list would re-announce itself every second).
    await row.evaluate("r => { r.dataset.probe = 'kept'; }")
    ticked = await row.locator(".incident__timer").inner_text()
    await page.wait_for_function(
        "t => document.querySelector('.incident[data-id=\"INC-A\"] .incident__timer')"
        ".textContent !== t",
        arg=ticked,
    )
    await emit_incident_event(
        database_url, "incident.updated", {**state, "escalations": 1, "version": 2}
    )
    await page.wait_for_selector(".incident.is-escalated[data-probe='kept']")
    await page.wait_for_selector(".ticker__item >> text=已升级")
    assert await kpi_value(page, 1) == "1"
    # An older summary arriving late changes nothing.
    await emit_incident_event(database_url, "incident.updated", {**state, "version": 1})
    await emit_incident_event(
        database_url, "incident.updated", {**state, "state": "closed", "version": 3}
    )
    await wait_map_count(page, "incidents", 0)
    assert await kpi_value(page, 0) == "0"
    await page.wait_for_selector(".ticker__item >> text=已结案")


async def test_reconnects_after_network_loss_and_catches_up(
    open_page: Opener, users: None, district: Geography, paths: DistrictPaths, database_url: str
) -> None:
    page = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    lat, lon = point_in(district, paths.grid_a)
    first = incident_state("INC-1", paths.grid_a, lat, lon, address="first address")
    await emit_incident_event(database_url, "incident.created", first)
    await wait_map_count(page, "incidents", 1)

    await page.context.set_offline(True)
    await wait_connection(page, "reconnecting", timeout_s=20)
    assert (await page.inner_text(".conn__label")).strip() == "重新连接中"
    assert await page.is_visible(".link-banner")  # the whole wall shows the picture may be old
    # Missed while offline: the first incident closes, a second one opens.
    await emit_incident_event(
        database_url, "incident.updated", {**first, "state": "closed", "version": 2}
    )
    second = incident_state("INC-2", paths.grid_a, lat, lon, address="second address", priority=2)
    await emit_incident_event(database_url, "incident.created", second)
    await page.wait_for_timeout(1000)
    await page.screenshot(path=screenshot_path("wall-reconnecting-1920x1080.png"))
    await page.context.set_offline(False)
    # Back online the client reconnects at once (no waiting out the back-off) and resumes.
    await wait_connection(page, "live", timeout_s=12)
    assert not await page.is_visible(".link-banner")
    await wait_map_count(page, "incidents", 1)
    text = await page.locator(".incidents").inner_text()
    assert "second address" in text
    assert "first address" not in text
    assert await kpi_value(page, 0) == "1"


STATE_LOG = """() => {
  window.__connStates = [];
  const conn = document.querySelector('.conn');
  new MutationObserver(() => window.__connStates.push(conn.dataset.state))
    .observe(conn, { attributes: true, attributeFilter: ['data-state'] });
}"""


@pytest.mark.timeout(180)
async def test_socket_outlives_its_access_token(
    isolated_backend: Start, built_frontend: Path, browser: Browser, users: None
) -> None:
    """Access tokens live 30 s here: the client sends fresh ones over the socket before each
    expires, so the server never closes it (close 4001 would show as a reconnect)."""
    del built_frontend
    backend = isolated_backend(PINGAN_ACCESS_TOKEN_TTL_S="30")
    context = await browser.new_context(reduced_motion="reduce")
    try:
        page = await context.new_page()
        await sign_in(page, backend.base_url, "lead.d", "/wall/")
        await wait_connection(page, "live")
        await page.evaluate(STATE_LOG)
        await page.wait_for_timeout(50_000)  # past the first expiry, and the renewal after it
        states = await page.evaluate("window.__connStates")
        assert "reconnecting" not in states, f"the socket was dropped: {states}"
        assert await page.get_attribute(".conn", "data-state") == "live"
    finally:
        await context.close()


async def test_incidents_from_the_incidents_api(
    open_page: Opener,
    users: None,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
) -> None:
    """The real path: the console's API creates an incident; a wall already open gets the event,
    a wall opened later gets it in the snapshot; cancelling takes it off both."""
    page = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    lat, lon = point_in(district, paths.grid_a)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        r = await http.post("/api/auth/login", json={"username": "op.d", "password": TEST_PASSWORD})
        op = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await http.post(
            "/api/incidents",
            json={"kind": "self_harm", "priority": 2, "place": {"lat": lat, "lon": lon}},
            headers=op,
        )
        assert r.status_code == 201, r.text
        incident_id = r.json()["incident"]["summary"]["id"]
        await wait_map_count(page, "incidents", 1)
        assert "自伤风险" in await page.locator(".incident").first.inner_text()

        later = await open_page("lead.d", "/wall/", motion=False)
        await wait_connection(later, "live")
        await wait_map_count(later, "incidents", 1)  # from the snapshot

        r = await http.post(
            f"/api/incidents/{incident_id}/cancel", json={"reason": "test alarm"}, headers=op
        )
        assert r.status_code == 204, r.text
        await wait_map_count(page, "incidents", 0)
        await wait_map_count(later, "incidents", 0)

        # A second call from the same spot: its row says it is a repeat call.
        r = await http.post(
            "/api/incidents",
            json={"kind": "self_harm", "priority": 2, "place": {"lat": lat, "lon": lon}},
            headers=op,
        )
        assert r.status_code == 201, r.text
        again = r.json()["incident"]["summary"]["id"]
        flag = page.locator(f".incident[data-id='{again}'] .incident__flag--repeat")
        await flag.wait_for(timeout=15_000)
        assert await flag.inner_text() == "重复报警"


async def test_kpi_tiles_show_the_servers_values_and_new_layers(
    open_page: Opener,
    users: None,
    make_user: Any,
    backend: BackendProcess,
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
) -> None:
    """Today's KPIs on the tiles are the server's (GET /api/kpi/today), a P5 is its own level,
    and key-person density and events heat switch on from the legend."""
    now = datetime.now(UTC)
    start = day_start(now)
    lat, lon = point_in(district, paths.grid_a)
    async with clean_db.acquire() as conn:
        rid = await add_responder(
            conn, make_user, "resp.k", paths.grid_a, [Capability.POLICE], "available"
        )
        for i, alert in enumerate((12, 30, 75)):
            created = start + (now - start) / (i + 2)
            await add_incident(
                conn, org_path=paths.grid_a, lat=lat, lon=lon, created=created, responder_id=rid,
                alert_s=alert, accept_s=alert * 4, arrive_s=alert * 20, closed_after_s=1.0,
            )  # fmt: skip
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        r = await http.post(
            "/api/auth/login", json={"username": "lead.d", "password": TEST_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        today = (await http.get("/api/kpi/today", headers=headers)).json()
    figures = today["figures"]
    page = await open_page("lead.d", "/wall/", motion=False)
    await wait_map_ready(page)
    await wait_connection(page, "live")
    for tile, value in (
        ("alert", figures["to_alert"]["p50_s"]),
        ("accept", figures["to_accept"]["p50_s"]),
        ("arrive", figures["to_arrive"]["p50_s"]),
        ("opened", figures["opened"]),
        ("closed", figures["closed"]),
    ):
        await page.wait_for_selector(f".kpi[data-kpi='{tile}'][data-value='{value:g}']")
    minutes, seconds = divmod(round(figures["to_accept"]["p50_s"]), 60)
    assert (
        await page.inner_text(".kpi[data-kpi='accept'] .kpi__value") == f"{minutes}:{seconds:02d}"
    )
    p90 = round(figures["to_accept"]["p90_s"])
    assert f"{p90 // 60}:{p90 % 60:02d}" in await page.inner_text(
        ".kpi[data-kpi='accept'] .kpi__unit"
    )
    assert (
        await page.inner_text(".kpi-duty__item[data-capability='police'] .kpi-duty__count") == "1"
    )
    state = incident_state("INC-P5", paths.grid_a, lat, lon, priority=5)
    await emit_incident_event(database_url, "incident.created", state)
    await page.wait_for_selector(".incident.incident--p5")
    await page.check("#layer-key-persons")
    await page.check("#layer-events-heat")
    await page.wait_for_selector(".map-view[data-key-person-cells]")
    await page.wait_for_selector(".map-view[data-event-cells]")
    await page.click(".events-window__btn[data-window='30d']")
    await page.wait_for_selector(".map-view[data-event-window='30d']")
    await page.wait_for_timeout(1000)
    await page.screenshot(path=screenshot_path("wall-layers-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]
