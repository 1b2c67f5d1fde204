"""The playbook runner: feeds events to the pure engine and performs its effects, all inside the
caller's transaction, beside the change that caused them (so effects commit with their cause)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from backend.incidents import dispatcher, grants
from backend.incidents.archive import store_archive
from backend.incidents.models import WORKING_ASSIGNMENT
from backend.incidents.repo import Actor, lock_incident, record, run_state_of
from backend.incidents.states import derive_state
from backend.incidents.status_sync import note_change
from backend.positions.service import PositionService
from backend.realtime.outbox import emit
from backend.storage.postgres.pool import PgConn
from playbooks.engine import step
from playbooks.events import (
    AdoptResponder,
    AlertRole,
    AppendEvent,
    CancelTimer,
    CloseIncident,
    Effect,
    Event,
    NotifyLeader,
    NotifySupervisor,
    RaisePriority,
    RejectClose,
    RequireChecklist,
    StartTimer,
    WidenSearch,
    WithdrawOffers,
)
from playbooks.state import RunState, encode_run

log = logging.getLogger("pingan.runner")


class RunResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one event did: its effects, and a refusal to close if there was one."""

    effects: tuple[Effect, ...]
    rejected_close: RejectClose | None = None


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Runner:
    """Turns engine effects into rows, offers and announcements."""

    def __init__(self, positions: PositionService, *, offer_timeout_s: float = 60.0) -> None:
        self.positions = positions
        self.offer_timeout_s = offer_timeout_s

    async def feed(
        self, conn: PgConn, incident_id: str, event: Event, actor: Actor, now: float
    ) -> RunResult:
        """Step the incident's run with ``event`` and perform the effects (caller holds the transaction)."""
        row = await lock_incident(conn, incident_id)
        state, effects = step(run_state_of(row), event, now)
        return await self.apply(conn, incident_id, state, effects, actor, now)

    async def apply(
        self,
        conn: PgConn,
        incident_id: str,
        state: RunState,
        effects: tuple[Effect, ...],
        actor: Actor,
        now: float,
    ) -> RunResult:
        """Store the run's new state (and the playbook it runs) and perform its effects."""
        await conn.execute(
            "UPDATE incidents SET run_state = $2, priority = $3, playbook_id = $4, "
            "playbook_version = $5, version = version + 1, updated_at = now() WHERE id = $1",
            incident_id,
            msgspec.json.decode(encode_run(state)),
            state.priority,
            state.playbook.id,
            state.playbook.version,
        )
        row = await lock_incident(conn, incident_id)
        rejected: RejectClose | None = None
        for effect in effects:
            if isinstance(effect, RejectClose):
                rejected = effect
                await record(
                    conn,
                    row,
                    "close.rejected",
                    {"reason": effect.reason, "missing": list(effect.missing)},
                    actor,
                )
                continue
            await self._perform(conn, row, effect, actor, now)
            row = await lock_incident(conn, incident_id)
        await self.settle(conn, incident_id, actor)
        return RunResult(effects=effects, rejected_close=rejected)

    async def settle(self, conn: PgConn, incident_id: str, actor: Actor) -> None:
        """Move the incident's state to what its run and assignments now say; record a change."""
        row = await lock_incident(conn, incident_id)
        states = [
            r["state"]
            for r in await conn.fetch(
                "SELECT state FROM assignments WHERE incident_id = $1", incident_id
            )
        ]
        new = derive_state(row["state"], run_state_of(row).status, states, row["outcome"])
        if new != row["state"]:
            await conn.execute(
                "UPDATE incidents SET state = $2, updated_at = now() WHERE id = $1",
                incident_id,
                new,
            )
            await record(conn, row, "incident.state", {"from": row["state"], "to": new}, actor)

    async def _perform(  # noqa: C901 - one case per effect kind
        self, conn: PgConn, incident: Any, effect: Effect, actor: Actor, now: float
    ) -> None:
        match effect:
            case AlertRole():
                await self._alert(conn, incident, effect, actor, now)
            case WithdrawOffers(step_id=step_id, role=role):
                await withdraw_offers(conn, incident, actor, step_id=step_id, role=role)
            case AdoptResponder(step_id=step_id, role=role, responder_id=responder_id):
                # the assignment answers to the new run's step: its later events name it
                await conn.execute(
                    "UPDATE assignments SET step_id = $3, role = $4, updated_at = now() "
                    "WHERE incident_id = $1 AND responder_id = $2 AND state = ANY($5::text[])",
                    incident["id"],
                    uuid.UUID(responder_id),
                    step_id,
                    role,
                    list(WORKING_ASSIGNMENT),
                )
            case StartTimer(timer_id=timer_id, due_at=due_at, purpose=purpose):
                await conn.execute(
                    "INSERT INTO timers (id, incident_id, kind, purpose, due_at) VALUES ($1, $2, 'engine', $3, $4) "
                    "ON CONFLICT (id) DO NOTHING",
                    timer_id,
                    incident["id"],
                    purpose,
                    _at(due_at),
                )
            case CancelTimer(timer_id=timer_id):
                await cancel_timer(conn, timer_id)
            case AppendEvent(kind=kind, payload=payload):
                await record(conn, incident, kind, dict(payload), actor)
            case RaisePriority(priority=priority, step_id=step_id):
                await record(
                    conn, incident, "priority.raised", {"to": priority, "step_id": step_id}, actor
                )
            case NotifyLeader(level=level, step_id=step_id, reason=reason):
                await self._notify_leaders(conn, incident, level, step_id, reason, actor)
            case NotifySupervisor(role=role, step_id=step_id, reason=reason):
                await record(
                    conn,
                    incident,
                    "supervisor.notified",
                    {"role": role, "step_id": step_id, "reason": reason},
                    actor,
                )
            case WidenSearch(step_id=step_id, role=role, radius_m=radius_m, k=k):
                await record(
                    conn,
                    incident,
                    "search.widened",
                    {"step_id": step_id, "role": role, "radius_m": radius_m, "k": k},
                    actor,
                )
            case RequireChecklist(step_id=step_id, role=role, items=items):
                checklist = {"step_id": step_id, "items": msgspec.to_builtins(items)}
                await conn.execute(
                    "UPDATE incidents SET checklists = checklists || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1",
                    incident["id"],
                    role,
                    checklist,
                )
                await record(
                    conn, incident, "checklist.required", {"role": role, "step_id": step_id}, actor
                )
            case CloseIncident(outcome=outcome):
                await close_incident(conn, incident, outcome, actor)
            case RejectClose():
                pass  # handled by feed()

    async def _alert(
        self, conn: PgConn, incident: Any, effect: AlertRole, actor: Actor, now: float
    ) -> None:
        picks = await dispatcher.find_candidates(
            conn,
            self.positions,
            incident,
            role=effect.role,
            # Extra candidates in reserve: another node may take one between search and offer.
            k=effect.k * 3 + 5,
            radius_m=effect.radius_m,
            care_team_first=effect.care_team_first,
            exclude=set(effect.exclude),
            now=now,
        )
        offered = 0
        for pick in picks:
            if offered >= effect.k:
                break
            if (
                await dispatcher.offer(
                    conn,
                    incident,
                    pick,
                    step_id=effect.step_id,
                    role=effect.role,
                    now=now,
                    timeout_s=self.offer_timeout_s,
                    actor=actor,
                )
                is not None
            ):
                offered += 1
        await record(
            conn,
            incident,
            "dispatch.searched",
            {
                "step_id": effect.step_id,
                "role": effect.role,
                "k": effect.k,
                "radius_m": effect.radius_m,
                "needed": effect.count,
                "offered": offered,
                "reason": effect.reason,
            },
            actor,
        )
        if offered == 0:
            log.info("no candidate", extra={"incident": incident["id"], "role": effect.role})

    async def _notify_leaders(
        self, conn: PgConn, incident: Any, level: str, step_id: str, reason: str, actor: Actor
    ) -> None:
        parts = incident["org_path"].split(".")
        unit = ".".join(parts[: 2 if level == "street" else 1])
        role = "street_leader" if level == "street" else "district_leader"
        leaders = await conn.fetch(
            "SELECT id::text AS id FROM users WHERE org_path = $1 AND $2 = ANY(roles) AND NOT disabled",
            unit,
            role,
        )
        for leader in leaders:
            await emit(
                conn,
                stream="personal",
                kind="leader.notified",
                org_path=incident["org_path"],
                subject=leader["id"],
                payload={
                    "incident_id": incident["id"],
                    "step_id": step_id,
                    "reason": reason,
                    "level": level,
                },
            )
        await record(
            conn,
            incident,
            "leader.notified",
            {"level": level, "step_id": step_id, "reason": reason, "leaders": len(leaders)},
            actor,
        )


async def cancel_timer(conn: PgConn, timer_id: str) -> None:
    """Cancel a timer that has not fired (cancelling a fired or unknown one is a no-op)."""
    await conn.execute(
        "UPDATE timers SET cancelled_at = now() WHERE id = $1 AND fired_at IS NULL", timer_id
    )


async def tell_assignment_ended(
    conn: PgConn, incident: Any, responder_id: Any, assignment_id: Any, reason: str
) -> None:
    """Tell the responder's phone (the ``me`` topic) that this assignment is over, and why."""
    await emit(
        conn,
        stream="personal",
        kind="assignment.ended",
        org_path=incident["org_path"],
        subject=str(responder_id),
        payload={
            "assignment_id": str(assignment_id),
            "incident_id": incident["id"],
            "reason": reason,
        },
    )


async def set_responder_status(
    conn: PgConn, responder_id: str, status: str, *, expect: tuple[str, ...]
) -> bool:
    """Compare-and-set a responder's duty status; False when it was not in ``expect``."""
    done = await conn.fetchval(
        """
        UPDATE responders SET duty_status = $2, status_version = status_version + 1, status_changed_at = now(),
               updated_at = now()
        WHERE user_id = $1 AND duty_status = ANY($3::text[]) RETURNING 1
        """,
        uuid.UUID(responder_id),
        status,
        list(expect),
    )
    if done is not None:
        note_change(responder_id, status)
    return done is not None


async def withdraw_offers(
    conn: PgConn,
    incident: Any,
    actor: Actor,
    *,
    step_id: str | None = None,
    role: str | None = None,
) -> list[str]:
    """Withdraw open offers (of one step and role, or all); the responders become available again."""
    rows = await conn.fetch(
        """
        UPDATE assignments SET state = 'withdrawn', ended_at = now(), updated_at = now()
        WHERE incident_id = $1 AND state = 'offered' AND ($2::text IS NULL OR step_id = $2)
              AND ($3::text IS NULL OR role = $3)
        RETURNING id::text AS id, responder_id::text AS responder_id
        """,
        incident["id"],
        step_id,
        role,
    )
    for r in rows:
        await set_responder_status(conn, r["responder_id"], "available", expect=("offered",))
        await cancel_timer(conn, dispatcher.offer_timer_id(r["id"]))
        await emit(
            conn,
            stream="personal",
            kind="assignment.withdrawn",
            org_path=incident["org_path"],
            subject=r["responder_id"],
            payload={"assignment_id": r["id"], "incident_id": incident["id"]},
        )
        await record(
            conn,
            incident,
            "assignment.withdrawn",
            {"assignment_id": r["id"], "responder_id": r["responder_id"]},
            actor,
        )
    return [r["responder_id"] for r in rows]


async def close_incident(
    conn: PgConn,
    incident: Any,
    outcome: str | None,
    actor: Actor,
    *,
    cancelled_because: str | None = None,
) -> None:
    """Close (or, with ``cancelled_because``, cancel): end every live assignment, free the
    responders, end need-to-know grants, stop timers, build the archive."""
    ending = "cancelled" if cancelled_because is not None else "closed"
    await withdraw_offers(conn, incident, actor)
    ended = await conn.fetch(
        """
        UPDATE assignments SET state = 'cleared', ended_at = now(), updated_at = now()
        WHERE incident_id = $1 AND state IN ('accepted', 'en_route', 'on_scene')
        RETURNING id::text AS id, responder_id::text AS responder_id
        """,
        incident["id"],
    )
    for r in ended:
        await tell_assignment_ended(
            conn, incident, r["responder_id"], r["id"], f"incident {ending}"
        )
        await set_responder_status(
            conn,
            r["responder_id"],
            "available",
            expect=("assigned", "en_route", "on_scene", "offered"),
        )
    await grants.end_all(conn, incident["id"])
    await conn.execute(
        "UPDATE timers SET cancelled_at = now() WHERE incident_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL",
        incident["id"],
    )
    await conn.execute(
        "UPDATE incidents SET outcome = COALESCE($2, outcome), closed_at = now(), updated_at = now() WHERE id = $1",
        incident["id"],
        outcome,
    )
    if cancelled_because is not None:
        await record(conn, incident, "incident.cancelled", {"reason": cancelled_because}, actor)
    else:
        await record(conn, incident, "incident.closed", {"outcome": outcome}, actor)
    await store_archive(conn, incident["id"])  # the after-action archive commits with the close
