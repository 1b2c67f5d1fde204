"""The emergency loop end to end in one process: intake → offers → answers → status → close."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from backend.security.policy import Capability
from backend.storage.postgres.pool import PgPool
from tests.integration.incidents.conftest import Crew

Client = AsyncTestClient[Any]


async def _create(
    app: Client, operator: dict[str, str], address: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}, **extra},
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["incident"])


async def _wait(predicate: Any, seconds: float = 15) -> None:
    async with asyncio.timeout(seconds):
        while not await predicate():
            await asyncio.sleep(0.1)


async def _kinds(app: Client, operator: dict[str, str], incident_id: str) -> list[str]:
    return [
        e["kind"]
        for e in (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    ]


async def test_offer_accept_en_route_on_scene_clear_close(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.a", Capability.POLICE, lat + 0.002, lon)
    await crew.add("doctor.a", Capability.COMMUNITY_DOCTOR, lat, lon + 0.003)
    incident = await _create(app, operator, address)
    assert incident["summary"]["state"] == "dispatching"
    assert incident["summary"]["playbook_id"] == "quick_team"
    assert sorted(a["role"] for a in incident["assignments"]) == ["community_doctor", "police"]
    assert all(a["state"] == "offered" for a in incident["assignments"])
    for name in ("police.a", "doctor.a"):
        (offer,) = await crew.mine(name)
        r = await app.post(f"/api/assignments/{offer['id']}/accept", headers=crew.headers[name])
        assert r.status_code == 200, r.text
        again = await app.post(f"/api/assignments/{offer['id']}/accept", headers=crew.headers[name])
        assert again.status_code == 200  # a repeated tap changes nothing
    (police,) = await crew.mine("police.a")
    detail = (await app.get(f"/api/incidents/{incident['summary']['id']}", headers=operator)).json()
    assert detail["summary"]["state"] == "responding"
    for status in ("en_route", "on_scene"):
        r = await app.post(
            f"/api/assignments/{police['id']}/status",
            json={"status": status},
            headers=crew.headers["police.a"],
        )
        assert r.status_code == 200, r.text
    assert r.json()["summary"]["state"] == "on_scene"
    assert "police" in r.json()["checklists"]
    r = await app.post(
        f"/api/assignments/{police['id']}/checklist",
        json={"item": "on_scene.calm"},
        headers=crew.headers["police.a"],
    )
    assert r.status_code == 200, r.text
    incident_id = incident["summary"]["id"]
    refused = await app.post(f"/api/incidents/{incident_id}/close", json={}, headers=operator)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "close_refused"
    closed = await app.post(
        f"/api/incidents/{incident_id}/close",
        headers=operator,
        json={"outcome": "stabilised_at_home", "record_sheet_id": "RS-1"},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["summary"]["state"] == "closed"
    assert {a["state"] for a in closed.json()["assignments"]} == {"cleared"}
    async with clean_db.acquire() as conn:
        statuses = {
            r["duty_status"] for r in await conn.fetch("SELECT duty_status FROM responders")
        }
    assert statuses == {"available"}
    kinds = await _kinds(app, operator, incident_id)
    for expected in (
        "incident.created",
        "assignment.offered",
        "assignment.accepted",
        "assignment.en_route",
        "assignment.on_scene",
        "checklist.ticked",
        "close.rejected",
        "incident.closed",
    ):
        assert expected in kinds, expected
    assert (
        kinds.index("assignment.accepted")
        < kinds.index("assignment.on_scene")
        < kinds.index("incident.closed")
    )


async def test_decline_offers_the_next_candidate(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.near", Capability.POLICE, lat + 0.001, lon)
    await crew.add("police.far", Capability.POLICE, lat + 0.01, lon)
    await crew.add("doctor.b", Capability.COMMUNITY_DOCTOR, lat, lon)
    incident = await _create(app, operator, address)
    (near,) = await crew.mine("police.near")
    assert await crew.mine("police.far") == []  # k=1: the nearest first
    r = await app.post(
        f"/api/assignments/{near['id']}/decline",
        json={"reason": "off sick"},
        headers=crew.headers["police.near"],
    )
    assert r.status_code == 204
    (far,) = await crew.mine("police.far")
    assert far["incident_id"] == incident["summary"]["id"]
    assert await crew.mine("police.near") == []


async def test_expiry_offers_the_next_and_a_missed_deadline_escalates(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.slow", Capability.POLICE, lat + 0.001, lon)
    await crew.add("police.next", Capability.POLICE, lat + 0.02, lon)
    incident = await _create(app, operator, address)
    incident_id = incident["summary"]["id"]

    async def next_offered() -> bool:
        return bool(await crew.mine("police.next"))

    await _wait(next_offered)  # the 2 s offer timeout passed: the next police officer is asked
    kinds = await _kinds(app, operator, incident_id)
    assert "assignment.expired" in kinds
    # The slow one's phone is told at once that the offer is gone.
    async with clean_db.acquire() as conn:
        ended = await conn.fetch(
            "SELECT payload FROM outbox WHERE stream = 'personal' AND kind = 'assignment.ended' "
            "AND subject = $1",
            crew.ids["police.slow"],
        )
    assert [e["payload"]["reason"] for e in ended] == ["expired"]

    async def escalated() -> bool:
        return "leader.notified" in await _kinds(app, operator, incident_id)

    await _wait(
        escalated
    )  # nobody qualified answered within the step's 3 s: the street leader is told
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert detail["summary"]["priority"] < incident["summary"]["priority"]
    assert detail["summary"]["escalations"] >= 1
