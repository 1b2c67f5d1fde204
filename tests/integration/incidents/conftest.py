"""An app with a short-deadline test playbook, addresses, and helpers for responders on duty and
registered patients."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.app import create_app
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from simulators.http import Session
from simulators.incidents import IncidentConfig, IncidentSimulator
from tests.conftest import TEST_PASSWORD, DistrictPaths, login

PLAYBOOKS = Path(__file__).parent / "playbooks"


async def add_patient(
    pool: PgPool,
    settings: Settings,
    address_id: str,
    name: str,
    *,
    id_number: str | None = None,
    phone: str | None = None,
    **patient: Any,
) -> str:
    """A person at ``address_id`` registered as a patient (``patient``: PatientCreate's fields,
    ``risk_grade`` at least), stored with the app's keys; returns the person id."""
    cipher = FieldCipher(load_keyring(settings))
    async with pool.acquire() as conn:
        person = await create_person(
            conn,
            cipher,
            PersonCreate(name=name, address_id=address_id, id_number=id_number, phone=phone),
        )
        await register_patient(conn, cipher, person, PatientCreate(**patient))
    return person


@pytest.fixture
async def address(clean_db: PgPool, district: Geography, paths: DistrictPaths) -> dict[str, Any]:
    """An address in community A (with the district's addresses loaded)."""
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        row = await conn.fetchrow(
            "SELECT id, text, lat, lon FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
    return dict(row)


@pytest.fixture
async def app(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = msgspec.structs.replace(
        app_settings, playbook_dir=str(PLAYBOOKS), offer_timeout_s=2.0, timer_poll_s=0.1
    )
    async with AsyncTestClient(create_app(settings)) as c:
        yield c


class Crew:
    """Responders on duty near a place, with their login headers."""

    def __init__(
        self, client: AsyncTestClient[Any], make_user: Any, pool: PgPool, org: str
    ) -> None:
        self.client = client
        self.make_user = make_user
        self.pool = pool
        self.org = org
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, str] = {}

    async def add(self, name: str, capability: Capability, lat: float, lon: float) -> str:
        user = await self.make_user(name, self.org, Role.RESPONDER, capabilities=[capability])
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO responders (user_id, mode, duty_status) VALUES ($1::uuid, 'vehicle', "
                "'available')",
                user.id,
            )
        headers = await login(self.client, name)
        r = await self.client.post(
            "/api/positions",
            headers=headers,
            json={
                "items": [
                    {
                        "responder_id": str(user.id),
                        "lat": lat,
                        "lon": lon,
                        "accuracy_m": 5,
                        "ts": time.time(),
                    }
                ]
            },
        )
        assert r.json()["applied"] == 1, r.text
        self.headers[name] = headers
        self.ids[name] = str(user.id)
        return str(user.id)

    async def mine(self, name: str) -> list[dict[str, Any]]:
        r = await self.client.get("/api/assignments/mine", headers=self.headers[name])
        assert r.status_code == 200, r.text
        return list(r.json())


@pytest.fixture
def crew(app: AsyncTestClient[Any], make_user: Any, clean_db: PgPool, paths: DistrictPaths) -> Crew:
    return Crew(app, make_user, clean_db, paths.grid_a)


@pytest.fixture
async def operator(
    app: AsyncTestClient[Any], make_user: Any, paths: DistrictPaths
) -> dict[str, str]:
    await make_user("op.main", paths.district, Role.OPERATOR)
    await make_user("lead.street", paths.street_a, Role.STREET_LEADER)
    return await login(app, "op.main")


async def simulated_operator(app: AsyncTestClient[Any]) -> tuple[IncidentSimulator, Session]:
    """The incident simulator as op.main, speaking to the in-process app: crisis-at-home calls
    about a registered patient the caller never names, so its operator identifies them."""
    sim = IncidentSimulator(
        IncidentConfig(
            url=str(app.base_url),
            rate_per_min=0,
            password=TEST_PASSWORD,
            creator="op.main",
            operator="op.main",
            kinds=("crisis_at_home",),
            patient_share=1.0,
            unnamed_share=1.0,
            poll_s=0.2,
        )
    )
    sim.api._client = app  # the simulator speaks plain HTTP; here, to the in-process app
    session = Session(sim.api, "op.main", TEST_PASSWORD)
    await session.login()
    await sim.load_places(session)
    return sim, session
