"""Residents of two communities for the psychological-service tests."""

from __future__ import annotations

import random
from datetime import date
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
from simulators.blockdata import id_number
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths


class Residents(msgspec.Struct, frozen=True, kw_only=True):
    """People of community A (and one of B), by what they stand for in a test."""

    plain: str  # no key group
    patient: str  # a registered patient (a key group)
    tagged: str  # in a special group (elderly living alone)
    others: list[str]  # eight more plain residents of A, for counts
    other_community: str  # in community B (another street)
    plain_id_number: str
    other_id_number: str


@pytest.fixture
async def residents(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> Residents:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = FieldCipher(load_keyring(app_settings))
    rng = random.Random(7)
    plain_id, other_id = id_number(rng, date(1990, 5, 1)), id_number(rng, date(1985, 3, 2))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        sql = "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1"
        a = await conn.fetchval(sql, paths.community_a)
        b = await conn.fetchval(sql, paths.community_b)
        assert a and b, "the synthetic district has addresses in both communities"

        async def person(name: str, address: str, **more: Any) -> str:
            return await create_person(
                conn, cipher, PersonCreate(name=name, address_id=address, **more)
            )

        patient = await person("周病", a)
        await register_patient(conn, cipher, patient, PatientCreate(risk_grade=2))
        return Residents(
            plain=await person("李平", a, id_number=plain_id),
            patient=patient,
            tagged=await person("王独", a, tags=["elderly_alone"]),
            others=[await person(f"张{i}", a) for i in range(8)],
            other_community=await person("林远", b, id_number=other_id),
            plain_id_number=plain_id,
            other_id_number=other_id,
        )
