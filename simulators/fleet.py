"""A fleet of simulated responders, a real client of the backend (HTTP and WebSocket only).

``Fleet(config).run(stop)`` signs in the fleet accounts the demo set-up created (``fleet.0001``
…, see :mod:`simulators.roster`), puts a share of them on duty by time of day and capability,
moves them on patrol in their home grids, and reports their positions the way the field does:

- most phones' fixes reach the backend through a position **gateway** account, in batches of at
  most 1,000 (``POST /api/positions``) every ``batch_every_s``; each phone makes a fix every
  ``report_every_s`` (±20 %);
- ``socket_reporters`` phones send their fixes over their own WebSocket (``position`` messages);
- GPS noise of the drawn accuracy, spells of lost signal whose fixes arrive late and out of
  order (the backend ignores the older ones), and a small share of reports delayed a batch.

Each on-duty responder keeps its personal topic ``me`` open on a WebSocket (one socket per
on-duty responder: a few hundred sockets is what one backend node is built for), and works the
offers it gets (:mod:`simulators.responder`). After a backend restart the sockets resume and
the HTTP calls retry with back-off; nothing needs an operator.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import h3

from simulators.http import Api, BackendUnavailable, Session
from simulators.movement import Fix, Mover, gps_fix, point_in_cells
from simulators.responder import Behaviour, SimResponder
from simulators.roster import duty_share, member, username_of

log = logging.getLogger("pingan.simulators.fleet")
BATCH_MAX = 1000
QUEUE_MAX = 20_000
CHINA = timedelta(hours=8)


@dataclass(frozen=True)
class FleetConfig:
    """What to simulate and how hard."""

    url: str
    responders: int
    password: str
    seed: int = 2026
    operator: str = "operator"  # reads the grid boundaries (map:read)
    gateway: str = "gateway"  # reports positions for the whole fleet (position:report_any)
    report_every_s: float = 5.0
    batch_every_s: float = 2.0
    socket_reporters: int = 5
    hour: float | None = None  # local hour for duty shares; None: the clock in China
    duty_share: float | None = None  # override the time-of-day table (tests: 1.0)
    signal_loss_p: float = 0.004  # per fix: the signal drops for 20-120 s
    late_p: float = 0.02  # per report: delivered one batch late (out of order)
    login_concurrency: int = 8
    duty_every_s: float = 60.0
    behaviour: Behaviour = field(default_factory=Behaviour)


class Fleet:
    """Runs the fleet until asked to stop; ``summary()`` tells how it is going."""

    def __init__(self, config: FleetConfig) -> None:
        self.config = config
        self.api = Api(config.url)
        self.stats: Counter[str] = Counter()
        self.responders: list[SimResponder] = []
        self.grids: dict[str, list[str]] = {}
        self._queue: list[dict[str, Any]] = []
        self._late: list[dict[str, Any]] = []
        self._late_next: list[dict[str, Any]] = []
        self._rng = random.Random(f"pingan-fleet-run:{config.seed}")
        self._shift_draw: dict[str, float] = {}
        self._started = time.time()
        self._duty_gate = asyncio.Semaphore(16)

    # --- set-up -------------------------------------------------------------------------------

    async def load_grids(self) -> None:
        """Read the grids' boundaries (GeoJSON) and keep each grid's H3 cells."""
        operator = Session(self.api, self.config.operator, self.config.password)
        await operator.login()
        r = await operator.call("GET", "/api/geo/units", params={"level": "grid"})
        r.raise_for_status()
        for feature in r.json()["features"]:
            geometry = feature.get("geometry")
            if geometry:
                cells = sorted(h3.geo_to_cells(geometry, 9))
                if cells:
                    self.grids[feature["properties"]["path"]] = cells
        if not self.grids:
            raise RuntimeError("the backend has no grids: load the geography first")

    def _cells_for(self, org_path: str) -> list[str]:
        if org_path in self.grids:
            return self.grids[org_path]
        below = [
            c
            for path, cells in self.grids.items()
            if path.startswith(org_path + ".")
            for c in cells
        ]
        return below or [c for cells in self.grids.values() for c in cells]

    async def sign_in(self, stop: asyncio.Event) -> None:
        """Sign in every fleet account, those whose shift is on first, and put each on duty as
        soon as it is in (a login costs the backend an argon2 check, so the map fills up over
        the first minute instead of all at once)."""
        gate = asyncio.Semaphore(self.config.login_concurrency)

        async def one(index: int) -> None:
            plan = member(index, self.config.seed)
            rng = random.Random(f"pingan-responder:{self.config.seed}:{index}")
            draw = rng.random()
            session = Session(self.api, username_of(index), self.config.password)
            async with gate:
                if stop.is_set():
                    return
                try:
                    user = await session.login()
                except PermissionError:
                    self.stats["login_refused"] += 1
                    return
            cells = self._cells_for(user["org_unit"]["path"])
            lat, lon = point_in_cells(cells, rng)
            self._shift_draw[session.username] = draw
            responder = SimResponder(
                member=plan,
                session=session,
                mover=Mover(lat=lat, lon=lon, mode=plan.mode),
                cells=cells,
                rng=rng,
                behaviour=self.config.behaviour,
                stats=self.stats,
                over_socket=index <= self.config.socket_reporters,
            )
            self.responders.append(responder)
            await self._settle(responder)

        def on_shift_first(index: int) -> tuple[bool, int]:
            draw = random.Random(f"pingan-responder:{self.config.seed}:{index}").random()
            share = self.config.duty_share
            if share is None:
                share = duty_share(member(index, self.config.seed).capabilities, self.hour())
            return (draw >= share, index)

        order = sorted(range(1, self.config.responders + 1), key=on_shift_first)
        await asyncio.gather(*(one(i) for i in order))
        if not self.responders:
            raise RuntimeError(
                f"no fleet account could sign in ({username_of(1)} …): run the demo set-up first"
            )
        log.info("fleet signed in", extra={"responders": len(self.responders)})

    # --- the loops ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Sign in, then move, report and answer offers until ``stop`` is set."""
        try:
            await self.load_grids()
            gateway = Session(self.api, self.config.gateway, self.config.password)
            await gateway.login()
            loops = [
                asyncio.create_task(self._signing_in(stop)),
                asyncio.create_task(self._duty_loop(stop)),
                asyncio.create_task(self._move_loop(stop)),
                asyncio.create_task(self._flush_loop(stop, gateway)),
            ]
            await stop.wait()
            for task in loops:
                task.cancel()
            for result in await asyncio.gather(*loops, return_exceptions=True):
                if isinstance(result, Exception):
                    raise result
        finally:
            await asyncio.gather(*(r.stop() for r in self.responders), return_exceptions=True)
            await self.api.close()

    async def _signing_in(self, stop: asyncio.Event) -> None:
        try:
            await self.sign_in(stop)
        except Exception:
            stop.set()  # nothing to simulate: stop the loops, and run() raises this
            raise

    def hour(self) -> float:
        """The local hour that sets the duty shares."""
        if self.config.hour is not None:
            return self.config.hour
        local = datetime.now(UTC) + CHINA
        return local.hour + local.minute / 60

    def wants_duty(self, r: SimResponder) -> bool:
        """Whether this responder's shift covers the current hour."""
        share = self.config.duty_share
        if share is None:
            share = duty_share(r.member.capabilities, self.hour())
        return self._shift_draw[r.session.username] < share

    async def _settle(self, r: SimResponder) -> None:
        want = self.wants_duty(r)
        if want == r.on_duty or r.busy:
            return
        async with self._duty_gate:
            try:
                if await r.set_duty(want):
                    self.stats["duty_on" if want else "duty_off"] += 1
            except BackendUnavailable:
                self.stats["duty_backend_away"] += 1

    async def _duty_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _sleep_or_stop(stop, self.config.duty_every_s)
            await asyncio.gather(*(self._settle(r) for r in list(self.responders)))

    async def _move_loop(self, stop: asyncio.Event) -> None:
        scale = self.config.behaviour.time_scale
        last = time.time()
        while not stop.is_set():
            await asyncio.sleep(0.5)
            now = time.time()
            dt, last = (now - last) * scale, now
            sim_now = self._started + (now - self._started) * scale
            for r in list(self.responders):
                if not r.on_duty:
                    continue
                r.mover.advance(dt, sim_now)
                if not r.busy:
                    r.mover.patrol(r.cells, sim_now, r.rng)
                if now >= r.next_fix_at:
                    r.next_fix_at = now + self.config.report_every_s * r.rng.uniform(0.8, 1.2)
                    await self._report(r, now)

    async def _report(self, r: SimResponder, now: float) -> None:
        fix = gps_fix(r.mover, now, r.rng, moving=not r.mover.arrived)
        if now < r.signal_back_at or r.rng.random() < self.config.signal_loss_p:
            if now >= r.signal_back_at:
                r.signal_back_at = now + r.rng.uniform(20, 120)
                self.stats["signal_lost"] += 1
            r.held = [*r.held[-29:], fix]  # the phone keeps the last 30 fixes
            return
        # Back in coverage: the newest first, then the backlog (older: out of order).
        deliver, r.held = [fix, *r.held], []
        for f in deliver:
            if r.over_socket and await r.send_fix(f):
                self.stats["positions_socket"] += 1
                continue
            item = _item(r.session.user_id, f)
            (self._late if r.rng.random() < self.config.late_p else self._queue).append(item)

    async def _flush_loop(self, stop: asyncio.Event, gateway: Session) -> None:
        while not stop.is_set():
            await _sleep_or_stop(stop, self.config.batch_every_s)
            batch = self._queue + self._late_next
            self._queue, self._late_next, self._late = [], self._late, []
            if len(batch) > QUEUE_MAX:
                self.stats["positions_dropped"] += len(batch) - QUEUE_MAX
                batch = batch[-QUEUE_MAX:]
            for start in range(0, len(batch), BATCH_MAX):
                chunk = batch[start : start + BATCH_MAX]
                try:
                    r = await gateway.call("POST", "/api/positions", json={"items": chunk})
                except BackendUnavailable:
                    self._queue = batch[start:] + self._queue  # keep them for the next round
                    self.stats["batches_backend_away"] += 1
                    break
                if r.status_code != 200:
                    self.stats[f"batch_http_{r.status_code}"] += 1
                    continue
                body = r.json()
                self.stats["batches"] += 1
                for outcome in ("applied", "ignored", "rejected"):
                    self.stats[f"positions_{outcome}"] += body[outcome]

    def summary(self) -> dict[str, int]:
        """Counts worth a status line."""
        return {
            "signed_in": len(self.responders),
            "on_duty": sum(r.on_duty for r in self.responders),
            "busy": sum(r.busy for r in self.responders),
            "sockets_live": sum(
                1 for r in self.responders if r.socket is not None and r.socket.state == "live"
            ),
            **{k: v for k, v in sorted(self.stats.items())},
            **{f"http_{k}": v for k, v in sorted(self.api.stats.items())},
        }


def _item(responder_id: str, fix: Fix) -> dict[str, Any]:
    item: dict[str, Any] = {
        "responder_id": responder_id,
        "lat": fix.lat,
        "lon": fix.lon,
        "accuracy_m": fix.accuracy_m,
        "ts": fix.ts,
        "speed_mps": fix.speed_mps,
    }
    if fix.heading_deg is not None:
        item["heading_deg"] = fix.heading_deg
    return item


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
