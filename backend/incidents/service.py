"""Incident intake and every change to an incident: one transaction each, event log and outbox
included, the playbook run stepped in the same transaction."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from backend.errors import ApiError, Conflict, NotFound, Unprocessable
from backend.incidents import dispatcher, grants, status_sync
from backend.incidents.models import (
    ACTIVE_ASSIGNMENT,
    IncidentCreate,
    IncidentDetail,
)
from backend.incidents.places import OutsideJurisdiction, resolve_place
from backend.incidents.repo import (
    Actor,
    already_applied,
    announce,
    assignment,
    detail_of,
    lock_incident,
    record,
    run_state_of,
    with_msg_id,
)
from backend.incidents.runner import (
    Runner,
    RunResult,
    cancel_timer,
    close_incident,
    set_responder_status,
    tell_assignment_ended,
)
from backend.incidents.waivers import WAIVED, check_waivable
from backend.positions.grids import GridLookup
from backend.security.audit import AuditLog
from backend.security.context import Caller
from backend.security.denials import deny
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn, PgPool
from playbooks.errors import PlaybookError
from playbooks.events import (
    Cancelled,
    ChecklistTicked,
    CloseRequested,
    HandoverConfirmed,
    IncidentOpened,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OutcomeSet,
    RecordSheetSubmitted,
    ResponderArrived,
    StepWaived,
)
from playbooks.loader import Library
from playbooks.schema import IncidentContext, Outcome
from playbooks.state import encode_run, new_run


class CloseRefused(ApiError):
    """The playbook's close requirements are not met yet."""

    status_code = 409
    code = "close_refused"


def actor_of(caller: Caller) -> Actor:
    """The caller as the timeline names it."""
    return Actor(id=caller.principal.user_id, name=caller.principal.display_name)


def _request_hash(data: IncidentCreate) -> bytes:
    return hashlib.sha256(msgspec.json.encode(data, order="sorted")).digest()


class IncidentService:
    """Everything that changes incidents."""

    def __init__(
        self, pool: PgPool, runner: Runner, library: Library, grids: GridLookup, audit: AuditLog
    ) -> None:
        self.audit = audit
        self.pool = pool
        self.runner = runner
        self.library = library
        self.grids = grids

    # --- intake ----------------------------------------------------------------------------

    async def create(
        self, caller: Caller, data: IncidentCreate, *, source: str, idempotency_key: str | None
    ) -> tuple[IncidentDetail, bool, str | None]:
        """Create (or, for a repeated idempotency key, return) an incident; returns (detail, created,
        patient suggestion)."""
        principal = caller.principal
        request_hash = _request_hash(data)
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            if idempotency_key is not None:
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext($1))",
                    f"{principal.user_id}:{idempotency_key}",
                )
                existing = await conn.fetchrow(
                    "SELECT id, request_hash FROM incidents WHERE created_by = $1 AND idempotency_key = $2",
                    uuid.UUID(principal.user_id),
                    idempotency_key,
                )
                if existing is not None:
                    if bytes(existing["request_hash"]) != request_hash:
                        raise Unprocessable(
                            "this Idempotency-Key was used with a different request",
                            field="Idempotency-Key",
                            code="idempotency_mismatch",
                        )
                    return await detail_of(conn, existing["id"]), False, None
            try:
                place = await resolve_place(conn, data.place, principal, self.grids)
                patient = await self._patient(conn, data, principal)
            except OutsideJurisdiction as exc:
                await deny(
                    self.pool, self.audit, caller, exc.object_type, exc.object_id, exc.org_path
                )
                raise
            suggestion = None
            if patient is None and place.address_id is not None:
                suggestion = await conn.fetchval(
                    "SELECT pt.person_id::text FROM patients pt JOIN persons p ON p.id = pt.person_id "
                    "WHERE p.address_id = $1 ORDER BY pt.risk_grade DESC LIMIT 1",
                    place.address_id,
                )
            context = IncidentContext(
                kind=data.kind,
                risk_grade=patient["risk_grade"] if patient else None,
                violent=data.violent,
                has_care_team=bool(patient and patient["team"]),
                flags=tuple(data.flags),
            )
            try:
                playbook = self.library.select_for(context)
            except PlaybookError as exc:
                raise Unprocessable(str(exc), field="kind", code="no_playbook") from None
            number = await conn.fetchval("SELECT nextval('incident_numbers')")
            incident_id = f"INC-{datetime.now(UTC):%Y%m%d}-{number:05d}"
            run = new_run(incident_id.replace(":", "-"), playbook)
            await conn.execute(
                """
                INSERT INTO incidents (id, kind, priority, state, address_id, address_text, lat, lon, org_path,
                                       patient_id, description, reporter, source, violent, flags, playbook_id,
                                       playbook_version, run_state, created_by, idempotency_key, request_hash)
                VALUES ($1, $2, $3, 'new', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                """,
                incident_id,
                data.kind,
                data.priority or playbook.priority,
                place.address_id,
                place.address_text,
                place.lat,
                place.lon,
                place.org_path,
                uuid.UUID(patient["id"]) if patient else None,
                data.description,
                {"name": data.reporter.name, "relation": data.reporter.relation}
                if data.reporter
                else {},
                source,
                data.violent,
                list(data.flags),
                playbook.id,
                playbook.version,
                msgspec.json.decode(encode_run(run)),
                uuid.UUID(principal.user_id),
                idempotency_key,
                request_hash,
            )
            row = await lock_incident(conn, incident_id)
            actor = actor_of(caller)
            await record(
                conn,
                row,
                "incident.created",
                {
                    "kind": data.kind,
                    "source": source,
                    "playbook": f"{playbook.id} v{playbook.version}",
                    "priority": row["priority"],
                    "address": place.address_text,
                },
                actor,
            )
            await self.runner.feed(
                conn,
                incident_id,
                IncidentOpened(context=context),
                Actor.system("playbook"),
                time.time(),
            )
            await announce(conn, incident_id, "incident.created")
            return await detail_of(conn, incident_id), True, suggestion

    async def _patient(
        self, conn: PgConn, data: IncidentCreate, principal: Any
    ) -> dict[str, Any] | None:
        if data.patient_id is None:
            return None
        row = await conn.fetchrow(
            "SELECT person_id::text AS id, risk_grade, org_path, "
            "EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = person_id) AS team "
            "FROM patients WHERE person_id = $1",
            uuid.UUID(data.patient_id),
        )
        if row is None:
            raise NotFound(
                f"unknown patient {data.patient_id}", field="patient_id", code="unknown_patient"
            )
        if not principal.covers(row["org_path"]):
            raise OutsideJurisdiction(
                f"unknown patient {data.patient_id}",
                field="patient_id",
                code="unknown_patient",
                object_type="patient",
                object_id=data.patient_id,
                org_path=row["org_path"],
            )
        return dict(row)

    # --- reading ---------------------------------------------------------------------------

    async def visible(self, conn: PgConn, caller: Caller, incident_id: str) -> Any:
        """The incident row if the caller may see it (jurisdiction, or an assignment on it)."""
        row = await conn.fetchrow("SELECT id, org_path FROM incidents WHERE id = $1", incident_id)
        if row is None:
            raise NotFound(f"no incident {incident_id}")
        p = caller.principal
        if p.can(Permission.INCIDENT_READ) and p.covers(row["org_path"]):
            return row
        assigned = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM assignments WHERE incident_id = $1 AND responder_id = $2)",
            incident_id,
            uuid.UUID(p.user_id),
        )
        if assigned:
            return row
        raise await deny(self.pool, self.audit, caller, "incident", incident_id, row["org_path"])

    # --- responders ------------------------------------------------------------------------

    async def _own_assignment(self, conn: PgConn, caller: Caller, assignment_id: str) -> Any:
        row = await assignment(conn, assignment_id)
        if row is None or str(row["responder_id"]) != caller.principal.user_id:
            raise NotFound(f"no assignment {assignment_id}")
        await lock_incident(
            conn, row["incident_id"]
        )  # incident first, then the assignment: one lock order
        return await assignment(conn, assignment_id, lock=True)

    async def accept(
        self, caller: Caller, assignment_id: str, client_msg_id: str | None = None
    ) -> IncidentDetail:
        """Accept an offer: the responder is assigned; the patient's need-to-know details open."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            a = await self._own_assignment(conn, caller, assignment_id)
            if a["state"] in ("accepted", "en_route", "on_scene") or await already_applied(
                conn, a["incident_id"], caller.principal.user_id, client_msg_id
            ):
                return await detail_of(conn, a["incident_id"])  # a repeated tap changes nothing
            if a["state"] != "offered":
                raise Conflict(f"the offer is {a['state']}", code="offer_closed")
            await conn.execute(
                "UPDATE assignments SET state = 'accepted', accepted_at = now(), updated_at = now() WHERE id = $1",
                a["id"],
            )
            await set_responder_status(
                conn, caller.principal.user_id, "assigned", expect=("offered",)
            )
            await cancel_timer(conn, dispatcher.offer_timer_id(str(a["id"])))
            incident = await lock_incident(conn, a["incident_id"])
            await grants.grant(conn, incident, a["responder_id"])
            actor = actor_of(caller)
            await record(
                conn,
                incident,
                "assignment.accepted",
                with_msg_id({"assignment_id": str(a["id"]), "role": a["role"]}, client_msg_id),
                actor,
            )
            await self.runner.feed(
                conn,
                incident["id"],
                OfferAccepted(
                    step_id=a["step_id"], role=a["role"], responder_id=caller.principal.user_id
                ),
                actor,
                time.time(),
            )
            await announce(conn, incident["id"])
            return await detail_of(conn, incident["id"])

    async def decline(
        self,
        caller: Caller,
        assignment_id: str,
        reason: str | None,
        client_msg_id: str | None = None,
    ) -> None:
        """Decline an offer; the playbook offers the next candidate at once."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            a = await self._own_assignment(conn, caller, assignment_id)
            if a["state"] == "declined" or await already_applied(
                conn, a["incident_id"], caller.principal.user_id, client_msg_id
            ):
                return
            if a["state"] != "offered":
                raise Conflict(f"the offer is {a['state']}", code="offer_closed")
            await conn.execute(
                "UPDATE assignments SET state = 'declined', reason = $2, ended_at = now(), updated_at = now() WHERE id = $1",
                a["id"],
                reason,
            )
            await set_responder_status(
                conn, caller.principal.user_id, "available", expect=("offered",)
            )
            await cancel_timer(conn, dispatcher.offer_timer_id(str(a["id"])))
            incident = await lock_incident(conn, a["incident_id"])
            actor = actor_of(caller)
            await record(
                conn,
                incident,
                "assignment.declined",
                with_msg_id({"assignment_id": str(a["id"]), "reason": reason}, client_msg_id),
                actor,
            )
            await self.runner.feed(
                conn,
                incident["id"],
                OfferDeclined(
                    step_id=a["step_id"], role=a["role"], responder_id=caller.principal.user_id
                ),
                actor,
                time.time(),
            )
            await announce(conn, incident["id"])

    async def expire_offer(self, conn: PgConn, assignment_id: str, now: float) -> bool:
        """An offer's time ran out (called by the timer job inside its transaction)."""
        a = await assignment(conn, assignment_id)
        if a is None:
            return False
        incident = await lock_incident(conn, a["incident_id"])
        a = await assignment(conn, assignment_id, lock=True)
        if a["state"] != "offered":
            return False
        await conn.execute(
            "UPDATE assignments SET state = 'expired', ended_at = now(), updated_at = now() WHERE id = $1",
            a["id"],
        )
        responder = str(a["responder_id"])
        await set_responder_status(conn, responder, "available", expect=("offered",))
        # The phone drops the offer now, not when its own countdown (on a drifting clock) ends.
        await tell_assignment_ended(conn, incident, responder, assignment_id, "expired")
        actor = Actor.system("timer")
        await record(
            conn,
            incident,
            "assignment.expired",
            {"assignment_id": assignment_id, "responder_id": responder},
            actor,
        )
        await self.runner.feed(
            conn,
            incident["id"],
            OfferExpired(step_id=a["step_id"], role=a["role"], responder_id=responder),
            actor,
            now,
        )
        await announce(conn, incident["id"])
        return True

    async def change_status(
        self, caller: Caller, assignment_id: str, status: str, client_msg_id: str | None = None
    ) -> IncidentDetail:
        """en_route, on_scene, clear, or need_backup, for one's own accepted assignment."""
        targets = {
            "en_route": ("en_route", ("accepted",)),
            "on_scene": ("on_scene", ("accepted", "en_route")),
            "clear": ("cleared", ("accepted", "en_route", "on_scene")),
        }
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            a = await self._own_assignment(conn, caller, assignment_id)
            incident = await lock_incident(conn, a["incident_id"])
            actor = actor_of(caller)
            if await already_applied(conn, incident["id"], caller.principal.user_id, client_msg_id):
                return await detail_of(conn, incident["id"])  # resent after a lost answer: no-op
            if status == "need_backup":
                await record(
                    conn,
                    incident,
                    "backup.requested",
                    with_msg_id({"assignment_id": assignment_id, "role": a["role"]}, client_msg_id),
                    actor,
                )
                await announce(conn, incident["id"])
                return await detail_of(conn, incident["id"])
            new_state, allowed = targets[status]
            if a["state"] == new_state:
                return await detail_of(conn, incident["id"])  # a repeated (queued) message: no-op
            if a["state"] not in allowed:
                raise Conflict(
                    f"cannot go {status} from {a['state']}", code="bad_transition", field="status"
                )
            column = {"en_route": "en_route_at", "on_scene": "on_scene_at", "cleared": "ended_at"}[
                new_state
            ]
            await conn.execute(
                f"UPDATE assignments SET state = $2, {column} = now(), updated_at = now() WHERE id = $1",
                a["id"],
                new_state,
            )
            duty = {"en_route": "en_route", "on_scene": "on_scene", "cleared": "available"}[
                new_state
            ]
            await set_responder_status(
                conn, caller.principal.user_id, duty, expect=("assigned", "en_route", "on_scene")
            )
            if new_state == "cleared":
                await grants.end_for(conn, incident["id"], caller.principal.user_id)
            await record(
                conn,
                incident,
                f"assignment.{new_state}",
                with_msg_id({"assignment_id": assignment_id, "role": a["role"]}, client_msg_id),
                actor,
            )
            if new_state == "on_scene":
                await self.runner.feed(
                    conn,
                    incident["id"],
                    ResponderArrived(role=a["role"], responder_id=caller.principal.user_id),
                    actor,
                    time.time(),
                )
            else:
                await self.runner.settle(conn, incident["id"], actor)
            await announce(conn, incident["id"])
            return await detail_of(conn, incident["id"])

    async def tick(
        self, caller: Caller, assignment_id: str, item: str, client_msg_id: str | None = None
    ) -> IncidentDetail:
        """Tick a checklist item of one's role; the console sees it live."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            a = await self._own_assignment(conn, caller, assignment_id)
            if await already_applied(
                conn, a["incident_id"], caller.principal.user_id, client_msg_id
            ):
                return await detail_of(conn, a["incident_id"])
            if a["state"] not in ("accepted", "en_route", "on_scene"):
                raise Conflict(f"the assignment is {a['state']}", code="bad_transition")
            incident = await lock_incident(conn, a["incident_id"])
            actor = actor_of(caller)
            await record(
                conn,
                incident,
                "checklist.ticked",
                with_msg_id(
                    {"item": item, "role": a["role"], "assignment_id": assignment_id}, client_msg_id
                ),
                actor,
            )
            await self.runner.feed(
                conn,
                incident["id"],
                ChecklistTicked(item=item, responder_id=caller.principal.user_id),
                actor,
                time.time(),
            )
            await announce(conn, incident["id"])
            return await detail_of(conn, incident["id"])

    async def responder_note(
        self, caller: Caller, assignment_id: str, text: str, client_msg_id: str | None = None
    ) -> None:
        """A short note from the field on the incident's timeline, while the assignment lasts."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            a = await self._own_assignment(conn, caller, assignment_id)
            if await already_applied(
                conn, a["incident_id"], caller.principal.user_id, client_msg_id
            ):
                return
            if a["state"] not in ("accepted", "en_route", "on_scene"):
                raise Conflict(f"the assignment is {a['state']}", code="bad_transition")
            incident = await lock_incident(conn, a["incident_id"])
            await record(
                conn,
                incident,
                "note",
                with_msg_id(
                    {"text": text, "role": a["role"], "assignment_id": assignment_id},
                    client_msg_id,
                ),
                actor_of(caller),
            )
            await announce(conn, incident["id"])

    # --- operators -------------------------------------------------------------------------

    async def _managed(self, conn: PgConn, caller: Caller, incident_id: str) -> Any:
        row = await conn.fetchrow("SELECT org_path FROM incidents WHERE id = $1", incident_id)
        if row is None:
            raise NotFound(f"no incident {incident_id}")
        if not caller.principal.covers(row["org_path"]):
            raise await deny(
                self.pool, self.audit, caller, "incident", incident_id, row["org_path"]
            )
        incident = await lock_incident(conn, incident_id)
        if incident["state"] in ("closed", "cancelled"):
            raise Conflict(f"the incident is {incident['state']}", code="incident_ended")
        return incident

    async def note(self, caller: Caller, incident_id: str, text: str) -> None:
        """Add a note to the timeline."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self._managed(conn, caller, incident_id)
            await record(conn, incident, "note", {"text": text}, actor_of(caller))
            await announce(conn, incident_id)

    async def set_priority(
        self, caller: Caller, incident_id: str, priority: int, reason: str
    ) -> None:
        """Change the priority by hand, with why."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self._managed(conn, caller, incident_id)
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
            incident = await self._managed(conn, caller, incident_id)
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
            incident = await self._managed(conn, caller, incident_id)
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
            incident = await self._managed(conn, caller, incident_id)
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
            incident = await self._managed(conn, caller, incident_id)
            check_waivable(run_state_of(incident), step_id)
            actor = actor_of(caller)
            await record(conn, incident, WAIVED, {"step_id": step_id, "reason": reason}, actor)
            waived = StepWaived(step_id=step_id, reason=reason, by=caller.principal.username)
            await self.runner.feed(conn, incident_id, waived, actor, time.time())
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
            await self._managed(conn, caller, incident_id)
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
