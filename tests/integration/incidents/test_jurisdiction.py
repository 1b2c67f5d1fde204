"""Another jurisdiction's incidents and archives: 404, and a denied audit row each time."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]


async def test_other_jurisdiction_gets_404_and_is_audited(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    created = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    incident_id = created.json()["incident"]["summary"]["id"]
    await make_user("lead.b", paths.community_b, Role.COMMUNITY_LEADER)
    await make_user("op.b", paths.street_b, Role.OPERATOR)
    leader_b, operator_b = await login(app, "lead.b"), await login(app, "op.b")
    for headers in (leader_b, operator_b):
        assert (await app.get(f"/api/incidents/{incident_id}", headers=headers)).status_code == 404
        assert (
            await app.get(f"/api/incidents/{incident_id}/timeline", headers=headers)
        ).status_code == 404
    refused = await app.post(
        f"/api/incidents/{incident_id}/notes", headers=operator_b, json={"text": "mine now"}
    )
    assert refused.status_code == 404
    listed = (await app.get("/api/incidents?state=live", headers=leader_b)).json()["items"]
    assert listed == []
    await app.post(
        f"/api/incidents/{incident_id}/cancel",
        headers=operator,
        json={"reason": "false alarm, test"},
    )
    assert (
        await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)
    ).status_code == 200
    assert (
        await app.get(f"/api/incidents/{incident_id}/archive/", headers=leader_b)
    ).status_code == 404
    async with clean_db.acquire() as conn:
        denied = await conn.fetch(
            "SELECT object_type, actor_name FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
            incident_id,
        )
        notes = await conn.fetchval("SELECT count(*) FROM incident_events WHERE kind = 'note'")
    assert sorted((d["object_type"], d["actor_name"]) for d in denied) == sorted(
        [("incident", "lead.b")] * 2 + [("incident", "op.b")] * 3 + [("archive", "lead.b")]
    )
    assert notes == 0


async def test_other_jurisdiction_address_and_responder_ids_are_unknown_and_audited(
    app: Client,
    crew: Any,
    address: dict[str, Any],
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    police_a = await crew.add("police.a1", Capability.POLICE, address["lat"], address["lon"])
    await make_user("op.b2", paths.street_b, Role.OPERATOR)
    operator_b = await login(app, "op.b2")
    r = await app.post(
        "/api/incidents",
        headers=operator_b,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    assert r.status_code == 404
    assert r.json()["error"]["field"] == "place.address_id"
    async with clean_db.acquire() as conn:
        addr_b = await conn.fetchval(
            "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1", paths.street_b
        )
    own = await app.post(
        "/api/incidents",
        headers=operator_b,
        json={"kind": "crisis_at_home", "place": {"address_id": addr_b}},
    )
    assert own.status_code == 201, own.text
    incident_b = own.json()["incident"]["summary"]["id"]
    assign = await app.post(
        f"/api/incidents/{incident_b}/assign",
        headers=operator_b,
        json={"responder_id": police_a, "role": "police", "reason": "closest I know"},
    )
    assert assign.status_code == 404
    assert assign.json()["error"]["field"] == "responder_id"
    async with clean_db.acquire() as conn:
        denied = {
            (r["object_type"], r["object_id"])
            for r in await conn.fetch(
                "SELECT object_type, object_id FROM audit_log WHERE outcome = 'denied' AND actor_name = 'op.b2'"
            )
        }
        incidents = await conn.fetchval("SELECT count(*) FROM incidents")
        offers = await conn.fetchval(
            "SELECT count(*) FROM assignments WHERE responder_id = $1::uuid AND manual", police_a
        )
    assert denied == {("address", address["id"]), ("responder", police_a)}
    assert incidents == 1
    assert offers == 0
