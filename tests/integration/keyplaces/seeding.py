"""Rows the wall's key-place and coverage layers read, written straight to their tables:
addresses, key places, patients (counts are all that leave the server), and live incidents
whose playbook run records a hospital hand-over."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import h3

from backend.storage.postgres.pool import PgConn
from tests.integration.kpi.seeding import run_state

_numbers = itertools.count(1)


async def add_address(conn: PgConn, lat: float, lon: float, org_path: str) -> str:
    """An address at the point, filed under ``org_path``; returns its id."""
    address_id = f"A-T{next(_numbers):06d}"
    cells = [h3.str_to_int(h3.latlng_to_cell(lat, lon, res)) for res in (7, 8, 9, 12)]
    await conn.execute(
        "INSERT INTO addresses (id, text, lat, lon, h3_r7, h3_r8, h3_r9, h3_r12, org_path) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        address_id,
        f"测试地址 {address_id}",
        lat,
        lon,
        *cells,
        org_path,
    )
    return address_id


async def add_place(
    conn: PgConn,
    place_id: str,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    org_path: str,
    *,
    capacity: int | None = None,
    psychiatric: bool = False,
    category: str | None = None,
) -> None:
    """A key place at its own address."""
    address_id = await add_address(conn, lat, lon, org_path)
    await conn.execute(
        "INSERT INTO key_places (id, kind, category, name, lat, lon, h3_r9, capacity, psychiatric, "
        "address_id, org_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        place_id,
        kind,
        category,
        name,
        lat,
        lon,
        h3.str_to_int(h3.latlng_to_cell(lat, lon, 9)),
        capacity,
        psychiatric,
        address_id,
        org_path,
    )


async def add_patients(conn: PgConn, org_path: str, risk_grade: int, n: int) -> None:
    """``n`` patients of ``risk_grade`` filed under ``org_path`` (a grid)."""
    for _ in range(n):
        person = await conn.fetchval(
            "INSERT INTO persons (name, org_path) VALUES ($1, $2) RETURNING id",
            f"患者{next(_numbers)}",
            org_path,
        )
        await conn.execute(
            "INSERT INTO patients (person_id, risk_grade, org_path) VALUES ($1, $2, $3)",
            person,
            risk_grade,
            org_path,
        )


async def add_handover(
    conn: PgConn, *, org_path: str, lat: float, lon: float, hospital: str | None, state: str
) -> str:
    """An incident in ``state`` whose run recorded a hand-over to ``hospital`` (as typed)."""
    incident_id = f"INC-20250303-{next(_numbers):05d}"
    run: dict[str, Any] = run_state(incident_id, state)
    if hospital is not None:
        run["handover_hospital"] = hospital
    now = datetime.now(UTC)
    await conn.execute(
        "INSERT INTO incidents (id, kind, priority, state, lat, lon, org_path, source, playbook_id, "
        "playbook_version, run_state, created_at, updated_at, closed_at) VALUES "
        "($1, 'crisis_at_home', 2, $2, $3, $4, $5, 'console', 'crisis_at_home', 1, $6, $7, $7, $8)",
        incident_id,
        state,
        lat,
        lon,
        org_path,
        run,
        now,
        now if state in ("closed", "cancelled") else None,
    )
    return incident_id


def unique_id() -> str:
    """A short id no other row of the test uses."""
    return uuid.uuid4().hex[:10]
