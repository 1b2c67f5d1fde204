"""The realtime hub against real backend processes and real WebSocket clients."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt as pyjwt
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from backend.security.policy import Capability, Role
from backend.security.tokens import issue_access_token
from backend.storage.postgres.pool import PgPool
from tests.conftest import BackendProcess, DistrictPaths
from tests.e2e.realtime_helpers import (
    StalledClient,
    collect_events,
    emit_events,
    next_message,
    open_socket,
    subscribe,
    token_for,
    ws_url,
)

pytestmark = pytest.mark.e2e
Start = Callable[..., BackendProcess]


async def _closed_code(ws: Any, timeout: float = 10) -> int | None:
    try:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


@pytest.fixture
async def leaders(make_user: Any, paths: DistrictPaths) -> None:
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("lead.a", paths.community_a, Role.COMMUNITY_LEADER)
    await make_user("resp.a", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])


async def test_authentication_paths(start_backend: Start, leaders: None) -> None:
    backend = start_backend()
    token = await token_for(backend.base_url, "lead.d")
    ws = await open_socket(backend.base_url, token)
    welcome = await next_message(ws, "welcome")
    assert welcome["username"] == "lead.d"
    assert ws.subprotocol == "pingan.v1"
    await ws.close()
    # Token in the first message instead of the header.
    from websockets.asyncio.client import connect

    async with connect(ws_url(backend.base_url)) as ws2:
        await ws2.send(json.dumps({"type": "hello", "token": token}))
        assert (await next_message(ws2, "welcome"))["username"] == "lead.d"
    for bad in ("not-a-token", token[:-3] + "abc"):
        ws3 = await open_socket(backend.base_url, bad)
        assert await _closed_code(ws3) == 4001
    async with connect(ws_url(backend.base_url)) as silent:
        assert await _closed_code(silent, timeout=15) == 4001  # no hello within the deadline


async def test_foreign_origin_is_refused_before_upgrade(
    start_backend: Start, leaders: None
) -> None:
    backend = start_backend(PINGAN_ALLOWED_ORIGINS="https://wall.pingshan.example")
    token = await token_for(backend.base_url, "lead.d")
    with pytest.raises(InvalidStatus) as refused:
        await open_socket(backend.base_url, token, origin="https://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    ok = await open_socket(backend.base_url, token, origin="https://wall.pingshan.example")  # type: ignore[arg-type]
    assert (await next_message(ok, "welcome"))["username"] == "lead.d"
    await ok.close()


async def test_oversize_message_closes_1009_and_floods_close_1008(
    start_backend: Start, leaders: None
) -> None:
    backend = start_backend(
        PINGAN_WS_MAX_MESSAGE_BYTES="4096", PINGAN_WS_RATE_BURST="5", PINGAN_WS_RATE_PER_S="1"
    )
    token = await token_for(backend.base_url, "lead.d")
    ws = await open_socket(backend.base_url, token)
    await next_message(ws, "welcome")
    await ws.send(json.dumps({"type": "ping", "nonce": "x" * 10_000}))
    assert await _closed_code(ws) == 1009
    flood = await open_socket(backend.base_url, token)
    await next_message(flood, "welcome")
    for _ in range(40):
        try:
            await flood.send(json.dumps({"type": "ping"}))
        except ConnectionClosed:
            break
    assert await _closed_code(flood) == 1008


async def test_wall_gets_events_of_its_jurisdiction_only(
    start_backend: Start, leaders: None, paths: DistrictPaths, database_url: str
) -> None:
    backend = start_backend()
    ws = await open_socket(backend.base_url, await token_for(backend.base_url, "lead.a"))
    await next_message(ws, "welcome")
    await ws.send(json.dumps({"type": "subscribe", "topic": "wall"}))
    snapshot = await next_message(ws, "snapshot")
    assert snapshot["reset"] is False
    await next_message(ws, "subscribed")
    await emit_events(database_url, paths.grid_b, 3, kind="elsewhere")
    await emit_events(database_url, paths.grid_a, 2, kind="here")
    events = await collect_events(ws, 2)
    assert [e["kind"] for e in events] == ["here", "here"]
    assert events[0]["seq"] < events[1]["seq"]
    await ws.close()


async def test_the_warnings_topic_carries_warnings_alone_and_a_counsellor_only_crises(
    start_backend: Start, leaders: None, paths: DistrictPaths, database_url: str, make_user: Any
) -> None:
    await make_user("xl.a", paths.community_a, Role.COUNSELLOR)
    backend = start_backend()
    sockets = {}
    for name in ("lead.a", "xl.a"):
        ws = await open_socket(backend.base_url, await token_for(backend.base_url, name))
        await next_message(ws, "welcome")
        await subscribe(ws, "warnings")
        sockets[name] = ws
    responder = await open_socket(backend.base_url, await token_for(backend.base_url, "resp.a"))
    await next_message(responder, "welcome")
    await responder.send(json.dumps({"type": "subscribe", "topic": "warnings"}))
    assert (await next_message(responder, "error"))["code"] == "forbidden"

    await emit_events(database_url, paths.grid_a, 1, kind="incident.created")
    for rule in ("follow_up_overdue", "psych_crisis"):
        await emit_events(
            database_url, paths.grid_a, 1, kind="warning.raised", payload={"rule": rule}
        )
    await emit_events(
        database_url, paths.grid_b, 1, kind="warning.raised", payload={"rule": "psych_crisis"}
    )
    await emit_events(
        database_url, paths.grid_a, 1, kind="warning.resolved", payload={"rule": "psych_crisis"}
    )
    leader = await collect_events(sockets["lead.a"], 3)
    assert [(e["kind"], e["data"]["rule"]) for e in leader] == [
        ("warning.raised", "follow_up_overdue"),
        ("warning.raised", "psych_crisis"),
        ("warning.resolved", "psych_crisis"),
    ]
    counsellor = await collect_events(sockets["xl.a"], 2)
    assert [(e["kind"], e["data"]["rule"]) for e in counsellor] == [
        ("warning.raised", "psych_crisis"),
        ("warning.resolved", "psych_crisis"),
    ]
    for ws in (*sockets.values(), responder):
        await ws.close()


@pytest.mark.parametrize(
    ("topic", "kind", "other_kind"),
    [
        ("disputes", "dispute.updated", "ledger.updated"),
        ("ledgers", "ledger.updated", "rental.updated"),
        ("rentals", "rental.updated", "dispute.updated"),
    ],
)
async def test_a_service_topic_carries_that_services_events_of_the_jurisdiction_alone(
    start_backend: Start,
    leaders: None,
    paths: DistrictPaths,
    database_url: str,
    topic: str,
    kind: str,
    other_kind: str,
) -> None:
    backend = start_backend()
    ws = await open_socket(backend.base_url, await token_for(backend.base_url, "lead.a"))
    await next_message(ws, "welcome")
    await subscribe(ws, topic)
    responder = await open_socket(backend.base_url, await token_for(backend.base_url, "resp.a"))
    await next_message(responder, "welcome")
    await responder.send(json.dumps({"type": "subscribe", "topic": topic}))
    assert (await next_message(responder, "error"))["code"] == "forbidden"

    await emit_events(database_url, paths.grid_a, 1, kind="incident.created")
    await emit_events(
        database_url, paths.grid_a, 1, kind="warning.raised", payload={"rule": "dispute_overdue"}
    )
    await emit_events(database_url, paths.grid_a, 1, kind=other_kind)  # another service's
    await emit_events(database_url, paths.grid_b, 1, kind=kind)  # another community's
    await emit_events(database_url, paths.grid_a, 1, kind=kind, payload={"action": "mine"})
    (event,) = await collect_events(ws, 1)
    assert (event["kind"], event["data"]["action"]) == (kind, "mine")
    await ws.close()
    await responder.close()


async def test_other_jurisdiction_topic_is_not_found_and_audited(
    start_backend: Start, leaders: None, paths: DistrictPaths, clean_db: PgPool
) -> None:
    backend = start_backend()
    ws = await open_socket(backend.base_url, await token_for(backend.base_url, "lead.a"))
    await next_message(ws, "welcome")
    await ws.send(json.dumps({"type": "subscribe", "topic": f"wall:{paths.street_b}"}))
    error = await next_message(ws, "error")
    assert error["code"] == "not_found"
    await ws.send(json.dumps({"type": "subscribe", "topic": "audit"}))
    assert (await next_message(ws, "error"))["code"] == "unknown_topic"
    responder = await open_socket(backend.base_url, await token_for(backend.base_url, "resp.a"))
    await next_message(responder, "welcome")
    await responder.send(json.dumps({"type": "subscribe", "topic": "wall"}))
    assert (await next_message(responder, "error"))["code"] == "forbidden"
    async with clean_db.acquire() as conn:
        denied = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'realtime.subscribe' AND outcome = 'denied'"
        )
    assert denied == 1
    await ws.close()
    await responder.close()


async def test_resume_gets_exactly_what_was_missed(
    start_backend: Start, leaders: None, paths: DistrictPaths, database_url: str
) -> None:
    backend = start_backend()
    token = await token_for(backend.base_url, "lead.d")
    ws = await open_socket(backend.base_url, token)
    await next_message(ws, "welcome")
    sub = await subscribe(ws, "wall")
    first = await emit_events(database_url, paths.grid_a, 1)
    (seen,) = await collect_events(ws, 1)
    assert seen["id"] == first[0]
    cursor = {"epoch": seen["epoch"], "seq": seen["seq"]}
    await ws.close()
    missed = await emit_events(database_url, paths.grid_a, 200)
    await asyncio.sleep(1.0)  # let the relay publish while we are away
    again = await open_socket(backend.base_url, token)
    await next_message(again, "welcome")
    await again.send(json.dumps({"type": "subscribe", "topic": "wall", "since": cursor}))
    replay = await collect_events(again, 200)
    confirmed = await next_message(again, "subscribed")
    assert [e["id"] for e in replay] == missed
    assert [e["seq"] for e in replay] == list(range(cursor["seq"] + 1, cursor["seq"] + 201))
    assert confirmed["replayed"] == 200
    assert sub["stream"] == confirmed["stream"]
    await again.close()


async def test_resume_past_retention_gets_a_reset_snapshot(
    start_backend: Start, leaders: None, paths: DistrictPaths, database_url: str
) -> None:
    backend = start_backend(PINGAN_STREAM_MAXLEN="100")
    token = await token_for(backend.base_url, "lead.d")
    ws = await open_socket(backend.base_url, token)
    await next_message(ws, "welcome")
    sub = await subscribe(ws, "wall")
    await ws.close()
    await emit_events(database_url, paths.grid_a, 600)
    await asyncio.sleep(2.0)
    again = await open_socket(backend.base_url, token)
    await next_message(again, "welcome")
    await again.send(
        json.dumps(
            {
                "type": "subscribe",
                "topic": "wall",
                "since": {"epoch": sub["epoch"], "seq": sub["seq"]},
            }
        )
    )
    snapshot = await next_message(again, "snapshot")
    assert snapshot["reset"] is True
    assert snapshot["seq"] >= sub["seq"] + 600
    await again.close()


async def test_event_from_one_node_reaches_a_client_on_another(
    start_backend: Start, leaders: None, paths: DistrictPaths, database_url: str
) -> None:
    node_a, node_b = start_backend(), start_backend()
    token = await token_for(node_a.base_url, "lead.d")
    on_b = await open_socket(node_b.base_url, token)
    on_a = await open_socket(node_a.base_url, token)
    for ws in (on_a, on_b):
        await next_message(ws, "welcome")
        await subscribe(ws, "wall")
    ids = await emit_events(database_url, paths.grid_a, 50)
    got_b = await collect_events(on_b, 50)
    got_a = await collect_events(on_a, 50)
    assert [e["id"] for e in got_b] == ids
    assert [e["id"] for e in got_a] == ids
    assert len({e["seq"] for e in got_b}) == 50  # exactly once, whichever node relayed
    await on_a.close()
    await on_b.close()


async def test_stalled_client_is_dropped_and_others_are_unaffected(
    start_backend: Start, leaders: None, make_user: Any, paths: DistrictPaths, database_url: str
) -> None:
    backend = start_backend(PINGAN_WS_SEND_TIMEOUT_S="5", PINGAN_WS_QUEUE_SIZE="2000")
    await make_user("admin.x", paths.district, Role.ADMIN)
    token = await token_for(backend.base_url, "lead.d")
    healthy = await open_socket(backend.base_url, token)
    await next_message(healthy, "welcome")
    await subscribe(healthy, "wall")
    stalled = await StalledClient.open(backend.base_url, token, "wall")
    await asyncio.sleep(0.5)
    # Enough bytes to fill the socket buffers, so the server's sends to the stalled one block.
    count = 1500
    # The healthy client reads while the events are committed: one that waited for all 1,500
    # commits first would itself stop reading for longer than the send timeout and be dropped.
    collecting = asyncio.create_task(collect_events(healthy, count, timeout=60))
    ids = await emit_events(database_url, paths.grid_a, count, pad=8000)
    got = await collecting
    assert [
        e["id"] for e in got
    ] == ids  # the healthy client lost nothing and saw everything in order
    admin = {"Authorization": f"Bearer {await token_for(backend.base_url, 'admin.x')}"}
    async with httpx.AsyncClient(base_url=backend.base_url) as http, asyncio.timeout(30):
        while True:  # the stalled sender gives up after its send timeout
            stats = (await http.get("/api/realtime/stats", headers=admin)).json()
            if stats.get("dropped_slow"):
                break
            await asyncio.sleep(0.2)
    assert stats["dropped_slow"] == 1, stats
    assert stats["clients"] == 1  # only the healthy one is left
    assert stats["messages_direct"] > 0  # idle sockets were written to without their queue
    # a served node searches its in-process mirror of the position index, in step
    assert stats["position_mirror"]["in_step"] is True, stats["position_mirror"]
    assert stats["position_mirror"]["syncs"] >= 1
    # `pingan serve` runs the GC policy: the live objects are frozen out of the collector's way
    assert stats["gc"]["frozen_after_full"] > 10_000, stats["gc"]
    assert stats["gc"]["heap_blocks"] > stats["gc"]["frozen_after_full"], stats["gc"]
    stalled.close()
    await healthy.close()


async def test_closed_connections_leave_almost_nothing_frozen(
    start_backend: Start, leaders: None, make_user: Any, paths: DistrictPaths
) -> None:
    """Reconnects must not grow the heap the GC policy freezes: a closed connection whose
    objects sit in a reference cycle is freed only by a full collection (a pause of every socket
    on the node). Ours left ~300 pymalloc blocks each (wait_for's task and exception, our scope
    entry, Litestar's socket closures); uvicorn's HTTP protocol still leaves ~20."""
    backend = start_backend(
        PINGAN_GC_FREEZE_INTERVAL_S="0.2", PINGAN_WS_MAX_CONNECTIONS_PER_USER="100"
    )
    await make_user("admin.x", paths.district, Role.ADMIN)
    token = await token_for(backend.base_url, "lead.d")
    admin = {"Authorization": f"Bearer {await token_for(backend.base_url, 'admin.x')}"}

    async def gc_stats() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=backend.base_url) as http:
            r = await http.get("/api/realtime/stats", headers=admin)
        r.raise_for_status()
        return dict(r.json()["gc"])

    async def churn(count: int) -> None:
        for _ in range(count // 50):
            sockets = [await open_socket(backend.base_url, token) for _ in range(50)]
            for ws in sockets:
                await next_message(ws, "welcome")
                await subscribe(ws, "wall")
            await asyncio.sleep(0.5)  # alive across ticks: frozen while open, as on a real node
            for ws in sockets:
                await ws.close()
            await asyncio.sleep(0.5)

    await churn(50)  # the first connections create what lives on (caches, pools)
    await asyncio.sleep(1.0)
    before = await gc_stats()
    await churn(300)
    await asyncio.sleep(1.0)
    after = await gc_stats()
    assert after["full_collections"] == before["full_collections"], (
        "a full collection ran and would hide what the closed connections left",
        before,
        after,
    )
    per_connection = (after["heap_blocks"] - before["heap_blocks"]) / 300
    assert per_connection < 80, (per_connection, before, after)


async def test_socket_closes_when_its_token_expires_unless_refreshed(
    start_backend: Start, leaders: None, tmp_path: Any
) -> None:
    data_dir = tmp_path / "data"
    backend = start_backend(PINGAN_DATA_DIR=str(data_dir))
    token = await token_for(backend.base_url, "lead.d")
    claims = pyjwt.decode(token, options={"verify_signature": False})
    keys = json.loads((data_dir / "keys.json").read_text())
    signing = base64.b64decode(keys["signing"])

    def short(ttl: int) -> str:
        fresh, _ = issue_access_token(
            signing,
            user_id=claims["sub"],
            session_id=claims["sid"],
            username=claims["name"],
            display_name=claims["dn"],
            roles=claims["roles"],
            capabilities=claims["caps"],
            org_path=claims["org"],
            now=time.time(),
            ttl_s=ttl,
        )
        return fresh

    expiring = await open_socket(backend.base_url, short(3))
    refreshed = await open_socket(backend.base_url, short(3))
    for ws in (expiring, refreshed):
        await next_message(ws, "welcome")
    await refreshed.send(json.dumps({"type": "refresh", "token": short(600)}))
    assert await _closed_code(expiring, timeout=15) == 4001
    await refreshed.send(json.dumps({"type": "ping", "nonce": "still-here"}))
    assert (await next_message(refreshed, "pong"))["nonce"] == "still-here"
    await refreshed.close()
