"""The desks' simulator against a real backend: screenings raise a crisis, the counsellor's
session resolves it, the case worker registers someone and checks an entry. Counts, not times."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.casework import GROUPS, CaseworkConfig, CaseworkSimulator
from simulators.geography import Geography, generate_addresses
from simulators.http import Api, Session
from tests.conftest import TEST_PASSWORD, DistrictPaths

pytestmark = pytest.mark.e2e


@pytest.fixture
async def desks(
    clean_db: PgPool,
    district: Geography,
    paths: DistrictPaths,
    app_settings: Settings,
    make_user: Any,
) -> None:
    await make_user("counsellor", paths.community_a, Role.COUNSELLOR)
    await make_user("caseworker", paths.community_a, Role.CASE_WORKER)
    await make_user("gridworker", paths.community_a, Role.GRID_WORKER)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        home = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        for i in range(6):
            # in every group the desks register from, so any draw finds someone
            tags = list(GROUPS) if i == 0 else []
            await create_person(
                conn, cipher, PersonCreate(name=f"居民{i}", address_id=home, tags=tags)
            )
        await conn.execute(
            "INSERT INTO buildings (id, address_id, use, org_path) "
            "SELECT 'BS', id, 'village', org_path FROM addresses WHERE id = $1",
            home,
        )
        for i, address in enumerate(
            await conn.fetch(
                "SELECT id, org_path FROM addresses WHERE org_path LIKE $1 || '.%' "
                "ORDER BY id LIMIT 2",
                paths.community_a,
            )
        ):
            await conn.execute(
                "INSERT INTO houses (id, building_id, address_id, area_m2, use, is_rental, "
                "org_path) VALUES ($1, 'BS', $2, 40, 'residence', true, $3)",
                f"HS{i}",
                address["id"],
                address["org_path"],
            )


async def _count(pool: PgPool, sql: str) -> int:
    return int(await pool.fetchval(sql))


async def test_the_desks_raise_and_resolve_a_crisis_and_keep_a_ledger(
    start_backend: Any, desks: None, clean_db: PgPool
) -> None:
    backend = start_backend()
    api = Api(backend.base_url)
    sim = CaseworkSimulator(
        CaseworkConfig(seed=3, self_harm_share=1.0),
        Session(api, "counsellor", TEST_PASSWORD),
        Session(api, "caseworker", TEST_PASSWORD),
    )
    try:
        await sim.counsellor.login()
        await sim.caseworker.login()
        crisis = "SELECT count(*) FROM early_warnings WHERE rule = 'psych_crisis'"
        for _ in range(12):  # a GAD-7 has no self-harm item: screen until a PHQ-9 came up
            assert await sim.screen()
            if await _count(clean_db, crisis):
                break
        assert await _count(clean_db, crisis + " AND state = 'open'") >= 1
        open_before = await _count(clean_db, crisis + " AND state = 'open'")
        assert await sim.serve()  # self-harm heads the list: a crisis intervention
        assert await _count(clean_db, crisis + " AND state = 'open'") == open_before - 1
        assert (
            await _count(
                clean_db, "SELECT count(*) FROM psych_services WHERE kind = 'crisis_intervention'"
            )
            == 1
        )

        assert await sim.register()
        assert await sim.check()
        assert await _count(clean_db, "SELECT count(*) FROM ledger_entries") == 1
        assert await _count(clean_db, "SELECT count(*) FROM ledger_checks") == 1
        assert not any(k.startswith("refused") for k in sim.summary())
    finally:
        await api.close()


async def test_the_grid_worker_inspects_every_rental_house_then_waits_for_one_to_fall_due(
    start_backend: Any, desks: None, clean_db: PgPool
) -> None:
    backend = start_backend()
    api = Api(backend.base_url)
    sim = CaseworkSimulator(
        CaseworkConfig(seed=5),
        Session(api, "counsellor", TEST_PASSWORD),
        Session(api, "caseworker", TEST_PASSWORD),
        Session(api, "gridworker", TEST_PASSWORD),
    )
    try:
        assert sim.gridworker is not None
        await sim.gridworker.login()
        assert await sim.inspect()
        assert await sim.inspect()
        assert not await sim.inspect()  # both inspected, neither due again yet
        assert await _count(clean_db, "SELECT count(*) FROM rental_status") == 2
        assert await _count(clean_db, "SELECT count(*) FROM rental_assessments") == 2
        assert not any(k.startswith("refused") for k in sim.summary())
    finally:
        await api.close()


async def test_disputes_met_on_the_rounds_are_mediated_and_settled(
    start_backend: Any, desks: None, clean_db: PgPool
) -> None:
    backend = start_backend()
    api = Api(backend.base_url)
    sim = CaseworkSimulator(
        CaseworkConfig(seed=7),
        Session(api, "counsellor", TEST_PASSWORD),
        Session(api, "caseworker", TEST_PASSWORD),
        Session(api, "gridworker", TEST_PASSWORD),
    )
    try:
        await sim.caseworker.login()
        assert sim.gridworker is not None
        await sim.gridworker.login()
        assert not await sim.mediate()  # nothing held yet
        assert await sim.report_dispute()
        closed = "SELECT count(*) FROM disputes WHERE status IN ('resolved', 'referred')"
        for _ in range(20):  # mediated, then settled (60 % a step once mediated)
            assert await sim.mediate()
            if await _count(clean_db, closed):
                break
        assert await _count(clean_db, closed) == 1
        assert await _count(clean_db, "SELECT count(*) FROM dispute_actions") >= 3
        assert not any(k.startswith("refused") for k in sim.summary())
    finally:
        await api.close()


async def test_the_case_worker_visits_the_patient_due_soonest_and_leaves_the_overdue_one(
    start_backend: Any, desks: None, clean_db: PgPool, app_settings: Settings
) -> None:
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        home = await conn.fetchval("SELECT address_id FROM houses WHERE id = 'HS0'")
        overdue = await create_person(conn, cipher, PersonCreate(name="患者甲", address_id=home))
        soon = await create_person(conn, cipher, PersonCreate(name="患者乙", address_id=home))
        for pid in (overdue, soon):
            await register_patient(conn, cipher, pid, PatientCreate(risk_grade=2))
        await conn.execute(
            "UPDATE patients SET last_follow_up_at = now() - interval '1 day', "
            "follow_up_due_at = now() + CASE WHEN person_id = $1::uuid "
            "THEN interval '-2 days' ELSE interval '3 days' END",
            overdue,
        )
    backend = start_backend()
    api = Api(backend.base_url)
    sim = CaseworkSimulator(
        CaseworkConfig(seed=5),
        Session(api, "counsellor", TEST_PASSWORD),
        Session(api, "caseworker", TEST_PASSWORD),
    )
    try:
        await sim.caseworker.login()
        assert await sim.visit()
        visits = await clean_db.fetch("SELECT patient_id::text, kind FROM follow_ups")
        assert [v["patient_id"] for v in visits] == [soon]
        # the next one due is overdue: left for a person to visit
        assert not await sim.visit()
        assert await _count(clean_db, "SELECT count(*) FROM follow_ups") == 1
        assert not any(k.startswith("refused") for k in sim.summary())
    finally:
        await api.close()
