"""Psychological services (社会心理服务) against the real backend: a community counsellor finds a
resident by ID number, fills in a PHQ-9 whose ninth item is above 0 (total, band and the
self-harm notice while filling), submits it once despite a double click; the resident heads the
attention list with the serious crisis warning, on the counsellor's page and live on the street
centre's; a crisis intervention clears both. A street centre instructs the community, which
answers; the community reports its month once (a second click and a resend store nothing new).
English at 768 px without horizontal scroll, and a leader's read-only tabs."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.imports.addresses import import_addresses
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.blockdata import id_number
from simulators.geography import Geography, generate_addresses
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, screenshot_path
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

COMMUNITY = "psy.c"  # the community station of community A
STREET = "psy.s"  # the street centre above it
LEADER = "lead.s"  # the street's leader: reads, instructs, records nothing
NAME = "李心悦"
NOTES = "当面评估，家属陪同，已约精神科门诊"
# PHQ-9 answers: 11 points (moderate) with item 9 ("better off dead") at 1.
ANSWERS = [2, 2, 1, 1, 1, 1, 1, 1, 1]


class Resident(msgspec.Struct, frozen=True, kw_only=True):
    person_id: str
    id_number: str
    stranger_id_number: str  # well-formed, nobody has it


@pytest.fixture
async def resident(
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
    make_user: Any,
) -> Resident:
    await make_user(COMMUNITY, paths.community_a, Role.COUNSELLOR)
    await make_user(STREET, paths.street_a, Role.COUNSELLOR)
    await make_user(LEADER, paths.street_a, Role.STREET_LEADER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)  # the backend subprocess's keys: it finds and decrypts
    rng = random.Random(11)
    number, stranger = id_number(rng, date(1991, 6, 2)), id_number(rng, date(1979, 1, 9))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        home = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        assert home, "the synthetic district has addresses in community A"
        pid = await create_person(
            conn,
            cipher,
            PersonCreate(
                name=NAME, address_id=home, id_number=number, gender="female", birth_year=1991
            ),
        )
    return Resident(person_id=pid, id_number=number, stranger_id_number=stranger)


async def crisis_states(pool: PgPool, person_id: str) -> list[tuple[str, str]]:
    """(state, level) of every psychological-crisis warning about the person."""
    rows = await rows_of(
        pool,
        "SELECT state, level FROM early_warnings WHERE rule = 'psych_crisis' AND subject_id = $1",
        person_id,
    )
    return [(r["state"], r["level"]) for r in rows]


async def open_tab(page: Page, tab: str) -> None:
    """Shows a tab (a click on the shown one fetches it again)."""
    await page.click(f".tabs__btn[data-tab='{tab}']")
    await page.wait_for_selector(f".psych[data-tab='{tab}'] .psych__pane--{tab}:not([hidden])")


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scroll"


def attention_row(person_id: str, extra: str = "") -> str:
    return f".attention-row[data-person-id='{person_id}']{extra}"


def crisis_card(person_id: str, extra: str = "") -> str:
    return f".crisis .warning-card[data-person-id='{person_id}']{extra}"


async def find_person(page: Page, number: str) -> None:
    await page.fill("#psych-lookup-value", number)
    await page.click(".lookup__submit")


@pytest.mark.timeout(240)
async def test_a_self_harm_finding_is_followed_up_and_cleared_by_a_crisis_intervention(
    open_page: Opener, backend: BackendProcess, resident: Resident, clean_db: PgPool
) -> None:
    pid = resident.person_id
    street = await open_page(STREET, "/psych/", width=1440, height=900)
    page = await open_page(COMMUNITY, "/psych/", width=1440, height=900)
    for p in (street, page):
        await wait_connection(p, "live")
        await p.wait_for_selector(".attention[data-count='0']")
        await p.wait_for_selector(".crisis[data-count='0']")
        await p.evaluate("window.__sameDocument = true")
    assert "社区心理服务站" in await page.inner_text(".psych__unit")
    assert "街道心理服务分中心" in await street.inner_text(".psych__unit")

    # Nobody has this number: said at the input. Then the resident, masked for a counsellor.
    await find_person(page, resident.stranger_id_number)
    await page.wait_for_selector("#psych-lookup-value-error[data-code='unknown_person']")
    await find_person(page, resident.id_number)
    person = page.locator(f".person[data-person-id='{pid}']")
    await person.locator(".person__name", has_text=NAME).wait_for(timeout=15_000)
    assert resident.id_number not in await person.inner_text(), "the ID number is shown unmasked"
    await person.locator(".person__record", has_text="暂无测评记录").wait_for()

    # PHQ-9: the total and band while filling in; item 9 above 0 raises the notice at once.
    await page.click(".person__assess")
    form = page.locator(".assessment-form")
    assert await page.is_checked("#psych-scale-phq9")
    for item, value in enumerate(ANSWERS[:8]):
        await page.check(f"#psych-item-{item}-{value}")
    tally = form.locator(".assessment-tally")
    assert await tally.get_attribute("data-total") == "10"
    assert await tally.get_attribute("data-band") == "moderate"
    assert await tally.get_attribute("data-complete") == "false"
    assert await form.locator(".self-harm-notice").is_hidden()
    await page.check("#psych-item-8-1")
    assert await tally.get_attribute("data-complete") == "true"
    assert await tally.inner_text() == "总分 11 · 中度"
    notice = form.locator(".self-harm-notice")
    assert await notice.is_visible()
    assert "第 9 题" in await notice.inner_text()
    form_id = await form.get_attribute("data-form-id")

    # A double click: one assessment.
    posts = watch_posts(page, "/api/psych/assessments")
    await page.dblclick(".assessment-form .psych-form__submit")
    await toast_says(page, "已生成心理危机预警")
    assert await sent_ids(posts) == {form_id}
    stored = await rows_of(
        clean_db, "SELECT id::text, score, band, self_harm FROM psych_assessments"
    )
    assert [tuple(r) for r in stored] == [(form_id, 11, "moderate", True)]
    assert await crisis_states(clean_db, pid) == [("open", "serious")]
    await person.locator(
        f".assessment[data-assessment-id='{form_id}'][data-self-harm='true']"
    ).wait_for(timeout=15_000)

    # The resident heads the attention list, self-harm marked, with the crisis warning; the
    # street centre's page shows both too, over the socket, without a reload.
    for p in (page, street):
        await p.wait_for_selector(attention_row(pid, "[data-self-harm='true']"), timeout=20_000)
        first = p.locator(".attention-row").first
        assert await first.get_attribute("data-person-id") == pid
        assert "自伤风险" in await first.inner_text()
        assert await p.locator(attention_row(pid, " .crisis-chip")).count() == 1
        card = p.locator(crisis_card(pid, "[data-level='serious'][data-state='open']"))
        await card.wait_for(timeout=20_000)
        text = await card.inner_text()
        assert "心理危机" in text and "PHQ-9" in text and "有自伤念头" in text, text
        assert await p.evaluate("window.__sameDocument") is True, "the page was reloaded"
        assert await p.get_attribute(".psych", "data-live") == "socket", "the topic was refused"
    await person.locator(".crisis-chip[data-level='serious']").wait_for()
    await street.screenshot(path=screenshot_path("psych-crisis-1440x900.png"))

    # A crisis intervention (the form opens on it, the person having a live crisis).
    await page.click(".person__serve")
    assert await page.is_checked("#psych-service-kind-crisis_intervention")
    await page.select_option("#psych-service-outcome", "referred_psychiatry")
    await page.fill("#psych-service-notes", NOTES)
    service_id = await page.get_attribute(".service-form", "data-form-id")
    posts = watch_posts(page, "/api/psych/services")
    await page.click(".service-form .psych-form__submit")
    await toast_says(page, "心理危机预警已解除")
    assert await sent_ids(posts) == {service_id}
    assert await crisis_states(clean_db, pid) == [("resolved", "serious")]

    # Gone from the list and the warnings, here and on the street's page; the session on record.
    for p in (page, street):
        await p.wait_for_selector(attention_row(pid), state="detached", timeout=20_000)
        await p.wait_for_selector(crisis_card(pid), state="detached", timeout=20_000)
        await p.wait_for_selector(".attention[data-count='0']")
    entry = person.locator(f".service[data-service-id='{service_id}']")
    await entry.wait_for(timeout=15_000)
    text = await entry.inner_text()
    assert "危机干预" in text and "转介精神科" in text and NOTES in text, text
    await person.locator(".crisis-chip").wait_for(state="detached")

    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("psych-1440x900.png"))
    assert page.errors == []  # type: ignore[attr-defined]
    assert street.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_an_instruction_goes_down_and_is_answered_and_the_month_is_reported_once(
    open_page: Opener,
    backend: BackendProcess,
    resident: Resident,
    clean_db: PgPool,
    paths: DistrictPaths,
) -> None:
    del resident
    ca = paths.community_a
    street = await open_page(STREET, "/psych/", width=1440, height=900)
    await open_tab(street, "instructions")
    # Issued to community A alone (its street has others).
    target = street.locator(f".instruction-form .check[data-path='{ca}'] input")
    await target.wait_for(timeout=15_000)
    await street.uncheck("#psych-instr-all")
    await target.check()
    title = "本周开展独居老人心理筛查"
    await street.fill("#psych-instr-title", title)
    await street.fill("#psych-instr-body", "请各社区本周内完成辖区独居老人 PHQ-9 筛查并反馈")
    await street.click(".instruction-form .psych-form__submit")
    await toast_says(street, "已下发工作指示")
    issued = street.locator(".instruction--issued", has_text=title)
    await issued.locator(f".target[data-path='{ca}'][data-state='open']").wait_for(timeout=15_000)
    assert await issued.locator(".target").count() == 1

    # The community sees it, has no form to instruct anyone, and answers it.
    page = await open_page(COMMUNITY, "/psych/", width=1440, height=900)
    await open_tab(page, "instructions")
    received = page.locator(".instructions__received .instruction", has_text=title)
    await received.wait_for(timeout=15_000)
    assert await received.get_attribute("data-state") == "open"
    assert await page.locator(".instruction-form").count() == 0
    await received.locator("textarea").fill("已筛查 12 人，2 人中度，已安排咨询")
    await received.locator(".feedback__submit").click()
    await toast_says(page, "已提交反馈")
    done = page.locator(".instructions__received .instruction[data-state='done']", has_text=title)
    await done.wait_for(timeout=15_000)
    assert "已筛查 12 人" in await done.inner_text()

    # The street sees the community's answer (a click on the shown tab fetches it again).
    await open_tab(street, "instructions")
    await issued.locator(f".target[data-path='{ca}'][data-state='done']").wait_for(timeout=15_000)
    assert "已完成 1/1" in await issued.inner_text()
    await street.screenshot(path=screenshot_path("psych-instructions-1440x900.png"))

    # The community reports the month: a double click, then the same report sent again by
    # hand, and one report is stored.
    await open_tab(page, "reports")
    await page.wait_for_selector(".reports[data-reported='false'] .report-form")
    assert await page.locator(".reports__children").is_hidden(), "a community's grids do not report"
    comment = "本月完成筛查与危机干预各一次"
    await page.fill("#psych-report-comment", comment)
    report_id = await page.get_attribute(".report-form", "data-form-id")
    posts = watch_posts(page, "/api/psych/reports")
    await page.dblclick(".report__submit")
    await toast_says(page, "已上报月报")
    assert await sent_ids(posts) == {report_id}
    await page.wait_for_selector(
        f".reports[data-reported='true'] .report-sent[data-report-id='{report_id}']"
    )
    period = await page.get_attribute(".reports", "data-period")
    headers = await login_http(backend.base_url, COMMUNITY)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        again = await http.post(
            "/api/psych/reports",
            json={"id": report_id, "period": period, "comment": comment},
            headers=headers,
        )
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    stored = await rows_of(clean_db, "SELECT id::text, org_path FROM psych_reports")
    assert [tuple(r) for r in stored] == [(report_id, ca)]
    await page.screenshot(path=screenshot_path("psych-reports-1440x900.png"))

    # The street sees community A reported; its own month is still to send; the figures per
    # community with a totals row.
    await open_tab(street, "reports")
    row = street.locator(f".reports__children .figures__row[data-path='{ca}']")
    await row.locator(".state-chip[data-state='done']").wait_for(timeout=15_000)
    assert await street.locator(".reports .report-form").count() == 1
    await open_tab(street, "figures")
    await street.wait_for_selector(f".unit-figures .figures__row[data-path='{ca}']")
    assert await street.locator(".unit-figures .figures__total").count() == 1

    for p in (page, street):
        assert await visible_raw_keys(p) == []
        assert p.errors == []  # type: ignore[attr-defined]
    await street.screenshot(path=screenshot_path("psych-figures-1440x900.png"))


@pytest.mark.timeout(240)
async def test_english_at_768_px_and_a_leaders_tabs(
    open_page: Opener, backend: BackendProcess, resident: Resident
) -> None:
    page = await open_page(COMMUNITY, "/psych/", width=768, height=1024, locale="en")
    await wait_connection(page, "live")
    assert await page.inner_text(".app-header__title") == "Psychological services"
    tabs = page.locator(".tabs__btn")
    assert await tabs.all_inner_texts() == [
        "To follow up",
        "Activities",
        "Instructions",
        "Monthly reports",
        "Figures",
    ]
    await page.wait_for_selector(".attention[data-count='0']")
    await find_person(page, resident.id_number)
    await page.locator(".person__name", has_text=NAME).wait_for(timeout=15_000)
    await page.click(".person__assess")
    form = page.locator(".assessment-form")
    assert "Little interest or pleasure in doing things" in await form.inner_text()
    await page.click("#psych-scale-gad7")
    assert await form.locator(".scale-item").count() == 7
    assert "Feeling nervous, anxious, or on edge" in await form.inner_text()
    await no_sideways_scroll(page)
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("psych-en-768x1024.png"), full_page=True)

    # An activity, then every other tab: all in English, none wider than the screen.
    await open_tab(page, "activities")
    await page.fill("#psych-activity-title", "Stress and sleep: a talk for carers")
    await page.fill("#psych-activity-attendees", "23")
    await page.click(".activity-form .psych-form__submit")
    await page.locator(".activity", has_text="Stress and sleep").wait_for(timeout=15_000)
    for tab in ("activities", "instructions", "reports", "figures"):
        await open_tab(page, tab)
        await page.wait_for_selector(f".psych__pane--{tab} .panel")
        await page.wait_for_timeout(300)  # the tab's answer drawn
        await no_sideways_scroll(page)
        assert await visible_raw_keys(page) == [], tab
    assert page.errors == []  # type: ignore[attr-defined]

    # A street leader: figures, reports and instructions only; reads the month, sends nothing.
    leader = await open_page(LEADER, "/psych/", width=768, height=1024)
    await leader.wait_for_selector(".psych[data-tab]")
    assert await leader.locator(".tabs__btn").all_inner_texts() == ["工作指示", "月报", "统计"]
    assert await leader.get_attribute(".psych", "data-tab") == "instructions"
    await leader.wait_for_selector(".instruction-form")  # a street's leader may instruct
    await open_tab(leader, "reports")
    await leader.wait_for_selector(".reports[data-reported='false']")
    assert await leader.locator(".report-form").count() == 0
    assert "尚未上报" in await leader.inner_text(".reports__own")
    await no_sideways_scroll(leader)
    assert await visible_raw_keys(leader) == []
    assert leader.errors == []  # type: ignore[attr-defined]
