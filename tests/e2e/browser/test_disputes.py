"""Dispute screening and mediation (矛盾纠纷排查调处) against the real backend: a community case
worker registers a high-risk dispute at an address found by search (refused first at the title,
then at the time), once despite a double click; its warning appears live; a mediation and an
escalation to the street follow; the street leader sees the dispute as held there and hands it
back down with a deadline; the case worker settles it by agreement and the warning clears, live,
on both pages. A party found by ID number is linked, and being under community correction makes
the dispute high-risk at once. The weekly screening: a zero report, and the leader sees who has not reported;
each unit's figures; a grid worker's phone at 390 px, then English, without sideways scroll or
raw keys."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.disputes.policy import week_of
from backend.imports.addresses import import_addresses
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.blockdata import id_number
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

CASE_WORKER = "cw.a"  # community A's case worker: its centre registers and mediates
LEADER = "lead.s"  # street A's leader: heads the street centre
GRID_WORKER = "gw.a"  # a grid worker of community A: registers on the rounds
TITLE = "楼上漏水致楼下受损"
DETAILS = "张三（302）与李四（202）因漏水赔偿争执，扬言动手"


class Place(msgspec.Struct, frozen=True, kw_only=True):
    """An address of community A, where the dispute happens."""

    address_id: str
    text: str
    org_path: str


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend, its early-warning pass held off for an hour: the high-risk warning is raised
    by the registration itself, and no overdue rule runs behind the test's back."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


@pytest.fixture
async def place(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, make_user: Any
) -> Place:
    await make_user(CASE_WORKER, paths.community_a, Role.CASE_WORKER)
    await make_user(LEADER, paths.street_a, Role.STREET_LEADER)
    await make_user(GRID_WORKER, paths.grid_a, Role.GRID_WORKER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        row = await conn.fetchrow(
            "SELECT id, text, org_path FROM addresses WHERE org_path LIKE $1 || '.%' "
            "ORDER BY id LIMIT 1",
            paths.community_a,
        )
    assert row is not None, "the synthetic district has addresses in community A"
    return Place(address_id=row["id"], text=row["text"], org_path=row["org_path"])


class KeyPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A resident of community A under community correction, found by ID number."""

    person_id: str
    id_number: str


@pytest.fixture
async def key_person(clean_db: PgPool, place: Place, database_url: str) -> KeyPerson:
    cipher = backend_cipher(database_url)  # the backend subprocess's keys: it finds and decrypts
    number = id_number(random.Random(7), date(1990, 3, 14))
    async with clean_db.acquire() as conn:
        pid = await create_person(
            conn,
            cipher,
            PersonCreate(
                name="赵矫",
                address_id=place.address_id,
                id_number=number,
                tags=["community_correction"],
            ),
        )
    return KeyPerson(person_id=pid, id_number=number)


async def register_over_http(base_url: str, username: str, **over: Any) -> str:
    """Registers a dispute through the API; returns its id."""
    headers = await login_http(base_url, username)
    body = {
        "id": str(uuid.uuid4()),
        "kind": "labour",
        "title": "工地拖欠工资",
        "parties": 12,
        "risk": "high",
        "source": "hotline",
        "at": datetime.now(UTC).isoformat(),
        **over,
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        r = await http.post("/api/disputes", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["dispute"]["id"])


async def open_tab(page: Page, tab: str) -> None:
    """Shows a tab (a click on the shown one fetches it again)."""
    await page.click(f".tabs__btn[data-tab='{tab}']")
    await page.wait_for_selector(
        f".disputes[data-tab='{tab}'] .disputes__pane--{tab}:not([hidden])"
    )


async def choose(page: Page, which: str, count: int) -> None:
    """Picks a filter of the list and waits for its ``count`` rows."""
    await page.click(f".disputes__filter .seg__btn[data-which='{which}']")
    await page.wait_for_selector(f".disputes-list[data-which='{which}'][data-count='{count}']")


def row(dispute_id: str, extra: str = "") -> str:
    return f".dispute-row[data-dispute-id='{dispute_id}']{extra}"


async def step(page: Page, kind: str) -> None:
    """Opens the form of a step on the shown dispute."""
    await page.click(f".dispute__step[data-step='{kind}']")
    await page.wait_for_selector(f".step-form--{kind}")


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scroll"


async def set_time(page: Page, selector: str, days_ahead: float) -> None:
    """Sets a ``datetime-local`` input to now plus ``days_ahead``, in the browser's own zone."""
    await page.evaluate(
        """([sel, days]) => {
            const d = new Date(Date.now() + days * 86400000);
            const p = (n) => String(n).padStart(2, "0");
            document.querySelector(sel).value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-` +
                `${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
        }""",
        [selector, days_ahead],
    )


@pytest.mark.timeout(300)
async def test_a_dispute_goes_up_and_down_the_centres_and_is_settled(
    open_page: Opener,
    backend: BackendProcess,
    place: Place,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    page = await open_page(CASE_WORKER, "/disputes/", width=1440, height=900)
    await wait_connection(page, "live")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["纠纷", "排查", "统计"]
    await page.wait_for_selector(".disputes-list[data-which='held'][data-count='0']")
    await page.locator(".dispute-warnings__panel", has_text="没有高风险纠纷").wait_for()
    # The street leader's page, open all along: what reaches it comes over the socket.
    leader = await open_page(LEADER, "/disputes/", width=1440, height=900)
    await wait_connection(leader, "live")
    await leader.evaluate("window.__sameDocument = true")
    await leader.locator(".dispute-warnings__panel", has_text="没有高风险纠纷").wait_for()

    # The register form: the place found by search, the hints about names.
    await page.click(".disputes__register")
    form = page.locator(".dispute-register")
    text = await form.inner_text()
    assert "写事由，不写姓名" in text and "当事人信息仅调解人员可见" in text, text
    await page.select_option("#disputes-reg-kind", "neighbour")
    await page.select_option("#disputes-reg-source", "walk_in")
    await page.fill("#disputes-reg-details", DETAILS)
    await page.fill("#disputes-reg-parties", "3")
    await page.check("#disputes-reg-risk-high")
    assert "记为本单位" in await form.locator(".register-form__place").inner_text()
    await page.fill("#disputes-reg-address", place.text)
    option = page.locator("#disputes-reg-address-list .suggest__item", has_text=place.text)
    await option.first.click()
    await form.locator(".register-form__place", has_text=f"发生地：{place.text}").wait_for()

    # Refused at its field: a title of one character, then a time ahead.
    await page.fill("#disputes-reg-title", "漏")
    await page.click(".dispute-register .ledger-form__submit")
    refusal = page.locator("#disputes-reg-title-error[data-code='invalid']")
    await refusal.wait_for(timeout=15_000)
    assert await page.get_attribute("#disputes-reg-title", "aria-invalid") == "true"
    await page.fill("#disputes-reg-title", TITLE)
    await set_time(page, "#disputes-reg-at", 1)
    await page.click(".dispute-register .ledger-form__submit")
    refusal = page.locator("#disputes-reg-at-error[data-code='in_future']")
    await refusal.wait_for(timeout=15_000)
    assert await page.get_attribute("#disputes-reg-title", "aria-invalid") is None

    # Now, once despite a double click.
    await set_time(page, "#disputes-reg-at", -0.01)
    form_id = await form.get_attribute("data-form-id")
    assert form_id is not None
    posts = watch_posts(page, "/api/disputes")
    await page.dblclick(".dispute-register .ledger-form__submit")
    await toast_says(page, "已登记：高风险")
    assert await sent_ids(posts) == {form_id}
    stored = await rows_of(
        clean_db, "SELECT id::text, risk, address_id, org_path, holder_path FROM disputes"
    )
    assert [tuple(r) for r in stored] == [
        (form_id, "high", place.address_id, place.org_path, paths.community_a)
    ]

    # Opened, held here, the details (sealed) readable; the high-risk warning arrives live.
    panel = page.locator(f".dispute[data-dispute-id='{form_id}'][data-risk='high']")
    await panel.and_(page.locator("[data-yours='true']")).wait_for(timeout=15_000)
    text = await panel.inner_text()
    assert TITLE in text and DETAILS in text and place.text in text and "高风险" in text, text
    card = page.locator(
        f".warning-card[data-rule='dispute_high_risk'][data-dispute-id='{form_id}']"
    )
    await card.wait_for(timeout=20_000)
    assert f"邻里纠纷 · {TITLE} · 3 方当事人" in await card.inner_text()
    await page.wait_for_selector(
        row(form_id, "[data-yours='true'][data-warnings='dispute_high_risk']")
    )
    leader_card = leader.locator(f".warning-card[data-dispute-id='{form_id}']")
    await leader_card.wait_for(timeout=20_000)  # live, on the street's page too

    # A mediation, then passed up to the street (the centre above, named as the server names it).
    await step(page, "mediation")
    await page.fill("#disputes-step-notes", "双方到场，物业提供漏水记录，分歧在赔偿金额")
    await page.click(".step-form .ledger-form__submit")
    await toast_says(page, "已记录调解")
    await panel.and_(page.locator("[data-status='mediating']")).wait_for(timeout=15_000)
    await panel.locator(".dispute-step[data-kind='mediation']", has_text="物业提供").wait_for()
    await step(page, "escalate")
    street = await clean_db.fetchval(
        "SELECT name_zh FROM org_units WHERE path = $1", paths.street_a
    )
    assert f"上报至：{street}" in await page.inner_text(".step-form__to")
    await page.fill("#disputes-step-reason", "赔偿金额分歧大，需街道协调住建部门")
    await page.click(".step-form .ledger-form__submit")
    await toast_says(page, "已上报至")
    await panel.and_(page.locator(f"[data-holder-path='{paths.street_a}']")).wait_for()
    await panel.and_(page.locator("[data-yours='false']")).wait_for()
    assert await page.locator(".dispute__actions").is_hidden()  # held elsewhere now
    escalated = panel.locator(
        f".dispute-step[data-kind='escalated'][data-to-path='{paths.street_a}']"
    )
    assert "需街道协调" in await escalated.inner_text()
    await page.wait_for_selector(".disputes-list[data-which='held'][data-count='0']")
    await page.screenshot(path=screenshot_path("disputes-1440x900.png"), full_page=True)

    # The street leader: held there now, handed back down to community A within 7 days.
    await choose(leader, "held", 1)
    await leader.wait_for_selector(row(form_id, "[data-yours='true']"))
    await leader_card.locator(".warning-card__open").click()  # a warning opens its dispute
    leader_panel = leader.locator(f".dispute[data-dispute-id='{form_id}'][data-yours='true']")
    await leader_panel.wait_for(timeout=15_000)
    assert DETAILS in await leader_panel.inner_text()  # leaders head a centre: they mediate
    await step(leader, "assign")
    targets = await leader.locator("#disputes-step-to option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    # on the way to the place, nearest first, never sideways: the community, then the grid
    assert targets == [paths.community_a, place.org_path]
    await leader.click(".step-form .btn[data-days='7']")
    await leader.fill("#disputes-step-notes", "请社区一周内组织三方调解")
    await leader.click(".step-form .ledger-form__submit")
    await toast_says(leader, "已交办至")
    await leader_panel.and_(leader.locator(f"[data-holder-path='{paths.community_a}']")).wait_for(
        timeout=15_000
    )
    assigned = leader_panel.locator(".dispute-step[data-kind='assigned']")
    assert "交办至" in await assigned.inner_text()
    await leader.screenshot(path=screenshot_path("disputes-leader-1440x900.png"), full_page=True)

    # The case worker's page heard the hand-down (topic disputes): its list holds the dispute
    # again and the open panel shows the step, with no click and no reload.
    await page.wait_for_selector(
        ".disputes-list[data-which='held'][data-count='1']", timeout=15_000
    )
    await panel.locator(".dispute-step[data-kind='assigned']").wait_for(timeout=15_000)

    # Back with the case worker: held here again, due within 7 days; settled by agreement.
    await choose(page, "held", 1)
    await page.wait_for_selector(row(form_id, "[data-yours='true']"))
    assert "7 天内到期" in await page.inner_text(row(form_id))
    await page.click(row(form_id, " .ledger-row__btn"))
    await panel.and_(page.locator("[data-yours='true']")).wait_for(timeout=15_000)
    await step(page, "close")
    groups = await page.locator(".step-form__outcomes legend").all_inner_texts()
    assert groups == ["化解", "移交"]
    await page.check("#disputes-step-outcome-agreement")
    await page.click(".step-form .ledger-form__submit")
    await toast_says(page, "已办结：调解成功；1 条预警已解除")
    await panel.and_(page.locator("[data-status='resolved']")).wait_for(timeout=15_000)
    await card.wait_for(state="detached", timeout=20_000)
    await leader_card.wait_for(state="detached", timeout=20_000)  # live, on the leader's too
    kinds = await panel.locator(".dispute-step").evaluate_all(
        "items => items.map(i => i.dataset.kind)"
    )
    assert kinds == ["registered", "mediation", "escalated", "assigned", "resolved"]
    warnings = await rows_of(clean_db, "SELECT rule, state, resolution FROM early_warnings")
    assert [tuple(r) for r in warnings] == [("dispute_high_risk", "resolved", "resolved")]
    await choose(page, "closed", 1)
    assert await leader.evaluate("window.__sameDocument") is True, "the page was reloaded"
    for p in (page, leader):
        assert await visible_raw_keys(p) == []
        assert p.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_party_under_community_correction_makes_the_dispute_high_risk(
    open_page: Opener,
    backend: BackendProcess,
    place: Place,
    key_person: KeyPerson,
    clean_db: PgPool,
) -> None:
    dispute_id = await register_over_http(
        backend.base_url, CASE_WORKER, address_id=place.address_id, risk="medium", parties=2
    )
    page = await open_page(CASE_WORKER, "/disputes/", width=1440, height=900)
    await wait_connection(page, "live")
    await page.click(row(dispute_id, " .ledger-row__btn"))
    panel = page.locator(f".dispute[data-dispute-id='{dispute_id}'][data-risk='medium']")
    await panel.wait_for(timeout=15_000)
    await panel.locator(".dispute-parties[data-count='0']", has_text="尚未关联").wait_for()

    # Found by ID number (in the body, never in a URL), chosen, linked.
    await page.click(".dispute-parties__open")
    await page.fill("#disputes-party-value", key_person.id_number)
    await page.click(".party-form .lookup__submit")
    form = page.locator(f".party-form[data-person-id='{key_person.person_id}']")
    await form.locator(".party-form__person", has_text="赵矫").wait_for(timeout=15_000)
    await page.click(".party-form .ledger-form__submit")
    await toast_says(page, "当事人为重点人员，本纠纷已升为高风险")

    # The badge in words, the risk high, the risk step in the history, its warning.
    party = page.locator(f".party-row[data-person-id='{key_person.person_id}'][data-key='true']")
    await party.wait_for(timeout=15_000)
    text = await party.inner_text()
    assert "赵矫" in text and "重点人员：社区矫正" in text and "Cw.A" in text, text
    await page.locator(f".dispute[data-dispute-id='{dispute_id}'][data-risk='high']").wait_for()
    step = page.locator(".dispute-step--risk[data-risk='high']", has_text="当事人为重点人员")
    await step.wait_for()
    assert await page.locator(".party-form").count() == 0
    await page.locator(
        f".warning-card[data-rule='dispute_high_risk'][data-dispute-id='{dispute_id}']"
    ).wait_for(timeout=15_000)
    await page.locator(row(dispute_id, "[data-risk='high']")).wait_for()
    stored = await rows_of(
        clean_db,
        "SELECT person_id::text, key_reasons FROM dispute_parties WHERE dispute_id = $1",
        uuid.UUID(dispute_id),
    )
    assert [tuple(r) for r in stored] == [(key_person.person_id, ["community_correction"])]
    await page.screenshot(path=screenshot_path("disputes-party-1440x900.png"), full_page=True)
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_the_weekly_screening_and_the_figures(
    open_page: Opener,
    backend: BackendProcess,
    place: Place,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    await register_over_http(backend.base_url, CASE_WORKER, address_id=place.address_id)
    week = week_of(datetime.now(UTC))

    # The case worker reports a week with nothing found: a zero report.
    page = await open_page(CASE_WORKER, "/disputes/", width=1440, height=900)
    await wait_connection(page, "live")
    await open_tab(page, "screening")
    await page.wait_for_selector(f".screening[data-week='{week}'][data-units]")
    mine = page.locator(".screening-mine")
    assert "尚未报告" in await mine.inner_text()
    assert await page.is_disabled(".week__next")  # no week ahead
    await page.click(".screening-form__zero")
    await page.fill("#disputes-screen-notes", "走访 3 个小区，未发现")
    await page.click(".screening-form .ledger-form__submit")
    await toast_says(page, f"已报告 {week}：零报告")
    await page.locator(".screening-mine[data-reported='true']", has_text="零报告").wait_for()
    stored = await rows_of(clean_db, "SELECT org_path, week, found FROM dispute_screenings")
    assert [tuple(r) for r in stored] == [(paths.community_a, week, 0)]
    assert page.errors == []  # type: ignore[attr-defined]

    # The street leader: who has not reported (first), and who reported none found.
    leader = await open_page(LEADER, "/disputes/", width=1440, height=900)
    await wait_connection(leader, "live")
    await open_tab(leader, "screening")
    section = leader.locator(f".screening[data-week='{week}'][data-level='community']")
    await section.and_(leader.locator("[data-units]")).wait_for(timeout=15_000)
    units = int(await section.get_attribute("data-units") or "0")
    assert units >= 2 and await section.get_attribute("data-missing") == str(units - 1)
    states = await leader.locator(".screening-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.path, r.dataset.reported])"
    )
    assert states[-1] == [paths.community_a, "true"], states  # the missing ones first
    assert all(reported == "false" for _, reported in states[:-1])
    reported = leader.locator(f".screening-row[data-path='{paths.community_a}']")
    text = await reported.inner_text()
    assert "零报告" in text and "走访 3 个小区" in text and "Cw.A" in text, text
    assert "未报告" in await leader.locator(".screening-row").first.inner_text()
    assert f"已报告 1/{units}" in await leader.inner_text(".screening__count")
    await leader.screenshot(path=screenshot_path("disputes-screening-1440x900.png"), full_page=True)
    await leader.click(".week__prev")
    await leader.wait_for_selector(f".screening[data-missing='{units}']:not([data-week='{week}'])")
    await leader.click(".week__now")
    await leader.wait_for_selector(f".screening[data-week='{week}'][data-missing='{units - 1}']")

    # Each community's disputes, then each grid's, with a total.
    await open_tab(leader, "summary")
    unit = leader.locator(f".figures__row[data-path='{paths.community_a}']")
    await unit.wait_for(timeout=15_000)
    for figure, value in {"live": 1, "high": 1, "overdue": 0, "held": 1, "resolved_30d": 0}.items():
        cell = unit.locator(f"[data-figure='{figure}']")
        assert await cell.get_attribute("data-value") == str(value), figure
    assert await leader.inner_text(".figures__total [data-figure='high']") == "1"
    await leader.click(".summary__levels .seg__btn[data-level='grid']")
    grid = leader.locator(f".dispute-summary[data-level='grid'] [data-path='{place.org_path}']")
    await grid.wait_for(timeout=15_000)
    assert await grid.locator("[data-figure='live']").get_attribute("data-value") == "1"
    await leader.screenshot(path=screenshot_path("disputes-summary-1440x900.png"), full_page=True)
    assert await visible_raw_keys(leader) == []
    assert leader.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_grid_workers_phone_then_english(
    open_page: Opener, backend: BackendProcess, place: Place, paths: DistrictPaths
) -> None:
    page = await open_page(GRID_WORKER, "/disputes/", width=390, height=844)
    await wait_connection(page, "live")
    await page.wait_for_selector(".disputes-list[data-which='held'][data-count='0']")
    await no_sideways_scroll(page)

    # On the rounds: registered at the grid (no address), the source already "网格上报".
    await page.click(".disputes__register")
    assert await page.input_value("#disputes-reg-source") == "grid"
    await page.select_option("#disputes-reg-kind", "property")
    await page.fill("#disputes-reg-title", "小区停车位收费争议")
    await page.check("#disputes-reg-risk-medium")
    await no_sideways_scroll(page)
    await page.screenshot(path=screenshot_path("disputes-form-390x844.png"), full_page=True)
    await page.click(".dispute-register .ledger-form__submit")
    await toast_says(page, "已登记：中风险")
    panel = page.locator(f".dispute[data-holder-path='{paths.grid_a}'][data-yours='true']")
    await panel.wait_for(timeout=15_000)
    buttons = page.locator(".dispute__step:visible")
    assert await buttons.count() == 4  # no unit below a grid: nothing to hand down
    # a party is found by the ID card in hand (person:lookup), though people are not browsed here
    await panel.locator(".dispute-parties__open").wait_for()
    box = await buttons.first.bounding_box()
    assert box is not None and box["height"] >= 40, box  # a thumb's target
    await no_sideways_scroll(page)
    await page.screenshot(path=screenshot_path("disputes-390x844.png"), full_page=True)
    assert await visible_raw_keys(page) == []

    # In English, each tab in the phone's width.
    await page.click(".lang__btn[lang='en']")
    await page.locator(".tabs__btn", has_text="Screening").wait_for()
    assert "Medium risk" in await panel.inner_text()
    for tab in ("screening", "summary", "list"):
        await open_tab(page, tab)
        await page.wait_for_selector(f".disputes__pane--{tab} .panel:not([hidden])")
        await page.wait_for_timeout(300)  # the tab's answer drawn
        await no_sideways_scroll(page)
        assert await visible_raw_keys(page) == [], tab
    await page.click(".disputes__register")
    await no_sideways_scroll(page)
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("disputes-en-390x844.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
