"""Handing the subject over to a registered hospital while the incident is live: the bed counts as
in use until the incident ends, the close finds the hand-over, bad requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.incidents.conftest import Crew
from tests.integration.incidents.test_waive import _police_only_incident
from tests.integration.keyplaces.seeding import add_place

Client = AsyncTestClient[Any]
HOSPITAL = "坪山区第三人民医院"


@pytest.fixture
async def hospital(clean_db: PgPool, address: dict[str, Any], paths: DistrictPaths) -> str:
    """A psychiatric hospital of the register with two beds, and a safety post beside it."""
    async with clean_db.acquire() as conn:
        await add_place(
            conn,
            "H-T1",
            "hospital",
            HOSPITAL,
            address["lat"] + 0.01,
            address["lon"],
            paths.grid_a,
            capacity=2,
            psychiatric=True,
        )
        await add_place(
            conn, "SP-T1", "safety_post", "治安岗亭", address["lat"], address["lon"], paths.grid_a
        )
    return "H-T1"


async def _incident(app: Client, operator: dict[str, str], address: dict[str, Any]) -> str:
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["incident"]["summary"]["id"])


async def _beds(app: Client, headers: dict[str, str], hospital: str) -> tuple[int, int]:
    r = await app.get("/api/map/key-places?kind=hospital", headers=headers)
    assert r.status_code == 200, r.text
    (place,) = [p for p in r.json()["items"] if p["id"] == hospital]
    return place["in_use"], place["free"]


async def test_a_hand_over_holds_a_bed_until_the_incident_ends_and_satisfies_the_close(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], hospital: str
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    waived = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": "医生联系不上"},
        headers=operator,
    )
    assert waived.status_code == 200, waived.text  # the run now waits at its close step
    close = {"outcome": "hospitalised", "record_sheet_id": "RS-H1"}
    refused = await app.post(f"/api/incidents/{incident_id}/close", json=close, headers=operator)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"]["missing"] == ["hospital_handover"]
    assert await _beds(app, operator, hospital) == (0, 2)

    r = await app.post(
        f"/api/incidents/{incident_id}/handover", json={"hospital_id": hospital}, headers=operator
    )
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["id"] == incident_id
    assert await _beds(app, operator, hospital) == (1, 1)
    # sent twice (a double click): still one bed
    again = await app.post(
        f"/api/incidents/{incident_id}/handover", json={"hospital_id": hospital}, headers=operator
    )
    assert again.status_code == 200, again.text
    assert await _beds(app, operator, hospital) == (1, 1)

    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    (handover,) = [e for e in timeline if e["kind"] == "handover_confirmed"]  # once, not twice
    assert handover["data"]["hospital"] == HOSPITAL

    closed = await app.post(f"/api/incidents/{incident_id}/close", json=close, headers=operator)
    assert closed.status_code == 200, closed.text
    assert closed.json()["summary"]["state"] == "closed"
    assert await _beds(app, operator, hospital) == (0, 2)  # no discharge record: ended is free
    ended = await app.post(
        f"/api/incidents/{incident_id}/handover", json={"hospital_id": hospital}, headers=operator
    )
    assert (ended.status_code, ended.json()["error"]["code"]) == (409, "incident_ended")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"hospital_id": "H-NONE"}, 404, "hospital_id"),
        ({"hospital_id": "SP-T1"}, 404, "hospital_id"),  # a key place, but not a hospital
        ({"hospital_id": "H T1; DROP"}, 400, "hospital_id"),
        ({"hospital_id": ""}, 400, "hospital_id"),
        ({"hospital_id": 7}, 400, "hospital_id"),
        ({}, 400, "hospital_id"),
    ],
)
async def test_a_bad_hand_over_names_the_field_and_changes_nothing(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    hospital: str,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    incident_id = await _incident(app, operator, address)
    r = await app.post(f"/api/incidents/{incident_id}/handover", json=body, headers=operator)
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field
    assert await _beds(app, operator, hospital) == (0, 2)
    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    assert not [e for e in timeline if e["kind"] == "handover_confirmed"]


async def test_another_jurisdiction_cannot_hand_over_and_a_responder_may_not(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    hospital: str,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    incident_id = await _incident(app, operator, address)
    await make_user("op.other", paths.street_b, Role.OPERATOR)
    await make_user("resp.h", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    for name, status in (("op.other", 404), ("resp.h", 403)):
        r = await app.post(
            f"/api/incidents/{incident_id}/handover",
            json={"hospital_id": hospital},
            headers=await login(app, name),
        )
        assert r.status_code == status, (name, r.text)
    assert await _beds(app, operator, hospital) == (0, 2)


async def test_two_hospitals_of_one_name_are_told_apart(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    hospital: str,
    clean_db: PgPool,
    paths: DistrictPaths,
) -> None:
    # A second site of the same hospital, registered under the same name (branch campuses do).
    async with clean_db.acquire() as conn:
        await add_place(
            conn,
            "H-T2",
            "hospital",
            HOSPITAL,
            address["lat"] - 0.01,
            address["lon"],
            paths.grid_a,
            capacity=3,
            psychiatric=True,
        )
    incident_id = await _incident(app, operator, address)
    r = await app.post(
        f"/api/incidents/{incident_id}/handover", json={"hospital_id": "H-T2"}, headers=operator
    )
    assert r.status_code == 200, r.text
    assert await _beds(app, operator, "H-T2") == (1, 2)
    assert await _beds(app, operator, hospital) == (0, 2)  # same name, other site: untouched
    # Now to the first site: the bed moves with the hand-over (the last one counts).
    r = await app.post(
        f"/api/incidents/{incident_id}/handover", json={"hospital_id": hospital}, headers=operator
    )
    assert r.status_code == 200, r.text
    assert (await _beds(app, operator, hospital), await _beds(app, operator, "H-T2")) == (
        (1, 1),
        (0, 3),
    )
    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    assert len([e for e in timeline if e["kind"] == "handover_confirmed"]) == 2
