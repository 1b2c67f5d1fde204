"""Early warnings on the leader view and the wall, against the real backend: the leader's 预警
tab (its badge while hidden, the per-street table with serious units first, a unit filtering
the list, taking a warning in hand as the case workers see it, warnings raised and resolved
while the page is open, no patient names and no patient records), a community leader elsewhere
seeing none of them, and the wall's header figure (live, and absent without ``patient:read``).

The backend's own rule pass is held off: the tests run it when they want a warning raised."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page, Request

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.imports.addresses import import_addresses
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, Start, screenshot_path
from tests.e2e.browser.helpers import visible_raw_keys, wait_connection
from tests.e2e.browser.responder_helpers import backend_cipher
from tests.e2e.browser.test_casework import (
    repeat_calls_warning,
    run_warning_rule,
    seen,
    warning_ids,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LEADER = "lead.d"  # district leader: display name "Lead.D"
CASE_WORKER = "cw.a"  # case worker of community A
NAMES = ("甲逾期", "乙严重", "丙逾期", "丁平稳", "戊平稳")
TAB = ".tabs__btn[data-tab='warnings']"


class Patients(msgspec.Struct, frozen=True, kw_only=True):
    """High-risk patients in community A (street A) and community B (street B)."""

    a_late: str  # grade 4, seen 18 days ago: 4 days overdue, a warning
    a_serious: str  # grade 3, seen 40 days ago: 26 days overdue, serious
    b_late: str  # grade 4, seen 17 days ago: 3 days overdue, a warning
    b_calm: str  # grade 3, seen 3 days ago: not due yet
    a_calm: str  # grade 3, seen 2 days ago: not due yet


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend with its own early-warning pass held off for an hour."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


@pytest.fixture
async def patients(
    backend: BackendProcess,
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
    make_user: Any,
) -> Patients:
    """The users, the patients, and the warnings of one rule pass plus a repeat-call warning in
    community B: open 4 (3 overdue follow-ups, 1 repeat calls), serious 1. The backend starts
    first, so its own first pass (if any) finds nobody."""
    del backend
    await make_user(LEADER, paths.district, Role.DISTRICT_LEADER)
    await make_user(CASE_WORKER, paths.community_a, Role.CASE_WORKER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)
    made: dict[str, str] = {}
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        plan = (
            ("a_late", paths.community_a, 4, 18),
            ("a_serious", paths.community_a, 3, 40),
            ("b_late", paths.community_b, 4, 17),
            ("b_calm", paths.community_b, 3, 3),
            ("a_calm", paths.community_a, 3, 2),
        )
        for n, (key, community, grade, days) in enumerate(plan):
            home = await conn.fetchval(
                "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id OFFSET $2",
                community,
                n,
            )
            assert home is not None, f"the synthetic district has addresses in {community}"
            pid = await create_person(conn, cipher, PersonCreate(name=NAMES[n], address_id=home))
            await register_patient(conn, cipher, pid, PatientCreate(risk_grade=grade))
            await seen(conn, pid, days)
            made[key] = pid
    ward = Patients(**made)
    run = await run_warning_rule(clean_db)
    assert len(run.raised) == 3, run
    await repeat_calls_warning(clean_db, ward.b_late)
    return ward


async def raise_after(pool: PgPool, patient_id: str, days_ago: float) -> None:
    """The patient was last seen ``days_ago`` days back; the rule's pass then runs."""
    async with pool.acquire() as conn:
        await seen(conn, patient_id, days_ago)
    await run_warning_rule(pool)


async def units_shown(page: Page, level: str) -> list[dict[str, Any]]:
    """The rows of the per-unit table at ``level``, in order."""
    await page.wait_for_selector(f".lwarn__units[data-level='{level}'] .lwarn__unit")
    return await page.eval_on_selector_all(
        ".lwarn__units .lwarn__unit",
        """rows => rows.map(r => ({path: r.dataset.path, open: +r.dataset.open,
            acknowledged: +r.dataset.acknowledged, serious: +r.dataset.serious,
            highlighted: r.classList.contains('is-serious')}))""",
    )


async def card_paths(page: Page) -> list[str]:
    return await page.eval_on_selector_all(
        ".lwarn__list:not(.lwarn__list--resolved) .warning-card",
        "cs => cs.map(c => c.dataset.orgPath)",
    )


def live_card(patient_id: str, extra: str = "") -> str:
    return f".lwarn__list:not(.lwarn__list--resolved) .warning-card[data-patient-id='{patient_id}']{extra}"


async def badge_says(page: Page, count: int, serious: int) -> None:
    await page.wait_for_selector(
        f"{TAB} .tabs__badge[data-count='{count}'][data-serious='{serious}']", timeout=20_000
    )


def watch_patient_reads(page: Page) -> list[str]:
    """Every request the page makes from now on for a patient's record."""
    reads: list[str] = []

    def note(request: Request) -> None:
        if "/api/patients" in request.url:
            reads.append(request.url)

    page.on("request", note)
    return reads


@pytest.mark.timeout(300)
async def test_the_leaders_warnings_tab(
    open_page: Opener,
    backend: BackendProcess,
    patients: Patients,
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
) -> None:
    page = await open_page(LEADER, "/leader/", motion=False)
    reads = watch_patient_reads(page)
    await wait_connection(page, "live")
    # The badge is there before anyone opens the tab: 4 live, 1 serious.
    await badge_says(page, 4, 1)
    assert await page.is_hidden(".leader__pane[data-pane='warnings']")

    await page.click(TAB)
    await page.wait_for_selector(".lwarn[data-loaded='true'] .lwarn__list[data-count='4']")
    for kind, value in (("open", 4), ("acknowledged", 0), ("serious", 1)):
        await page.wait_for_selector(f".lwarn__total[data-kind='{kind}'][data-value='{value}']")
    assert await page.locator(".lwarn__total.is-alarm").get_attribute("data-kind") == "serious"
    # A district leader counts by street first: every street, the serious one first.
    assert await page.get_attribute(".seg__btn[data-level='street']", "aria-pressed") == "true"
    rows = await units_shown(page, "street")
    streets = sorted(p for p, u in district.units.items() if u.level == "street")
    assert sorted(r["path"] for r in rows) == streets
    a = {"path": paths.street_a, "open": 2, "acknowledged": 0, "serious": 1, "highlighted": True}
    b = {"path": paths.street_b, "open": 2, "acknowledged": 0, "serious": 0, "highlighted": False}
    assert rows[:2] == [a, b], rows
    assert all(r["open"] + r["acknowledged"] + r["serious"] == 0 for r in rows[2:]), rows
    # Follow-up coverage: street A sees 1 of its 3 high-risk patients on time, B 1 of 2.
    street_a = page.locator(f".lwarn__unit[data-path='{paths.street_a}']")
    assert await street_a.get_attribute("data-high-risk") == "3"
    assert await street_a.get_attribute("data-overdue") == "2"
    assert await street_a.locator(".lwarn__unit-ontime").inner_text() == "33%（3）"
    street_b = page.locator(f".lwarn__unit[data-path='{paths.street_b}'] .lwarn__unit-ontime")
    assert await street_b.inner_text() == "50%（2）"
    # The list: serious first, how late, the repeat calls counted; no names anywhere.
    first = page.locator(".lwarn__list .warning-card").first
    assert await first.get_attribute("data-patient-id") == patients.a_serious
    assert "逾期 26 天" in await first.inner_text()
    calls = page.locator(".lwarn__list .warning-card[data-rule='repeat_calls']")
    assert "报警 3 次" in await calls.inner_text()
    pane = await page.inner_text(".leader__pane[data-pane='warnings']")
    assert not [n for n in NAMES if n in pane], pane

    # A unit picks its warnings; picked again, all come back.
    await page.click(f".lwarn__unit[data-path='{paths.street_b}']")
    await page.wait_for_selector(
        f".lwarn[data-filter='{paths.street_b}'] .lwarn__list[data-count='2']"
    )
    assert all(p.startswith(f"{paths.street_b}.") for p in await card_paths(page))
    await page.click(f".lwarn__unit[data-path='{paths.street_b}']")
    await page.wait_for_selector(".lwarn[data-filter=''] .lwarn__list[data-count='4']")

    # Taken in hand from here: the card, the totals, and what the case worker's page reads.
    note = "已安排社区医生今天下午入户"
    await page.click(live_card(patients.a_late, " .warning-card__take"))
    await page.fill("#dlg-note", note)
    await page.click("dialog.dialog button[type=submit]")
    await page.wait_for_selector("dialog.dialog", state="detached", timeout=15_000)
    handled = page.locator(live_card(patients.a_late, "[data-state='acknowledged']"))
    await handled.wait_for(timeout=15_000)
    assert "Lead.D" in await handled.inner_text() and note in await handled.inner_text()
    await page.wait_for_selector(".lwarn__total[data-kind='acknowledged'][data-value='1']")
    await page.wait_for_selector(
        f".lwarn__unit[data-path='{paths.street_a}'][data-acknowledged='1']"
    )
    await badge_says(page, 4, 1)  # in hand is still live
    (acknowledged,) = await warning_ids(clean_db, patients.a_late, "acknowledged")
    headers = await login_http(backend.base_url, CASE_WORKER)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        r = await http.get("/api/warnings", params={"state": "live"}, headers=headers)
    assert r.status_code == 200, r.text
    seen_by_worker = {w["id"]: w for w in r.json()["items"]}
    assert seen_by_worker[acknowledged]["state"] == "acknowledged"
    assert seen_by_worker[acknowledged]["acknowledged_by_name"] == "Lead.D"
    assert seen_by_worker[acknowledged]["ack_note"] == note

    # Raised while the tab is open: there without a reload, and counted.
    await page.evaluate("window.__sameDocument = true")
    await raise_after(clean_db, patients.b_calm, 40)
    await page.wait_for_selector(
        live_card(patients.b_calm, "[data-level='serious']"), timeout=20_000
    )
    await badge_says(page, 5, 2)
    await page.wait_for_selector(f".lwarn__unit[data-path='{paths.street_b}'][data-serious='1']")
    # Raised while another tab is shown: the badge follows, the list catches up when shown.
    await page.click(".tabs__btn[data-tab='trends']")
    await raise_after(clean_db, patients.a_calm, 16)
    await badge_says(page, 6, 2)
    await page.click(TAB)
    await page.wait_for_selector(live_card(patients.a_calm, "[data-state='open']"), timeout=15_000)
    # Resolved (seen yesterday): off the live list, and shown with the resolution on demand.
    await raise_after(clean_db, patients.b_late, 1)
    await page.wait_for_selector(live_card(patients.b_late), state="detached", timeout=20_000)
    await page.click(".lwarn__toggle")
    resolved = page.locator(
        f".lwarn__list--resolved .warning-card[data-patient-id='{patients.b_late}'][data-state='resolved']"
    )
    await resolved.wait_for(timeout=15_000)
    assert "已不再逾期" in await resolved.inner_text()
    assert await page.evaluate("window.__sameDocument") is True, "the page was reloaded"

    # One level down: the communities, community A with what is left there.
    await page.click(".seg__btn[data-level='community']")
    rows = await units_shown(page, "community")
    row_a = next(r for r in rows if r["path"] == paths.community_a)
    assert (row_a["open"], row_a["acknowledged"], row_a["serious"]) == (2, 1, 1), row_a
    assert rows[0]["serious"] > 0 and all(r["path"].startswith(f"{paths.district}.") for r in rows)

    assert reads == [], f"the leader's warnings tab read patient records: {reads}"
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("leader-warnings-1920x1080.png"))
    await page.click(".lang__btn >> text=EN")
    await page.wait_for_selector(f"{TAB} >> text=Warnings")
    assert "No longer overdue" in await resolved.inner_text()
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("leader-warnings-en-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]


async def test_a_community_leader_elsewhere_sees_none_of_them(
    open_page: Opener,
    backend: BackendProcess,
    patients: Patients,
    district: Geography,
    paths: DistrictPaths,
    make_user: Any,
) -> None:
    other = sorted(
        p
        for p, u in district.units.items()
        if u.level == "community" and p not in (paths.community_a, paths.community_b)
    )[0]
    await make_user("lead.cx", other, Role.COMMUNITY_LEADER)
    page = await open_page("lead.cx", "/leader/", motion=False)
    await wait_connection(page, "live")
    await badge_says(page, 0, 0)
    await page.click(TAB)
    await page.wait_for_selector(
        ".lwarn[data-loaded='true'] .lwarn__list[data-count='0']", state="attached"
    )
    assert await page.inner_text(".lwarn__list-box") == "辖区内当前没有预警"
    await page.wait_for_selector(".lwarn__total[data-kind='open'][data-value='0']")
    # A community leader counts by grid, the only level below: their own grids, all quiet.
    levels = await page.eval_on_selector_all(
        ".lwarn .seg__btn", "bs => bs.map(b => b.dataset.level)"
    )
    assert levels == ["grid"]
    rows = await units_shown(page, "grid")
    assert rows and all(r["path"].startswith(f"{other}.") for r in rows), rows
    assert all(r["open"] + r["acknowledged"] + r["serious"] == 0 for r in rows), rows
    assert await page.locator(".warning-card").count() == 0
    headers = await login_http(backend.base_url, "lead.cx")
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        r = await http.get("/api/warnings", params={"state": "live"}, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["items"], r.json()["open"], r.json()["serious"]) == ([], 0, 0)
    assert page.errors == []  # type: ignore[attr-defined]


async def figure_says(page: Page, warnings: int, serious: int) -> None:
    await page.wait_for_selector(
        f".wall-warnings[data-warnings='{warnings}'][data-serious='{serious}']", timeout=20_000
    )


@pytest.mark.timeout(180)
async def test_the_walls_warning_figure(
    open_page: Opener, patients: Patients, clean_db: PgPool
) -> None:
    page = await open_page(LEADER, "/wall/", motion=False)
    await wait_connection(page, "live")
    await figure_says(page, 4, 1)
    figure = page.locator(".wall-warnings")
    assert "is-alarm" in (await figure.get_attribute("class") or "")
    text = " ".join((await figure.inner_text()).split())
    assert text == "预警 4 · 严重 1", text
    # Raised while the wall is up: the figure follows the socket, without waiting for the minute.
    await raise_after(clean_db, patients.b_calm, 40)
    await figure_says(page, 5, 2)
    # Readable, and clear of the jurisdiction and the clock beside it.
    box = await figure.bounding_box()
    assert box is not None
    size = await figure.locator(".wall-warnings__value").first.evaluate(
        "n => parseFloat(getComputedStyle(n).fontSize)"
    )
    assert size >= 28, f"the figures are {size} px high at 1920x1080"
    for neighbour in (".wall-header__jurisdiction", ".wall-header .clock"):
        other = await page.locator(neighbour).bounding_box()
        assert other is not None
        apart = box["x"] >= other["x"] + other["width"] or other["x"] >= box["x"] + box["width"]
        assert apart, f"the warning figure overlaps {neighbour}: {box} {other}"
    assert box["x"] + box["width"] <= 1920
    await page.wait_for_timeout(1000)
    await page.screenshot(path=screenshot_path("wall-warnings-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]


async def test_no_figure_for_a_wall_user_without_patient_read(
    open_page: Opener, backend: BackendProcess, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("admin.w", paths.district, Role.ADMIN)
    page = await open_page("admin.w", "/wall/", motion=False)
    await wait_connection(page, "live")
    await page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.includes('/api/warnings'))"
    )
    await page.wait_for_selector(".wall-warnings", state="detached", timeout=10_000)
    assert await page.locator(".field__error").count() == 0
    assert page.errors == []  # type: ignore[attr-defined]
