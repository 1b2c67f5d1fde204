"""After-action archives: built at close, readable and printable, frozen once reviewed."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability
from backend.storage.postgres.pool import PgPool
from tests.conftest import login
from tests.integration.incidents.conftest import Crew

Client = AsyncTestClient[Any]


async def test_archive_of_a_closed_incident(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.z", Capability.POLICE, lat + 0.001, lon)
    await crew.add("doctor.z", Capability.COMMUNITY_DOCTOR, lat, lon + 0.001)
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    incident_id = r.json()["incident"]["summary"]["id"]
    for name in ("police.z", "doctor.z"):
        (offer,) = await crew.mine(name)
        await app.post(f"/api/assignments/{offer['id']}/accept", headers=crew.headers[name])
        await app.post(
            f"/api/assignments/{offer['id']}/status",
            json={"status": "on_scene"},
            headers=crew.headers[name],
        )
        # Ticked before the doctor even accepted: counted when the run gets there.
        if name == "police.z":
            ticked = await app.post(
                f"/api/assignments/{offer['id']}/checklist",
                json={"item": "on_scene.calm"},
                headers=crew.headers[name],
            )
            assert ticked.status_code == 200, ticked.text
    assert (
        await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)
    ).status_code == 404
    closed = await app.post(
        f"/api/incidents/{incident_id}/close",
        headers=operator,
        json={"outcome": "stabilised_at_home", "record_sheet_id": "RS-77"},
    )
    assert closed.status_code == 200, closed.text
    archive = (await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)).json()
    data = archive["data"]
    assert data["outcome"] == "stabilised_at_home"
    assert data["record_sheet_id"] == "RS-77"
    kpis = data["kpis"]
    assert (
        0
        <= kpis["to_first_offer_s"]
        <= kpis["to_first_accept_s"]
        <= kpis["to_first_arrival_s"]
        <= kpis["to_close_s"]
    )
    assert {a["role"] for a in data["assignments"]} == {"police", "community_doctor"}
    assert data["timeline"][0]["kind"] == "incident.created"
    page = await app.get(f"/api/incidents/{incident_id}/archive/print", headers=operator)
    assert page.headers["content-type"].startswith("text/html")
    assert incident_id in page.text
    assert "RS-77" in page.text
    # Review by a leader freezes it; notes still append.
    leader = await login(app, "lead.street")
    assert (
        await app.post(
            f"/api/incidents/{incident_id}/archive/review", headers=operator, json={"text": "x"}
        )
    ).status_code == 403
    assert (
        await app.post(
            f"/api/incidents/{incident_id}/archive/review",
            headers=leader,
            json={"text": "按预案处置，到场及时"},
        )
    ).status_code == 201
    assert (
        await app.post(
            f"/api/incidents/{incident_id}/archive/notes",
            headers=leader,
            json={"text": "补充：监护人已联系"},
        )
    ).status_code == 201
    after = (await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)).json()
    assert after["reviewed_at"] is not None
    assert [n["text"] for n in after["notes"]] == ["按预案处置，到场及时", "补充：监护人已联系"]
    async with clean_db.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="reviewed"):
            await conn.execute(
                "UPDATE incident_archives SET data = '{}' WHERE incident_id = $1", incident_id
            )
        reads = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'archive.read'")
    assert reads >= 2
