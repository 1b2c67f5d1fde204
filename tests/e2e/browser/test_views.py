"""Console and leader views, the wall at 4K, and both languages: no raw i18n key on any page."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from backend.security.policy import Capability
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography
from tests.conftest import BackendProcess, DistrictPaths
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import (
    seed_incidents,
    visible_raw_keys,
    wait_connection,
    wait_map_count,
    wait_map_ready,
)
from tests.e2e.browser.test_responders import put_responder_on_duty
from tests.integration.kpi.seeding import add_responder

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CJK = re.compile(r"[\u3400-\u9fff]")


async def open_live(
    open_page: Opener, database_url: str, district: Geography, user: str, path: str, **options: Any
) -> tuple[Page, int]:
    """A signed-in page with boundaries drawn and the link live, then sample incidents opened
    (after subscribing: the server has no incident snapshot yet, so only later events show)."""
    page = await open_page(user, path, **options)
    await wait_map_ready(page)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)  # the snapshot is in: later events will show
    n = await seed_incidents(database_url, district)
    await wait_map_count(page, "incidents", n)
    await page.wait_for_timeout(1500)
    return page, n


async def switch_language(page: Page, button_text: str) -> None:
    await page.click(f".lang__btn >> text={button_text}")
    await page.wait_for_timeout(300)


@pytest.mark.timeout(300)  # four pages rendered by software WebGL, one of them at 4K
async def test_wall_at_4k_console_and_leader(
    open_page: Opener, users: None, district: Geography, database_url: str
) -> None:
    wall, _ = await open_live(
        open_page, database_url, district, "lead.d", "/wall/", scale=2, motion=False
    )
    await wall.screenshot(path=screenshot_path("wall-3840x2160.png"))
    assert wall.errors == []  # type: ignore[attr-defined]
    await wall.context.close()
    # The rem layout scales with the screen: the same picture, not a smaller one.
    big, _ = await open_live(
        open_page, database_url, district, "lead.d", "/wall/", width=3840, height=2160, motion=False
    )
    font = await big.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font > 24, f"root font {font}px at 3840×2160: the wall did not scale up"
    await big.screenshot(path=screenshot_path("wall-3840x2160-viewport.png"))
    await big.context.close()

    console, n = await open_live(
        open_page, database_url, district, "op.d", "/console/", motion=False
    )
    assert await console.locator(".incident").count() == n
    await console.screenshot(path=screenshot_path("console-1920x1080.png"))
    await console.context.close()

    leader, n = await open_live(
        open_page, database_url, district, "lead.d", "/leader/", motion=False
    )
    assert await leader.locator(".kpi .kpi__value").first.inner_text() == str(n)
    await leader.screenshot(path=screenshot_path("leader-1920x1080.png"))
    assert leader.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("user", "path"), [("lead.d", "/wall/"), ("op.d", "/console/"), ("lead.d", "/leader/")]
)
async def test_no_raw_keys_in_either_language(
    open_page: Opener, users: None, district: Geography, database_url: str, user: str, path: str
) -> None:
    page, _ = await open_live(open_page, database_url, district, user, path, motion=False)
    assert await visible_raw_keys(page) == []
    await switch_language(page, "EN")
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert await visible_raw_keys(page) == []
    text = await page.inner_text("body")
    assert "Live" in text
    # In English only the language button and Chinese addresses from the data may be CJK.
    strays = [
        line
        for line in text.splitlines()
        if CJK.search(line) and line.strip() != "中文" and "坪山区" not in line
    ]
    assert strays == [], f"untranslated lines in en: {strays[:5]}"
    name = path.strip("/")
    await page.screenshot(path=screenshot_path(f"{name}-en-1920x1080.png"))
    await switch_language(page, "中文")
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    assert await visible_raw_keys(page) == []
    assert "实时" in await page.inner_text("body")


Box = tuple[float, float, float, float]


async def box_of(page: Page, selector: str) -> Box:
    """The page-pixel box (left, top, right, bottom) of the first element matching ``selector``."""
    r = await page.locator(selector).first.bounding_box()
    assert r is not None, f"{selector} is not on the page"
    return (r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"])


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


async def framed_box(page: Page) -> Box:
    """Where the map framed the jurisdiction, in page pixels (``data-frame`` is in the map's)."""
    handle = await page.wait_for_selector(".map-view[data-frame]", timeout=20_000)
    assert handle is not None
    left, top, right, bottom = (
        float(v) for v in (await handle.get_attribute("data-frame") or "").split(",")
    )
    canvas = await box_of(page, ".map-view__canvas")
    return (canvas[0] + left, canvas[1] + top, canvas[0] + right, canvas[1] + bottom)


@pytest.mark.parametrize(
    ("user", "path", "width", "height"),
    [
        ("lead.d", "/wall/", 1920, 1080),
        ("op.d", "/console/", 1920, 1080),
        ("lead.d", "/leader/", 1440, 900),
    ],
)
async def test_the_jurisdiction_is_framed_clear_of_the_legend_and_panels_fit(
    open_page: Opener,
    users: None,
    make_user: Any,
    clean_db: PgPool,
    backend: BackendProcess,
    district: Geography,
    paths: DistrictPaths,
    user: str,
    path: str,
    width: int,
    height: int,
) -> None:
    async with clean_db.acquire() as conn:
        # One on duty of every kind: the wall's by-kind line wraps, as in a real district...
        for i, capability in enumerate(Capability):
            await add_responder(
                conn, make_user, f"duty.{i}", paths.grid_a, [capability], "available"
            )
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        # ...and one reports a position, so the force panel shows its status rows.
        await put_responder_on_duty(http, make_user, district, paths)
    page = await open_page(user, path, width=width, height=height, motion=False)
    await wait_map_ready(page)
    district_box = await framed_box(page)
    canvas = await box_of(page, ".map-view__canvas")
    # Framed inside the map, and neither the legend nor the drill-down hint lies on it.
    assert canvas[0] <= district_box[0] < district_box[2] <= canvas[2] + 1, (district_box, canvas)
    assert canvas[1] <= district_box[1] < district_box[3] <= canvas[3] + 1, (district_box, canvas)
    legend = await box_of(page, ".legend")
    assert not overlap(district_box, legend), f"legend {legend} lies on the district {district_box}"
    if path == "/leader/":
        # A map this small starts with the legend folded to its title; the title unfolds it.
        assert await page.locator(".legend__list").is_hidden()
        await page.click(".legend__title")
        assert await page.locator(".legend__list").is_visible()
        assert await page.get_attribute(".legend__title", "aria-expanded") == "true"
    else:
        assert await page.locator(".legend__list").is_visible()
    if path == "/wall/":
        await page.wait_for_selector(
            f".kpi-duty__item[data-capability='{Capability.AMBULANCE}']", timeout=20_000
        )
        await page.wait_for_selector(".panel--force .force__row", timeout=20_000)
        # Layers that are off show their names only; switched on, their colour key appears.
        layer = page.locator(".legend__item", has=page.locator("#layer-events-heat"))
        assert await layer.locator(".legend__keys").count() == 0
        await page.check("#layer-events-heat")
        await layer.locator(".legend__keys").wait_for()
        # Every side panel of the fixed 16:9 wall shows all of its rows.
        cut = await page.evaluate(
            "[...document.querySelectorAll('.wall-side .panel')]"
            ".filter((p) => p.scrollHeight > p.clientHeight + 1).map((p) => p.className)"
        )
        assert cut == [], f"panels cut off at {width}×{height}: {cut}"
    await page.screenshot(path=screenshot_path(f"{path.strip('/')}-framed-{width}x{height}.png"))
    assert page.errors == []  # type: ignore[attr-defined]


async def test_folding_the_legend_reframes_the_district_until_someone_moves_the_map(
    open_page: Opener, users: None, backend: BackendProcess
) -> None:
    page = await open_page("op.d", "/console/", width=1440, height=900, motion=False)
    await wait_map_ready(page)
    beside_legend = await framed_box(page)
    frame = page.locator(".map-view")
    first = await frame.get_attribute("data-frame")

    # Folded, the legend gives its room back: the district is framed again in the freed space
    # (never smaller; larger when the legend was what limited it).
    await page.click(".legend__title")
    await page.wait_for_function(
        "(first) => document.querySelector('.map-view').dataset.frame !== first", arg=first
    )
    folded = await framed_box(page)
    area = [(b[2] - b[0]) * (b[3] - b[1]) for b in (beside_legend, folded)]
    assert area[1] >= area[0], (beside_legend, folded)
    assert not overlap(folded, await box_of(page, ".legend"))

    # Once the operator has dragged the map it is theirs: unfolding the legend does not move it.
    settled = await frame.get_attribute("data-frame")
    canvas = await box_of(page, ".map-view__canvas")
    x, y = (canvas[0] + canvas[2]) / 2, (canvas[1] + canvas[3]) / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 120, y + 60, steps=8)
    await page.mouse.up()
    await page.click(".legend__title")
    assert await page.locator(".legend__list").is_visible()
    await page.wait_for_timeout(1_000)  # longer than a framing's 300 ms flight
    assert await frame.get_attribute("data-frame") == settled
    assert page.errors == []  # type: ignore[attr-defined]
