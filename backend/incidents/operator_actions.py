"""An operator's actions on an incident in their jurisdiction: notes, priority, cancel, assign and
release by hand, waive a step, hand over to a hospital, close."""

from __future__ import annotations

import time
import uuid

from backend.errors import ApiError, Conflict, NotFound
from backend.incidents import dispatcher, grants, status_sync
from backend.incidents.base import ServiceBase, actor_of
from backend.incidents.models import ACTIVE_ASSIGNMENT, IncidentDetail
from backend.incidents.repo import (
    announce,
    assignment,
    detail_of,
    record,
    run_state_of,
)
from backend.incidents.runner import (
    RunResult,
    cancel_timer,
    close_incident,
    set_responder_status,
    tell_assignment_ended,
)
from backend.incidents.waivers import WAIVED, check_waivable
from backend.security.context import Caller
from backend.security.denials import deny
from playbooks.events import (
    Cancelled,
    CloseRequested,
    HandoverConfirmed,
    OfferDeclined,
    OutcomeSet,
    RecordSheetSubmitted,
    StepWaived,
)
from playbooks.schema import Outcome


class CloseRefused(ApiError):
    """The playbook's close requirements are not met yet."""

    status_code = 409
    code = "close_refused"


class OperatorActions(ServiceBase):
    """What the command center does to an incident it manages."""

    async def note(self, caller: Caller, incident_id: str, text: str) -> None:
        """Add a note to the timeline."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            await record(conn, incident, "note", {"text": text}, actor_of(caller))
            await announce(conn, incident_id)

    async def set_priority(
        self, caller: Caller, incident_id: str, priority: int, reason: str
    ) -> None:
        """Change the priority by hand, with why."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            await conn.execute(
                "UPDATE incidents SET priority = $2, updated_at = now() WHERE id = $1",
                incident_id,
                priority,
            )
            await record(
                conn,
                incident,
                "priority.changed",
                {"from": incident["priority"], "to": priority, "reason": reason},
                actor_of(caller),
            )
            await announce(conn, incident_id)

    async def cancel(self, caller: Caller, incident_id: str, reason: str) -> None:
        """Cancel: offers withdrawn, responders freed, timers stopped."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            actor = actor_of(caller)
            await self.runner.feed(
                conn,
                incident_id,
                Cancelled(by=caller.principal.username, reason=reason),
                actor,
                time.time(),
            )
            # The reason is the record; an outcome is the operator's to set, never guessed from words.
            await close_incident(conn, incident, None, actor, cancelled_because=reason)
            await self.runner.settle(conn, incident_id, actor)
            await announce(conn, incident_id)

    async def assign(
        self, caller: Caller, incident_id: str, responder_id: str, role: str, reason: str
    ) -> str:
        """Offer the incident to a chosen responder (who must not be on another incident)."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            row = await conn.fetchrow(
                "SELECT r.duty_status, u.capabilities, u.org_path FROM responders r JOIN users u ON u.id = r.user_id "
                "WHERE r.user_id = $1",
                uuid.UUID(responder_id),
            )
            if row is None:
                raise NotFound(f"no responder {responder_id}", field="responder_id")
            if not caller.principal.covers(row["org_path"]):
                denied = await deny(
                    self.pool, self.audit, caller, "responder", responder_id, row["org_path"]
                )
                denied.field = "responder_id"
                raise denied
            if role not in row["capabilities"]:
                raise ApiError(
                    f"the responder is not qualified as {role}", field="role", code="not_qualified"
                )
            pick = dispatcher.Pick(
                responder_id=responder_id,
                distance_m=0.0,
                eta_s=0.0,
                reasons=[f"assigned by hand: {reason}"],
            )
            step_id = (
                await conn.fetchval(
                    "SELECT run_state->'cursors'->0->>'step_id' FROM incidents WHERE id = $1",
                    incident_id,
                )
            ) or "manual"
            aid = await dispatcher.offer(
                conn,
                incident,
                pick,
                step_id=step_id,
                role=role,
                now=time.time(),
                timeout_s=self.runner.offer_timeout_s,
                actor=actor_of(caller),
                manual=True,
                from_statuses=("available", "busy"),
            )
            if aid is None:
                raise Conflict(
                    f"the responder is {row['duty_status']}: release them from their incident first",
                    field="responder_id",
                    code="responder_busy",
                )
            await self.runner.settle(conn, incident_id, actor_of(caller))
            await announce(conn, incident_id)
            return aid

    async def release(
        self, caller: Caller, incident_id: str, assignment_id: str, reason: str
    ) -> None:
        """Take a responder off the incident, with why; the playbook looks for a replacement."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            a = await assignment(conn, assignment_id, lock=True)
            if a is None or a["incident_id"] != incident_id:
                raise NotFound(f"no assignment {assignment_id}")
            if a["state"] not in ACTIVE_ASSIGNMENT:
                raise Conflict(f"the assignment is {a['state']}", code="bad_transition")
            await conn.execute(
                "UPDATE assignments SET state = 'released', reason = $2, ended_at = now(), updated_at = now() WHERE id = $1",
                a["id"],
                reason,
            )
            responder = str(a["responder_id"])
            await set_responder_status(
                conn, responder, "available", expect=("offered", "assigned", "en_route", "on_scene")
            )
            await grants.end_for(conn, incident_id, responder)
            await cancel_timer(conn, dispatcher.offer_timer_id(assignment_id))
            actor = actor_of(caller)
            await tell_assignment_ended(conn, incident, responder, assignment_id, reason)
            await record(
                conn,
                incident,
                "assignment.released",
                {"assignment_id": assignment_id, "reason": reason},
                actor,
            )
            await self.runner.feed(
                conn,
                incident_id,
                OfferDeclined(step_id=a["step_id"], role=a["role"], responder_id=responder),
                actor,
                time.time(),
            )
            await announce(conn, incident_id)

    async def waive(
        self, caller: Caller, incident_id: str, step_id: str, reason: str
    ) -> IncidentDetail:
        """Waive a running step that cannot complete, with why; the playbook moves on as if it
        had. 409 ``step_not_running`` (or ``step_not_waivable`` for the close step) names it."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            check_waivable(run_state_of(incident), step_id)
            actor = actor_of(caller)
            await record(conn, incident, WAIVED, {"step_id": step_id, "reason": reason}, actor)
            waived = StepWaived(step_id=step_id, reason=reason, by=caller.principal.username)
            await self.runner.feed(conn, incident_id, waived, actor, time.time())
            await announce(conn, incident_id)
            return await detail_of(conn, incident_id)

    async def hand_over(self, caller: Caller, incident_id: str, hospital_id: str) -> IncidentDetail:
        """Record that the subject was handed over to a registered hospital, while the incident
        is still live: from now until it ends the hospital counts the bed as in use
        (backend/api/keyplaces/services.py), and a close that needs a hand-over finds it. The
        run records the register's id (the beds are counted by it, so two hospitals of one name
        are told apart) and its name (the archive shows it). Any hospital of the
        register will do, in the caller's jurisdiction or not: patients go where beds are."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            hospital = await conn.fetchval(
                "SELECT name FROM key_places WHERE id = $1 AND kind = 'hospital'", hospital_id
            )
            if hospital is None:
                raise NotFound(f"no hospital {hospital_id} in the register", field="hospital_id")
            if run_state_of(incident).handover_hospital_id == hospital_id:
                return await detail_of(conn, incident_id)  # sent again (a double click)
            await self.runner.feed(
                conn,
                incident_id,
                HandoverConfirmed(
                    hospital=hospital,
                    hospital_id=hospital_id,
                    responder_id=caller.principal.user_id,
                ),
                actor_of(caller),
                time.time(),
            )
            await announce(conn, incident_id)
            return await detail_of(conn, incident_id)

    async def close(
        self,
        caller: Caller,
        incident_id: str,
        outcome: Outcome | None,
        record_sheet_id: str | None,
        handover_hospital: str | None,
    ) -> IncidentDetail:
        """Record what is given, then ask the playbook to close; 409 lists what is still missing."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            await self.managed(conn, caller, incident_id)
            actor = actor_of(caller)
            now = time.time()
            if outcome is not None:
                await conn.execute(
                    "UPDATE incidents SET outcome = $2 WHERE id = $1", incident_id, outcome
                )
                await self.runner.feed(
                    conn,
                    incident_id,
                    OutcomeSet(outcome=outcome),
                    actor,
                    now,
                )
            if record_sheet_id is not None:
                await self.runner.feed(
                    conn,
                    incident_id,
                    RecordSheetSubmitted(
                        sheet_id=record_sheet_id, responder_id=caller.principal.user_id
                    ),
                    actor,
                    now,
                )
            if handover_hospital is not None:
                await self.runner.feed(
                    conn,
                    incident_id,
                    HandoverConfirmed(
                        hospital=handover_hospital, responder_id=caller.principal.user_id
                    ),
                    actor,
                    now,
                )
            result: RunResult = await self.runner.feed(
                conn, incident_id, CloseRequested(by=caller.principal.username), actor, now
            )
            await announce(conn, incident_id)
        if result.rejected_close is not None:
            refused = CloseRefused(result.rejected_close.reason, field="outcome")
            refused.details = {"missing": list(result.rejected_close.missing)}
            raise refused
        async with self.pool.acquire() as conn:
            return await detail_of(conn, incident_id)
