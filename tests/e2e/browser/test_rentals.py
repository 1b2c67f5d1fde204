"""Rental-housing grading (出租屋分级分类评定) against the real backend: a grid worker finds a
never-inspected rental house by the filters and the address search, watches the live grade turn
yellow then red as items are ticked (derived items and the block data's factor explained), sees
a refusal at its field, submits once despite a double click and reads the server's verdict and
the rectifications on the house; each department's rectifications are listed apart. A street
leader reads the warnings of an overdue inspection and an overdue rectification (gone live once
the house is inspected again), the figures per unit and the departments' lists, with no form; a
phone at the door keeps the page in its width."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.early_warning.rental_rule import check_rentals
from backend.imports.addresses import import_addresses
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, Start, screenshot_path
from tests.e2e.browser.helpers import (
    rows_of,
    sent_ids,
    toast_says,
    visible_raw_keys,
    wait_connection,
    watch_posts,
)
from tests.e2e.browser.responder_helpers import backend_cipher

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

GRID_WORKER = "gw.a"  # community A's grid worker: inspects its rental houses
LEADER = "lead.s"  # community A's street leader: reads them


class Houses(msgspec.Struct, frozen=True, kw_only=True):
    """Rental houses of community A (and one of B), with their addresses."""

    roomy: str  # 40 m², the block data says green; nobody registered there
    crowded: str  # 20 m², no grade yet; a key person is registered there
    risky: str  # 50 m², the block data says red
    other: str  # community B's: outside both users' jurisdiction
    address: dict[str, str]


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend, its own early-warning pass held off for an hour: the test runs the rules
    itself, so the warnings are raised when the test says."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


@pytest.fixture
async def houses(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, database_url: str, make_user: Any
) -> Houses:
    await make_user(GRID_WORKER, paths.community_a, Role.GRID_WORKER)
    await make_user(LEADER, paths.street_a, Role.STREET_LEADER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)  # the backend subprocess's keys
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        sql = "SELECT id, text, org_path FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id"
        a = (await conn.fetch(sql, paths.community_a))[:4]
        b = (await conn.fetch(sql, paths.community_b))[:1]
        assert len(a) == 4 and b, "the synthetic district has addresses in both communities"
        address: dict[str, str] = {}

        async def house(hid: str, at: Any, area: float, *, rental: bool, grade: str | None) -> str:
            await conn.execute(
                "INSERT INTO buildings (id, address_id, use, org_path) "
                "VALUES ($1, $2, 'village', $3)",
                f"B{hid}",
                at["id"],
                at["org_path"],
            )
            await conn.execute(
                "INSERT INTO houses (id, building_id, address_id, floor, area_m2, use, is_rental, "
                "rental_grade, org_path) VALUES ($1, $2, $3, 3, $4, 'residence', $5, $6, $7)",
                hid,
                f"B{hid}",
                at["id"],
                area,
                rental,
                grade,
                at["org_path"],
            )
            address[hid] = at["text"]
            return hid

        out = Houses(
            roomy=await house("RH-A1", a[0], 40.0, rental=True, grade="green"),
            crowded=await house("RH-A2", a[1], 20.0, rental=True, grade=None),
            risky=await house("RH-A3", a[2], 50.0, rental=True, grade="red"),
            other=await house("RH-B1", b[0], 50.0, rental=True, grade="yellow"),
            address=address,
        )
        await house("OWN-A4", a[3], 90.0, rental=False, grade=None)  # not let: never listed
        person = PersonCreate(
            name="赵矫", address_id=a[1]["id"], tags=["community_correction"], birth_year=1990
        )
        await create_person(conn, cipher, person)
        return out


async def inspect_over_http(base_url: str, house_id: str, found: list[str], **extra: Any) -> Any:
    """The grid worker inspects a house through the API (2 tenants, both registered)."""
    headers = await login_http(base_url, GRID_WORKER)
    body = {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(),
        "tenants": 2,
        "registered": 2,
        "found": found,
        **extra,
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        r = await http.post(
            f"/api/rentals/houses/{house_id}/assessments", json=body, headers=headers
        )
    assert r.status_code == 201, r.text
    return r.json()


async def open_tab(page: Page, tab: str) -> None:
    """Shows a tab (a click on the shown one fetches it again)."""
    await page.click(f".tabs__btn[data-tab='{tab}']")
    await page.wait_for_selector(f".rentals[data-tab='{tab}'] .rentals__pane--{tab}:not([hidden])")


async def choose(page: Page, which: str, count: int) -> None:
    """Picks a filter of the houses list and waits for its ``count`` rows."""
    await page.click(f".houses__filter .seg__btn[data-which='{which}']")
    await page.wait_for_selector(f".houses[data-which='{which}'][data-count='{count}']")


def row(house_id: str, extra: str = "") -> str:
    return f".rental-row[data-house-id='{house_id}']{extra}"


async def preview(page: Page, grade: str, score: int) -> str:
    """Until the live grade reads ``grade`` with ``score``; returns its text."""
    box = page.locator(f".grade-preview[data-grade='{grade}'][data-score='{score}']")
    await box.wait_for(timeout=5_000)
    return await box.inner_text()


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scroll"


@pytest.mark.timeout(240)
async def test_a_grid_worker_inspects_a_house_and_sees_the_verdict(
    open_page: Opener, backend: BackendProcess, houses: Houses, clean_db: PgPool
) -> None:
    page = await open_page(GRID_WORKER, "/rentals/", width=1440, height=900)
    await wait_connection(page, "live")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["出租屋", "整改", "统计"]
    await page.wait_for_selector(".houses[data-which='due'][data-count='0']")
    await page.locator(".rental-warnings__panel", has_text="没有检查逾期的出租屋").wait_for()
    totals = await page.inner_text(".houses__totals")
    assert "辖区出租屋 3 处" in totals and "红色 1" in totals, totals  # B's and the owned: not

    # Never inspected: the block data's red first; the red filter; the address search.
    await choose(page, "unassessed", 3)
    assert await page.locator(".rental-row").first.get_attribute("data-house-id") == houses.risky
    first = await page.locator(".rental-row").first.inner_text()
    assert "红色（重点管控）" in first and "待评定" in first, first
    await choose(page, "red", 1)
    await choose(page, "unassessed", 3)
    # (the roomy house's address is the building's: a part of the others')
    await page.fill("#rentals-search", houses.address[houses.crowded])
    await page.wait_for_selector(".houses[data-count='1']")
    assert await page.locator(".rental-row").get_attribute("data-house-id") == houses.crowded
    await page.fill("#rentals-search", "房")
    await page.locator(".houses__search-hint", has_text="至少输入 2 个字").wait_for()
    await page.fill("#rentals-search", "")
    await page.wait_for_selector(".houses[data-count='3']")

    # A key person and too little room: the live grade explains what it did not get ticked.
    await page.click(row(houses.crowded, " .ledger-row__btn"))
    await page.wait_for_selector(f".house[data-house-id='{houses.crowded}'][data-assessed='false']")
    key_persons = page.locator(".entry__fact[data-fact='key_persons'] dd")
    assert await key_persons.inner_text() == "1 人"
    await page.click(".house__inspect")
    text = await preview(page, "yellow", 2)  # the block data's key person alone
    assert "重点人员居住" in text and "块数据" in text, text
    await page.fill("#rentals-inspect-tenants", "4")
    await page.fill("#rentals-inspect-registered", "4")
    text = await preview(page, "red", 5)  # 20 m² for 4: 5 m² each, under 6
    assert "群租（人均面积不足）" in text and "人均 5 ㎡，低于 6 ㎡" in text, text
    await page.click(".inspect-form .btn--ghost")  # cancelled: nothing sent
    assert await page.locator(".inspect-form").count() == 0

    # The roomy house: yellow for two small items, red for a decisive one.
    await page.click(row(houses.roomy, " .ledger-row__btn"))
    panel = page.locator(f".house[data-house-id='{houses.roomy}']")
    await panel.locator(".house__address", has_text=houses.address[houses.roomy]).wait_for()
    facts = await panel.locator(".entry__facts").inner_text()
    assert "40 ㎡" in facts and "绿色（放心）（块数据，尚未评定）" in facts, facts
    await page.click(".house__inspect")
    form = page.locator(".inspect-form")
    assert await form.locator(".inspect-form__department legend").all_inner_texts() == [
        "消防",
        "公安",
        "住建",
    ]
    decisive = form.locator(".check-box--decisive")
    assert await decisive.count() == 5
    assert "单项即红" in await decisive.first.inner_text()
    await page.fill("#rentals-inspect-tenants", "2")
    await page.fill("#rentals-inspect-registered", "2")
    await preview(page, "green", 0)
    await page.check("#rentals-inspect-item-no_smoke_alarm")
    await page.check("#rentals-inspect-item-lease_unfiled")
    await preview(page, "yellow", 2)
    await page.check("#rentals-inspect-item-ebike_indoor_charging")
    text = await preview(page, "red", 7)
    assert "电动自行车室内停放充电" in text and "单项即红" in text, text

    # More registered than living there: the server's refusal, at its field.
    await page.fill("#rentals-inspect-registered", "3")
    await page.click(".inspect-form .ledger-form__submit")
    refusal = page.locator("#rentals-inspect-registered-error[data-code='more_than_tenants']")
    await refusal.wait_for(timeout=15_000)
    assert "已登记人数不能多于居住人数" in await refusal.inner_text()
    assert await page.get_attribute("#rentals-inspect-registered", "aria-invalid") == "true"

    # One not registered (derived, police); sent once despite a double click.
    await page.fill("#rentals-inspect-registered", "1")
    text = await preview(page, "red", 9)
    assert "租客未登记" in text and "居住 2 人，已登记 1 人" in text, text
    form_id = await form.get_attribute("data-form-id")
    posts = watch_posts(page, "/assessments")
    await page.dblclick(".inspect-form .ledger-form__submit")
    await toast_says(page, "已评定为红色（重点管控）（9 分）；新开整改 4 项")
    assert await sent_ids(posts) == {form_id}
    stored = await rows_of(clean_db, "SELECT id::text, grade, score FROM rental_assessments")
    assert [tuple(r) for r in stored] == [(form_id, "red", 9)]

    # The server's verdict stays on the panel; the rectifications, by department, open first.
    verdict = page.locator(".verdict[data-grade='red'][data-score='9']")
    await verdict.wait_for()
    opened = set((await verdict.get_attribute("data-opened") or "").split(","))
    assert opened == {
        "ebike_indoor_charging",
        "no_smoke_alarm",
        "lease_unfiled",
        "unregistered_tenants",
    }
    assert "新开整改 4 项" in await verdict.inner_text()
    await page.wait_for_selector(f".house[data-house-id='{houses.roomy}'][data-grade='red']")
    hazards = panel.locator(".hazard-item[data-state='open']")
    await hazards.nth(3).wait_for(timeout=15_000)
    departments = {
        await h.get_attribute("data-item"): await h.get_attribute("data-department")
        for h in await hazards.all()
    }
    assert departments == {
        "ebike_indoor_charging": "fire",
        "no_smoke_alarm": "fire",
        "lease_unfiled": "housing",
        "unregistered_tenants": "police",
    }
    ebike = panel.locator(".hazard-item[data-item='ebike_indoor_charging']")
    assert "单项即红" in await ebike.inner_text() and "消防" in await ebike.inner_text()
    history = panel.locator(f".inspect-item[data-assessment-id='{form_id}'][data-grade='red']")
    entry = await history.inner_text()
    assert "电动自行车室内停放充电" in entry and "租客未登记" in entry and "Gw.A" in entry, entry

    # The list follows: no longer to inspect, now inspected and red.
    await page.wait_for_selector(".houses[data-which='unassessed'][data-count='2']")
    await choose(page, "due", 1)
    await page.wait_for_selector(row(houses.roomy, "[data-grade='red'][data-open-hazards='4']"))
    await page.screenshot(path=screenshot_path("rentals-1440x900.png"), full_page=True)

    # Shared with all departments: each sees its own.
    await open_tab(page, "hazards")
    for department, n in (("fire", 2), ("police", 1), ("housing", 1), ("", 4)):
        await page.click(f".hazards__departments .seg__btn[data-department='{department}']")
        await page.wait_for_selector(f".hazards[data-department='{department}'][data-count='{n}']")
    await page.click(".hazards__list .hazard-item[data-item='unregistered_tenants'] .btn")
    await page.wait_for_selector(".rentals[data-tab='houses']")
    await page.wait_for_selector(f".house[data-house-id='{houses.roomy}']")

    # The e-bikes still charge indoors past the deadline: a serious warning, live, taken in hand.
    await clean_db.execute(
        "UPDATE rental_hazards SET due_at = now() - interval '1 day 1 hour' "
        "WHERE item = 'ebike_indoor_charging'"
    )
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_rentals(conn, datetime.now(UTC))
    assert len(run.raised) == 1
    card = page.locator(".warning-card[data-rule='rental_hazard_overdue'][data-level='serious']")
    await card.wait_for(timeout=20_000)
    assert "电动自行车室内停放充电 · 消防 · 逾期 1 天" in await card.inner_text()
    await card.locator(".warning-card__take").click()
    await page.fill("#dlg-note", "已约房东今晚清理")
    await page.click("dialog.dialog button[type=submit]")
    await card.and_(page.locator("[data-state='acknowledged']")).wait_for(timeout=15_000)
    await page.wait_for_selector(
        f".ledger-row[data-house-id='{houses.roomy}'] .hazard-chip.is-overdue", timeout=15_000
    )
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_leader_reads_warnings_figures_and_rectifications_without_a_form(
    open_page: Opener,
    backend: BackendProcess,
    houses: Houses,
    clean_db: PgPool,
    paths: DistrictPaths,
) -> None:
    await inspect_over_http(backend.base_url, houses.roomy, ["no_extinguisher"], notes="房东已告知")
    # Three days past the next inspection, two past the rectification's deadline.
    await clean_db.execute(
        "UPDATE rental_status SET due_at = now() - interval '3 days 1 hour' WHERE house_id = $1",
        houses.roomy,
    )
    await clean_db.execute(
        "UPDATE rental_hazards SET due_at = now() - interval '2 days 1 hour' WHERE house_id = $1",
        houses.roomy,
    )
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_rentals(conn, datetime.now(UTC))
    assert not run.skipped and len(run.raised) == 2

    page = await open_page(LEADER, "/rentals/", width=1440, height=900)
    await wait_connection(page, "live")
    await page.evaluate("window.__sameDocument = true")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["出租屋", "整改", "统计"]
    inspection = page.locator(
        f".warning-card[data-rule='rental_inspection_overdue'][data-house-id='{houses.roomy}']"
    )
    hazard = page.locator(
        f".warning-card[data-rule='rental_hazard_overdue'][data-house-id='{houses.roomy}']"
    )
    await inspection.wait_for(timeout=15_000)
    text = await inspection.inner_text()
    assert "出租屋检查逾期" in text and "黄色（关注）" in text and "逾期 3 天" in text, text
    assert houses.address[houses.roomy] in text  # named by the list's address
    text = await hazard.inner_text()
    assert "未配置灭火器" in text and "消防" in text and "逾期 2 天" in text, text
    await choose(page, "overdue", 1)
    await page.screenshot(path=screenshot_path("rentals-leader-1440x900.png"))
    await page.wait_for_selector(
        row(houses.roomy, "[data-overdue='true'][data-warning-state='open']")
    )

    # A rectification's card opens its house: read only, no form, notes withheld.
    await hazard.locator(".warning-card__open").click()
    panel = page.locator(f".house[data-house-id='{houses.roomy}'][data-grade='yellow']")
    await panel.wait_for(timeout=15_000)
    await panel.locator(".hazard-item[data-item='no_extinguisher'][data-overdue='true']").wait_for()
    assert "（备注仅网格员可见）" in await panel.locator(".inspect-item").inner_text()
    for absent in (".house__inspect", ".inspect-form", ".warning-card__take"):
        assert await page.locator(absent).count() == 0, absent

    # The departments' lists: fire has one, overdue; police none.
    await open_tab(page, "hazards")
    await page.click(".hazards__departments .seg__btn[data-department='fire']")
    await page.click(".hazards__which .seg__btn[data-which='overdue']")
    await page.wait_for_selector(
        ".hazards[data-department='fire'][data-which='overdue'][data-count='1']"
    )
    await page.click(".hazards__departments .seg__btn[data-department='police']")
    await page.wait_for_selector(".hazards[data-department='police'][data-count='0']")
    assert "没有逾期未整改的隐患" in await page.inner_text(".hazards__body")

    # The figures per community (the block data's grade for houses never inspected), then grids.
    await open_tab(page, "summary")
    unit = page.locator(f".figures__row[data-path='{paths.community_a}']")
    await unit.wait_for(timeout=15_000)
    expected = {"rentals": 3, "red": 1, "yellow": 1, "green": 0, "ungraded": 1, "assessed": 1}
    expected |= {"overdue": 1, "open_hazards": 1, "overdue_hazards": 1}
    for figure, value in expected.items():
        cell = unit.locator(f"[data-figure='{figure}']")
        assert await cell.get_attribute("data-value") == str(value), figure
    total = page.locator(".figures__total [data-figure='rentals']")
    assert await total.inner_text() == "3"  # community B lies in another street
    await page.click(".summary__levels .seg__btn[data-level='grid']")
    await page.wait_for_selector(".rental-summary[data-level='grid'] .figures__row")
    await page.screenshot(path=screenshot_path("rentals-summary-1440x900.png"), full_page=True)

    # Inspected again, nothing found: both warnings go, live, without a reload.
    await open_tab(page, "houses")
    await inspection.wait_for()
    await inspect_over_http(backend.base_url, houses.roomy, [])
    await inspection.wait_for(state="detached", timeout=20_000)
    await hazard.wait_for(state="detached", timeout=20_000)
    resolved = await rows_of(
        clean_db, "SELECT rule, state, resolution FROM early_warnings ORDER BY rule"
    )
    assert [tuple(r) for r in resolved] == [
        ("rental_hazard_overdue", "resolved", "rental_rectified"),
        ("rental_inspection_overdue", "resolved", "rental_inspected"),
    ]
    # An inspection that changes no warning shows too (topic `rentals`): the house shown goes
    # from green back to yellow, its new rectification not yet due.
    house = f".house[data-house-id='{houses.roomy}']"
    await page.locator(f"{house}[data-grade='green']").wait_for(timeout=15_000)
    await inspect_over_http(backend.base_url, houses.roomy, ["no_extinguisher"])
    await page.locator(f"{house}[data-grade='yellow']").wait_for(timeout=15_000)
    await page.locator(f"{house} .hazard-item[data-state='open'][data-overdue='false']").wait_for()
    assert await page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_the_fire_brigade_signs_off_its_own_rectification(
    open_page: Opener,
    backend: BackendProcess,
    houses: Houses,
    clean_db: PgPool,
    paths: DistrictPaths,
    make_user: Any,
) -> None:
    await make_user("xf.d", paths.district, Role.DEPARTMENT_OFFICER, department="fire")
    # a fire item, and a tenant unregistered (the police's)
    await inspect_over_http(backend.base_url, houses.roomy, ["no_extinguisher"], registered=1)
    fire = await rows_of(clean_db, "SELECT id::text FROM rental_hazards WHERE department = 'fire'")
    hazard = fire[0][0]

    page = await open_page("xf.d", "/rentals/", width=1440, height=900)
    await wait_connection(page, "live")
    await page.evaluate("window.__sameDocument = true")
    # its desk opens on its rectifications, its own department alone, no rule warnings
    assert await page.locator(".tabs__btn").all_inner_texts() == ["整改", "出租屋", "统计"]
    assert "消防" in await page.inner_text("#rentals-unit")
    await page.wait_for_selector(".hazards[data-department='fire'][data-count='1']")
    buttons = page.locator(".hazards__departments .seg__btn")
    assert await buttons.evaluate_all("bs => bs.map(b => b.dataset.department)") == ["fire"]
    assert await page.locator(".hazard-item[data-department='police']").count() == 0

    item = page.locator(f".hazard-item[data-hazard-id='{hazard}']")
    await item.locator(".hazard-item__signoff-btn").click()
    form = page.locator(f".signoff-form[data-hazard-id='{hazard}']")
    await form.wait_for()
    await form.locator("textarea").fill("现场复核：已配置灭火器两具")
    await page.screenshot(path=screenshot_path("rentals-signoff-1440x900.png"), full_page=True)
    await form.locator(".signoff-form__submit").dblclick()
    await toast_says(page, "已销号：未配置灭火器")
    await page.wait_for_selector(".hazards[data-department='fire'][data-count='0']")
    signed = await rows_of(
        clean_db,
        "SELECT signed_off_name, cleared_at IS NOT NULL FROM rental_hazards WHERE id = $1::uuid",
        hazard,
    )
    assert [tuple(r) for r in signed] == [("Xf.D", True)]  # once, despite the double click
    assert (
        await clean_db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'rental.sign_off'")
        == 1
    )
    assert await page.evaluate("window.__sameDocument") is True
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_phone_at_the_door(
    open_page: Opener, backend: BackendProcess, houses: Houses
) -> None:
    page = await open_page(GRID_WORKER, "/rentals/", width=390, height=844)
    await wait_connection(page, "live")
    await choose(page, "unassessed", 3)
    await no_sideways_scroll(page)
    await page.click(row(houses.roomy, " .ledger-row__btn"))
    await page.click(".house__inspect")
    await page.fill("#rentals-inspect-tenants", "3")
    await page.fill("#rentals-inspect-registered", "3")
    await page.check("#rentals-inspect-item-blocked_exit")
    await preview(page, "red", 5)
    box = await page.locator(".check-box[data-item='unsafe_wiring']").bounding_box()
    assert box is not None and box["height"] >= 44, box  # a thumb's target
    await page.locator("#rentals-inspect-item-no_extinguisher").scroll_into_view_if_needed()
    assert await page.locator(".grade-preview").is_visible()  # in sight while ticking
    await page.screenshot(path=screenshot_path("rentals-form-viewport-390x844.png"))
    await no_sideways_scroll(page)
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("rentals-form-390x844.png"), full_page=True)

    # In English, each tab in the phone's width.
    await page.click(".lang__btn[lang='en']")
    await page.locator(".tabs__btn", has_text="Rectifications").wait_for()
    assert "Red (key control)" in await page.inner_text(".grade-preview")
    for tab in ("hazards", "summary", "houses"):
        await open_tab(page, tab)
        await page.wait_for_selector(f".rentals__pane--{tab} .panel:not([hidden])")
        await page.wait_for_timeout(300)  # the tab's answer drawn
        await no_sideways_scroll(page)
        assert await visible_raw_keys(page) == [], tab
    assert page.errors == []  # type: ignore[attr-defined]
