"""The load generators against a real backend: a swarm of wall subscribers that receives the
position batches a flood causes, the per-account socket cap showing in the swarm's counts, and
the bounds that keep both on this machine."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from backend.security.policy import Capability, Role
from simulators.geography import Geography
from simulators.load import Flood, FloodConfig, LoadConfigError, Swarm, SwarmConfig, ensure_loopback
from tests.conftest import ROOT, TEST_PASSWORD, BackendProcess, DistrictPaths
from tests.e2e.browser.helpers import point_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]
RESPONDERS = 4


async def _responders_on_duty(
    base_url: str, make_user: Any, district: Geography, paths: DistrictPaths
) -> None:
    await make_user("admin.d", paths.district, Role.ADMIN)
    await make_user("op.d", paths.district, Role.OPERATOR)
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("gateway.d", paths.district, Role.GATEWAY)
    lat, lon = point_in(district, paths.grid_a)
    async with httpx.AsyncClient(base_url=base_url, timeout=15) as http:

        async def bearer(username: str) -> dict[str, str]:
            r = await http.post(
                "/api/auth/login", json={"username": username, "password": TEST_PASSWORD}
            )
            r.raise_for_status()
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        admin = await bearer("admin.d")
        for n in range(RESPONDERS):
            user = await make_user(
                f"resp.{n}", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
            )
            r = await http.post("/api/responders", json={"user_id": str(user.id)}, headers=admin)
            assert r.status_code in (200, 201), r.text
            me = await bearer(f"resp.{n}")
            r = await http.put("/api/responders/me/duty", json={"status": "available"}, headers=me)
            assert r.status_code in (200, 204), r.text
            item = {
                "responder_id": str(user.id),
                "lat": lat,
                "lon": lon,
                "accuracy_m": 8,
                "ts": time.time(),
            }
            r = await http.post("/api/positions", json={"items": [item]}, headers=me)
            assert r.json()["applied"] == 1, r.text


async def _until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        await asyncio.sleep(0.2)


async def test_a_swarm_receives_what_a_flood_moves_and_meets_the_socket_cap(
    start_backend: Any, make_user: Any, district: Geography, paths: DistrictPaths
) -> None:
    backend: BackendProcess = start_backend(PINGAN_WS_MAX_CONNECTIONS_PER_USER="10")
    await _responders_on_duty(backend.base_url, make_user, district, paths)

    # 12 sockets for one account capped at 10: 10 live, 2 refused with 4029 and not retried.
    swarm = Swarm(
        SwarmConfig(
            url=backend.base_url,
            usernames=("lead.d",),
            password=TEST_PASSWORD,
            clients=12,
            topics=("wall", "positions"),
            duration_s=60,
            connect_per_s=50,
        )
    )
    stop = asyncio.Event()
    swarm_task = asyncio.create_task(swarm.run(stop))
    await _until(
        lambda: swarm.summary().get("state_live") == 10 and swarm.summary().get("closed_4029") == 2,
        30,
        f"10 live and 2 refused sockets: {swarm.summary()}",
    )
    # Each live socket has its wall snapshot and its first (full) positions batch.
    await _until(
        lambda: (
            swarm.summary().get("received_snapshot", 0) >= 10
            and swarm.summary().get("received_positions", 0) >= 10
        ),
        30,
        f"a snapshot of each topic on each live socket: {swarm.summary()}",
    )
    before = swarm.summary().get("received_positions", 0)

    flood = Flood(
        FloodConfig(
            url=backend.base_url,
            gateway="gateway.d",
            operator="op.d",
            password=TEST_PASSWORD,
            rate_per_s=200,
            duration_s=3,
            batch=50,
        )
    )
    await flood.run(asyncio.Event())
    counts = flood.summary()
    assert counts["sent"] >= 200, counts
    assert counts.get("rejected", 0) == 0, counts
    assert counts["applied"] + counts.get("ignored", 0) == counts["sent"], counts
    assert counts["applied"] > 0, counts

    # Every live subscriber of `positions` gets the batches the flood caused.
    await _until(
        lambda: (
            all(
                got["positions"] >= 2
                for c, got in zip(swarm.clients, swarm.received, strict=True)
                if c.state == "live"
            )
            and swarm.summary().get("received_positions", 0) >= before + 10
        ),
        30,
        f"position batches on every live socket: {swarm.summary()}",
    )
    stop.set()
    await swarm_task
    assert {c.state for c in swarm.clients} == {"closed"}


async def test_a_flood_with_nobody_on_duty_says_so(
    start_backend: Any, make_user: Any, paths: DistrictPaths
) -> None:
    backend: BackendProcess = start_backend()
    await make_user("op.d", paths.district, Role.OPERATOR)
    await make_user("gateway.d", paths.district, Role.GATEWAY)
    flood = Flood(
        FloodConfig(
            url=backend.base_url,
            gateway="gateway.d",
            operator="op.d",
            password=TEST_PASSWORD,
            rate_per_s=10,
            duration_s=1,
        )
    )
    with pytest.raises(RuntimeError, match="no responder is on duty"):
        await flood.run(asyncio.Event())


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    ensure_loopback(url)


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:8000", "https://example.com", "http://192.168.1.2", "http://"]
)
def test_other_hosts_are_refused(url: str) -> None:
    with pytest.raises(LoadConfigError, match="loopback only"):
        ensure_loopback(url)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"clients": 0}, "--clients"),
        ({"clients": 20_001}, "--clients"),
        ({"duration_s": 0.0}, "--duration"),
        ({"duration_s": 7200.0}, "--duration"),
        ({"usernames": ()}, "--username"),
    ],
)
def test_swarm_bounds_name_the_option(changes: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {
        "url": "http://127.0.0.1:8000",
        "usernames": ("a",),
        "password": "x",
        "clients": 10,
    }
    with pytest.raises(LoadConfigError, match=field):
        SwarmConfig(**{**base, **changes}).check()


def test_the_cli_refuses_a_remote_backend_before_connecting() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend",
            "simulate",
            "flood",
            "--url",
            "http://10.9.8.7:8000",
            "--rate",
            "10",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "loopback only" in done.stderr
