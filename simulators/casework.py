"""A counsellor, a case worker and a grid worker at work, so the demo's psych, ledger and rental
pages move.

Each step is one thing a person at the desk would do, chosen by weight:

* the counsellor screens a resident of their community (PHQ-9 or GAD-7; most residents are well,
  a few worried, now and then one with thoughts of self-harm, which raises a crisis warning);
* the counsellor sees whoever heads the attention list: a crisis intervention when they have a
  live crisis warning (which resolves it), else a counselling session;
* the case worker checks the ledger entry most overdue (which resolves its warning), or
  registers someone the block data lists in a group and nobody has registered;
* the case worker visits the patient whose follow-up falls due soonest this week (随访: mostly stable and
  on their medication, now and then worse), never one already overdue: those are the demo's
  user's to try, and their warnings stay until someone does;
* the case worker works the dispute its community holds that is most overdue: a mediation
  session, and now and then a settlement (or a referral to court);
* the grid worker now and then reports a dispute met on the rounds (网格上报), and inspects the
  rental house most overdue, else one never inspected: most are in
  order, some have a hazard or two, now and then one is decisive (red); hazards found before are
  mostly put right by the next visit, which clears their rectifications.

Like every simulator it is a client of the backend and nothing else: the same routes, ids made
once per form, refusals counted, never a database.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from simulators.http import Session

ITEMS = {"phq9": 9, "gad7": 7}
_WEIGHTS = {"well": (70, 22, 6, 2), "worried": (20, 35, 30, 15)}
GROUPS = ("elderly_alone", "low_income", "disabled", "released_prisoner", "community_correction")
# what a grid worker finds at a rental door, and how often (of visits)
_HAZARD_ODDS = {
    "ebike_indoor_charging": 0.02,
    "blocked_exit": 0.01,
    "unsafe_wiring": 0.06,
    "no_extinguisher": 0.10,
    "no_smoke_alarm": 0.12,
    "lease_unfiled": 0.08,
}
_STILL_THERE = 0.3  # a hazard found before is still there at the next visit
_DISPUTES = [
    ("neighbour", "噪音扰民邻里纠纷", 2),
    ("property", "物业费收缴争议", 12),
    ("labour", "商铺拖欠店员工资", 3),
    ("family", "婚姻家庭矛盾", 2),
    ("consumer", "装修质量退款纠纷", 2),
]


class CaseworkConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How busy the desks are."""

    seed: int = 2026
    step_every_s: float = 20.0  # a step of either person, on average
    self_harm_share: float = 0.03  # of screenings


class CaseworkSimulator:
    """The counsellor's and the case worker's work, one step at a time."""

    def __init__(
        self,
        config: CaseworkConfig,
        counsellor: Session,
        caseworker: Session,
        gridworker: Session | None = None,
    ) -> None:
        self.config = config
        self.counsellor = counsellor
        self.caseworker = caseworker
        self.gridworker = gridworker
        self.rng = random.Random(config.seed)
        self.stats: Counter[str] = Counter()
        self._residents: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        """Sign both in, then work until ``stop``. A refusal is counted, never fatal."""
        await self.counsellor.login()
        await self.caseworker.login()
        if self.gridworker is not None:
            try:
                await self.gridworker.login()
            except PermissionError:  # an older demo without the account: the desks go on
                self.gridworker = None
        while not stop.is_set():
            await self.step()
            try:
                await asyncio.wait_for(
                    stop.wait(), self.rng.expovariate(1 / self.config.step_every_s)
                )
            except TimeoutError:
                continue

    async def step(self) -> str:
        """Do one thing; returns what was done (for the status line and tests)."""
        actions: list[tuple[str, Callable[[], Coroutine[Any, Any, bool]], int]] = [
            ("screened", self.screen, 5),
            ("served", self.serve, 3),
            ("checked", self.check, 3),
            ("registered", self.register, 1),
            ("visited", self.visit, 2),
        ]
        actions.append(("mediated", self.mediate, 2))
        if self.gridworker is not None:
            actions.append(("inspected", self.inspect, 4))
            actions.append(("reported_dispute", self.report_dispute, 1))
        name, act, _ = self.rng.choices(actions, weights=[w for *_, w in actions])[0]
        done = await act()
        self.stats[name if done else f"{name}_nothing"] += 1
        return name if done else "nothing"

    async def _resident(self) -> str | None:
        if not self._residents:
            r = await self.counsellor.call("GET", "/api/persons", params={"limit": 200})
            if r.status_code != 200:
                self.stats[f"refused_{r.status_code}"] += 1
                return None
            self._residents = [p["id"] for p in r.json()["items"]]
        return self.rng.choice(self._residents) if self._residents else None

    async def screen(self) -> bool:
        """A screening of a resident; self-harm thoughts now and then."""
        person = await self._resident()
        if person is None:
            return False
        scale = self.rng.choice(("phq9", "phq9", "gad7"))
        mood = "worried" if self.rng.random() < 0.2 else "well"
        answers = self.rng.choices(range(4), weights=_WEIGHTS[mood], k=ITEMS[scale])
        if scale == "phq9":
            answers[8] = 1 if self.rng.random() < self.config.self_harm_share else 0
        body = {
            "id": str(uuid.uuid4()),
            "person_id": person,
            "scale": scale,
            "answers": answers,
            "at": datetime.now(UTC).isoformat(),
        }
        return await self._sent(self.counsellor, "POST", "/api/psych/assessments", body)

    async def serve(self) -> bool:
        """A session with whoever heads the attention list."""
        r = await self.counsellor.call("GET", "/api/psych/attention", params={"limit": 1})
        if r.status_code != 200 or not r.json()["items"]:
            return False
        first = r.json()["items"][0]
        crisis = first["warning"] is not None
        body = {
            "id": str(uuid.uuid4()),
            "person_id": first["person_id"],
            "kind": "crisis_intervention" if crisis else "counselling",
            "at": datetime.now(UTC).isoformat(),
            "minutes": self.rng.choice((30, 45, 60)),
            "outcome": self.rng.choice(
                ("referred_psychiatry", "continue") if crisis else ("continue", "closed")
            ),
        }
        return await self._sent(self.counsellor, "POST", "/api/psych/services", body)

    async def check(self) -> bool:
        """A check of the entry most overdue (or soonest due)."""
        r = await self.caseworker.call("GET", "/api/ledgers", params={"limit": 1})
        if r.status_code != 200 or not r.json()["items"]:
            return False
        entry = r.json()["items"][0]
        body = {
            "id": str(uuid.uuid4()),
            "at": datetime.now(UTC).isoformat(),
            "kind": self.rng.choice(("home_visit", "home_visit", "phone")),
            "finding": "needs_help" if self.rng.random() < 0.15 else "normal",
        }
        return await self._sent(self.caseworker, "POST", f"/api/ledgers/{entry['id']}/checks", body)

    async def register(self) -> bool:
        """Someone the block data lists in a group, put on its ledger."""
        group = self.rng.choice(GROUPS)
        r = await self.caseworker.call(
            "GET", "/api/ledgers/pending", params={"group": group, "limit": 1}
        )
        if r.status_code != 200 or not r.json()["items"]:
            return False
        body = {
            "id": str(uuid.uuid4()),
            "person_id": r.json()["items"][0]["person_id"],
            "group": group,
            "since": date.today().isoformat(),
        }
        return await self._sent(self.caseworker, "POST", "/api/ledgers", body)

    async def visit(self) -> bool:
        """A follow-up visit of the patient due soonest within the week and not yet overdue (a
        visit puts the next one two weeks or more away, out of the week)."""
        r = await self.caseworker.call(
            "GET", "/api/follow-ups/due", params={"within_days": 7, "limit": 50}
        )
        if r.status_code != 200:
            self.stats[f"refused_{r.status_code}"] += 1
            return False
        due = [p for p in r.json()["items"] if not p["overdue"]]
        if not due:
            return False
        patient = due[0]
        worse = self.rng.random() < 0.1
        body = {
            "id": str(uuid.uuid4()),
            "at": datetime.now(UTC).isoformat(),
            "kind": self.rng.choice(("home_visit", "home_visit", "phone", "clinic")),
            "condition": "unstable" if worse else self.rng.choice(("stable", "basically_stable")),
            "risk_grade": min(5, patient["risk_grade"] + 1) if worse else patient["risk_grade"],
            "medication": "irregular" if worse else "regular",
        }
        path = f"/api/patients/{patient['patient_id']}/follow-ups"
        return await self._sent(self.caseworker, "POST", path, body)

    async def inspect(self) -> bool:
        """An inspection of the rental house most overdue, else of one never inspected."""
        assert self.gridworker is not None
        house = None
        for which in ("overdue", "unassessed"):
            r = await self.gridworker.call(
                "GET", "/api/rentals", params={"which": which, "limit": 1}
            )
            if r.status_code == 200 and r.json()["items"]:
                house = r.json()["items"][0]["house_id"]
                break
        if house is None:
            return False
        before = await self.gridworker.call("GET", f"/api/rentals/houses/{house}")
        open_before = {
            h["item"]
            for h in (before.json()["hazards"] if before.status_code == 200 else [])
            if h["cleared_at"] is None and h["item"] in _HAZARD_ODDS
        }
        found = sorted(
            {item for item, odds in _HAZARD_ODDS.items() if self.rng.random() < odds}
            | {item for item in open_before if self.rng.random() < _STILL_THERE}
        )
        tenants = self.rng.choice((1, 2, 2, 3, 4, 6))
        body = {
            "id": str(uuid.uuid4()),
            "at": datetime.now(UTC).isoformat(),
            "tenants": tenants,
            "registered": tenants if self.rng.random() < 0.85 else tenants - 1,
            "found": found,
        }
        return await self._sent(
            self.gridworker, "POST", f"/api/rentals/houses/{house}/assessments", body
        )

    async def report_dispute(self) -> bool:
        """A dispute the grid worker met on the rounds; now and then a high-risk one."""
        assert self.gridworker is not None
        kind, title, parties = self.rng.choice(_DISPUTES)
        risk = self.rng.choices(("low", "medium", "high"), weights=(60, 32, 8))[0]
        body = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "title": title,
            "parties": parties,
            "risk": risk,
            "source": "grid",
            "at": datetime.now(UTC).isoformat(),
        }
        return await self._sent(self.gridworker, "POST", "/api/disputes", body)

    async def mediate(self) -> bool:
        """A step on the dispute the case worker's centre holds that is most overdue: a
        mediation session, or once mediated, mostly a settlement."""
        r = await self.caseworker.call("GET", "/api/disputes", params={"which": "held", "limit": 1})
        if r.status_code != 200 or not r.json()["items"]:
            return False
        dispute = r.json()["items"][0]
        at = datetime.now(UTC).isoformat()
        if dispute["status"] == "mediating" and self.rng.random() < 0.6:
            outcome = self.rng.choices(("agreement", "withdrawn", "court"), weights=(80, 10, 10))[0]
            body = {"id": str(uuid.uuid4()), "at": at, "outcome": outcome}
            return await self._sent(
                self.caseworker, "POST", f"/api/disputes/{dispute['id']}/close", body
            )
        body = {"id": str(uuid.uuid4()), "at": at}
        return await self._sent(
            self.caseworker, "POST", f"/api/disputes/{dispute['id']}/mediations", body
        )

    async def _sent(self, who: Session, method: str, path: str, body: dict[str, Any]) -> bool:
        r = await who.call(method, path, json=body)
        if r.status_code in (200, 201):
            return True
        self.stats[f"refused_{r.status_code}"] += 1
        return False

    def summary(self) -> dict[str, int]:
        """Counts worth a status line."""
        return dict(sorted(self.stats.items()))
