"""The leader view's governance overview (治理概览) against the real backend: a street leader's
table of its communities with an overdue ledger check ("<5": people are counted), a red rental
house and a high-risk dispute registered while the tab is open (its warning event refreshes the
table), the most urgent community first, the street's total, and the services' headers linking
to their pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import pytest
from playwright.async_api import Locator, Page

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.imports.addresses import import_addresses
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.browser.conftest import Opener, Start, screenshot_path
from tests.e2e.browser.helpers import visible_raw_keys, wait_connection
from tests.e2e.browser.responder_helpers import backend_cipher

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LEADER = "lead.s"  # street A's leader: the table lists its communities
CASE_WORKER = "cw.a"  # community A's case worker: keeps the ledger, registers disputes
TAB = ".tabs__btn[data-tab='governance']"


class Community(msgspec.Struct, frozen=True, kw_only=True):
    """Community A before the test acts: a red rental house and a resident to register."""

    address_id: str  # where the house stands and the dispute happens
    resident: str  # an elderly person living alone, tagged by the block data


@pytest.fixture
async def backend(isolated_backend: Start, built_frontend: Any) -> BackendProcess:
    """The backend, its early-warning pass held off for an hour: no rule raises a warning
    behind the test's back (the dispute's high-risk warning comes with its registration)."""
    del built_frontend
    return isolated_backend(PINGAN_WARNING_CHECK_S="3600")


@pytest.fixture
async def community(
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    database_url: str,
    make_user: Any,
) -> Community:
    await make_user(LEADER, paths.street_a, Role.STREET_LEADER)
    await make_user(CASE_WORKER, paths.community_a, Role.CASE_WORKER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)  # the backend subprocess's keys
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        at = await conn.fetchrow(
            "SELECT id, org_path FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        assert at is not None, "the synthetic district has addresses in community A"
        await conn.execute(
            "INSERT INTO buildings (id, address_id, use, org_path) "
            "VALUES ('BG-1', $1, 'village', $2)",
            at["id"],
            at["org_path"],
        )
        await conn.execute(
            "INSERT INTO houses (id, building_id, address_id, floor, area_m2, use, is_rental, "
            "rental_grade, org_path) "
            "VALUES ('GH-1', 'BG-1', $1, 2, 30, 'residence', true, 'red', $2)",
            at["id"],
            at["org_path"],
        )
        person = PersonCreate(
            name="钱独居", address_id=at["id"], tags=["elderly_alone"], birth_year=1938
        )
        resident = await create_person(conn, cipher, person)
    return Community(address_id=at["id"], resident=resident)


async def post_as(base_url: str, username: str, path: str, body: dict[str, Any]) -> Any:
    headers = await login_http(base_url, username)
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        r = await http.post(path, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def cell(row: Locator, figure: str, extra: str = "") -> Locator:
    return row.locator(f".gov__cell[data-figure='{figure}']{extra}")


async def figures(row: Locator) -> dict[str, tuple[str, str, bool]]:
    """Each cell of a row: (text, data-value, highlighted)."""
    return {
        c["figure"]: (c["text"], c["value"], c["bad"])
        for c in await row.locator(".gov__cell").evaluate_all(
            """cells => cells.map(c => ({figure: c.dataset.figure, text: c.textContent,
                value: c.dataset.value, bad: c.classList.contains('is-bad')}))"""
        )
    }


async def show_tab(page: Page, fetches_before: int) -> None:
    """Shows the tab (which fetches) and waits for the answer to be drawn."""
    await page.click(TAB)
    await page.wait_for_function(
        "n => +document.querySelector('.gov').dataset.fetches > n", arg=fetches_before
    )


@pytest.mark.timeout(240)
async def test_each_communitys_outstanding_work_the_most_urgent_first(
    open_page: Opener,
    backend: BackendProcess,
    community: Community,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    # One ledger entry, its check three days late: one person, published as "<5".
    await post_as(
        backend.base_url,
        CASE_WORKER,
        "/api/ledgers",
        {
            "id": str(uuid.uuid4()),
            "person_id": community.resident,
            "group": "elderly_alone",
            "since": datetime.now(UTC).date().isoformat(),
        },
    )
    await clean_db.execute("UPDATE ledger_entries SET due_at = now() - interval '3 days'")

    page = await open_page(LEADER, "/leader/", width=1920, height=1080)
    await wait_connection(page, "live")
    await show_tab(page, 0)
    table = page.locator(".gov__table[data-level='community']")
    assert await table.get_attribute("data-services") == "warnings,ledgers,rentals,disputes"
    first = table.locator("tbody .gov__unit").first
    assert await first.get_attribute("data-path") == paths.community_a
    shown = await figures(first)
    assert shown["ledgers.overdue"] == ("<5", "suppressed", True)
    assert shown["ledgers.needs_help"] == ("0", "0", False)
    assert shown["rentals.red"] == ("1", "1", True)
    assert shown["rentals.inspections_overdue"] == ("0", "0", False)
    assert shown["disputes.live"] == ("0", "0", False)
    assert "<5" in await page.inner_text(".gov__suppressed")

    # A high-risk dispute registered meanwhile: its warning's event refreshes the open tab.
    registered = await post_as(
        backend.base_url,
        CASE_WORKER,
        "/api/disputes",
        {
            "id": str(uuid.uuid4()),
            "kind": "neighbour",
            "title": "楼上漏水致楼下受损",
            "parties": 2,
            "risk": "high",
            "source": "walk_in",
            "address_id": community.address_id,
            "at": datetime.now(UTC).isoformat(),
        },
    )
    row = table.locator(f".gov__unit[data-path='{paths.community_a}']")
    await cell(row, "disputes.high", "[data-value='1']").wait_for(timeout=20_000)
    shown = await figures(row)
    assert shown["disputes.live"] == ("1", "1", False)
    assert shown["disputes.high"] == ("1", "1", True)
    assert shown["warnings.live"][0] == "1"

    # A step on the dispute (a mediation: no warning changes) refreshes the open tab too.
    fetches = int(await page.get_attribute(".gov", "data-fetches") or "0")
    await post_as(
        backend.base_url,
        CASE_WORKER,
        f"/api/disputes/{registered['dispute']['id']}/mediations",
        {"id": str(uuid.uuid4()), "at": datetime.now(UTC).isoformat()},
    )
    await page.wait_for_function(
        "n => +document.querySelector('.gov').dataset.fetches > n", arg=fetches, timeout=20_000
    )

    # Made overdue (no event says so): shown again, the tab fetches again.
    await clean_db.execute("UPDATE disputes SET due_at = now() - interval '1 day'")
    fetches = int(await page.get_attribute(".gov", "data-fetches") or "0")
    await page.click(".tabs__btn[data-tab='trends']")
    await show_tab(page, fetches)
    shown = await figures(row)
    assert shown["disputes.overdue"] == ("1", "1", True)
    assert await row.get_attribute("data-overdue") == "2"  # the ledger check (<5) and the dispute
    assert await table.locator("tbody .gov__unit").first.get_attribute("data-path") == (
        paths.community_a
    )
    quiet = table.locator("tbody .gov__unit").nth(1)
    assert not any(bad for _, _, bad in (await figures(quiet)).values())

    # The street's total, and a link to each service's page the leader may open.
    total = await figures(table.locator("tfoot .gov__total"))
    assert total["rentals.red"] == ("1", "1", True)
    assert total["disputes.live"] == ("1", "1", False)
    assert total["ledgers.overdue"] == ("<5", "suppressed", True)
    for service in ("ledgers", "rentals", "disputes"):
        link = table.locator(f".gov__group[data-service='{service}'] a")
        assert await link.get_attribute("href") == f"/{service}/"
    crises = table.locator("th[data-figure='warnings.crises'] a")
    assert await crises.get_attribute("href") == "/psych/"
    assert await visible_raw_keys(page) == []
    await page.screenshot(path=screenshot_path("leader-governance-1920x1080.png"))
    assert page.errors == []  # type: ignore[attr-defined]

    await table.locator(".gov__group[data-service='disputes'] a").click()
    await page.wait_for_url(f"{backend.base_url}/disputes/", timeout=15_000)
    await page.wait_for_selector(".disputes-list[data-count]", timeout=15_000)
