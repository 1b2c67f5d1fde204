"""Responders on the wall: positions pushed through the backend's HTTP API appear on the map,
in the force panel and in the on-duty count; going off duty removes them; a reconnect keeps
the picture consistent."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from backend.security.policy import Capability, Role
from simulators.geography import Geography
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import point_in, wait_connection, wait_map_count, wait_map_ready

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


async def on_duty_tile(page: Page) -> str:
    return (await page.locator(".kpi .kpi__value").nth(2).inner_text()).strip()


async def wait_on_duty(page: Page, count: int, timeout_s: float = 15) -> None:
    await page.wait_for_function(
        "n => document.querySelectorAll('.kpi .kpi__value')[2]?.textContent.trim() === String(n)",
        arg=count,
        timeout=timeout_s * 1000,
    )


async def bearer(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def open_wall(open_page: Opener) -> Page:
    """The wall, live, with its first (full) positions batch received."""
    page = await open_page("lead.d", "/wall/")
    await wait_map_ready(page)
    await wait_connection(page, "live")
    await wait_map_count(page, "responders", 0)
    await wait_on_duty(page, 0)
    return page


async def put_responder_on_duty(
    http: httpx.AsyncClient, make_user: Any, district: Geography, paths: DistrictPaths
) -> dict[str, str]:
    """Registers ``resp.a`` in grid A, puts them on duty and reports one position; returns
    their Authorization header."""
    await make_user("admin.d", paths.district, Role.ADMIN)
    responder = await make_user(
        "resp.a", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
    )
    admin = await bearer(http, "admin.d")
    r = await http.post("/api/responders", json={"user_id": str(responder.id)}, headers=admin)
    assert r.status_code in (200, 201), r.text
    me = await bearer(http, "resp.a")
    r = await http.put("/api/responders/me/duty", json={"status": "available"}, headers=me)
    assert r.status_code in (200, 204), r.text
    lat, lon = point_in(district, paths.grid_a)
    item = {
        "responder_id": str(responder.id),
        "lat": lat,
        "lon": lon,
        "accuracy_m": 8,
        "ts": time.time(),
    }
    r = await http.post("/api/positions", json={"items": [item]}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["applied"] == 1, r.text
    return me


async def test_positions_reach_the_wall_and_survive_a_reconnect(
    open_page: Opener,
    users: None,
    make_user: Any,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
) -> None:
    page = await open_wall(open_page)
    # Before anyone is on duty the force panel says so (not "loading"), and no cell is counted.
    await page.wait_for_selector(".panel--force .empty:not(.empty--loading)")
    await wait_map_count(page, "hexes", 0)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=10) as http:
        await put_responder_on_duty(http, make_user, district, paths)
    await wait_map_count(page, "responders", 1)
    await wait_map_count(page, "hexes", 1)  # the density layer counts the same responder
    await wait_on_duty(page, 1)
    assert (await page.inner_text(".force__row--available .force__count")).strip() == "1"
    await page.wait_for_timeout(1000)
    await page.screenshot(path=screenshot_path("wall-responder-1920x1080.png"))

    # A reconnect replaces the positions with the full set: still exactly one.
    await page.context.set_offline(True)
    await wait_connection(page, "reconnecting")
    await page.context.set_offline(False)
    await wait_connection(page, "live", timeout_s=12)
    await page.wait_for_timeout(1000)
    assert await page.get_attribute(".map-view", "data-responders") == "1"
    assert await on_duty_tile(page) == "1"


async def test_off_duty_responder_leaves_the_wall(
    open_page: Opener,
    users: None,
    make_user: Any,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
) -> None:
    page = await open_wall(open_page)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=10) as http:
        me = await put_responder_on_duty(http, make_user, district, paths)
        await wait_map_count(page, "responders", 1)
        r = await http.put("/api/responders/me/duty", json={"status": "off_duty"}, headers=me)
        assert r.status_code in (200, 204), r.text
    try:
        await wait_map_count(page, "responders", 0)
    except Exception:
        pytest.fail(
            "the wall still shows a responder who went off duty: the server never sent the id "
            "in a positions batch's `removed` (Hub.run_positions must send batches when "
            "pending_removed is non-empty, with removed=[...], and clear it)"
        )
    await wait_on_duty(page, 0)
    await wait_map_count(page, "hexes", 0)
