"""Waiving a stuck step: the duty officer lets it go with a reason, closes, and the archive shows it."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from simulators.http import Session
from simulators.incidents import IncidentConfig, IncidentSimulator
from tests.conftest import TEST_PASSWORD, DistrictPaths, login
from tests.integration.incidents.conftest import Crew

Client = AsyncTestClient[Any]
REASON = "社区医生联系不上；民警已现场处置"
CLOSE = {"outcome": "stabilised_at_home", "record_sheet_id": "RS-W1"}


async def _police_only_incident(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> str:
    """An incident whose doctor never comes: the police accept, tick, arrive and clear."""
    await crew.add("police.w", Capability.POLICE, address["lat"] + 0.001, address["lon"])
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    assert r.status_code == 201, r.text
    incident_id: str = r.json()["incident"]["summary"]["id"]
    (offer,) = await crew.mine("police.w")
    headers = crew.headers["police.w"]
    base = f"/api/assignments/{offer['id']}"
    assert (await app.post(f"{base}/accept", headers=headers)).status_code == 200
    for body in ({"status": "on_scene"}, {"item": "on_scene.calm"}, {"status": "clear"}):
        path = f"{base}/checklist" if "item" in body else f"{base}/status"
        r = await app.post(path, json=body, headers=headers)
        assert r.status_code == 200, r.text
    return incident_id


async def _detail(app: Client, operator: dict[str, str], incident_id: str) -> dict[str, Any]:
    r = await app.get(f"/api/incidents/{incident_id}", headers=operator)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_stuck_step_is_waived_and_the_incident_closes_with_the_waiver_archived(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], clean_db: PgPool
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    refused = await app.post(f"/api/incidents/{incident_id}/close", json=CLOSE, headers=operator)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["missing"] == ["step:alert_team"]
    detail = await _detail(app, operator, incident_id)
    assert [(s["id"], s["waivable"]) for s in detail["running_steps"]] == [("alert_team", True)]

    r = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert r.status_code == 200, r.text
    # The police ticked before: the checklist completed as it started; the run waits at close.
    assert [(s["id"], s["waivable"]) for s in r.json()["running_steps"]] == [("done", False)]
    assert not [a for a in r.json()["assignments"] if a["state"] == "offered"]

    closed = await app.post(f"/api/incidents/{incident_id}/close", json=CLOSE, headers=operator)
    assert closed.status_code == 200, closed.text
    assert closed.json()["summary"]["state"] == "closed"

    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    (waived,) = [e for e in timeline if e["kind"] == "step.waived"]
    assert waived["data"] == {"step_id": "alert_team", "reason": REASON}
    assert waived["actor_name"] == "Op.Main"  # the operator's display name
    (engine,) = [e for e in timeline if e["kind"] == "step_waived"]
    assert (engine["data"]["step_id"], engine["data"]["by"]) == ("alert_team", "op.main")

    archive = (await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)).json()
    (waiver,) = archive["data"]["waivers"]
    assert (waiver["step_id"], waiver["by"], waiver["reason"]) == ("alert_team", "Op.Main", REASON)
    assert waiver["at"] == waived["at"]
    page = await app.get(f"/api/incidents/{incident_id}/archive/print", headers=operator)
    assert page.status_code == 200, page.text
    assert REASON in page.text
    async with clean_db.acquire() as conn:
        open_timers = await conn.fetchval(
            "SELECT count(*) FROM timers WHERE incident_id = $1 AND fired_at IS NULL "
            "AND cancelled_at IS NULL",
            incident_id,
        )
    assert open_timers == 0


async def test_a_bad_reason_is_refused_naming_reason_and_changes_nothing(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    before = await _detail(app, operator, incident_id)
    for body in ({"reason": "no"}, {"reason": "x" * 501}, {"reason": "bad\x00text"}, {}):
        r = await app.post(
            f"/api/incidents/{incident_id}/steps/alert_team/waive", json=body, headers=operator
        )
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == "reason", r.text
    after = await _detail(app, operator, incident_id)
    assert [s["id"] for s in after["running_steps"]] == [s["id"] for s in before["running_steps"]]
    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    assert not [e for e in timeline if e["kind"] in ("step.waived", "step_waived")]


async def test_a_step_that_is_not_running_is_a_409_naming_it(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    for step_id, code in (
        ("on_scene", "step_not_running"),
        ("no_such_step", "step_not_running"),
    ):
        r = await app.post(
            f"/api/incidents/{incident_id}/steps/{step_id}/waive",
            json={"reason": REASON},
            headers=operator,
        )
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == (code, "step_id")
        assert step_id in error["message"] and "alert_team" in error["message"]
    waived = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert waived.status_code == 200, waived.text
    again = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert again.json()["error"]["code"] == "step_not_running"
    close_step = await app.post(
        f"/api/incidents/{incident_id}/steps/done/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert close_step.status_code == 409
    assert close_step.json()["error"]["code"] == "step_not_waivable"
    bad_path = await app.post(
        f"/api/incidents/{incident_id}/steps/Not-A-Step/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert bad_path.status_code == 400


async def test_unknown_incidents_and_other_streets_get_404(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    unknown = await app.post(
        "/api/incidents/INC-20000101-99999/steps/alert_team/waive",
        json={"reason": REASON},
        headers=operator,
    )
    assert unknown.status_code == 404
    await make_user("op.w.b", paths.street_b, Role.OPERATOR)
    other = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": REASON},
        headers=await login(app, "op.w.b"),
    )
    assert other.status_code == 404
    responder = await app.post(
        f"/api/incidents/{incident_id}/steps/alert_team/waive",
        json={"reason": REASON},
        headers=crew.headers["police.w"],
    )
    assert responder.status_code == 403
    async with clean_db.acquire() as conn:
        denied = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1 "
            "AND actor_name = 'op.w.b'",
            incident_id,
        )
    assert denied == 1
    detail = await _detail(app, operator, incident_id)
    assert [s["id"] for s in detail["running_steps"]] == ["alert_team"]


async def test_the_simulated_duty_officer_waives_a_stuck_step_then_closes(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    incident_id = await _police_only_incident(app, crew, operator, address)
    sim = IncidentSimulator(
        IncidentConfig(
            url=str(app.base_url),
            rate_per_min=0,
            password=TEST_PASSWORD,
            operator="op.main",
            poll_s=0.2,
        )
    )
    # The simulator speaks plain HTTP; here it speaks to the in-process app.
    sim.api._client = app
    session = Session(sim.api, "op.main", TEST_PASSWORD)
    await session.login()
    async with asyncio.timeout(20):
        while sim.stats["closed"] == 0:
            live = (await app.get("/api/incidents?state=live", headers=operator)).json()["items"]
            for incident in live:
                await sim.look_after(session, incident)
            await asyncio.sleep(0.2)
    assert sim.stats["waived"] == 1
    assert sim.stats["cancelled_stale"] == 0
    timeline = (await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)).json()
    (waived,) = [e for e in timeline if e["kind"] == "step.waived"]
    assert waived["data"]["step_id"] == "alert_team"
    assert "豁免" in waived["data"]["reason"]
    assert "incident.closed" in [e["kind"] for e in timeline]
