"""``/api/incidents`` and ``/api/assignments``: thin; the service does the work."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from backend.api.responders.schemas import NearestCandidate
from backend.errors import ApiError
from backend.incidents import dispatcher
from backend.incidents.briefs import AssignmentBrief, brief_of
from backend.incidents.models import (
    AssignmentAction,
    AssignmentView,
    Cancel,
    ChecklistTick,
    CloseRequest,
    CreateResult,
    FieldNote,
    Handover,
    IncidentCreate,
    IncidentDetail,
    IncidentSummary,
    ManualAssign,
    Note,
    PlaybookSwitch,
    PriorityChange,
    Release,
    StatusChange,
    SubjectLink,
    TimelineEntry,
    WaiveStep,
)
from backend.incidents.repo import assignments_of, detail_of, summarise, timeline_of
from backend.incidents.service import IncidentService
from backend.security.context import Caller
from backend.security.guards import AUTHENTICATED, needs
from backend.security.policy import Permission, Role
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgPool

IncidentId = FromPath[Annotated[str, QueryParameter(pattern=r"^INC-[0-9]{8}-[0-9]{5,}$")]]
StepIdPath = FromPath[Annotated[str, QueryParameter(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]]
IdemKey = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", pattern=r"^[A-Za-z0-9_.:-]{8,100}$", required=False),
]


def _service(state: State) -> IncidentService:
    service: IncidentService = state.incidents
    return service


class IncidentPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of incidents, newest first."""

    items: list[IncidentSummary]
    next_before: str | None


class IncidentController(Controller):
    """Intake, reading, and the operator's hand on an incident."""

    path = "/api/incidents"
    tags = ["incidents"]  # noqa: RUF012

    @post(
        "/",
        opt=needs(Permission.INCIDENT_CREATE),
        summary="Create an incident (Idempotency-Key supported)",
    )
    async def create(
        self,
        state: State,
        caller: NamedDependency[Caller],
        data: JSONBody[IncidentCreate],
        idempotency_key: IdemKey = None,
    ) -> Response[CreateResult]:
        """201 with the incident; 200 with the same incident for a repeated key; 409 lists the
        candidate addresses when free text is ambiguous."""
        roles = caller.principal.roles
        source = (
            "integration"
            if Role.INTEGRATION in roles
            else "field"
            if roles == {Role.RESPONDER}
            else "console"
        )
        detail, created, suggestion = await _service(state).create(
            caller, data, source=source, idempotency_key=idempotency_key
        )
        return Response(
            CreateResult(incident=detail, patient_suggestion=suggestion),
            status_code=201 if created else 200,
        )

    @get("/", opt=needs(Permission.INCIDENT_READ), summary="Incidents in your jurisdiction")
    async def list_incidents(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        state_filter: Annotated[
            str | None,
            QueryParameter(
                name="state",
                pattern=r"^(live|new|dispatching|responding|on_scene|resolved|closed|cancelled)$",
            ),
        ] = None,
        kind: Annotated[str | None, QueryParameter(pattern=r"^[a-z_]{3,40}$")] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        until: Annotated[datetime | None, QueryParameter()] = None,
        before: Annotated[str | None, QueryParameter(pattern=r"^INC-[0-9]{8}-[0-9]{5,}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> IncidentPage:
        """Filter by state (``live`` = not closed or cancelled), kind and time; paginate with ``before``."""
        clauses = [jurisdiction_sql("org_path", 1)]
        args: list[Any] = [caller.principal.org_path]
        if state_filter == "live":
            clauses.append("state NOT IN ('closed', 'cancelled')")
        elif state_filter is not None:
            args.append(state_filter)
            clauses.append(f"state = ${len(args)}")
        for column, op, value in (
            ("kind", "=", kind),
            ("created_at", ">=", since),
            ("created_at", "<", until),
            ("id", "<", before),
        ):
            if value is not None:
                args.append(value)
                clauses.append(f"{column} {op} ${len(args)}")
        args.append(limit + 1)
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT * FROM incidents WHERE {' AND '.join(clauses)} ORDER BY id DESC "
                f"LIMIT ${len(args)}",
                *args,
            )
            ids = [r["id"] for r in rows[:limit]]
            states = await conn.fetch(
                "SELECT incident_id, state FROM assignments WHERE incident_id = ANY($1::text[])",
                ids,
            )
        per: dict[str, list[Any]] = {}
        for s in states:
            per.setdefault(s["incident_id"], []).append(s)
        items = [summarise(r, per.get(r["id"], [])) for r in rows[:limit]]
        return IncidentPage(items=items, next_before=items[-1].id if len(rows) > limit else None)

    @get("/{incident_id:str}", opt=AUTHENTICATED, summary="One incident")
    async def get_incident(
        self,
        incident_id: IncidentId,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """For its jurisdiction, or a responder assigned to it."""
        async with pool.acquire() as conn:
            await _service(state).visible(conn, caller, incident_id)
            return await detail_of(conn, incident_id)

    @get("/{incident_id:str}/timeline", opt=AUTHENTICATED, summary="The incident's append-only log")
    async def timeline(
        self,
        incident_id: IncidentId,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        after: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[TimelineEntry]:
        """Oldest first; ``after`` an entry id for the rest."""
        async with pool.acquire() as conn:
            await _service(state).visible(conn, caller, incident_id)
            return await timeline_of(conn, incident_id, after=after)

    @get(
        "/{incident_id:str}/recommendations",
        opt=needs(Permission.INCIDENT_READ),
        summary="Who dispatch would offer now, with reasons",
    )
    async def recommendations(
        self,
        incident_id: IncidentId,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        role: Annotated[str, QueryParameter(pattern=r"^[a-z_]{3,32}$")],
        k: Annotated[int, QueryParameter(ge=1, le=20)] = 5,
        radius_m: Annotated[float, QueryParameter(gt=0, le=50_000)] = 5000,
    ) -> list[NearestCandidate]:
        """The care team first, then the nearest available, never someone already on the incident."""
        service = _service(state)
        async with pool.acquire() as conn:
            await service.visible(conn, caller, incident_id)
            row = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", incident_id)
            try:
                picks = await dispatcher.find_candidates(
                    conn,
                    service.runner.positions,
                    row,
                    role=role,
                    k=k,
                    radius_m=radius_m,
                    care_team_first=True,
                    exclude=set(),
                    now=time.time(),
                )
            except ValueError:
                raise ApiError(f"unknown role {role}", field="role") from None
            names = {
                r["id"]: r["display_name"]
                for r in await conn.fetch(
                    "SELECT id::text AS id, display_name FROM users WHERE id = ANY($1::uuid[])",
                    [p.responder_id for p in picks],
                )
            }
        return [
            NearestCandidate(
                responder_id=p.responder_id,
                display_name=names.get(p.responder_id, ""),
                lat=0,
                lon=0,
                distance_m=round(p.distance_m, 1),
                eta_s=round(p.eta_s, 1),
                age_s=0,
                status="available",
                capabilities=[role],
                mode="",
                reasons=p.reasons,
            )
            for p in picks
        ]

    @post("/{incident_id:str}/notes", opt=needs(Permission.INCIDENT_MANAGE), status_code=204)
    async def add_note(
        self,
        incident_id: IncidentId,
        data: JSONBody[Note],
        state: State,
        caller: NamedDependency[Caller],
    ) -> None:
        """A note on the timeline."""
        await _service(state).note(caller, incident_id, data.text)

    @post("/{incident_id:str}/priority", opt=needs(Permission.INCIDENT_MANAGE), status_code=204)
    async def change_priority(
        self,
        incident_id: IncidentId,
        data: JSONBody[PriorityChange],
        state: State,
        caller: NamedDependency[Caller],
    ) -> None:
        """Change the priority, with why."""
        await _service(state).set_priority(caller, incident_id, data.priority, data.reason)

    @post("/{incident_id:str}/cancel", opt=needs(Permission.INCIDENT_MANAGE), status_code=204)
    async def cancel(
        self,
        incident_id: IncidentId,
        data: JSONBody[Cancel],
        state: State,
        caller: NamedDependency[Caller],
    ) -> None:
        """Cancel, with why."""
        await _service(state).cancel(caller, incident_id, data.reason)

    @post("/{incident_id:str}/assign", opt=needs(Permission.INCIDENT_MANAGE), status_code=201)
    async def assign(
        self,
        incident_id: IncidentId,
        data: JSONBody[ManualAssign],
        state: State,
        caller: NamedDependency[Caller],
    ) -> dict[str, str]:
        """Offer to a chosen responder, with why."""
        aid = await _service(state).assign(
            caller, incident_id, data.responder_id, data.role, data.reason
        )
        return {"assignment_id": aid}

    @post(
        "/{incident_id:str}/assignments/{assignment_id:str}/release",
        opt=needs(Permission.INCIDENT_MANAGE),
        status_code=204,
    )
    async def release(
        self,
        incident_id: IncidentId,
        assignment_id: FromPath[str],
        data: JSONBody[Release],
        state: State,
        caller: NamedDependency[Caller],
    ) -> None:
        """Take a responder off, with why."""
        await _service(state).release(caller, incident_id, assignment_id, data.reason)

    @post(
        "/{incident_id:str}/steps/{step_id:str}/waive",
        opt=needs(Permission.INCIDENT_MANAGE),
        status_code=200,
        summary="Waive a running playbook step, with why",
    )
    async def waive_step(
        self,
        incident_id: IncidentId,
        step_id: StepIdPath,
        data: JSONBody[WaiveStep],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """For a step that can never complete while the field is done (nobody of a role
        reachable); the run moves on and the archive keeps the reason. 409 names a step that is
        not running."""
        return await _service(state).waive(caller, incident_id, step_id, data.reason)

    @post(
        "/{incident_id:str}/handover",
        opt=needs(Permission.INCIDENT_MANAGE),
        status_code=200,
        summary="Hand the subject over to a registered hospital",
    )
    async def hand_over(
        self,
        incident_id: IncidentId,
        data: JSONBody[Handover],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """Before the close: the hospital's bed counts as in use until the incident ends, and a
        close that needs a hand-over finds it. 404 names an unknown hospital (`hospital_id`)."""
        return await _service(state).hand_over(caller, incident_id, data.hospital_id)

    @post(
        "/{incident_id:str}/patient",
        opt=needs(Permission.INCIDENT_MANAGE),
        status_code=200,
        summary="Link the registered patient the incident concerns (identified after intake)",
    )
    async def identify_subject(
        self,
        incident_id: IncidentId,
        data: JSONBody[SubjectLink],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """The working responders get their need-to-know grant and the playbook's later branches
        see the patient. Replacing a linked patient needs `reason` (422 `reason_required`); an
        unknown patient, or one outside your jurisdiction, is 404 naming `patient_id`."""
        return await _service(state).identify_subject(
            caller, incident_id, data.patient_id, data.reason
        )

    @post(
        "/{incident_id:str}/playbook",
        opt=needs(Permission.INCIDENT_MANAGE),
        status_code=200,
        summary="Run another playbook on the live incident",
    )
    async def switch_playbook(
        self,
        incident_id: IncidentId,
        data: JSONBody[PlaybookSwitch],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """The current run's deadlines and open offers end; the new playbook starts at its first
        step, and the responders already working fill its places before anyone new is paged.
        The playbook already running changes nothing; an unknown one is 404 `playbook_id`."""
        return await _service(state).switch_playbook(
            caller, incident_id, data.playbook_id, data.reason
        )

    @post("/{incident_id:str}/close", opt=needs(Permission.INCIDENT_MANAGE), status_code=200)
    async def close(
        self,
        incident_id: IncidentId,
        data: JSONBody[CloseRequest],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """Close when the playbook's requirements are met; 409 names what is missing."""
        return await _service(state).close(
            caller, incident_id, data.outcome, data.record_sheet_id, data.handover_hospital
        )


class AssignmentController(Controller):
    """A responder's side: answer offers, report status, tick the checklist."""

    path = "/api/assignments"
    tags = ["assignments"]  # noqa: RUF012

    @get("/mine", opt=needs(Permission.ASSIGNMENT_RESPOND), summary="My live assignments")
    async def mine(
        self, pool: NamedDependency[PgPool], caller: NamedDependency[Caller]
    ) -> list[AssignmentView]:
        """Offers and accepted assignments that are not over."""
        async with pool.acquire() as conn:
            ids = await conn.fetch(
                "SELECT DISTINCT incident_id FROM assignments WHERE responder_id = $1::uuid AND state IN "
                "('offered', 'accepted', 'en_route', 'on_scene')",
                caller.principal.user_id,
            )
            out: list[AssignmentView] = []
            for row in ids:
                out += [
                    a
                    for a in await assignments_of(conn, row["incident_id"])
                    if a.responder_id == caller.principal.user_id and a.ended_at is None
                ]
        return out

    @post("/{assignment_id:str}/accept", opt=needs(Permission.ASSIGNMENT_RESPOND), status_code=200)
    async def accept(
        self,
        assignment_id: FromPath[str],
        state: State,
        caller: NamedDependency[Caller],
        data: JSONBody[AssignmentAction | None] = None,
    ) -> IncidentDetail:
        """Accept the offer (a repeated accept changes nothing)."""
        return await _service(state).accept(
            caller, assignment_id, data.client_msg_id if data else None
        )

    @post("/{assignment_id:str}/decline", opt=needs(Permission.ASSIGNMENT_RESPOND), status_code=204)
    async def decline(
        self,
        assignment_id: FromPath[str],
        state: State,
        caller: NamedDependency[Caller],
        data: JSONBody[AssignmentAction | None] = None,
    ) -> None:
        """Decline, optionally saying why; the next candidate is offered at once."""
        await _service(state).decline(
            caller,
            assignment_id,
            data.reason if data else None,
            data.client_msg_id if data else None,
        )

    @post("/{assignment_id:str}/status", opt=needs(Permission.ASSIGNMENT_RESPOND), status_code=200)
    async def status(
        self,
        assignment_id: FromPath[str],
        data: JSONBody[StatusChange],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """en_route, on_scene, clear or need_backup."""
        return await _service(state).change_status(
            caller, assignment_id, data.status, data.client_msg_id
        )

    @post(
        "/{assignment_id:str}/checklist", opt=needs(Permission.ASSIGNMENT_RESPOND), status_code=200
    )
    async def checklist(
        self,
        assignment_id: FromPath[str],
        data: JSONBody[ChecklistTick],
        state: State,
        caller: NamedDependency[Caller],
    ) -> IncidentDetail:
        """Tick an item of your role's checklist."""
        return await _service(state).tick(caller, assignment_id, data.item, data.client_msg_id)

    @post("/{assignment_id:str}/notes", opt=needs(Permission.ASSIGNMENT_RESPOND), status_code=204)
    async def note(
        self,
        assignment_id: FromPath[str],
        data: JSONBody[FieldNote],
        state: State,
        caller: NamedDependency[Caller],
    ) -> None:
        """A short note from the field on the incident's timeline (a resent one changes nothing)."""
        await _service(state).responder_note(caller, assignment_id, data.text, data.client_msg_id)

    @get(
        "/{assignment_id:str}/brief",
        opt=needs(Permission.ASSIGNMENT_RESPOND),
        summary="Your view of one of your assignments",
    )
    async def brief(
        self,
        assignment_id: FromPath[str],
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
    ) -> AssignmentBrief:
        """Your role's checklist with ticks, the team with live distance and ETA, and the patient
        id for the need-to-know record only while the assignment is accepted and running."""
        async with pool.acquire() as conn:
            return await brief_of(
                conn, _service(state).runner.positions, assignment_id, caller.principal.user_id
            )
