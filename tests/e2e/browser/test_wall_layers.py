"""The wall's key places, hospitals' free beds, coverage gaps and drill-down completeness in a
real browser against a real backend: layers switched on in the legend show what the server
holds (counts on ``.map-view``), the hospital tooltip shows free beds, a gap grid disappears when
a police officer goes on duty nearby and comes back when they go off duty, and drilling into
another street changes the on-duty tile."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import point_in, wait_connection, wait_map_count, wait_map_ready
from tests.integration.keyplaces.seeding import add_handover, add_patients, add_place

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
M_PER_DEG_LAT = 111_195.0


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator in units of the world's width (x east, y south)."""
    s = math.sin(math.radians(lat))
    return (lon + 180) / 360, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


async def pixel_of(page: Page, base_url: str, lat: float, lon: float) -> tuple[float, float]:
    """Where ``(lat, lon)`` is on the page while the map frames the whole jurisdiction: the
    map says where it put the bounds (``data-frame``, its pixels), and Web Mercator is linear
    in between."""
    box = await page.locator(".map-view__canvas").bounding_box()
    assert box is not None
    handle = await page.wait_for_selector(".map-view[data-frame]", timeout=15_000)
    assert handle is not None
    left, top, right, bottom = (
        float(v) for v in (await handle.get_attribute("data-frame") or "").split(",")
    )
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        r = await http.get("/api/geo/bounds", headers=await login_http(base_url, "lead.d"))
    west, south, east, north = r.json()["bbox"]
    x0, y0 = mercator(north, west)
    x1, y1 = mercator(south, east)
    x, y = mercator(lat, lon)
    return (
        box["x"] + left + (x - x0) / (x1 - x0) * (right - left),
        box["y"] + top + (y - y0) / (y1 - y0) * (bottom - top),
    )


async def switch_on(page: Page, layer: str) -> None:
    await page.check(f"#layer-{layer}")


async def on_duty_tile(page: Page) -> str | None:
    return await page.get_attribute(".kpi[data-kpi='on-duty']", "data-value")


async def wait_tile(page: Page, value: str, timeout_s: float = 30) -> None:
    await page.wait_for_selector(
        f".kpi[data-kpi='on-duty'][data-value='{value}']", timeout=timeout_s * 1000
    )


class Officer:
    """A police responder driving the public API, like the responder app would."""

    def __init__(self, base_url: str, headers: dict[str, str], user_id: str) -> None:
        self.base_url, self.headers, self.id = base_url, headers, user_id

    async def duty(self, status: str) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            r = await http.put(
                "/api/responders/me/duty", json={"status": status}, headers=self.headers
            )
        assert r.status_code == 200, r.text

    async def report(self, lat: float, lon: float) -> None:
        item = {
            "responder_id": self.id,
            "lat": lat,
            "lon": lon,
            "accuracy_m": 8.0,
            "ts": time.time(),
        }
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            r = await http.post("/api/positions", json={"items": [item]}, headers=self.headers)
        assert r.json()["applied"] == 1, r.text


@pytest.fixture
async def seeded(
    users: None, make_user: Any, clean_db: PgPool, district: Geography, paths: DistrictPaths
) -> dict[str, Any]:
    """Key places of every kind (two hospitals, one psychiatric with 2 of 40 beds handed over),
    six high-risk patients in grid A, and a police officer registered in grid A (off duty)."""
    lat_a, lon_a = point_in(district, paths.grid_a)
    lat_b, lon_b = point_in(district, paths.grid_b)
    async with clean_db.acquire() as conn:
        await add_place(
            conn,
            "H-A",
            "hospital",
            "坪山区第三人民医院",
            lat_a,
            lon_a,
            paths.grid_a,
            capacity=40,
            psychiatric=True,
        )
        await add_place(
            conn, "H-B", "hospital", "坪山区人民医院", lat_b, lon_b, paths.grid_b, capacity=12
        )
        await add_place(conn, "KA-1", "key_area", "沙湖村", lat_a + 0.004, lon_a, paths.grid_a)
        await add_place(conn, "KF-1", "key_facility", "加油站", lat_a, lon_a + 0.004, paths.grid_a)
        await add_place(
            conn, "KF-2", "key_facility", "化工仓库", lat_b + 0.004, lon_b, paths.grid_b
        )
        await add_place(conn, "SP-1", "safety_post", "治安岗亭", lat_a - 0.004, lon_a, paths.grid_a)
        for _ in range(2):  # drawn as live incidents: away from the hospital's dot
            await add_handover(
                conn,
                org_path=paths.grid_b,
                lat=lat_b - 0.004,
                lon=lon_b,
                hospital="H-A",
                state="on_scene",
            )
        await add_patients(conn, paths.grid_a, 4, 6)
        centre = await conn.fetchrow(
            "SELECT center_lat, center_lon FROM org_units WHERE path = $1", paths.grid_a
        )
        user = await make_user(
            "police.w", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
        )
        await conn.execute(
            "INSERT INTO responders (user_id, mode) VALUES ($1::uuid, 'vehicle')", user.id
        )
    return {
        "hospital": (lat_a, lon_a),
        "b": (lat_b, lon_b),
        "centre": (centre["center_lat"], centre["center_lon"]),
        "officer": str(user.id),
    }


async def test_key_places_gaps_and_drill_down(
    open_page: Opener,
    backend: BackendProcess,
    seeded: dict[str, Any],
    paths: DistrictPaths,
) -> None:
    page = await open_page("lead.d", "/wall/", motion=False)
    await wait_map_ready(page)
    await wait_connection(page, "live")
    await wait_map_count(page, "responders", 0)

    # Key places: each kind is its own switch in the legend and shows what the server holds;
    # nothing is asked before one is switched on.
    assert await page.get_attribute(".map-view", "data-hospitals") is None
    for layer, name, count in (
        ("hospitals", "hospitals", 2),
        ("key-areas", "key-areas", 1),
        ("key-facilities", "key-facilities", 2),
        ("safety-posts", "safety-posts", 1),
    ):
        await switch_on(page, layer)
        await wait_map_count(page, name, count)

    # The psychiatric hospital's tooltip: free = 40 − 2 live hand-overs.
    x, y = await pixel_of(page, backend.base_url, *seeded["hospital"])
    await page.mouse.move(x, y)
    tooltip = page.locator(".map-tooltip")
    await tooltip.wait_for(state="visible", timeout=15_000)
    text = await tooltip.inner_text()
    assert "坪山区第三人民医院" in text and "38 / 40" in text and "精神专科" in text, text
    await page.mouse.move(5, 5)

    # Coverage gaps: grid A holds six high-risk patients and nobody is on duty.
    await switch_on(page, "coverage-gaps")
    await wait_map_count(page, "coverage-gaps", 1)
    assert await page.get_attribute(".map-view", "data-coverage-checked") == "1"
    await page.wait_for_timeout(1500)  # let the map settle before the picture
    await page.screenshot(path=screenshot_path("wall-places-gaps-1920x1080.png"))

    # A police car goes on duty 1 km from the grid's centre: the gap closes; off duty: it opens.
    headers = await login_http(backend.base_url, "police.w")
    officer = Officer(backend.base_url, headers, seeded["officer"])
    await officer.duty("available")
    lat, lon = seeded["centre"]
    await officer.report(lat + 1000 / M_PER_DEG_LAT, lon)
    await wait_map_count(page, "responders", 1)
    await wait_tile(page, "1")
    await wait_map_count(page, "coverage-gaps", 0, timeout_s=45)
    await officer.duty("off_duty")
    await wait_map_count(page, "coverage-gaps", 1, timeout_s=45)
    await officer.duty("available")
    await officer.report(lat + 1000 / M_PER_DEG_LAT, lon)
    await wait_tile(page, "1")

    # Drill into street B: the officer (in street A) leaves the tile and the map; places follow.
    x, y = await pixel_of(page, backend.base_url, *seeded["b"])
    await page.mouse.click(x, y)
    await page.wait_for_selector(f".map-view[data-focus='{paths.street_b}']", timeout=15_000)
    await wait_tile(page, "0")
    await wait_map_count(page, "responders", 0)
    await wait_map_count(page, "hospitals", 1)
    await wait_map_count(page, "coverage-gaps", 0)
    await page.click(".focus-chip__btn >> nth=-1")  # back to the whole jurisdiction
    await wait_tile(page, "1")
    await wait_map_count(page, "hospitals", 2)
    assert page.errors == []  # type: ignore[attr-defined]
