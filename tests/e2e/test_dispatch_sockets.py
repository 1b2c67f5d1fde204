"""The loop with real WebSocket clients: the offer arrives on the phone's socket, answers go back
over it, and the wall sees each change."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from backend.security.policy import Capability, Role
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.realtime_helpers import next_message, open_socket, subscribe
from tests.e2e.test_timers import PLAYBOOKS

pytestmark = pytest.mark.e2e


async def _event(ws: Any, kind: str, timeout: float = 20) -> dict[str, Any]:
    while True:
        message = await next_message(ws, "event", timeout=timeout)
        if message["kind"] == kind:
            return message


async def _wall_state(ws: Any, incident_id: str, state: str) -> dict[str, Any]:
    while True:
        event = await _event(ws, "incident.updated")
        if event["data"]["id"] == incident_id and event["data"]["state"] == state:
            return event


async def test_offer_accept_status_over_sockets(
    start_backend: Callable[..., BackendProcess],
    make_user: Any,
    paths: DistrictPaths,
    district: Any,
    database_url: str,
) -> None:
    backend = start_backend(PINGAN_PLAYBOOK_DIR=str(PLAYBOOKS))
    lon, lat = district.units[paths.grid_a].feature()["geometry"]["coordinates"][0][0]
    crew = {}
    conn = await asyncpg.connect(database_url)
    for name, cap in (("police.ws", Capability.POLICE), ("doctor.ws", Capability.COMMUNITY_DOCTOR)):
        user = await make_user(name, paths.grid_a, Role.RESPONDER, capabilities=[cap])
        await conn.execute(
            "INSERT INTO responders (user_id, duty_status) VALUES ($1::uuid, 'available')", user.id
        )
        crew[name] = str(user.id)
    await conn.close()
    await make_user("op.ws", paths.district, Role.OPERATOR)
    operator = await login_http(backend.base_url, "op.ws")
    phones = {}
    for name, rid in crew.items():
        headers = await login_http(backend.base_url, name)
        token = headers["Authorization"].split()[1]
        ws = await open_socket(backend.base_url, token)
        await next_message(ws, "welcome")
        await ws.send(
            json.dumps(
                {"type": "position", "lat": lat, "lon": lon, "accuracy_m": 5, "ts": time.time()}
            )
        )
        await subscribe(ws, "me")
        phones[name] = ws
        del rid
    wall = await open_socket(backend.base_url, operator["Authorization"].split()[1])
    await next_message(wall, "welcome")
    await subscribe(wall, "wall")
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=30) as http:
        created = await http.post(
            "/api/incidents",
            headers=operator,
            json={"kind": "crisis_at_home", "place": {"lat": lat, "lon": lon}},
        )
        assert created.status_code == 201, created.text
    incident_id = created.json()["incident"]["summary"]["id"]
    await _wall_state(wall, incident_id, "dispatching")
    offers = {}
    for name, ws in phones.items():
        offer = await _event(ws, "assignment.offered")
        assert offer["data"]["incident_id"] == incident_id
        assert offer["data"]["kind"] == "crisis_at_home"
        assert offer["data"]["distance_m"] >= 0
        offers[name] = offer["data"]["assignment_id"]
    for name, ws in phones.items():
        await ws.send(
            json.dumps(
                {
                    "type": "assignment",
                    "assignment_id": offers[name],
                    "action": "accept",
                    "client_msg_id": f"{name}-1",
                }
            )
        )
        ack = await next_message(ws, "ack")
        assert ack["client_msg_id"] == f"{name}-1"
        # The same queued command again (a phone back from a dead zone): acknowledged, applied once.
        await ws.send(
            json.dumps(
                {
                    "type": "assignment",
                    "assignment_id": offers[name],
                    "action": "accept",
                    "client_msg_id": f"{name}-1",
                }
            )
        )
        assert (await next_message(ws, "ack"))["client_msg_id"] == f"{name}-1"
    await _wall_state(wall, incident_id, "responding")
    police = phones["police.ws"]
    await police.send(
        json.dumps(
            {"type": "assignment", "assignment_id": offers["police.ws"], "action": "on_scene"}
        )
    )
    await next_message(police, "ack")
    await _wall_state(wall, incident_id, "on_scene")
    await police.send(
        json.dumps(
            {"type": "assignment", "assignment_id": offers["police.ws"], "action": "decline"}
        )
    )
    refused = await next_message(police, "error")
    assert refused["code"] == "offer_closed"
    # a refusal names the field at fault, as HTTP errors do, so the phone can say what to fix
    for message, code, field in (
        ({"type": "position", "lat": 95.0, "lon": 114.35, "ts": time.time()}, "invalid", "lat"),
        (
            {"type": "position", "lat": 22.7, "lon": 114.35, "ts": time.time() + 600},
            "position_rejected",
            "ts",
        ),
        (
            {"type": "assignment", "assignment_id": offers["police.ws"], "action": "tick"},
            None,
            "item",
        ),
    ):
        await police.send(json.dumps(message))
        refused = await next_message(police, "error")
        assert (refused["field"], refused["code"] if code else None) == (field, code)
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=30) as http:
        timeline = (
            await http.get(f"/api/incidents/{incident_id}/timeline", headers=operator)
        ).json()
    assert [e["kind"] for e in timeline].count("assignment.accepted") == 2
    for ws in (*phones.values(), wall):
        await ws.close()
