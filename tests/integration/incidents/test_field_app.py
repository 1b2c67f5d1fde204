"""What the responder app relies on: a resent message (same client_msg_id) is applied once over
HTTP and the socket's service path alike, field notes, and the assignment brief (checklist with
ticks, team with distances, the patient id only while the assignment runs)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import login
from tests.integration.incidents.conftest import Crew, add_patient

Client = AsyncTestClient[Any]
GUARDIAN_PHONE = "13812345678"


@pytest.fixture
async def patient(clean_db: PgPool, address: dict[str, Any], app_settings: Settings) -> str:
    """A risk-grade-2 patient living at ``address``, with need-to-know details."""
    return await add_patient(
        clean_db,
        app_settings,
        address["id"],
        "李四光",
        risk_grade=2,
        guardian_name="李大山",
        guardian_phone=GUARDIAN_PHONE,
        de_escalation_notes="轻声说话，不要围堵",
        medication="奥氮平 10mg",
    )


async def _offer_for(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    patient_id: str | None = None,
) -> tuple[str, str]:
    """An incident with police.f offered; returns (incident id, police.f's assignment id)."""
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.f", Capability.POLICE, lat + 0.002, lon)
    await crew.add("doctor.f", Capability.COMMUNITY_DOCTOR, lat, lon + 0.003)
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={
            "kind": "crisis_at_home",
            "place": {"address_id": address["id"]},
            **({"patient_id": patient_id} if patient_id else {}),
        },
    )
    assert r.status_code == 201, r.text
    (offer,) = await crew.mine("police.f")
    return r.json()["incident"]["summary"]["id"], offer["id"]


async def _timeline(app: Client, operator: dict[str, str], incident_id: str) -> list[Any]:
    r = await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_resent_messages_are_applied_once_in_order(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    incident_id, aid = await _offer_for(app, crew, operator, address)
    phone = crew.headers["police.f"]
    sent = [
        ("accept", f"/api/assignments/{aid}/accept", {"client_msg_id": "m-1"}),
        ("en_route", f"/api/assignments/{aid}/status", {"status": "en_route", "client_msg_id": "m-2"}),
        ("backup", f"/api/assignments/{aid}/status", {"status": "need_backup", "client_msg_id": "m-3"}),
        ("note", f"/api/assignments/{aid}/notes", {"text": "门锁着，家属在楼下", "client_msg_id": "m-4"}),
        ("on_scene", f"/api/assignments/{aid}/status", {"status": "on_scene", "client_msg_id": "m-5"}),
        ("tick", f"/api/assignments/{aid}/checklist", {"item": "on_scene.calm", "client_msg_id": "m-6"}),
    ]  # fmt: skip
    for _, path, body in sent:
        r = await app.post(path, headers=phone, json=body)
        assert r.status_code in (200, 204), (path, r.text)
    # The phone lost every answer and resends the whole queue: nothing changes, nothing fails
    # (without de-duplication the late en_route would be refused: it is on scene by now).
    for _, path, body in sent:
        r = await app.post(path, headers=phone, json=body)
        assert r.status_code in (200, 204), (path, r.text)
    ids = [e["data"].get("client_msg_id") for e in await _timeline(app, operator, incident_id)]
    assert [i for i in ids if i is not None] == ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]
    events = {
        e["data"].get("client_msg_id"): e for e in await _timeline(app, operator, incident_id)
    }
    assert events["m-4"]["kind"] == "note"
    assert events["m-4"]["data"]["text"] == "门锁着，家属在楼下"
    assert events["m-6"]["kind"] == "checklist.ticked"
    assert events["m-6"]["data"]["assignment_id"] == aid


async def test_field_note_needs_text_and_a_running_assignment(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]
) -> None:
    _, aid = await _offer_for(app, crew, operator, address)
    phone = crew.headers["police.f"]
    empty = await app.post(f"/api/assignments/{aid}/notes", headers=phone, json={"text": ""})
    assert empty.status_code == 400
    assert "text" in empty.text
    early = await app.post(f"/api/assignments/{aid}/notes", headers=phone, json={"text": "到了"})
    assert early.status_code == 409  # still an offer
    other = await app.post(
        f"/api/assignments/{aid}/notes", headers=crew.headers["doctor.f"], json={"text": "到了"}
    )
    assert other.status_code == 404


async def test_brief_shows_checklist_team_and_patient_only_while_working(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], patient: str
) -> None:
    _, aid = await _offer_for(app, crew, operator, address, patient)
    phone = crew.headers["police.f"]
    offered = (await app.get(f"/api/assignments/{aid}/brief", headers=phone)).json()
    assert offered["assignment"]["state"] == "offered"
    assert offered["patient_id"] is None
    assert offered["patient"] == {"name": "李**", "risk_grade": 2}
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 404
    assert offered["checklist"] == [
        {
            "item": "on_scene.calm",
            "text_zh": "现场安抚",
            "text_en": "De-escalate",
            "required": True,
            "ticked": False,
        }
    ]
    roles = sorted((m["role"], m["is_me"]) for m in offered["team"])
    assert roles == [("community_doctor", False), ("police", True)]
    me = next(m for m in offered["team"] if m["is_me"])
    assert 150 < me["distance_m"] < 300  # 0.002° of latitude, from the live position
    assert me["eta_s"] > 0

    assert (await app.post(f"/api/assignments/{aid}/accept", headers=phone)).status_code == 200
    r = await app.post(
        f"/api/assignments/{aid}/checklist", headers=phone, json={"item": "on_scene.calm"}
    )
    assert r.status_code == 200, r.text
    working = (await app.get(f"/api/assignments/{aid}/brief", headers=phone)).json()
    assert working["assignment"]["state"] == "accepted"
    assert working["checklist"][0]["ticked"] is True
    assert working["patient_id"] == patient
    record = (await app.get(f"/api/patients/{patient}", headers=phone)).json()
    assert record["access"] == "need_to_know"
    assert record["guardian_phone"] == GUARDIAN_PHONE
    assert record["de_escalation_notes"] == "轻声说话，不要围堵"

    other = await app.get(f"/api/assignments/{aid}/brief", headers=crew.headers["doctor.f"])
    assert other.status_code == 404
    bad = await app.get("/api/assignments/not-a-uuid/brief", headers=phone)
    assert bad.status_code == 404

    r = await app.post(f"/api/assignments/{aid}/status", headers=phone, json={"status": "clear"})
    assert r.status_code == 200, r.text
    cleared = (await app.get(f"/api/assignments/{aid}/brief", headers=phone)).json()
    assert cleared["assignment"]["state"] == "cleared"
    assert cleared["patient_id"] is None
    assert all(m["responder_id"] != crew.ids["police.f"] for m in cleared["team"])
    # Their part is over, so is their need to know, though the incident runs on.
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 404


async def test_a_released_responder_loses_the_patient_and_regains_it_on_a_new_acceptance(
    app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any], patient: str
) -> None:
    incident_id, aid = await _offer_for(app, crew, operator, address, patient)
    phone = crew.headers["police.f"]
    assert (await app.post(f"/api/assignments/{aid}/accept", headers=phone)).status_code == 200
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 200
    r = await app.post(
        f"/api/incidents/{incident_id}/assignments/{aid}/release",
        headers=operator,
        json={"reason": "换人处置"},
    )
    assert r.status_code == 204, r.text
    assert (await app.get(f"/api/patients/{patient}", headers=phone)).status_code == 404
    r = await app.post(
        f"/api/incidents/{incident_id}/assign",
        headers=operator,
        json={"responder_id": crew.ids["police.f"], "role": "police", "reason": "熟悉患者"},
    )
    assert r.status_code == 201, r.text
    again = r.json()["assignment_id"]
    assert (await app.post(f"/api/assignments/{again}/accept", headers=phone)).status_code == 200
    record = await app.get(f"/api/patients/{patient}", headers=phone)
    assert record.status_code == 200 and record.json()["access"] == "need_to_know"


async def test_responder_reads_own_record_and_duty(
    app: Client, crew: Crew, make_user: Any, paths: Any
) -> None:
    await crew.add("police.m", Capability.POLICE, 22.7, 114.35)
    phone = crew.headers["police.m"]
    r = await app.get("/api/responders/me", headers=phone)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == crew.ids["police.m"]
    assert r.json()["duty_status"] == "available"
    assert r.json()["position_known"] is True
    off = await app.put("/api/responders/me/duty", headers=phone, json={"status": "off_duty"})
    assert off.status_code == 200, off.text
    assert (await app.get("/api/responders/me", headers=phone)).json()["duty_status"] == "off_duty"
    # An account that is not a responder gets a clear 404, not someone else's record.
    await make_user("police.none", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    other = await login(app, "police.none")
    missing = await app.get("/api/responders/me", headers=other)
    assert missing.status_code == 404
    assert "not registered" in missing.json()["error"]["message"]
