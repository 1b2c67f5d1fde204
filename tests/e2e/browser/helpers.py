"""Helpers for browser tests: waiting on the live indicator, committing incident events, and
finding untranslated text."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import asyncpg
import h3
from playwright.async_api import Page, Request

from backend.storage.postgres.pool import PgPool, init_connection
from simulators.geography import Geography
from tests.conftest import ROOT

I18N_DIR = ROOT / "frontend" / "src" / "shared" / "i18n"


async def wait_connection(page: Page, state: str, timeout_s: float = 20) -> None:
    """Until the header's live indicator shows ``state`` (connecting, live, reconnecting, …)."""
    await page.wait_for_selector(f".conn[data-state='{state}']", timeout=timeout_s * 1000)


async def wait_map_ready(page: Page, timeout_s: float = 30) -> int:
    """Until the boundaries are loaded and drawn; returns the number of polygons."""
    handle = await page.wait_for_selector(".map-view[data-units-loaded]", timeout=timeout_s * 1000)
    assert handle is not None
    count = int(await handle.get_attribute("data-units-loaded") or "0")
    await page.wait_for_selector(".map-view canvas", timeout=timeout_s * 1000)
    return count


async def map_count(page: Page, name: str) -> int | None:
    """``data-<name>`` of the map (``responders``, ``incidents``): what the live layers hold."""
    value = await page.get_attribute(".map-view", f"data-{name}")
    return None if value is None else int(value)


async def wait_map_count(page: Page, name: str, count: int, timeout_s: float = 30) -> None:
    """Until the map's ``data-<name>`` is ``count``. ``incidents`` 0 right after a page opens
    means the topic's snapshot arrived: events committed from then on will be shown."""
    await page.wait_for_selector(f".map-view[data-{name}='{count}']", timeout=timeout_s * 1000)


def point_in(district: Geography, grid_path: str) -> tuple[float, float]:
    """A point inside a grid (the centre of its first H3 cell)."""
    lat, lon = h3.cell_to_latlng(district.units[grid_path].cells[0])
    return float(lat), float(lon)


def incident_state(
    incident_id: str, org_path: str, lat: float, lon: float, **extra: Any
) -> dict[str, Any]:
    """An incident summary as backend/incidents announces it (``IncidentSummary``)."""
    now = time.time()
    state: dict[str, Any] = {
        "id": incident_id,
        "kind": "crisis_at_home",
        "priority": 1,
        "state": "dispatching",
        "lat": lat,
        "lon": lon,
        "address": "坪山区 测试路 1 号",
        "org_path": org_path,
        "opened_at": now - 95,
        "updated_at": now,
        "playbook_id": "crisis_at_home",
        "playbook_version": 1,
        "step": {
            "id": "notify_guardian",
            "title_zh": "通知监护人",
            "title_en": "Notify the guardian",
            "deadline_at": now + 240,
        },
        "escalations": 0,
        "responders": {},
        "has_patient": False,
        "version": 1,
    }
    state.update(extra)
    return state


async def emit_incident_event(database_url: str, kind: str, state: dict[str, Any]) -> int:
    """Commit an ``incident.created``/``incident.updated`` event with the summary ``state`` to
    the outbox, as ``backend.incidents.repo.announce`` does."""
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        async with conn.transaction():
            outbox_id: int = await conn.fetchval(
                "INSERT INTO outbox (district, stream, kind, org_path, subject, payload) "
                "VALUES ($1, 'incidents', $2, $3, $4, $5) RETURNING id",
                state["org_path"].split(".")[0],
                kind,
                state["org_path"],
                state["id"],
                state,
            )
    finally:
        await conn.close()
    return outbox_id


def i18n_keys() -> set[str]:
    """Every key of the zh-CN tables (the en ones have the same; i18n:check enforces it)."""
    keys: set[str] = set()
    for table in [I18N_DIR / "zh-CN.json", *I18N_DIR.glob("*.zh-CN.json")]:
        keys |= set(json.loads(table.read_text()))
    return keys


async def visible_raw_keys(page: Page) -> list[str]:
    """Untranslated keys shown on the page: table keys, or key-shaped words of a known area."""
    text = await page.evaluate(
        """() => [document.body.innerText,
                  ...[...document.querySelectorAll('[placeholder],[title],[aria-label]')]
                     .flatMap(e => [e.getAttribute('placeholder'), e.getAttribute('title'),
                                    e.getAttribute('aria-label')]),
                  document.title].filter(Boolean).join('\\n')"""
    )
    keys = i18n_keys()
    areas = {k.split(".", 1)[0] for k in keys}
    shaped = re.findall(r"\b[a-zA-Z][\w-]*(?:\.[\w-]+)+\b", text)
    return sorted({w for w in shaped if w in keys or w.split(".", 1)[0] in areas})


SAMPLE_INCIDENTS = (
    ("crisis_at_home", 1, "坪山区 龙田街道 竹坑路 12 号"),
    ("self_harm", 2, "坪山区 坑梓街道 人民西路 3 号"),
    ("missing_patient", 3, "坪山区 马峦街道 江岭路 27 号"),
    ("medication_reaction", 4, "坪山区 石井街道 田头路 5 号"),
    ("danger_to_others", 1, "坪山区 坪山街道 东门路 88 号"),
)


async def seed_incidents(database_url: str, district: Geography) -> int:
    """Open one incident of each sample kind in different grids; returns how many."""
    grids = sorted(p for p, u in district.units.items() if u.level == "grid")
    step = max(1, len(grids) // len(SAMPLE_INCIDENTS))
    for i, (kind, priority, address) in enumerate(SAMPLE_INCIDENTS):
        grid = grids[(i * step + step // 2) % len(grids)]
        lat, lon = point_in(district, grid)
        state = incident_state(
            f"INC-S{i}",
            grid,
            lat,
            lon,
            kind=kind,
            priority=priority,
            address=address,
            opened_at=time.time() - 60 * (i + 1),
        )
        await emit_incident_event(database_url, "incident.created", state)
    return len(SAMPLE_INCIDENTS)


def watch_posts(page: Page, path: str) -> list[Request]:
    """Every POST to a path ending in ``path`` the page sends from now on."""
    posts: list[Request] = []

    def note(request: Request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith(path):
            posts.append(request)

    page.on("request", note)
    return posts


async def sent_ids(posts: list[Request]) -> set[str]:
    """The record ids the posts carried, once every one of them has been answered (or failed)."""
    for request in posts:
        await request.response()
    return {json.loads(request.post_data or "{}")["id"] for request in posts}


async def toast_says(page: Page, text: str) -> None:
    """Wait for a toast saying ``text``."""
    await page.locator(".toast__item", has_text=text).wait_for(timeout=15_000)


async def rows_of(pool: PgPool, sql: str, *args: Any) -> list[Any]:
    """The rows of one query, for checking what the page stored."""
    async with pool.acquire() as conn:
        return list(await conn.fetch(sql, *args))
