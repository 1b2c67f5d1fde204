"""Position ingest through the real app: per-item answers, the live index, tracks, aggregates."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]
CENTER = (22.705, 114.345)  # Pingshan street, inside the district


async def _responder(
    make_user: Any, pool: PgPool, name: str, org: str, cap: Capability, mode: str = "vehicle"
) -> str:
    user = await make_user(name, org, Role.RESPONDER, capabilities=[cap])
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO responders (user_id, mode) VALUES ($1::uuid, $2)", user.id, mode
        )
    return str(user.id)


def _item(rid: str, lat: float, lon: float, ts: float, **extra: Any) -> dict[str, Any]:
    return {"responder_id": rid, "lat": lat, "lon": lon, "accuracy_m": 8.0, "ts": ts, **extra}


@pytest.fixture
async def on_duty(
    client: Client, make_user: Any, clean_db: PgPool, paths: DistrictPaths
) -> dict[str, Any]:
    rid = await _responder(make_user, clean_db, "police.one", paths.grid_a, Capability.POLICE)
    headers = await login(client, "police.one")
    r = await client.put("/api/responders/me/duty", json={"status": "available"}, headers=headers)
    assert r.status_code == 200, r.text
    return {"id": rid, "headers": headers}


async def test_own_report_is_applied_and_found_by_nearest(
    client: Client, on_duty: dict[str, Any], make_user: Any, paths: DistrictPaths
) -> None:
    now = time.time()
    r = await client.post(
        "/api/positions",
        json={"items": [_item(on_duty["id"], *CENTER, now)]},
        headers=on_duty["headers"],
    )
    assert r.status_code == 200
    assert r.json()["applied"] == 1
    await make_user("op.n", paths.district, Role.OPERATOR)
    operator = await login(client, "op.n")
    nearest = await client.get(
        f"/api/responders/nearest?lat={CENTER[0] + 0.01}&lon={CENTER[1]}&capability=police&k=3",
        headers=operator,
    )
    assert nearest.status_code == 200
    (found,) = nearest.json()
    assert found["responder_id"] == on_duty["id"]
    assert 1000 < found["distance_m"] < 1200
    assert found["display_name"] == "Police.One"
    assert any("police" in reason for reason in found["reasons"])
    listed = (await client.get("/api/responders", headers=operator)).json()
    assert [(x["id"], x["position_known"], x["duty_status"]) for x in listed] == [
        (on_duty["id"], True, "available")
    ]


async def test_each_bad_item_gets_its_own_reason_and_good_ones_still_apply(
    client: Client, on_duty: dict[str, Any]
) -> None:
    now = time.time()
    rid = on_duty["id"]
    items = [
        _item(rid, *CENTER, now),
        _item(rid, *CENTER, now - 30),  # older than the stored one: out of order
        _item(rid, *CENTER, now),  # duplicate
        _item(rid, 95.0, CENTER[1], now),  # latitude out of range
        _item(rid, *CENTER, now + 120),  # from the future
        _item(str(uuid.uuid4()), *CENTER, now),  # someone else
        {"responder_id": rid, "lat": "north"},  # garbage
        _item(rid, *CENTER, now, speed_mps=-1),
    ]
    body = (
        await client.post("/api/positions", json={"items": items}, headers=on_duty["headers"])
    ).json()
    got = [(x["outcome"], x["field"]) for x in body["results"]]
    assert got == [
        ("applied", None),
        ("ignored", None),
        ("ignored", None),
        ("rejected", "lat"),
        ("rejected", "ts"),
        ("rejected", "responder_id"),
        ("rejected", "lat"),
        ("rejected", "speed_mps"),
    ]
    assert body["results"][5]["reason"] == "you may report only your own position"
    assert (body["applied"], body["ignored"], body["rejected"]) == (1, 2, 5)


async def test_batch_limits(client: Client, on_duty: dict[str, Any]) -> None:
    too_many = {"items": [_item(on_duty["id"], *CENTER, time.time())] * 1001}
    r = await client.post("/api/positions", json=too_many, headers=on_duty["headers"])
    assert r.status_code == 413
    assert r.json()["error"]["field"] == "items"
    assert (
        await client.post("/api/positions", json={"items": []}, headers=on_duty["headers"])
    ).status_code == 400


async def test_gateway_reports_for_responders_of_its_jurisdiction_only(
    client: Client, on_duty: dict[str, Any], make_user: Any, clean_db: PgPool, paths: DistrictPaths
) -> None:
    other = await _responder(
        make_user, clean_db, "doctor.b", paths.grid_b, Capability.COMMUNITY_DOCTOR
    )
    async with clean_db.acquire() as conn:
        await conn.execute("UPDATE responders SET duty_status = 'available'")
    await make_user("gw.a", paths.community_a, Role.GATEWAY)
    gateway = await login(client, "gw.a")
    now = time.time()
    body = (
        await client.post(
            "/api/positions",
            json={
                "items": [
                    _item(on_duty["id"], *CENTER, now),
                    _item(other, *CENTER, now),
                ]
            },
            headers=gateway,
        )
    ).json()
    assert [x["outcome"] for x in body["results"]] == ["applied", "rejected"]
    assert body["results"][1]["reason"] == "unknown responder"


async def test_off_duty_positions_are_refused(client: Client, on_duty: dict[str, Any]) -> None:
    r = await client.put(
        "/api/responders/me/duty", json={"status": "off_duty"}, headers=on_duty["headers"]
    )
    assert r.json()["duty_status"] == "off_duty"
    body = (
        await client.post(
            "/api/positions",
            json={"items": [_item(on_duty["id"], *CENTER, time.time())]},
            headers=on_duty["headers"],
        )
    ).json()
    assert body["results"][0]["reason"].startswith("responder is off duty")


async def test_redis_emptied_means_position_unknown_until_the_next_report(
    client: Client,
    on_duty: dict[str, Any],
    make_user: Any,
    paths: DistrictPaths,
    redis: Any,
    redis_prefix: str,
) -> None:
    now = time.time()
    await client.post(
        "/api/positions",
        json={"items": [_item(on_duty["id"], *CENTER, now)]},
        headers=on_duty["headers"],
    )
    await make_user("op.r", paths.district, Role.OPERATOR)
    operator = await login(client, "op.r")
    keys = [k async for k in redis.scan_iter(match=f"{redis_prefix}:pos*")]
    assert keys
    # what a Redis restart without persistence does: the data and the connections go
    feed = client.app.state.positions.index.feed
    assert feed is not None
    async with asyncio.timeout(5):
        # the app may run on another event loop: read its state, never await its clients
        while feed.mirror is None or len(feed.mirror) != 1:
            await asyncio.sleep(0.01)
    await redis.delete(*keys)
    for held in await redis.client_list():
        if held.get("name") == feed.client_name:  # this node's subscriber alone
            await redis.execute_command("CLIENT", "KILL", "ID", held["id"])
    async with asyncio.timeout(5):
        # the node's mirror stops serving the moment its connection drops, then resyncs
        while feed.mirror is not None and len(feed.mirror) == 1:
            await asyncio.sleep(0.01)
    listed = (await client.get("/api/responders", headers=operator)).json()
    assert listed[0]["position_known"] is False
    assert listed[0]["lat"] is None
    nearest = await client.get(
        f"/api/responders/nearest?lat={CENTER[0]}&lon={CENTER[1]}", headers=operator
    )
    assert nearest.json() == []
    await client.post(
        "/api/positions",
        json={"items": [_item(on_duty["id"], *CENTER, now + 1)]},
        headers=on_duty["headers"],
    )
    assert (await client.get("/api/responders", headers=operator)).json()[0][
        "position_known"
    ] is True


async def test_tracks_are_sampled_and_cells_counted(
    client: Client, on_duty: dict[str, Any], make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    t0 = time.time() - 60
    for i, dt in enumerate((0, 3, 6, 11, 25)):
        await client.post(
            "/api/positions",
            json={"items": [_item(on_duty["id"], CENTER[0] + i * 1e-4, CENTER[1], t0 + dt)]},
            headers=on_duty["headers"],
        )
    positions = client.app.state.positions
    await positions.tracks.flush(clean_db)
    async with clean_db.acquire() as conn:
        stored = await conn.fetchval("SELECT count(*) FROM position_tracks")
    assert stored == 3  # t0, t0+11, t0+25: one row per 10 s interval
    await make_user("lead.c", paths.district, Role.DISTRICT_LEADER)
    cells = (
        await client.get("/api/responders/cells?res=8", headers=await login(client, "lead.c"))
    ).json()
    everyone = [c for c in cells if c["capability"] is None]
    assert sum(c["count"] for c in everyone) == 1
    assert everyone[0]["status"] == "available"


async def test_the_responder_list_pages_by_cursor_without_gaps_or_repeats(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("admin.p", paths.district, Role.ADMIN)
    admin = await login(client, "admin.p")
    made = []
    for n in range(7):
        user = await make_user(
            f"resp.page{n}", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
        )
        r = await client.post("/api/responders", json={"user_id": str(user.id)}, headers=admin)
        assert r.status_code in (200, 201), r.text
        made.append(str(user.id))
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **({"after": after} if after else {})}
        r = await client.get("/api/responders", params=params, headers=admin)
        assert r.status_code == 200, r.text
        seen += [x["id"] for x in r.json()]
        pages += 1
        after = r.headers.get("X-Next-After")
        if after is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    bad = await client.get("/api/responders", params={"after": "not-a-cursor"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "after"
