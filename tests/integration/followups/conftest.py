"""A small district of patients for the follow-up and early-warning tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths

NOW = datetime.now(UTC)


class Ward(msgspec.Struct, frozen=True, kw_only=True):
    """Patients of community A (and one of B), each with a known last visit."""

    overdue_high: str  # grade 4, last seen 20 days ago: 6 days overdue
    late_high: str  # grade 3, last seen 30 days ago: 16 days overdue (serious)
    on_time_high: str  # grade 5, last seen 3 days ago
    overdue_low: str  # grade 1, last seen 40 days ago: overdue, but below the warning grade
    other_community: str  # grade 4 in community B, 20 days ago


async def _patient(
    conn: Any, cipher: FieldCipher, address: str, name: str, grade: int, seen_days_ago: float
) -> str:
    pid = await create_person(conn, cipher, PersonCreate(name=name, address_id=address))
    await register_patient(conn, cipher, pid, PatientCreate(risk_grade=grade))
    await conn.execute(
        "UPDATE patients SET last_follow_up_at = $2 WHERE person_id = $1::uuid",
        pid,
        NOW - timedelta(days=seen_days_ago),
    )
    return pid


@pytest.fixture
async def ward(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> Ward:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        a = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        b = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_b,
        )
        assert a and b, "the synthetic district has addresses in both communities"
        return Ward(
            overdue_high=await _patient(conn, cipher, a, "陈一", 4, 20),
            late_high=await _patient(conn, cipher, a, "陈二", 3, 30),
            on_time_high=await _patient(conn, cipher, a, "陈三", 5, 3),
            overdue_low=await _patient(conn, cipher, a, "陈四", 1, 40),
            other_community=await _patient(conn, cipher, b, "林五", 4, 20),
        )
