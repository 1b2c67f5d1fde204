"""Ledgers of special and vulnerable groups (特殊人群困难群体台账) against the real backend: a
case worker finds an elderly person living alone on 待建档 and registers them once despite a
double click; a check finding a need shows on the entry with the next due date; the entry made
overdue shows its warning live, without a reload, and a check clears it; closing takes the entry
off the ledger and puts the person back on 待建档. A street leader reads the figures with "<5"
for small counts and the ledger masked, with no write buttons; English at 768 px, where a group
with more people to register than a page shows them fifty at a time with "load more"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.early_warning.ledger_rule import check_ledgers
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

CASE_WORKER = "cw.a"  # community A's case worker: keeps the ledgers
LEADER = "lead.s"  # community A's street leader: reads them
ELDER = "钱独居"  # elderly, living alone, the oldest on 待建档
LOW_INCOME = 5  # low-income residents, all registered: counts large enough to publish
PAGE = 50  # rows per page of the lists (shared/ui/load-more.ts)


class Residents(msgspec.Struct, frozen=True, kw_only=True):
    elder: str  # born 1936, elderly_alone
    other_elder: str  # born 1944, elderly_alone
    low_income: list[str]  # LOW_INCOME residents, low_income


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend, its own early-warning pass held off for an hour: the test runs the rule
    itself, so the warning is raised when the test says."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


@pytest.fixture
async def residents(
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
    make_user: Any,
) -> Residents:
    await make_user(CASE_WORKER, paths.community_a, Role.CASE_WORKER)
    await make_user(LEADER, paths.street_a, Role.STREET_LEADER)
    await make_user("cw.street", paths.street_a, Role.CASE_WORKER)  # may answer for them too
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)  # the backend subprocess's keys: it decrypts names
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        home = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        assert home, "the synthetic district has addresses in community A"

        async def person(name: str, tag: str, born: int) -> str:
            data = PersonCreate(name=name, address_id=home, tags=[tag], birth_year=born)
            return await create_person(conn, cipher, data)

        return Residents(
            elder=await person(ELDER, "elderly_alone", 1936),
            other_elder=await person("孙独居", "elderly_alone", 1944),
            low_income=[await person(f"周低保{i}", "low_income", 1970 + i) for i in range(5)],
        )


async def overdue_warnings(pool: PgPool, entry_id: str) -> list[tuple[str, str | None]]:
    """(state, resolution) of every overdue-check warning about the entry."""
    rows = await rows_of(
        pool,
        "SELECT state, resolution FROM early_warnings "
        "WHERE rule = 'ledger_check_overdue' AND subject_id = $1",
        entry_id,
    )
    return [(r["state"], r["resolution"]) for r in rows]


async def open_tab(page: Page, tab: str) -> None:
    """Shows a tab (a click on the shown one fetches it again)."""
    await page.click(f".tabs__btn[data-tab='{tab}']")
    await page.wait_for_selector(f".ledgers[data-tab='{tab}'] .ledgers__pane--{tab}:not([hidden])")


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scroll"


def pending_row(person_id: str) -> str:
    return f".pending-row[data-person-id='{person_id}']"


def entry_row(entry_id: str, extra: str = "") -> str:
    return f".ledger-row[data-entry-id='{entry_id}']{extra}"


def local_day(page: Page, iso: str) -> Any:
    """The day of ``iso`` as the page writes it (the browser's zone and language)."""
    return page.evaluate(
        """iso => new Intl.DateTimeFormat(document.documentElement.lang,
             {year: 'numeric', month: '2-digit', day: '2-digit'}).format(new Date(iso))""",
        iso,
    )


async def register_over_http(base_url: str, person_ids: list[str], group: str) -> list[str]:
    """The case worker registers each person through the API; returns the entry ids."""
    headers = await login_http(base_url, CASE_WORKER)
    ids = []
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        for pid in person_ids:
            body = {
                "id": str(uuid.uuid4()),
                "person_id": pid,
                "group": group,
                "since": datetime.now(UTC).date().isoformat(),
            }
            r = await http.post("/api/ledgers", json=body, headers=headers)
            assert r.status_code == 201, r.text
            ids.append(body["id"])
    return ids


@pytest.mark.timeout(240)
async def test_a_person_is_registered_checked_warned_about_and_taken_off_the_ledger(
    open_page: Opener, backend: BackendProcess, residents: Residents, clean_db: PgPool
) -> None:
    page = await open_page(CASE_WORKER, "/ledgers/", width=1440, height=900)
    await wait_connection(page, "live")
    await page.evaluate("window.__sameDocument = true")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["台账", "待建档", "统计"]
    await page.wait_for_selector(".entries[data-count='0']")

    # 待建档 needs a group: the elderly living alone, the oldest first.
    await open_tab(page, "pending")
    await page.click(".pending__groups .seg__btn[data-group='elderly_alone']")
    assert await page.input_value("#ledgers-group") == "elderly_alone"
    assert "民政部门 · 每 30 天核查" in await page.inner_text(".group-chooser__policy")
    await page.wait_for_selector(".pending[data-total='2']")
    first = page.locator(".pending-row").first
    assert await first.get_attribute("data-person-id") == residents.elder
    assert ELDER in await first.inner_text() and "1936 年生" in await first.inner_text()

    # Registered once despite a double click.
    await page.click(f"{pending_row(residents.elder)} .pending-row__register")
    form = page.locator(".register-form")
    assert "独居老人" in await form.locator(".register-form__group").inner_text()
    assert await page.input_value("#ledgers-register-since") != ""
    # the user answers by default; the street's case worker is offered as well
    assert await page.input_value("#ledgers-register-officer") == ""
    await form.locator("#ledgers-register-officer option", has_text="Cw.Street").wait_for(
        state="attached", timeout=15_000
    )
    form_id = await form.get_attribute("data-form-id")
    posts = watch_posts(page, "/api/ledgers")
    await page.dblclick(".register-form .ledger-form__submit")
    await toast_says(page, f"{ELDER} 已建档")
    assert await sent_ids(posts) == {form_id}
    stored = await rows_of(clean_db, "SELECT id::text, person_id::text, grp FROM ledger_entries")
    assert [tuple(r) for r in stored] == [(form_id, residents.elder, "elderly_alone")]
    entry_id = str(form_id)
    await page.wait_for_selector(pending_row(residents.elder), state="detached", timeout=15_000)
    await page.wait_for_selector(".pending[data-total='1']")

    # On the ledger; opened, with who answers for them.
    await open_tab(page, "entries")
    await page.click(entry_row(entry_id, " .ledger-row__btn"))
    panel = page.locator(f".entry[data-entry-id='{entry_id}'][data-status='active']")
    await panel.locator(".entry__name", has_text=ELDER).wait_for(timeout=15_000)
    assert "Cw.A" in await panel.locator(".entry__facts").inner_text()
    await panel.locator(".entry__history", has_text="暂无核查记录").wait_for()

    # A check that finds a need: the need shows, the next check is due 30 days after it.
    await page.click(".entry__check")
    await page.check("#ledgers-check-finding-needs_help")
    assert await page.locator("#ledgers-check-finding-violation").count() == 0  # not supervised
    check_id = await page.get_attribute(".check-form", "data-form-id")
    await page.fill("#ledgers-check-notes", "独居，行动不便，需送餐服务")
    await page.click(".check-form .ledger-form__submit")
    await toast_says(page, "已记录核查")
    await panel.locator(
        f".check-item[data-check-id='{check_id}'][data-finding='needs_help']"
    ).wait_for(timeout=15_000)
    await page.wait_for_selector(f".entry[data-entry-id='{entry_id}'][data-needs-help='true']")
    [row] = await rows_of(
        clean_db, "SELECT last_check_at, due_at FROM ledger_entries WHERE id = $1::uuid", entry_id
    )
    assert row["due_at"] - row["last_check_at"] == timedelta(days=30)
    due_day = await local_day(page, row["due_at"].isoformat())
    facts = await panel.locator(".entry__facts").inner_text()
    assert due_day in facts, (due_day, facts)
    await page.locator(entry_row(entry_id, "[data-needs-help='true'] .need-chip")).wait_for()

    # Made overdue, the rule raises a warning: it arrives over the socket, no reload.
    await clean_db.execute(
        "UPDATE ledger_entries SET due_at = now() - interval '3 days' WHERE id = $1::uuid",
        entry_id,
    )
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_ledgers(conn, datetime.now(UTC))
    assert not run.skipped and len(run.raised) == 1
    card = page.locator(f".ledger-warnings .warning-card[data-entry-id='{entry_id}']")
    await card.wait_for(timeout=20_000)
    text = await card.inner_text()
    assert "台账核查逾期" in text and "独居老人" in text and "逾期 3 天" in text, text
    assert ELDER in text
    await page.wait_for_selector(
        entry_row(entry_id, "[data-overdue='true'][data-warning-state='open']"), timeout=20_000
    )
    assert await page.locator(".ledger-row").first.get_attribute("data-entry-id") == entry_id
    await panel.locator(".warning-chip[data-state='open']").wait_for(timeout=20_000)
    assert await page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert await page.get_attribute(".ledgers", "data-live") == "socket", "the topic was refused"
    await page.screenshot(path=screenshot_path("ledgers-overdue-1440x900.png"))

    # A check clears it: here, in the database, on the row.
    await page.click(".entry__check")
    await page.click(".check-form .ledger-form__submit")
    await toast_says(page, "逾期预警已解除")
    assert await overdue_warnings(clean_db, entry_id) == [("resolved", "ledger_checked")]
    await card.wait_for(state="detached", timeout=20_000)
    await page.wait_for_selector(entry_row(entry_id, "[data-overdue='false']"), timeout=15_000)
    assert await page.locator(entry_row(entry_id, " .warning-chip")).count() == 0
    await panel.locator(".check-item").nth(1).wait_for()

    # Taken off the ledger: gone from the list, back on 待建档.
    await page.click(".entry__close")
    await page.click(".close-form__pick >> nth=0")
    assert await page.input_value("#ledgers-close-reason") == "已迁出本区"
    await page.click(".close-form .ledger-form__submit")
    await toast_says(page, f"{ELDER} 已销档")
    await page.wait_for_selector(entry_row(entry_id), state="detached", timeout=15_000)
    await page.wait_for_selector(f".entry[data-entry-id='{entry_id}'][data-status='closed']")
    assert await page.locator(".entry__check").is_hidden()
    [closed] = await rows_of(
        clean_db, "SELECT status, close_reason FROM ledger_entries WHERE id = $1::uuid", entry_id
    )
    assert tuple(closed) == ("closed", "已迁出本区")
    await open_tab(page, "pending")
    await page.wait_for_selector(pending_row(residents.elder), timeout=15_000)

    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("ledgers-1440x900.png"))
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_street_leader_reads_the_figures_and_the_ledger_masked(
    open_page: Opener, backend: BackendProcess, residents: Residents, paths: DistrictPaths
) -> None:
    await register_over_http(backend.base_url, [residents.elder], "elderly_alone")
    await register_over_http(backend.base_url, residents.low_income, "low_income")
    page = await open_page(LEADER, "/ledgers/", width=1440, height=900)
    await wait_connection(page, "live")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["台账", "统计"]

    # The ledger, masked: no full name, no notes, nothing to write.
    await page.wait_for_selector(".entries[data-count='6']")
    listed = await page.inner_text(".entries__list")
    assert ELDER not in listed and "钱**" in listed, listed
    await page.click(".ledger-row[data-group='elderly_alone'] .ledger-row__btn")
    await page.wait_for_selector(".entry[data-status='active'] .entry__name")
    assert await page.inner_text(".entry__name") == "钱**"
    assert "备注仅台账专干可见" in await page.inner_text(".entry")
    for button in (".entry__check", ".entry__close", ".warning-card__take", ".pending-row"):
        assert await page.locator(button).count() == 0, button

    # What the case worker does meanwhile shows here at once (topic `ledgers`): a check of the
    # entry shown (and, after the figures, a closing that takes a row off the list).
    entry_id = await page.get_attribute(".entry", "data-entry-id")
    headers = await login_http(backend.base_url, CASE_WORKER)
    check_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        body = {
            "id": check_id,
            "at": datetime.now(UTC).isoformat(),
            "kind": "phone",
            "finding": "needs_help",
        }
        r = await http.post(f"/api/ledgers/{entry_id}/checks", json=body, headers=headers)
        assert r.status_code == 201, r.text
    await page.wait_for_selector(
        f".entry[data-needs-help='true'] .check-item[data-check-id='{check_id}']",
        timeout=15_000,
    )
    leaving = await page.get_attribute(
        ".ledger-row[data-group='low_income'] >> nth=0", "data-entry-id"
    )

    # The figures per community: "<5" for the small counts, coverage when both are published.
    await open_tab(page, "summary")
    unit = page.locator(f".figures__unit[data-path='{paths.community_a}']")
    elderly = unit.locator(".figures__row[data-group='elderly_alone']")
    await elderly.wait_for(timeout=15_000)
    for figure in ("tagged", "registered"):
        cell = elderly.locator(f"[data-figure='{figure}']")
        assert await cell.get_attribute("data-value") == "suppressed", figure
        assert await cell.inner_text() == "<5"
    assert await elderly.locator("[data-figure='coverage']").inner_text() == "—"
    poor = unit.locator(".figures__row[data-group='low_income']")
    assert await poor.locator("[data-figure='registered']").inner_text() == str(LOW_INCOME)
    assert await poor.locator("[data-figure='coverage']").inner_text() == "100%"
    veterans = unit.locator(".figures__row[data-group='veteran'] [data-figure='tagged']")
    assert await veterans.inner_text() == "0"
    assert await page.locator(".figures__total").count() == 8
    await page.screenshot(path=screenshot_path("ledgers-summary-1440x900.png"), full_page=True)
    # One group chosen: a row per community and the total.
    await page.select_option("#ledgers-group", "low_income")
    row = page.locator(f".figures__row[data-path='{paths.community_a}']")
    await row.wait_for()
    assert await row.count() == 1 and await page.locator(".figures__total").count() == 1
    assert await visible_raw_keys(page) == []

    await page.select_option("#ledgers-group", "")
    await open_tab(page, "entries")
    await page.wait_for_selector(".entries[data-count='6']")
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        r = await http.post(
            f"/api/ledgers/{leaving}/close", json={"reason": "已迁出本区"}, headers=headers
        )
        assert r.status_code == 200, r.text
    await page.wait_for_selector(".entries[data-count='5']", timeout=15_000)
    assert await page.locator(entry_row(str(leaving))).count() == 0
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_civil_affairs_officer_keeps_its_own_groups_alone(
    open_page: Opener,
    backend: BackendProcess,
    residents: Residents,
    paths: DistrictPaths,
    make_user: Any,
) -> None:
    await make_user("mz.s", paths.street_a, Role.DEPARTMENT_OFFICER, department="civil_affairs")
    await register_over_http(backend.base_url, residents.low_income, "low_income")
    # the case worker keeps every group: this one is veterans affairs', not civil affairs'
    [veteran] = await register_over_http(backend.base_url, [residents.other_elder], "veteran")
    page = await open_page("mz.s", "/ledgers/", width=1440, height=900)
    await wait_connection(page, "live")
    assert await page.locator(".tabs__btn").all_inner_texts() == ["台账", "待建档", "统计"]
    assert "民政部门" in await page.inner_text(".ledgers__head")
    values = await page.eval_on_selector_all("#ledgers-group option", "os => os.map(o => o.value)")
    assert values == ["", "low_income", "elderly_alone", "left_behind_child"]

    await page.wait_for_selector(f".entries[data-count='{LOW_INCOME}']")
    assert await page.locator(entry_row(veteran)).count() == 0
    assert await page.locator(".ledger-row[data-group='low_income']").count() == LOW_INCOME

    # 待建档 offers its groups alone; the elderly are its to register
    await open_tab(page, "pending")
    buttons = page.locator(".pending__groups .seg__btn")
    assert await buttons.evaluate_all("bs => bs.map(b => b.dataset.group)") == values[1:]
    await page.click(".pending__groups .seg__btn[data-group='elderly_alone']")
    await page.wait_for_selector(pending_row(residents.elder), timeout=15_000)
    await open_tab(page, "summary")
    await page.wait_for_selector(".figures__row")
    shown = await page.eval_on_selector_all(
        ".figures__row[data-group]", "rs => [...new Set(rs.map(r => r.dataset.group))]"
    )
    assert set(shown) <= set(values[1:]) and "veteran" not in shown
    await page.screenshot(path=screenshot_path("ledgers-department-1440x900.png"), full_page=True)
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


async def tag_people(pool: PgPool, database_url: str, near: str, tag: str, n: int) -> list[str]:
    """``n`` people tagged ``tag`` at the address of the person ``near``; returns their ids."""
    cipher = backend_cipher(database_url)
    async with pool.acquire() as conn:
        home = await conn.fetchval("SELECT address_id FROM persons WHERE id = $1", near)
        return [
            await create_person(
                conn,
                cipher,
                PersonCreate(name=f"吴残{i}", address_id=home, tags=[tag], birth_year=1950 + i),
            )
            for i in range(n)
        ]


async def pending_ids(page: Page) -> list[str]:
    return await page.eval_on_selector_all(
        ".pending-row", "rows => rows.map(r => r.dataset.personId)"
    )


@pytest.mark.timeout(240)
async def test_english_at_768_px(
    open_page: Opener,
    backend: BackendProcess,
    residents: Residents,
    clean_db: PgPool,
    database_url: str,
) -> None:
    [entry_id] = await register_over_http(backend.base_url, [residents.elder], "elderly_alone")
    page = await open_page(CASE_WORKER, "/ledgers/", width=768, height=1024, locale="en")
    await wait_connection(page, "live")
    assert await page.inner_text(".app-header__title") == "Group ledgers"
    assert await page.locator(".tabs__btn").all_inner_texts() == [
        "Ledger",
        "To register",
        "Figures",
    ]
    await page.click(entry_row(entry_id, " .ledger-row__btn"))
    await page.locator(".entry__name", has_text=ELDER).wait_for(timeout=15_000)
    await page.click(".entry__check")
    form = await page.inner_text(".check-form")
    assert "Home visit" in form and "Needs help" in form, form
    await no_sideways_scroll(page)
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("ledgers-en-768x1024.png"), full_page=True)

    await page.select_option("#ledgers-group", "elderly_alone")
    for tab in ("summary", "entries", "pending"):
        await open_tab(page, tab)
        await page.wait_for_selector(f".ledgers__pane--{tab} .panel")
        await page.wait_for_timeout(300)  # the tab's answer drawn
        await no_sideways_scroll(page)
        assert await visible_raw_keys(page) == [], tab
    await page.click(f"{pending_row(residents.other_elder)} .pending-row__register")
    form = await page.inner_text(".register-form")
    assert "Elderly living alone" in form, form
    assert await page.locator("#ledgers-register-officer option").first.inner_text() == "Me (Cw.A)"
    await no_sideways_scroll(page)
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("ledgers-pending-en-768x1024.png"), full_page=True)

    # More to register than a page holds: fifty, then the rest appended once, none twice.
    tagged = await tag_people(clean_db, database_url, residents.elder, "disabled", PAGE + 5)
    await page.select_option("#ledgers-group", "disabled")
    await page.wait_for_selector(
        f".pending[data-group='disabled'][data-count='{PAGE}'][data-total='{PAGE + 5}']"
    )
    first = await pending_ids(page)
    more = page.locator(".pending .load-more")
    assert await more.get_attribute("data-state") == "more"
    assert f"{PAGE} of {PAGE + 5} shown" in await more.inner_text()
    await more.locator(".load-more__btn").click()
    await page.wait_for_selector(f".pending[data-count='{PAGE + 5}']")
    listed = await pending_ids(page)
    assert listed[:PAGE] == first and sorted(listed) == sorted(tagged)
    await more.wait_for(state="hidden")
    assert await more.get_attribute("data-state") == "end"
    await no_sideways_scroll(page)
    assert page.errors == []  # type: ignore[attr-defined]
