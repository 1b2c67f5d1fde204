"""The operator console against the real backend: an incident typed in (address autocomplete,
patient and playbook shown) reaches the wall with its countdown, once; recommendations, a manual
assign, a responder's answer over HTTP, notes, priority, release and cancel show in the panel
and the timeline; a stuck step is waived with a reason and the playbook moves on (a waiver
without a reason, or of a step no longer running, is refused and changes nothing); a refused
field shows the server's error; both languages are complete; a hand-over picks a registered
hospital and holds its bed; the subject is identified after intake (a wrong ID number refused at
its field, then the patient registered at the address) and the panel warns that the library
would now choose another playbook."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Page

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.early_warning.follow_up_rule import check_follow_ups
from backend.followups.policy import FollowUpPolicy
from backend.imports.addresses import import_addresses
from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths
from tests.e2e.browser.conftest import Opener, screenshot_path
from tests.e2e.browser.helpers import (
    visible_raw_keys,
    wait_connection,
    wait_map_count,
    wait_map_ready,
)
from tests.e2e.browser.responder_helpers import backend_cipher
from tests.integration.keyplaces.seeding import add_place

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
async def address(clean_db: PgPool, district: Geography, paths: DistrictPaths) -> dict[str, Any]:
    """The district's addresses loaded; one in community A, whose text is unique."""
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        row = await conn.fetchrow(
            "SELECT a.id, a.text, a.lat, a.lon FROM addresses a WHERE a.org_path LIKE $1 || '.%' "
            "AND NOT EXISTS (SELECT 1 FROM addresses b WHERE b.id <> a.id AND b.text LIKE a.text || '%') "
            "ORDER BY a.id LIMIT 1",
            paths.community_a,
        )
    assert row is not None, "the synthetic district has an address in community A"
    return dict(row)


async def bearer(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def live_incidents(base_url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        r = await http.get("/api/incidents?state=live", headers=await bearer(http, "op.d"))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def incident_detail(
    http: httpx.AsyncClient, headers: dict[str, str], incident_id: str
) -> dict[str, Any]:
    r = await http.get(f"/api/incidents/{incident_id}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def running_step_ids(
    http: httpx.AsyncClient, headers: dict[str, str], incident_id: str
) -> list[str]:
    detail = await incident_detail(http, headers, incident_id)
    return [s["id"] for s in detail["running_steps"]]


async def timeline_of(
    http: httpx.AsyncClient, headers: dict[str, str], incident_id: str, kind: str
) -> list[dict[str, Any]]:
    """The incident's log entries of ``kind``, oldest first, as the server has them."""
    r = await http.get(f"/api/incidents/{incident_id}/timeline", headers=headers)
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["kind"] == kind]


async def police_on_duty(
    http: httpx.AsyncClient, make_user: Any, paths: DistrictPaths, lat: float, lon: float
) -> tuple[str, dict[str, str]]:
    """``police.a`` on duty just beside (lat, lon); returns their id and Authorization header."""
    await make_user("admin.d", paths.district, Role.ADMIN)
    user = await make_user(
        "police.a", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
    )
    r = await http.post(
        "/api/responders", json={"user_id": str(user.id)}, headers=await bearer(http, "admin.d")
    )
    assert r.status_code in (200, 201), r.text
    me = await bearer(http, "police.a")
    r = await http.put("/api/responders/me/duty", json={"status": "available"}, headers=me)
    assert r.status_code in (200, 204), r.text
    item = {
        "responder_id": str(user.id),
        "lat": lat + 0.001,
        "lon": lon,
        "accuracy_m": 8,
        "ts": time.time(),
    }
    r = await http.post("/api/positions", json={"items": [item]}, headers=me)
    assert r.status_code == 200 and r.json()["applied"] == 1, r.text
    return str(user.id), me


async def open_console(open_page: Opener, **options: Any) -> Page:
    page = await open_page("op.d", "/console/", **options)
    await wait_map_ready(page)
    await wait_connection(page, "live")
    await wait_map_count(page, "incidents", 0)
    return page


async def type_and_pick_address(page: Page, text: str) -> None:
    """Types the address, waits for the registry's suggestion and picks it with the keyboard."""
    await page.click("#intake-address")
    await page.keyboard.type(text, delay=15)
    option = page.get_by_role("option", name=text, exact=True)
    await option.wait_for(timeout=10_000)
    while await option.get_attribute("aria-selected") != "true":
        await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".intake__place-note[data-mode='address']")
    assert await page.input_value("#intake-address") == text


async def timeline_shows(page: Page, text: str, timeout_s: float = 15) -> None:
    await page.locator(".timeline__item", has_text=text).first.wait_for(timeout=timeout_s * 1000)


async def fill_dialog(page: Page, values: dict[str, str]) -> None:
    await page.wait_for_selector("dialog.dialog[open]")
    for name, value in values.items():
        selector = f"#dlg-{name}"
        if await page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            await page.select_option(selector, value)
        else:
            await page.fill(selector, value)
    await page.click("dialog.dialog button[type=submit]")
    await page.wait_for_selector("dialog.dialog", state="detached", timeout=15_000)


@pytest.mark.timeout(240)
async def test_typed_incident_reaches_the_wall_once_with_its_countdown(
    open_page: Opener, users: None, backend: BackendProcess, address: dict[str, Any]
) -> None:
    wall = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(wall, "live")
    await wait_map_count(wall, "incidents", 0)
    page = await open_console(open_page, motion=False)

    await page.select_option("#intake-kind", "crisis_at_home")
    await type_and_pick_address(page, address["text"])
    # The playbook that will run is shown with its steps before anything is created.
    await page.wait_for_selector(".intake__playbook [data-playbook-id='crisis_at_home']")
    assert await page.locator(".playbook__step").count() >= 3
    await page.dblclick(".intake__submit")

    panel = page.locator(".ipanel[data-incident-id]")
    await panel.wait_for(timeout=15_000)
    incident_id = await panel.get_attribute("data-incident-id")
    await wait_map_count(wall, "incidents", 1)
    row = wall.locator(".incident").first
    assert address["text"] in await row.inner_text()
    # The countdown of the running step (its value is not asserted: only that it is there).
    await wall.locator(".incident__step", has_text="剩余").wait_for(timeout=15_000)
    await page.locator(".ipanel .countdown").wait_for(timeout=15_000)
    await timeline_shows(page, "创建警情")

    await page.wait_for_timeout(1500)  # a second incident, if any, would have arrived by now
    live = await live_incidents(backend.base_url)
    assert [i["id"] for i in live] == [incident_id], "a double submit created more than one"
    assert await wall.locator(".incident").count() == 1
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(300)
async def test_assign_accept_notes_priority_release_cancel(
    open_page: Opener,
    users: None,
    make_user: Any,
    backend: BackendProcess,
    paths: DistrictPaths,
    address: dict[str, Any],
) -> None:
    wall = await open_page("lead.d", "/wall/", motion=False)
    await wait_connection(wall, "live")
    await wait_map_count(wall, "incidents", 0)
    # Without motion: two software-GL maps that pulse would starve a loaded CI machine.
    page = await open_console(open_page, motion=False)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        operator = await bearer(http, "op.d")
        # Opened while nobody is on duty: the playbook offers nobody, the operator will.
        incident_id = await crisis_at_home(http, operator, address, "console-test-assign")
        police_id, police = await police_on_duty(
            http, make_user, paths, address["lat"], address["lon"]
        )

        await page.locator(f".incident[data-incident-id='{incident_id}']").click()
        await page.wait_for_selector(f".ipanel[data-incident-id='{incident_id}'] .ipanel__title")
        await page.click(".recs .chip[data-role='police']")
        rec = page.locator(f".rec[data-responder-id='{police_id}']")
        for _ in range(10):  # the position index may lag the duty switch by a moment
            if await rec.count() > 0:
                break
            await page.click(".recs .ipanel__section-head .btn")
            await page.wait_for_timeout(700)
        await rec.wait_for(timeout=10_000)
        # the server's reasons, in the operator's language (the travel figures stand beside them)
        reasons = (await rec.locator(".rec__reasons").inner_text()).strip()
        assert "具备民警资质" in reasons and "秒前定位" in reasons, reasons
        assert not re.search(r"[A-Za-z]{3,}", reasons), reasons
        # The estimate reads in whole minutes, not to the second.
        eta = re.search(r"约 (.+?) 到达", await rec.inner_text())
        assert eta is not None and re.fullmatch(r"不到 1 分钟|\d+ 分钟|\d+ 小时 \d+ 分", eta[1]), (
            eta
        )
        await rec.locator("button").click()
        await fill_dialog(page, {"reason": "离现场最近"})
        offer = page.locator(".offer[data-state='offered']")
        await offer.wait_for(timeout=15_000)
        assert "Police.A" in await offer.inner_text()

        # The responder accepts from their own client, and ticks a checklist item.
        (mine,) = (await http.get("/api/assignments/mine", headers=police)).json()
        r = await http.post(f"/api/assignments/{mine['id']}/accept", headers=police)
        assert r.status_code == 200, r.text
        await page.locator(".offer[data-state='accepted']").wait_for(timeout=15_000)
        await page.locator(".state-chip[data-state='responding']").wait_for(timeout=15_000)
        await wall.locator(".incident__step", has_text="处置力量赶赴").wait_for(timeout=15_000)
        r = await http.post(
            f"/api/assignments/{mine['id']}/checklist",
            json={"item": "on_scene.scene_safe"},
            headers=police,
        )
        assert r.status_code == 200, r.text
        await timeline_shows(page, "现场安全")

        await page.fill("#note-text", "家属称患者情绪稳定")
        await page.click(".note-form button[type=submit]")
        await timeline_shows(page, "家属称患者情绪稳定")

        await page.click(".ipanel__actions >> text=调整优先级")
        await fill_dialog(page, {"priority": "1", "reason": "家属再次来电"})
        await timeline_shows(page, "家属再次来电")
        await page.locator(".prio[data-priority='1']").wait_for()

        await page.wait_for_timeout(1000)
        await page.screenshot(path=screenshot_path("console-incident-1920x1080.png"))
        assert await visible_raw_keys(page) == []

        await page.locator(".offer[data-state='accepted'] button").click()
        await fill_dialog(page, {"reason": "改派其他警力"})
        await timeline_shows(page, "改派其他警力")
        await page.locator(".offer[data-state='released']").wait_for(timeout=15_000)
        # Ended offers sit in their own fold, open here because nobody is working any more.
        assert await page.locator(".offers-ended[open] .offer").count() == 1
        assert await page.inner_text(".offers-ended__summary") == "已结束的派单（1）"

        await page.click(".ipanel__actions >> text=撤销警情")
        await fill_dialog(page, {"reason": "报警人撤回"})
        await timeline_shows(page, "报警人撤回")
        await wait_map_count(wall, "incidents", 0)
        await page.locator(".state-chip[data-state='cancelled']").wait_for(timeout=15_000)
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.timeout(240)
async def test_refused_input_shows_the_server_field_error_in_english(
    open_page: Opener, users: None, backend: BackendProcess, address: dict[str, Any]
) -> None:
    page = await open_console(open_page, locale="en", motion=False)
    await page.wait_for_selector(".intake__playbook [data-playbook-id]")
    await page.click(".intake__submit")  # no place at all
    error = page.locator("#intake-address-error")
    await error.wait_for(timeout=10_000)
    assert "Refused by the server" in await error.inner_text()
    assert "The request is not valid (field: Place)" in await error.inner_text()
    assert await page.get_attribute("#intake-address", "aria-invalid") == "true"
    assert await live_incidents(backend.base_url) == []

    # Now a real one, to see the whole panel in English.
    await type_and_pick_address(page, address["text"])
    await page.click(".intake__submit")
    await page.locator(".ipanel .countdown").wait_for(timeout=15_000)
    await timeline_shows(page, "Incident created")
    await page.wait_for_timeout(1000)
    await page.screenshot(path=screenshot_path("console-incident-en-1920x1080.png"))
    assert await visible_raw_keys(page) == []
    assert len(await live_incidents(backend.base_url)) == 1
    assert page.errors == []  # type: ignore[attr-defined]


async def crisis_at_home(
    http: httpx.AsyncClient, operator: dict[str, str], address: dict[str, Any], key: str
) -> str:
    """A priority-2 crisis at home opened through the API at ``address``; returns its id."""
    r = await http.post(
        "/api/incidents",
        json={"kind": "crisis_at_home", "priority": 2, "place": {"address_id": address["id"]}},
        headers={**operator, "Idempotency-Key": key},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["incident"]["summary"]["id"])


async def test_refused_input_shows_the_reason_and_the_field_in_chinese(
    open_page: Opener, users: None, backend: BackendProcess
) -> None:
    page = await open_console(open_page, motion=False)  # zh-CN, the default
    await page.wait_for_selector(".intake__playbook [data-playbook-id]")
    await page.click(".intake__submit")  # no place at all: bad_request at "place"
    error = page.locator("#intake-address-error[data-code='bad_request']")
    await error.wait_for(timeout=10_000)
    # The code's text and the field's name from the tables; the server's English only in the
    # tooltip, for the technician.
    assert await error.inner_text() == "服务器拒绝：请求内容不正确（字段：地点）"
    title = await error.get_attribute("title") or ""
    assert title.startswith("bad_request: "), title
    assert "give exactly one of" in title, title
    assert await page.get_attribute("#intake-address", "aria-invalid") == "true"
    assert await live_incidents(backend.base_url) == []
    assert page.errors == []  # type: ignore[attr-defined]


WAIVE_REASON = "社区医生与社工均联系不上；民警已电话处置"


@pytest.mark.timeout(240)
async def test_a_stuck_step_is_waived_with_a_reason_and_the_playbook_moves_on(
    open_page: Opener, users: None, backend: BackendProcess, address: dict[str, Any]
) -> None:
    page = await open_console(open_page, motion=False)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        operator = await bearer(http, "op.d")
        # Nobody is on duty: the handling team can never be alerted, the step is stuck.
        incident_id = await crisis_at_home(http, operator, address, "console-test-waive")
        stuck = (await incident_detail(http, operator, incident_id))["running_steps"]
        assert [(s["id"], s["waivable"]) for s in stuck] == [("alert_team", True)]

        await page.locator(f".incident[data-incident-id='{incident_id}']").click()
        panel = page.locator(f".ipanel[data-incident-id='{incident_id}']")
        await panel.locator(".ipanel__step-title[data-step-id='alert_team']").wait_for(
            timeout=15_000
        )
        waive = panel.locator(".ipanel__actions [data-waive-step='alert_team']")
        assert await waive.inner_text() == "豁免步骤：调度处置小组"
        await waive.click()

        # No reason: refused at the reason field in the operator's words; the dialog stays open.
        await page.wait_for_selector("dialog.dialog[open]")
        await page.click("dialog.dialog button[type=submit]")
        error = page.locator("#dlg-reason-error[data-code='invalid']")
        await error.wait_for(timeout=10_000)
        assert await error.inner_text() == "服务器拒绝：内容缺失或格式不正确（字段：原因）"
        title = await error.get_attribute("title") or ""
        assert title.startswith("invalid: reason"), title  # the server's own words
        assert await page.get_attribute("#dlg-reason", "aria-invalid") == "true"
        assert await page.locator("dialog.dialog[open]").count() == 1
        assert await running_step_ids(http, operator, incident_id) == ["alert_team"]
        assert await timeline_of(http, operator, incident_id, "step.waived") == []
        assert await timeline_of(http, operator, incident_id, "step_waived") == []

        await fill_dialog(page, {"reason": WAIVE_REASON})
        waived_line = panel.locator(".timeline__item[data-kind='step.waived']")
        await waived_line.wait_for(timeout=15_000)
        assert await waived_line.locator(".timeline__text").inner_text() == (
            f"步骤已豁免：调度处置小组——{WAIVE_REASON}"
        )
        await panel.locator(".timeline__item[data-kind='step_waived']").wait_for(timeout=15_000)
        # The playbook moved on to the next step, with its own countdown; alert_team is gone.
        next_step = panel.locator(".ipanel__step-title[data-step-id='wait_arrivals']")
        await next_step.wait_for(timeout=15_000)
        assert await next_step.inner_text() == "等待到场"
        assert "剩余" in await panel.locator(".ipanel__step .countdown").inner_text()
        assert await panel.locator("[data-waive-step='alert_team']").count() == 0

        # The server has the same record: the waiver with its reason, and the run past it.
        assert await running_step_ids(http, operator, incident_id) == ["wait_arrivals"]
        (waived,) = await timeline_of(http, operator, incident_id, "step.waived")
        assert waived["data"] == {"step_id": "alert_team", "reason": WAIVE_REASON}
        (engine,) = await timeline_of(http, operator, incident_id, "step_waived")
        assert (engine["data"]["step_id"], engine["data"]["by"]) == ("alert_team", "op.d")

        # A step waived elsewhere while the dialog is open: refused by name, nothing doubled.
        await panel.locator(".ipanel__actions [data-waive-step='wait_arrivals']").click()
        await page.wait_for_selector("dialog.dialog[open]")
        await page.fill("#dlg-reason", "等待到场超时，患者已由家属送医")
        r = await http.post(
            f"/api/incidents/{incident_id}/steps/wait_arrivals/waive",
            json={"reason": "另一席位已豁免此步骤"},
            headers=operator,
        )
        assert r.status_code == 200, r.text
        await page.click("dialog.dialog button[type=submit]")
        stale = page.locator("dialog.dialog .dialog__error[data-code='step_not_running']")
        await stale.wait_for(timeout=10_000)
        assert await stale.inner_text() == "“等待到场”已不在进行中，未作豁免"
        await page.click("dialog.dialog button.btn--ghost")
        await page.wait_for_selector("dialog.dialog", state="detached")
        reasons = [e["data"] for e in await timeline_of(http, operator, incident_id, "step.waived")]
        assert reasons == [
            {"step_id": "alert_team", "reason": WAIVE_REASON},
            {"step_id": "wait_arrivals", "reason": "另一席位已豁免此步骤"},
        ]
    assert await visible_raw_keys(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


async def test_a_hand_over_picks_a_registered_hospital_and_holds_its_bed(
    open_page: Opener,
    users: None,
    backend: BackendProcess,
    address: dict[str, Any],
    clean_db: PgPool,
    paths: DistrictPaths,
) -> None:
    async with clean_db.acquire() as conn:
        lat, lon = address["lat"], address["lon"]
        await add_place(
            conn, "H-G1", "hospital", "坪山区人民医院", lat, lon + 0.01, paths.grid_a, capacity=5
        )
        await add_place(
            conn,
            "H-P1",
            "hospital",
            "坪山区第三人民医院",
            lat + 0.01,
            lon,
            paths.grid_a,
            capacity=2,
            psychiatric=True,
        )
    page = await open_console(open_page, motion=False)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        operator = await bearer(http, "op.d")
        incident_id = await crisis_at_home(http, operator, address, "console-test-handover")
        await page.locator(f".incident[data-incident-id='{incident_id}']").click()
        panel = page.locator(f".ipanel[data-incident-id='{incident_id}']")
        await panel.locator(".ipanel__actions button", has_text="移交医院").click()
        await page.wait_for_selector("dialog.dialog[open]")
        # the loading line shown after the click is gone once the list is there
        assert await panel.locator("[data-loading='hospitals']").count() == 0
        # the psychiatric hospital leads, each with its free beds
        options = await page.locator("#dlg-hospital_id option").all_inner_texts()
        assert options == ["坪山区第三人民医院 · 空床 2/2", "坪山区人民医院 · 空床 5/5"]
        await fill_dialog(page, {"hospital_id": "H-P1"})

        await timeline_shows(page, "已移交医院：坪山区第三人民医院")
        (handover,) = await timeline_of(http, operator, incident_id, "handover_confirmed")
        assert handover["data"]["hospital"] == "坪山区第三人民医院"
        r = await http.get("/api/map/key-places?kind=hospital", headers=operator)
        beds = {p["id"]: (p["in_use"], p["free"]) for p in r.json()["items"]}
        assert beds == {"H-P1": (1, 1), "H-G1": (0, 5)}


async def test_the_subject_is_identified_after_intake_and_the_panel_warns_of_a_better_playbook(
    open_page: Opener,
    users: None,
    backend: BackendProcess,
    address: dict[str, Any],
    clean_db: PgPool,
    database_url: str,
) -> None:
    cipher = backend_cipher(database_url)
    async with clean_db.acquire() as conn:
        person = await create_person(
            conn,
            cipher,
            PersonCreate(name="钱高危", address_id=address["id"], id_number="440310198805120016"),
        )
        await register_patient(
            conn, cipher, person, PatientCreate(risk_grade=4, guardian_phone="13900001111")
        )
        # ... whose follow-up is overdue: the case workers' warning is live (the backend's own
        # pass may raise it first; either way there is one)
        await conn.execute(
            "UPDATE patients SET last_follow_up_at = now() - interval '20 days' "
            "WHERE person_id = $1::uuid",
            person,
        )
        async with conn.transaction():
            await check_follow_ups(conn, FollowUpPolicy(), datetime.now(UTC))
    page = await open_console(open_page, motion=False)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=20) as http:
        operator = await bearer(http, "op.d")
        # a neighbour called from this address an hour ago too (cancelled as a false alarm)
        earlier = await crisis_at_home(http, operator, address, "console-test-identify-0")
        r = await http.post(
            f"/api/incidents/{earlier}/cancel", json={"reason": "误报，邻居听错"}, headers=operator
        )
        assert r.status_code == 204, r.text
        incident_id = await crisis_at_home(http, operator, address, "console-test-identify")
        await page.locator(f".incident[data-incident-id='{incident_id}']").click()
        panel = page.locator(f".ipanel[data-incident-id='{incident_id}']")
        await panel.locator(".ipanel__subject", has_text="当事人未确认").wait_for()
        row_flag = page.locator(
            f".incident[data-incident-id='{incident_id}'] .incident__flag--repeat"
        )
        assert await row_flag.inner_text() == "重复报警"
        history = panel.locator(".ipanel__history[data-earlier='1']")
        assert "此处30天内第 2 次报警" in await history.inner_text()
        assert "已撤销" in await history.inner_text()
        await panel.locator(".ipanel__actions button", has_text="确认当事人").click()
        await page.wait_for_selector("dialog.dialog[open]")
        assert await panel.locator("[data-loading='patients']").count() == 0
        # the patient registered at the address is offered, and chosen by default
        options = await page.locator("#dlg-patient_id option").all_inner_texts()
        assert options[1:] == ["钱** · 风险等级 4 级"]
        assert await page.input_value("#dlg-patient_id") == person

        # An ID number nobody in the jurisdiction has: refused at its field, nothing linked.
        await page.fill("#dlg-id_number", "440310199912310099")
        await page.click("dialog.dialog button[type=submit]")
        error = page.locator("#dlg-id_number-error[data-code='unknown_patient']")
        await error.wait_for(timeout=10_000)
        assert "身份证号" in await error.inner_text()
        assert (await incident_detail(http, operator, incident_id))["patient_id"] is None

        # A phone nobody has: refused at the phone field.
        await page.fill("#dlg-id_number", "")
        await page.fill("#dlg-phone", "13811112222")
        await page.click("dialog.dialog button[type=submit]")
        error = page.locator("#dlg-phone-error[data-code='unknown_patient']")
        await error.wait_for(timeout=10_000)
        assert "电话" in await error.inner_text()
        assert (await incident_detail(http, operator, incident_id))["patient_id"] is None

        # Both keys at once could name two people: refused before any lookup.
        await page.fill("#dlg-id_number", "440310198805120016")
        await page.click("dialog.dialog button[type=submit]")
        error = page.locator("#dlg-phone-error[data-code='one_key']")
        await error.wait_for(timeout=10_000)
        assert "只填一项" in await error.inner_text()
        assert (await incident_detail(http, operator, incident_id))["patient_id"] is None

        # The number the call came from is the guardian's: that finds the patient, with no pick.
        await page.fill("#dlg-id_number", "")
        await page.select_option("#dlg-patient_id", "")
        await page.fill("#dlg-phone", "139 0000 1111")
        await page.click("dialog.dialog button[type=submit]")
        await page.wait_for_selector("dialog.dialog", state="detached", timeout=15_000)

        await timeline_shows(page, "已确认当事人（登记患者）")
        subject = panel.locator(".ipanel__subject-line[data-patient-id]")
        await subject.wait_for(timeout=10_000)
        assert "风险等级 4 级" in await subject.inner_text()
        # the operator sees that the crisis was foreseen: the follow-up was overdue
        foreseen = panel.locator(".ipanel__warnings [data-rule='follow_up_overdue']")
        await foreseen.wait_for(timeout=10_000)
        assert "随访逾期" in await foreseen.inner_text()
        warning = panel.locator(".ipanel__warning[data-suggested='public_safety_high_risk']")
        await warning.wait_for(timeout=10_000)
        assert "肇事肇祸·高风险" in await warning.inner_text()
        assert (await incident_detail(http, operator, incident_id))["patient_id"] == person

        # One click from the warning: the suggested playbook is chosen and the reason written.
        await warning.locator("button[data-switch-to]").click()
        await page.wait_for_selector("dialog.dialog[open]")
        assert await page.input_value("#dlg-playbook_id") == "public_safety_high_risk"
        options = await page.locator("#dlg-playbook_id option").all_inner_texts()
        assert "肇事肇祸·高风险" in " ".join(options) and len(options) >= 2
        assert "肇事肇祸·高风险" in await page.input_value("#dlg-reason")
        await page.click("dialog.dialog button[type=submit]")
        await page.wait_for_selector("dialog.dialog", state="detached", timeout=15_000)
        # both playbooks by their titles, the one no longer running fetched for the purpose
        await timeline_shows(page, "预案由「患者在家发病·家属求助」切换为「肇事肇祸·高风险")
        # the new playbook's steps are named (once its words arrive), never left as ids
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.timeline__item')]"
            ".every((e) => !e.textContent.includes('alert_police'))",
            timeout=10_000,
        )
        await timeline_shows(page, "开始步骤：公安先行（至少两名民警）")
        await warning.wait_for(state="detached", timeout=10_000)  # it runs now: nothing to suggest
        detail = await incident_detail(http, operator, incident_id)
        assert detail["summary"]["playbook_id"] == "public_safety_high_risk"
    assert page.errors == []  # type: ignore[attr-defined]
