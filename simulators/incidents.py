"""Incidents arriving at a Poisson rate, and the console operator who closes them (HTTP only).

The **intake** side signs in as an integration account (the hotline platform) and creates
incidents with ``POST /api/incidents``, one ``Idempotency-Key`` each (a retry after a timeout
cannot make a second incident). Kinds follow what a district's mental-health hotline sees
(crises at home most often). Places are drawn where people live: patients' homes first (the
incident names the patient, unless the caller could not: then the operator identifies them once
someone is on the way), else a point in an H3 cell weighted by the one map's counts of
residents, events and patients, else a point in any grid.

The **operator** side watches live incidents (``GET /api/incidents?state=live``). While the
field works it identifies a subject the caller did not name (``POST /api/incidents/{id}/patient``)
and, for a patient going to hospital, records the hand-over to a hospital of the register once
someone is on scene (psychiatric ones with free beds first), so the wall's beds fill and empty
as in life. Once the field is done (nobody offered, accepted, en route or on scene, and someone cleared) it closes
the incident with an outcome and a record sheet, reacting to ``409 close_refused`` by adding
what the playbook says is missing (a hospital hand-over) or by waiting (checklist items and
steps are the field's job). When the only thing missing is an alert or wait step that can no
longer complete (a role nobody answered) and the field stays done for ``waive_after_polls``
poll cycles, it waives that step with a reason and closes, as a duty officer would. An incident
nobody has touched for ``stale_after_s`` is cancelled with a reason: the last resort.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import h3

from simulators.http import Api, BackendUnavailable, Session
from simulators.movement import point_in_cells

log = logging.getLogger("pingan.simulators.incidents")

# Kinds as a district hotline sees them (our estimate, not a statistic).
KIND_WEIGHTS: dict[str, float] = {
    "crisis_at_home": 0.45,
    "danger_to_others": 0.18,
    "self_harm": 0.13,
    "medication_reaction": 0.10,
    "emergency_transfer": 0.09,
    "missing_patient": 0.05,
}
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "crisis_at_home": ("家属来电：患者在家情绪激动，拒绝服药", "患者在家摔砸物品，家属求助"),
    "danger_to_others": ("邻居报警：患者持物威胁他人", "患者在楼道内追赶路人"),
    "self_harm": ("家属发现患者有自伤行为", "患者扬言轻生，家属求助"),
    "medication_reaction": ("患者服药后出现肢体僵硬、发热", "疑似服药过量，意识模糊"),
    "emergency_transfer": ("病情加重，需送医住院治疗", "医生建议立即转送精神专科医院"),
    "missing_patient": ("患者早上离家未归，家属联系不上", "患者从家中走失，衣着深色外套"),
}
OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    "crisis_at_home": (("stabilised_at_home", 0.7), ("hospitalised", 0.25), ("false_alarm", 0.05)),
    "danger_to_others": (
        ("handed_to_police", 0.4),
        ("hospitalised", 0.5),
        ("stabilised_at_home", 0.1),
    ),
    "self_harm": (("hospitalised", 0.6), ("stabilised_at_home", 0.4)),
    "medication_reaction": (("hospitalised", 0.5), ("stabilised_at_home", 0.5)),
    "emergency_transfer": (("hospitalised", 1.0),),
    "missing_patient": (("found_safe", 0.9), ("hospitalised", 0.1)),
}
HOSPITAL = "深圳市坪山区人民医院"
ACTIVE = ("offered", "accepted", "en_route", "on_scene")


@dataclass(frozen=True)
class IncidentConfig:
    """What to create and how the operator behaves."""

    url: str
    rate_per_min: float
    password: str
    seed: int = 2026
    creator: str = "hotline"  # incident:create (an integration account, or an operator)
    operator: str = "operator"  # incident:manage, patient:read, map:read
    within: str | None = None  # only places under this org path
    kinds: tuple[str, ...] = ()  # only these kinds (default: all, weighted as KIND_WEIGHTS)
    patient_share: float = 0.5  # of incidents at a registered patient's home, when there are any
    unnamed_share: float = 0.25  # of those, the caller does not name the patient: identified later
    poll_s: float = 3.0
    stale_after_s: float = 900.0
    waive_after_polls: int = 2  # field done, only a stuck alert/wait step missing: then waive
    max_incidents: int | None = None
    first_within_s: float = 20.0  # the first incident comes soon, whatever the rate


class IncidentSimulator:
    """Creates incidents and closes them, until asked to stop."""

    def __init__(self, config: IncidentConfig) -> None:
        self.config = config
        self.api = Api(config.url)
        self.stats: Counter[str] = Counter()
        self._rng = random.Random(f"pingan-incidents:{config.seed}:{time.time()}")
        self._cells: list[str] = []
        self._weights: list[float] = []
        self._patients: list[dict[str, Any]] = []
        self._refusals: dict[str, int] = {}
        self._next_try: dict[str, float] = {}
        self._first_refused: dict[str, float] = {}
        self._handover: set[str] = set()
        self._handover_tried: set[str] = set()  # a hand-over to the register was attempted
        self._handed_over: set[str] = set()  # ... and recorded
        self._unnamed: dict[str, str] = {}  # incident id → the patient the caller did not name
        self._hospitals: list[dict[str, Any]] = []
        self._stuck_since: dict[str, float] = {}
        self._step_types: dict[str, dict[str, str]] = {}

    # --- where incidents happen --------------------------------------------------------------

    async def load_places(self, operator: Session) -> None:
        """Learn the grids' cells, the map's density, and the registered patients' homes."""
        r = await operator.call("GET", "/api/geo/units", params={"level": "grid"})
        r.raise_for_status()
        cells: set[str] = set()
        for feature in r.json()["features"]:
            path = feature["properties"]["path"]
            inside = self.config.within is None or (
                path == self.config.within or path.startswith(self.config.within + ".")
            )
            if feature.get("geometry") and inside:
                cells.update(h3.geo_to_cells(feature["geometry"], 9))
        if not cells:
            raise RuntimeError(f"no grid cells under {self.config.within or 'the district'}")
        density: dict[str, float] = {}
        for layer, weight in (("people", 1.0), ("events", 5.0), ("patients", 40.0)):
            r = await operator.call("GET", "/api/map/cells", params={"layer": layer, "res": 9})
            if r.status_code != 200:
                continue
            for c in r.json().get("cells", []):
                count = c["count"] if c["count"] is not None else 2.5  # suppressed: 1-4
                density[c["cell"]] = density.get(c["cell"], 0.0) + weight * count
        self._cells = sorted(cells)
        # Every cell keeps a floor (passers-by, workplaces); dense cells dominate.
        self._weights = [1.0 + density.get(c, 0.0) for c in self._cells]
        self.stats["place_cells"] = len(self._cells)
        self.stats["dense_cells"] = sum(1 for c in self._cells if density.get(c))
        r = await operator.call("GET", "/api/patients", params={"limit": 100})
        if r.status_code == 200:
            self._patients = [
                p
                for p in r.json()["items"]
                if p["person"].get("address_id") and self._covers(p["person"]["org_path"])
            ]
        self.stats["patients_known"] = len(self._patients)
        r = await operator.call("GET", "/api/map/key-places", params={"kind": "hospital"})
        if r.status_code == 200:
            self._hospitals = list(r.json()["items"])
        self.stats["hospitals_known"] = len(self._hospitals)

    def _covers(self, org_path: str) -> bool:
        within = self.config.within
        return within is None or org_path == within or org_path.startswith(within + ".")

    def draw_incident(self) -> dict[str, Any]:
        """A plausible new incident: kind, place, and the patient when it is at their home."""
        rng = self._rng
        kinds = [k for k in KIND_WEIGHTS if not self.config.kinds or k in self.config.kinds]
        kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
        body: dict[str, Any] = {
            "kind": kind,
            "description": rng.choice(DESCRIPTIONS[kind]),
            "reporter": {"relation": rng.choice(("家属", "邻居", "社区工作人员", "本人"))},
        }
        if kind == "danger_to_others" and rng.random() < 0.3:
            body["violent"] = True
        if self._patients and rng.random() < self.config.patient_share:
            patient = rng.choice(self._patients)
            body["place"] = {"address_id": patient["person"]["address_id"]}
            body["patient_id"] = patient["person"]["id"]
            if rng.random() < self.config.unnamed_share:
                body["unnamed"] = body.pop("patient_id")  # kept back: not part of the request
        else:
            cell = rng.choices(self._cells, weights=self._weights)[0]
            lat, lon = point_in_cells([cell], rng)
            body["place"] = {"lat": round(lat, 6), "lon": round(lon, 6)}
        return body

    # --- the loops ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Create and close incidents until ``stop`` is set."""
        try:
            operator = Session(self.api, self.config.operator, self.config.password)
            creator = Session(self.api, self.config.creator, self.config.password)
            await operator.login()
            await creator.login()
            await self.load_places(operator)
            loops = [
                asyncio.create_task(self._create_loop(stop, creator)),
                asyncio.create_task(self._operator_loop(stop, operator)),
            ]
            await stop.wait()
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
        finally:
            await self.api.close()

    async def _create_loop(self, stop: asyncio.Event, creator: Session) -> None:
        rate = self.config.rate_per_min / 60.0
        while not stop.is_set():
            if self.config.max_incidents is not None and (
                self.stats["created"] >= self.config.max_incidents
            ):
                return
            # Poisson arrivals: exponential gaps; capped so a tiny rate still shows life.
            gap = min(self._rng.expovariate(rate), 30 * 60) if rate > 0 else math.inf
            if self.stats["created"] == 0:
                gap = min(gap, self.config.first_within_s)
            try:
                await asyncio.wait_for(stop.wait(), gap)
                return
            except TimeoutError:
                pass
            try:
                await self.create(creator)
            except BackendUnavailable:
                self.stats["create_backend_away"] += 1

    async def create(self, creator: Session) -> str | None:
        """Create one incident (retrying with the same key after a backend restart)."""
        body = self.draw_incident()
        unnamed = body.pop("unnamed", None)
        key = f"sim-{uuid.uuid4().hex}"
        r = await creator.call(
            "POST", "/api/incidents", json=body, headers={"Idempotency-Key": key}
        )
        if r.status_code in (200, 201):
            self.stats["created"] += r.status_code == 201
            self.stats[f"created_{body['kind']}"] += 1
            self.stats["created_with_patient"] += "patient_id" in body
            incident: str = r.json()["incident"]["summary"]["id"]
            if unnamed is not None and r.json()["incident"]["patient_id"] is None:
                self._unnamed[incident] = unnamed
            return incident
        code = _error_code(r.json()) if r.content else ""
        self.stats[f"create_refused_{code or r.status_code}"] += 1
        return None

    async def _operator_loop(self, stop: asyncio.Event, operator: Session) -> None:
        while not stop.is_set():
            try:
                r = await operator.call(
                    "GET", "/api/incidents", params={"state": "live", "limit": 200}
                )
                if r.status_code == 200:
                    for incident in r.json()["items"]:
                        await self.look_after(operator, incident)
            except BackendUnavailable:
                self.stats["operator_backend_away"] += 1
            await _sleep_or_stop(stop, self.config.poll_s)

    async def look_after(self, operator: Session, incident: dict[str, Any]) -> None:
        """Identify the subject and record a hand-over while the field works; close an incident
        whose field work is done; cancel one that went stale."""
        iid = incident["id"]
        responders: dict[str, int] = incident.get("responders") or {}
        active = sum(responders.get(s, 0) for s in ACTIVE)
        now = time.time()
        working = responders.get("en_route", 0) + responders.get("on_scene", 0) > 0
        if iid in self._unnamed and working:
            await self.identify(operator, iid)
        if (
            responders.get("on_scene", 0) > 0
            and iid not in self._handover_tried
            and self.outcome_of(incident) == "hospitalised"
        ):
            await self.hand_over(operator, iid)
        field_done = active == 0 and responders.get("cleared", 0) > 0
        if field_done and incident["state"] in ("on_scene", "resolved"):
            if now < self._next_try.get(iid, 0.0):
                return
            if await self.close(operator, incident):
                return
            first = self._first_refused.setdefault(iid, now)
            if now - first > self.config.stale_after_s:
                await self.cancel(
                    operator, iid, "模拟：现场已撤离，预案步骤长时间未完成，值班员核实后撤销"
                )
        elif active == 0 and now - float(incident["updated_at"]) > self.config.stale_after_s:
            await self.cancel(operator, iid, "模拟：长时间无人处置，值班员核实后撤销")

    async def cancel(self, operator: Session, incident_id: str, reason: str) -> None:
        """Cancel with a reason (the console's last resort)."""
        r = await operator.call(
            "POST", f"/api/incidents/{incident_id}/cancel", json={"reason": reason}
        )
        self.stats["cancelled_stale" if r.status_code == 204 else "cancel_refused"] += 1
        if r.status_code == 204:
            self._forget(incident_id)

    def _forget(self, incident_id: str) -> None:
        """The incident ended: what was kept for it goes."""
        for memo in (
            self._refusals,
            self._next_try,
            self._first_refused,
            self._stuck_since,
            self._unnamed,
        ):
            memo.pop(incident_id, None)
        for done in (self._handover, self._handover_tried, self._handed_over):
            done.discard(incident_id)

    def outcome_of(self, incident: dict[str, Any]) -> str:
        """How the incident will end: drawn per kind, the same on every call for one incident."""
        outcomes = OUTCOMES.get(incident["kind"], (("other", 1.0),))
        rng = random.Random(incident["id"])
        return rng.choices([o for o, _ in outcomes], weights=[w for _, w in outcomes])[0]

    async def identify(self, operator: Session, incident_id: str) -> None:
        """The field found out who it is: link the patient the caller did not name."""
        r = await operator.call(
            "POST",
            f"/api/incidents/{incident_id}/patient",
            json={"patient_id": self._unnamed[incident_id]},
        )  # a backend away raises here: the entry stays, and the next poll tries again
        del self._unnamed[incident_id]
        self.stats["identified" if r.status_code == 200 else f"identify_http_{r.status_code}"] += 1
        if r.status_code == 200:
            await self.follow_suggestion(operator, incident_id)

    async def follow_suggestion(self, operator: Session, incident_id: str) -> None:
        """Once the subject is known, run the playbook the library now prefers for them (the
        console's warning offers it in one click), as a duty officer would."""
        r = await operator.call("GET", f"/api/incidents/{incident_id}/timeline")
        if r.status_code != 200:
            return
        linked = [e for e in r.json() if e["kind"] == "patient.linked"]
        suggested = linked[-1]["data"].get("playbook_suggested") if linked else None
        if not suggested:
            return
        r = await operator.call(
            "POST",
            f"/api/incidents/{incident_id}/playbook",
            json={"playbook_id": suggested, "reason": "模拟：当事人确认后，按预案库建议切换预案"},
        )
        self.stats["switched" if r.status_code == 200 else f"switch_http_{r.status_code}"] += 1

    async def hand_over(self, operator: Session, incident_id: str) -> None:
        """The patient is taken to a hospital of the register: psychiatric with a free bed first,
        then any with a free bed, then any (the register is read again: beds change)."""
        self._handover_tried.add(incident_id)  # once, whatever the answer: else named at close
        r = await operator.call("GET", "/api/map/key-places", params={"kind": "hospital"})
        if r.status_code == 200:
            self._hospitals = list(r.json()["items"])
        if not self._hospitals:
            return
        best = max(
            self._hospitals,
            key=lambda h: (bool(h.get("free")), bool(h.get("psychiatric")), h.get("free") or 0),
        )
        r = await operator.call(
            "POST", f"/api/incidents/{incident_id}/handover", json={"hospital_id": best["id"]}
        )
        if r.status_code == 200:
            self._handed_over.add(incident_id)
            self.stats["handed_over"] += 1
        else:
            self.stats[f"handover_http_{r.status_code}"] += 1

    async def close(self, operator: Session, incident: dict[str, Any]) -> bool:
        """Ask to close with an outcome and a record sheet; react to what is missing."""
        iid = incident["id"]
        outcome = self.outcome_of(incident)
        body: dict[str, Any] = {"outcome": outcome, "record_sheet_id": f"RS-{iid[4:]}"}
        if iid not in self._handed_over and (outcome == "hospitalised" or iid in self._handover):
            body["handover_hospital"] = HOSPITAL  # no hand-over recorded: named in free text
        r = await operator.call("POST", f"/api/incidents/{iid}/close", json=body)
        if r.status_code == 200:
            self.stats["closed"] += 1
            self.stats[f"closed_{outcome}"] += 1
            self._forget(iid)
            return True
        if r.status_code == 409 and _error_code(r.json()) == "close_refused":
            missing = _missing(r.json())
            self.stats["close_refused"] += 1
            for m in missing:
                self.stats[f"close_missing_{m.split(':')[0]}"] += 1
            if "hospital_handover" in missing and iid not in self._handover:
                self._handover.add(iid)  # the playbook wants it: give it, once, at once
                self._handed_over.discard(iid)
                return await self.close(operator, incident)
            stuck = await self._stuck_steps(operator, incident, missing)
            if stuck:
                # The field is done and only a step nobody will ever complete holds the close:
                # after a short wait (someone may still answer), waive it and close.
                since = self._stuck_since.setdefault(iid, time.time())
                due = self.config.waive_after_polls * self.config.poll_s
                if time.time() - since >= due and await self.waive(operator, iid, stuck):
                    self._stuck_since.pop(iid, None)
                    return await self.close(operator, incident)
                self._next_try[iid] = since + due
                return False
            self._stuck_since.pop(iid, None)
            # Steps and checklist items are the field's to finish: ask again later, less often.
            n = self._refusals[iid] = self._refusals.get(iid, 0) + 1
            self._next_try[iid] = time.time() + min(120.0, self.config.poll_s * 2**n)
            return False
        self.stats[f"close_http_{r.status_code}"] += 1
        return False

    async def _stuck_steps(
        self, operator: Session, incident: dict[str, Any], missing: list[str]
    ) -> list[str]:
        """The steps to waive when ``missing`` names only alert or wait steps (else none)."""
        steps = [m.removeprefix("step:") for m in missing if m.startswith("step:")]
        if not steps or len(steps) != len(missing):
            return []  # a record sheet, an item or a hand-over is missing: not a waiver's job
        types = await self._types_of(operator, str(incident["playbook_id"]))
        if all(types.get(step) in ("alert", "wait") for step in steps):
            return steps
        return []

    async def _types_of(self, operator: Session, playbook_id: str) -> dict[str, str]:
        """Step id → step type of a playbook (asked once per playbook)."""
        if playbook_id not in self._step_types:
            r = await operator.call("GET", f"/api/playbooks/{playbook_id}")
            if r.status_code != 200:
                return {}
            self._step_types[playbook_id] = {
                str(step["id"]): str(step.get("type", "")) for step in r.json().get("steps", [])
            }
        return self._step_types[playbook_id]

    async def waive(self, operator: Session, incident_id: str, steps: list[str]) -> bool:
        """Waive each stuck step with a reason; True when all of them are gone."""
        for step in steps:
            r = await operator.call(
                "POST",
                f"/api/incidents/{incident_id}/steps/{step}/waive",
                json={
                    "reason": f"模拟：步骤 {step} 无人响应（邀请过期、升级已用尽），现场已处置完毕，值班员核实后豁免"
                },
            )
            if r.status_code == 200:
                self.stats["waived"] += 1
            elif r.status_code == 409 and _error_code(r.json()) == "step_not_running":
                self.stats["waive_not_running"] += 1  # it completed meanwhile: fine
            else:
                self.stats[f"waive_http_{r.status_code}"] += 1
                return False
        return True

    def summary(self) -> dict[str, int]:
        """Counts worth a status line."""
        return {
            **{k: v for k, v in sorted(self.stats.items())},
            **{f"http_{k}": v for k, v in sorted(self.api.stats.items())},
        }


def _error_code(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code") or "")
    return ""


def _missing(body: dict[str, Any]) -> list[str]:
    """What a ``close_refused`` says is missing (``details.missing``, else parsed from the
    message ``"cannot close yet, missing: a, b: a, b"``)."""
    error = body.get("error") or {}
    details = error.get("details") or {}
    if isinstance(details.get("missing"), list):
        return [str(m) for m in details["missing"]]
    text = str(error.get("message", ""))
    tail = text.rsplit(": ", 1)[-1] if ": " in text else ""
    return [m.strip() for m in tail.split(",") if m.strip()]


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
