"""Console and leader views, the wall at 4K, and both languages: no raw i18n key on any page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page

from simulators.geography import Geography
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import (
    seed_incidents,
    visible_raw_keys,
    wait_connection,
    wait_map_count,
    wait_map_ready,
)

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
