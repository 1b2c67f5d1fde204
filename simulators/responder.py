"""One simulated responder: its phone's session and socket, and what it does with an offer.

The phone subscribes to its personal topic ``me`` while on duty. An offer is accepted,
declined or ignored (by :class:`Behaviour`'s odds, after a human reaction time); an accepted
one is worked the way a person would: en route, drive or walk to the scene, on scene, tick the
role's checklist items as the playbook asks for them, stay until the work is done, clear. Every
answer of the backend is respected: a 404 or 409 means the assignment is over (withdrawn,
released, closed) and the responder goes back to patrol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simulators.http import BackendUnavailable, Session
from simulators.movement import Fix, Mover
from simulators.realtime_client import RealtimeClient
from simulators.roster import FleetMember

log = logging.getLogger("pingan.simulators.responder")
LIVE = ("offered", "accepted", "en_route", "on_scene")
TERMINAL_INCIDENT = ("closed", "cancelled")


@dataclass(frozen=True)
class Behaviour:
    """How people answer offers and how long they take; every duration is divided by
    ``time_scale`` (movement is sped up by the same factor)."""

    accept_p: float = 0.85
    decline_p: float = 0.07  # the rest ignore the offer and let it expire
    reaction_s: tuple[float, float] = (4.0, 30.0)
    dwell_s: tuple[float, float] = (120.0, 420.0)  # at least this long on scene
    max_dwell_s: float = 7200.0  # leave after this even if the playbook still waits for others
    tick_gap_s: tuple[float, float] = (5.0, 45.0)
    poll_s: float = 10.0  # how often a responder on a job re-reads its incident
    time_scale: float = 1.0

    def seconds(self, value: float) -> float:
        """A duration of the simulated world, in wall-clock seconds."""
        return value / self.time_scale

    def between(self, bounds: tuple[float, float], rng: random.Random) -> float:
        """A wall-clock duration drawn from ``bounds`` (simulated seconds)."""
        return self.seconds(rng.uniform(*bounds))


class AssignmentOver(Exception):
    """The backend says the assignment is no longer ours to work (404 or 409)."""


@dataclass
class SimResponder:
    """A fleet member's phone and body; the fleet moves it and forwards its position fixes."""

    member: FleetMember
    session: Session
    mover: Mover
    cells: Sequence[str]
    rng: random.Random
    behaviour: Behaviour
    stats: Counter[str]
    over_socket: bool = False
    on_duty: bool = False
    socket: RealtimeClient | None = None
    working: str | None = None  # the assignment being worked
    next_fix_at: float = 0.0
    signal_back_at: float = 0.0
    held: list[Fix] = field(default_factory=list)  # fixes kept while the signal was lost
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _work: asyncio.Task[None] | None = None
    _socket_task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """True while an offer or assignment is being handled."""
        return self._work is not None and not self._work.done()

    # --- duty and the personal socket --------------------------------------------------------

    async def set_duty(self, on: bool) -> bool:
        """Go on or off duty; True when the backend agreed (a responder on a job stays on)."""
        r = await self.session.call(
            "PUT", "/api/responders/me/duty", json={"status": "available" if on else "off_duty"}
        )
        if r.status_code == 200:
            self.on_duty = on
        elif r.status_code == 409:  # on an incident already (e.g. from before a restart)
            self.on_duty = True
        else:
            self.stats[f"duty_{r.status_code}"] += 1
            return False
        if self.on_duty and self.socket is None:
            self.socket = RealtimeClient(
                self.session.api.ws_url, self.session.token, ["me"], self._on_message
            )
            self._socket_task = asyncio.create_task(self.socket.run())
        elif not self.on_duty:
            await self.stop_socket()
        return True

    async def stop_socket(self) -> None:
        """Close the personal socket."""
        if self.socket is not None:
            await self.socket.stop()
            if self._socket_task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(self._socket_task, 5)
            self.socket = None

    async def stop(self) -> None:
        """Stop working and close the socket (the account stays as it is)."""
        for task in (self._work, *self._tasks):
            if task is not None:
                task.cancel()
        await self.stop_socket()

    async def send_fix(self, fix: Fix) -> bool:
        """Send a fix over the socket (phones do); False when the socket is not live."""
        if self.socket is None or self.socket.state != "live":
            return False
        message: dict[str, Any] = {
            "type": "position",
            "lat": fix.lat,
            "lon": fix.lon,
            "ts": fix.ts,
            "accuracy_m": fix.accuracy_m,
            "speed_mps": fix.speed_mps,
        }
        if fix.heading_deg is not None:
            message["heading_deg"] = fix.heading_deg
        try:
            await self.socket.send(message)
        except (ConnectionError, OSError, Exception):  # closed between the check and the send
            return False
        return True

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            live = [a for a in message["data"].get("assignments", []) if a.get("state") in LIVE]
            ids = {a["assignment_id"] for a in live}
            if self.working is not None and self.working not in ids and self.busy:
                self.stats["resumed_ended"] += 1  # it ended while we were away
                self._cancel_work()
            for a in live:
                if a["assignment_id"] != self.working:
                    self.stats["resumed_from_snapshot"] += 1
                    self._start(a["assignment_id"], a["incident_id"], a["state"], None)
        elif kind == "event":
            data = message.get("data") or {}
            if message.get("kind") == "assignment.offered":
                self.stats["offers"] += 1
                self._start(data["assignment_id"], data["incident_id"], "offered", data)
            elif (
                message.get("kind") == "assignment.withdrawn"
                and data.get("assignment_id") == self.working
            ):
                self.stats["withdrawn"] += 1
                self._cancel_work()

    def _cancel_work(self) -> None:
        if self._work is not None:
            self._work.cancel()
        self.working = None

    def _start(
        self, assignment_id: str, incident_id: str, state: str, offer: dict[str, Any] | None
    ) -> None:
        if self.working == assignment_id:
            return
        if self.busy:
            self._cancel_work()
        self.working = assignment_id
        self._work = asyncio.create_task(self._handle(assignment_id, incident_id, state, offer))

    # --- working an assignment ---------------------------------------------------------------

    async def _handle(
        self, assignment_id: str, incident_id: str, state: str, offer: dict[str, Any] | None
    ) -> None:
        try:
            await self._work_assignment(assignment_id, incident_id, state, offer)
        except AssignmentOver as exc:
            self.stats["assignments_ended_by_backend"] += 1
            log.debug("assignment over", extra={"assignment_id": assignment_id, "why": str(exc)})
        except BackendUnavailable:
            self.stats["gave_up_backend_away"] += 1
        finally:
            if self.working == assignment_id:
                self.working = None
            self.mover.route.clear()  # back to patrol from wherever it stands

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.session.call("POST", path, json=body)
        if r.status_code in (404, 409):
            raise AssignmentOver(f"POST {path}: {r.status_code} {r.text[:160]}")
        if r.status_code >= 400:
            self.stats[f"http_{r.status_code}"] += 1
            raise AssignmentOver(f"POST {path}: {r.status_code} {r.text[:160]}")
        return r.json() if r.status_code == 200 and r.content else {}

    async def _detail(self, incident_id: str) -> dict[str, Any]:
        r = await self.session.call("GET", f"/api/incidents/{incident_id}")
        if r.status_code != 200:
            raise AssignmentOver(f"GET incident {incident_id}: {r.status_code}")
        detail: dict[str, Any] = r.json()
        return detail

    async def _work_assignment(
        self, aid: str, incident_id: str, state: str, offer: dict[str, Any] | None
    ) -> None:
        b, rng = self.behaviour, self.rng
        if state == "offered":
            await asyncio.sleep(b.between(b.reaction_s, rng))
            roll = rng.random()
            if roll >= b.accept_p + b.decline_p:
                self.stats["ignored"] += 1
                return
            if roll >= b.accept_p:
                await self._post(f"/api/assignments/{aid}/decline", {"reason": "在处理其他事务"})
                self.stats["declined"] += 1
                return
            await self._post(f"/api/assignments/{aid}/accept")
            self.stats["accepted"] += 1
            state = "accepted"
        detail = await self._detail(incident_id)
        scene = (
            (offer["lat"], offer["lon"])
            if offer
            else (detail["summary"]["lat"], detail["summary"]["lon"])
        )
        role = self._role_in(detail, aid) or (offer or {}).get("role", "")
        if state == "accepted":
            await asyncio.sleep(b.seconds(rng.uniform(5, 40)))  # gear up, get to the car
            await self._post(f"/api/assignments/{aid}/status", {"status": "en_route"})
            state = "en_route"
        if state == "en_route":
            self.mover.go(scene, rng)
            # The fleet's move loop walks the mover; this task only watches for the arrival.
            while not self.mover.arrived:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
            await self._post(f"/api/assignments/{aid}/status", {"status": "on_scene"})
            self.stats["arrived"] += 1
        await self._on_scene(aid, incident_id, role)
        await self._post(f"/api/assignments/{aid}/status", {"status": "clear"})
        self.stats["cleared"] += 1

    @staticmethod
    def _role_in(detail: dict[str, Any], aid: str) -> str | None:
        for a in detail.get("assignments", []):
            if a["id"] == aid:
                return str(a["role"])
        return None

    async def _on_scene(self, aid: str, incident_id: str, role: str) -> None:
        """Tick the role's items as they appear; stay until the playbook is past the scene work."""
        b, rng = self.behaviour, self.rng
        started = time.monotonic()
        least = b.between(b.dwell_s, rng)
        ticked: set[str] = set()
        while True:
            detail = await self._detail(incident_id)
            mine = next((a for a in detail["assignments"] if a["id"] == aid), None)
            if mine is None or mine["state"] not in LIVE:
                raise AssignmentOver(f"assignment {aid} is {mine and mine['state']}")
            summary = detail["summary"]
            if summary["state"] in TERMINAL_INCIDENT:
                raise AssignmentOver(f"incident {incident_id} is {summary['state']}")
            checklist = (detail.get("checklists") or {}).get(role) or {}
            refs = [f"{checklist['step_id']}.{i['id']}" for i in checklist.get("items", [])]
            todo = [ref for ref in refs if ref not in ticked]
            for item in todo:
                await asyncio.sleep(b.between(b.tick_gap_s, rng))
                await self._post(f"/api/assignments/{aid}/checklist", {"item": item})
                ticked.add(item)
                self.stats["ticks"] += 1
            elapsed = time.monotonic() - started
            step = (summary.get("step") or {}).get("id")
            done = step in (None, "close") or summary["state"] == "resolved"
            if (done and elapsed >= least) or elapsed >= b.seconds(b.max_dwell_s):
                return
            await asyncio.sleep(0 if todo else max(2.0, b.seconds(b.poll_s)))
