"""Case work (个案随访) against the real backend: a case worker sees their overdue high-risk
patient first with its warning, records a visit (a refused next date shown at its field, a double
click and a lost answer each stored once), and the patient is no longer overdue, the warning
is gone and the visit heads the history; a warning raised while the page is open arrives over
the socket without a reload, is taken in hand with a note, and the page holds at 768 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Route

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.early_warning.follow_up_rule import check_follow_ups
from backend.early_warning.store import RuleRun, reopen_lapsed
from backend.followups.policy import FollowUpPolicy
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, Start, screenshot_path
from tests.e2e.browser.helpers import (
    sent_ids,
    toast_says,
    visible_raw_keys,
    wait_connection,
    watch_posts,
)
from tests.e2e.browser.responder_helpers import backend_cipher

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CASE_WORKER = "cw.a"
NOTES = "按时服药，家属配合，情绪平稳"


class Ward(msgspec.Struct, frozen=True, kw_only=True):
    """Patients of community A, each with a known last visit."""

    overdue: str  # 赵高危, grade 4, seen 20 days ago: overdue (the interval is 14 days)
    upcoming: str  # 钱稳定, grade 2, seen 10 days ago: due in about 20 days
    other: str  # 孙待访, grade 3, seen 3 days ago: due in about 11 days


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend, its own early-warning pass held off for an hour: the tests run the rule
    themselves, so each warning is raised when the test says."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


async def _patient(
    conn: Any, cipher: FieldCipher, address: str, name: str, grade: int, seen_days_ago: float
) -> str:
    pid = await create_person(conn, cipher, PersonCreate(name=name, address_id=address))
    await register_patient(conn, cipher, pid, PatientCreate(risk_grade=grade))
    await seen(conn, pid, seen_days_ago)
    return pid


async def seen(conn: Any, patient_id: str, days_ago: float) -> None:
    """Sets the patient's last visit on record ``days_ago`` days back."""
    await conn.execute(
        "UPDATE patients SET last_follow_up_at = $2 WHERE person_id = $1::uuid",
        patient_id,
        datetime.now(UTC) - timedelta(days=days_ago),
    )


@pytest.fixture
async def ward(
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
    make_user: Any,
) -> Ward:
    await make_user(CASE_WORKER, paths.community_a, Role.CASE_WORKER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)  # the backend subprocess's keys: it decrypts names
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        homes = await conn.fetch(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 3",
            paths.community_a,
        )
        assert len(homes) == 3, "the synthetic district has addresses in community A"
        return Ward(
            overdue=await _patient(conn, cipher, homes[0]["id"], "赵高危", 4, 20),
            upcoming=await _patient(conn, cipher, homes[1]["id"], "钱稳定", 2, 10),
            other=await _patient(conn, cipher, homes[2]["id"], "孙待访", 3, 3),
        )


async def join_care_team(base_url: str, *patient_ids: str) -> None:
    """The case worker puts themself on each patient's care team, as a social worker."""
    headers = await login_http(base_url, CASE_WORKER)
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        me = await http.get("/api/me", headers=headers)
        assert me.status_code == 200, me.text
        for pid in patient_ids:
            r = await http.post(
                f"/api/patients/{pid}/care-team",
                json={"user_id": me.json()["id"], "role": "social_worker"},
                headers=headers,
            )
            assert r.status_code == 200, r.text


async def run_warning_rule(pool: PgPool) -> RuleRun:
    """One pass of the follow-up rule, now (as the scheduler runs it)."""
    async with pool.acquire() as conn, conn.transaction():
        run = await check_follow_ups(conn, FollowUpPolicy(), datetime.now(UTC))
    assert not run.skipped, "the backend's own pass is held off: nothing else holds the lock"
    return run


async def warning_ids(pool: PgPool, patient_id: str, state: str) -> list[int]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id FROM early_warnings WHERE subject_id = $1 AND state = $2",
            patient_id,
            state,
        )
    return [r["id"] for r in rows]


async def repeat_calls_warning(pool: PgPool, patient_id: str) -> int:
    """A live repeat-call warning about the patient's address (as ``check_repeat_calls`` would
    raise after three incidents there); returns its id."""
    async with pool.acquire() as conn:
        home = await conn.fetchrow(
            "SELECT p.address_id, p.org_path FROM persons p WHERE p.id = $1::uuid", patient_id
        )
        assert home is not None
        now = datetime.now(UTC)
        calls = {
            "calls": 3,
            "first_at": (now - timedelta(days=9)).isoformat(),
            "last_at": now.isoformat(),
        }
        warning_id: int = await conn.fetchval(
            "INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, details) "
            "VALUES ('repeat_calls', 'address', $1, $2, 'warning', $3) RETURNING id",
            home["address_id"],
            home["org_path"],
            {**calls, "incident_ids": []},
        )
    return warning_id


async def visits_of(pool: PgPool, patient_id: str) -> list[str]:
    """The ids of the patient's stored visits, newest first."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id::text FROM follow_ups WHERE patient_id = $1::uuid "
            "ORDER BY at DESC, recorded_at DESC",
            patient_id,
        )
    return [r["id"] for r in rows]


def row(patient_id: str, extra: str = "") -> str:
    return f".work-row[data-patient-id='{patient_id}']{extra}"


def card(patient_id: str, extra: str = "") -> str:
    return f".warning-card[data-patient-id='{patient_id}']{extra}"


@pytest.mark.timeout(240)
async def test_overdue_patient_first_a_visit_recorded_once_clears_it(
    open_page: Opener, backend: BackendProcess, ward: Ward, clean_db: PgPool
) -> None:
    await join_care_team(backend.base_url, ward.overdue, ward.upcoming)
    run = await run_warning_rule(clean_db)
    assert len(run.raised) == 1, run
    assert await warning_ids(clean_db, ward.overdue, "open") == run.raised

    page = await open_page(CASE_WORKER, "/casework/", width=1440, height=900)
    await wait_connection(page, "live")
    # "Mine" (the user has patients due): the overdue one first, with its warning.
    await page.wait_for_selector(".worklist[data-scope='mine'] .work-row")
    rows = page.locator(".work-row")
    assert await rows.count() == 2
    assert await rows.first.get_attribute("data-patient-id") == ward.overdue
    assert await rows.first.get_attribute("data-state") == "overdue"
    assert (await page.inner_text(row(ward.overdue, " .due-chip"))).startswith("逾期")
    assert await page.inner_text(row(ward.overdue, " .warn-chip")) == "预警"
    assert await page.get_attribute(row(ward.upcoming), "data-state") == "upcoming"
    assert (await page.inner_text(".worklist__overdue")) == "逾期 1"
    await page.wait_for_selector(card(ward.overdue, "[data-state='open']"))

    await page.click(row(ward.overdue, " button"))
    panel = page.locator(f".patient[data-patient-id='{ward.overdue}']")
    await panel.locator(".record__name", has_text="赵高危").wait_for()
    team = await panel.locator(".team-list").inner_text()
    assert "Cw.A" in team and "社工" in team, team
    await panel.locator(".record__history", has_text="暂无随访记录").wait_for()
    assert await page.input_value("#visit-grade") == "4"  # the patient's grade by default
    first_id = await page.get_attribute(".visit-form", "data-visit-id")

    # A next visit later than the rule allows: refused, at that field, named.
    later = (datetime.now() + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    await page.select_option("#visit-kind", "home_visit")
    await page.check("#visit-condition-stable")
    await page.select_option("#visit-medication", "regular")
    await page.fill("#visit-notes", NOTES)
    await page.fill("#visit-next", later)
    await page.click(".visit-form__submit")
    error = page.locator("#visit-next-error[data-code='later_than_rule']")
    await error.wait_for(timeout=15_000)
    assert "下次随访时间" in await error.inner_text()
    assert await visits_of(clean_db, ward.overdue) == []

    # The rule's own date, then a double click: one visit.
    await page.fill("#visit-next", "")
    posts = watch_posts(page, "/follow-ups")
    await page.dblclick(".visit-form__submit")
    await toast_says(page, "已记录随访")
    assert await sent_ids(posts) == {first_id}
    stored = await visits_of(clean_db, ward.overdue)
    assert stored == [first_id], "a double click stored more than one visit"

    first = panel.locator(".visit").first
    await panel.locator(f".visit[data-visit-id='{first_id}']").wait_for(timeout=15_000)
    text = await first.inner_text()
    assert "入户随访" in text and "病情稳定" in text and NOTES in text, text
    # No longer overdue; the warning resolved and gone from the live list.
    await page.wait_for_selector(row(ward.overdue, "[data-state='upcoming']"))
    assert await page.locator(row(ward.overdue, " .warn-chip")).count() == 0
    await page.wait_for_selector(card(ward.overdue), state="detached")
    assert await warning_ids(clean_db, ward.overdue, "resolved") == run.raised
    assert (await page.inner_text(".worklist__overdue")) == "逾期 0"
    assert await page.input_value("#visit-grade") == "4"
    second_id = await page.get_attribute(".visit-form", "data-visit-id")
    assert second_id not in (None, first_id), "a new visit gets a new id"

    # A phone call whose answer is lost on the way back: sent again, stored once.
    async def lose_answer(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        await route.fetch()  # the server stores it ...
        await route.abort("failed")  # ... and the page never hears

    def is_post_target(url: str) -> bool:
        return url.endswith(f"/api/patients/{ward.overdue}/follow-ups")

    await page.route(is_post_target, lose_answer)
    posts = watch_posts(page, "/follow-ups")
    await page.select_option("#visit-kind", "phone")
    await page.check("#visit-condition-basically_stable")
    await page.select_option("#visit-medication", "irregular")
    await page.click(".visit-form__submit")
    await page.wait_for_selector(".visit-form__error[data-code='network']", timeout=15_000)
    await page.unroute(is_post_target, lose_answer)
    await page.click(".visit-form__submit")
    await toast_says(page, "已记录过")
    assert await sent_ids(posts) == {second_id}
    assert sorted(await visits_of(clean_db, ward.overdue)) == sorted([first_id, second_id])
    await panel.locator(".visit").nth(1).wait_for(timeout=15_000)
    assert await panel.locator(".visit").count() == 2

    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("casework-1440x900.png"))
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_a_warning_raised_while_open_arrives_live_and_is_taken_in_hand(
    open_page: Opener, backend: BackendProcess, ward: Ward, clean_db: PgPool
) -> None:
    repeat = await repeat_calls_warning(clean_db, ward.upcoming)
    # On nobody's care team: "mine" is empty, so the page opens on the whole jurisdiction.
    page = await open_page(CASE_WORKER, "/casework/", width=768, height=1024, locale="en")
    await wait_connection(page, "live")
    await page.wait_for_selector(".worklist[data-scope='jurisdiction'] .work-row")
    assert await page.locator(".work-row").count() == 3
    # The one warning so far is about an address: its count, and no patient record to open.
    await page.wait_for_selector(".warnings[data-count='1']")
    calls = page.locator(f".warning-card[data-warning-id='{repeat}']")
    assert "Repeated calls" in await calls.inner_text() and "3 calls" in await calls.inner_text()
    assert await calls.locator(".warning-card__open").is_disabled()
    await page.evaluate("window.__sameDocument = true")

    async with clean_db.acquire() as conn:
        await seen(conn, ward.other, 40)  # grade 3: due after 14 days, now 26 days late
    run = await run_warning_rule(clean_db)
    (raised,) = await warning_ids(clean_db, ward.other, "open")
    assert raised in run.raised

    serious = card(ward.other, "[data-level='serious'][data-state='open']")
    await page.wait_for_selector(serious, timeout=20_000)
    await page.wait_for_selector(row(ward.other, "[data-state='overdue']"))
    assert await page.locator(".work-row").first.get_attribute("data-patient-id") == ward.other
    chip = page.locator(row(ward.other, " .warn-chip"))
    assert await chip.inner_text() == "Warning"
    assert await chip.get_attribute("data-level") == "serious"
    assert await page.evaluate("window.__sameDocument") is True, "the page was reloaded"

    # Taken in hand: a note too short is refused in the dialog, then accepted.
    await page.click(card(ward.other, " .btn"))
    await page.wait_for_selector("dialog.dialog[open]")
    await page.fill("#dlg-note", "x")
    await page.click("dialog.dialog button[type=submit]")
    await page.wait_for_selector("#dlg-note-error[data-code]", timeout=15_000)
    note = "Home visit this afternoon with the community doctor"
    await page.fill("#dlg-note", note)
    await page.click("dialog.dialog button[type=submit]")
    await page.wait_for_selector("dialog.dialog", state="detached", timeout=15_000)
    handled = page.locator(card(ward.other, "[data-state='acknowledged']"))
    await handled.wait_for(timeout=15_000)
    assert "Cw.A" in await handled.inner_text() and note in await handled.inner_text()
    await page.wait_for_selector(row(ward.other, " .warn-chip[data-state='acknowledged']"))
    assert await warning_ids(clean_db, ward.other, "acknowledged") == [raised]

    # Days pass and nothing comes of it: the server opens it again, live, saying who had it.
    async with clean_db.acquire() as conn, conn.transaction():
        later = datetime.now(UTC) + timedelta(days=4)
        assert await reopen_lapsed(conn, later, timedelta(days=3)) == [raised]
    lapsed = page.locator(card(ward.other, "[data-state='open']") + " .warning-card__lapsed")
    await lapsed.wait_for(timeout=20_000)
    assert "not acted on in time" in await lapsed.inner_text()
    assert note in await lapsed.inner_text()

    # The warning opens its patient; one column at 768 px, nothing wider than the screen.
    await page.click(card(ward.other, " .warning-card__open"))
    await page.locator(f".patient[data-patient-id='{ward.other}'] .record__name").wait_for()
    assert await page.inner_text(".record__name") == "孙待访"
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scroll at 768 px"
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("casework-en-768x1024.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
