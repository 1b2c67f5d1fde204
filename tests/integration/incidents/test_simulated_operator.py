"""The incident simulator's operator while the field works: a subject the caller did not name is
identified once someone is on the way, and a patient going to hospital is handed over to a
hospital of the register (psychiatric with a free bed first), once, so the wall's beds fill."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths
from tests.integration.incidents.conftest import Crew, add_patient, simulated_operator
from tests.integration.keyplaces.seeding import add_place

Client = AsyncTestClient[Any]


@pytest.fixture
async def patient(clean_db: PgPool, address: dict[str, Any], app_settings: Settings) -> str:
    return await add_patient(clean_db, app_settings, address["id"], "孙未名", risk_grade=2)


async def _beds(app: Client, headers: dict[str, str]) -> dict[str, int]:
    r = await app.get("/api/map/key-places?kind=hospital", headers=headers)
    assert r.status_code == 200, r.text
    return {p["id"]: p["in_use"] for p in r.json()["items"]}


async def test_the_simulated_operator_identifies_the_subject_and_hands_over_to_the_register(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    patient: str,
    clean_db: PgPool,
    paths: DistrictPaths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lat, lon = address["lat"], address["lon"]
    async with clean_db.acquire() as conn:
        await add_place(
            conn, "H-S1", "hospital", "综合医院", lat, lon + 0.01, paths.grid_a, capacity=9
        )
        await add_place(
            conn,
            "H-S2",
            "hospital",
            "精神专科医院",
            lat + 0.01,
            lon,
            paths.grid_a,
            capacity=2,
            psychiatric=True,
        )
    await crew.add("police.s", Capability.POLICE, lat + 0.001, lon)
    sim, session = await simulated_operator(app)
    assert (sim.stats["patients_known"], sim.stats["hospitals_known"]) == (1, 2)

    incident_id = await sim.create(session)
    assert incident_id is not None
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert (detail["address_id"], detail["patient_id"]) == (address["id"], None)
    monkeypatch.setattr(sim, "outcome_of", lambda incident: "hospitalised")

    async def poll() -> None:
        live = (await app.get("/api/incidents?state=live", headers=operator)).json()["items"]
        for incident in live:
            await sim.look_after(session, incident)

    await poll()  # only offered: nobody knows who it is yet, nobody is at a hospital
    assert (sim.stats["identified"], sim.stats["handed_over"]) == (0, 0)

    (offer,) = await crew.mine("police.s")
    phone = crew.headers["police.s"]
    base = f"/api/assignments/{offer['id']}"
    assert (await app.post(f"{base}/accept", headers=phone)).status_code == 200
    r = await app.post(f"{base}/status", json={"status": "en_route"}, headers=phone)
    assert r.status_code == 200, r.text
    await poll()  # on the way: identified; not on scene yet, so no hand-over
    assert (sim.stats["identified"], sim.stats["handed_over"]) == (1, 0)
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert detail["patient_id"] == patient

    r = await app.post(f"{base}/status", json={"status": "on_scene"}, headers=phone)
    assert r.status_code == 200, r.text
    await poll()
    await poll()  # a second look changes nothing
    assert (sim.stats["identified"], sim.stats["handed_over"]) == (1, 1)
    assert await _beds(app, operator) == {"H-S1": 0, "H-S2": 1}  # psychiatric, with a free bed
    assert not [k for k in sim.stats if "_http_" in k], sim.stats
