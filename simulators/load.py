"""Load generators for a backend on this machine: wall/leader subscriber swarms and position
floods. Bounded in count and time, and loopback only — they exist to measure our own system,
never to point at someone else's.

Both are ordinary clients: a swarm is many ``RealtimeClient`` sockets of a few accounts (the
backend caps sockets per account, so spread a large swarm over several), a flood is a position
gateway posting batches for the responders who are on duty (the backend refuses positions of
responders off duty, as it should).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec

from simulators.http import Api, BackendUnavailable, Session
from simulators.realtime_client import RealtimeClient

MAX_CLIENTS = 20_000
MAX_RATE_PER_S = 50_000.0
MAX_DURATION_S = 3_600.0
BATCH_MAX = 1_000  # the positions API's own limit per request
FLOOD_SPREAD_DEG = 0.002  # ~200 m of jitter per report around the responder's last place


class LoadConfigError(ValueError):
    """A load generator was asked for something unbounded or not on this machine."""


def ensure_loopback(url: str) -> None:
    """Refuse any backend that is not on this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise LoadConfigError(f"--url: load generators run against loopback only, not {host!r}")


def _bounded(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high) or math.isnan(value):
        raise LoadConfigError(f"{name}: must be between {low:g} and {high:g}, not {value:g}")


class SwarmConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``clients`` sockets spread round-robin over ``usernames``, each on ``topics``."""

    url: str
    usernames: tuple[str, ...]
    password: str
    clients: int
    topics: tuple[str, ...] = ("wall",)
    duration_s: float = 60.0
    connect_per_s: float = 200.0  # ramp, so the swarm does not look like a SYN flood

    def check(self) -> None:
        ensure_loopback(self.url)
        _bounded("--clients", self.clients, 1, MAX_CLIENTS)
        _bounded("--duration", self.duration_s, 1, MAX_DURATION_S)
        _bounded("--connect-rate", self.connect_per_s, 1, 10_000)
        if not self.usernames:
            raise LoadConfigError("--username: at least one account is needed")
        if not self.topics:
            raise LoadConfigError("--topic: at least one topic is needed")


class Swarm:
    """Many subscribers holding sockets open and counting what reaches them."""

    def __init__(self, config: SwarmConfig) -> None:
        config.check()
        self.config = config
        self.api = Api(config.url)
        self.clients: list[RealtimeClient] = []
        self.received: list[Counter[str]] = []  # per socket, by message type
        self.stats: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> None:
        """Sign in, open the sockets at the ramp rate, hold them until ``stop`` or the duration."""
        deadline = time.monotonic() + self.config.duration_s
        tasks: list[asyncio.Task[None]] = []
        try:
            sessions = [Session(self.api, u, self.config.password) for u in self.config.usernames]
            for s in sessions:
                await s.login()
            gap = 1.0 / self.config.connect_per_s
            for i in range(self.config.clients):
                if stop.is_set() or time.monotonic() >= deadline:
                    break
                client = RealtimeClient(
                    self.api.ws_url,
                    sessions[i % len(sessions)].token,
                    list(self.config.topics),
                    self._counter(),
                )
                self.clients.append(client)
                tasks.append(asyncio.create_task(client.run()))
                await asyncio.sleep(gap)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, deadline - time.monotonic()))
        finally:
            await asyncio.gather(*(c.stop() for c in self.clients), return_exceptions=True)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.api.close()
            stop.set()

    def _counter(self) -> Callable[[dict[str, Any]], None]:
        mine: Counter[str] = Counter()
        self.received.append(mine)

        def count(message: dict[str, Any]) -> None:
            kind = str(message.get("type", "unknown"))
            mine[kind] += 1
            self.stats[f"received_{kind}"] += 1

        return count

    def summary(self) -> dict[str, int]:
        """Counts worth a status line: sockets by state, messages by type, refusals."""
        states = Counter(c.state for c in self.clients)
        closes = Counter(c.last_close for c in self.clients if c.last_close not in (None, 1000))
        return {
            "opened": len(self.clients),
            **{f"state_{k}": v for k, v in sorted(states.items())},
            **{f"closed_{k}": v for k, v in sorted(closes.items(), key=str)},
            "events": sum(c.stats["events"] for c in self.clients),
            "duplicates": sum(c.stats["duplicates"] for c in self.clients),
            **dict(sorted(self.stats.items())),
        }


class FloodConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``rate_per_s`` position reports for the on-duty responders, through ``gateway``."""

    url: str
    gateway: str
    operator: str
    password: str
    rate_per_s: float
    duration_s: float = 30.0
    batch: int = 500
    seed: int = 2026

    def check(self) -> None:
        ensure_loopback(self.url)
        _bounded("--rate", self.rate_per_s, 1, MAX_RATE_PER_S)
        _bounded("--duration", self.duration_s, 1, MAX_DURATION_S)
        _bounded("--batch", self.batch, 1, BATCH_MAX)


class Flood:
    """Position reports at a steady rate, paced per batch, each one newer than the last."""

    def __init__(self, config: FloodConfig) -> None:
        config.check()
        self.config = config
        self.api = Api(config.url)
        self.stats: Counter[str] = Counter()
        self.rng = random.Random(config.seed)

    async def on_duty(self, operator: Session) -> list[dict[str, Any]]:
        """The responders whose positions the backend will take, with their last place."""
        r = await operator.call("GET", "/api/responders", params={"limit": 500})
        if r.status_code != 200:
            raise RuntimeError(f"cannot list responders as {self.config.operator}: {r.status_code}")
        found = [x for x in r.json() if x["duty_status"] != "off_duty" and x["lat"] is not None]
        if not found:
            raise RuntimeError("no responder is on duty with a known position: start a fleet first")
        return found

    async def run(self, stop: asyncio.Event) -> None:
        """Post batches until ``stop`` or the duration; counts what the backend did with them."""
        try:
            operator = Session(self.api, self.config.operator, self.config.password)
            gateway = Session(self.api, self.config.gateway, self.config.password)
            await operator.login()
            await gateway.login()
            targets = await self.on_duty(operator)
            started = time.monotonic()
            deadline = started + self.config.duration_s
            sent = 0
            while not stop.is_set() and time.monotonic() < deadline:
                # Pace by the clock, not by sleeps: a slow answer is caught up, not lost.
                due = int((time.monotonic() - started) * self.config.rate_per_s)
                if due <= sent:
                    await asyncio.sleep(min(0.05, self.config.batch / self.config.rate_per_s))
                    continue
                size = min(self.config.batch, due - sent)
                await self._post(
                    gateway, [self._item(self.rng.choice(targets)) for _ in range(size)]
                )
                sent += size
            self.stats["sent"] = sent
        finally:
            await self.api.close()
            stop.set()

    def _item(self, target: dict[str, Any]) -> dict[str, Any]:
        spread = FLOOD_SPREAD_DEG
        return {
            "responder_id": target["id"],
            "lat": target["lat"] + self.rng.uniform(-spread, spread),
            "lon": target["lon"] + self.rng.uniform(-spread, spread),
            "accuracy_m": self.rng.uniform(5, 30),
            "ts": time.time(),
        }

    async def _post(self, gateway: Session, items: list[dict[str, Any]]) -> None:
        try:
            r = await gateway.call("POST", "/api/positions", json={"items": items})
        except BackendUnavailable:
            self.stats["backend_away"] += 1
            return
        if r.status_code != 200:
            self.stats[f"http_{r.status_code}"] += 1
            return
        body = r.json()
        self.stats["batches"] += 1
        for outcome in ("applied", "ignored", "rejected"):
            self.stats[outcome] += body[outcome]

    def summary(self) -> dict[str, int]:
        """Counts worth a status line."""
        return dict(sorted(self.stats.items()))
