"""What one responder's phone needs about one of its assignments, in one read.

The offer itself travels on the ``me`` topic; this is the rest: the checklist of the
responder's role with what is ticked, the team with live distance and ETA, and — only once the
offer is accepted and while the assignment lasts — the patient id that opens the need-to-know
record (``GET /api/patients/{id}``, which checks the grant again and audits the read).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec

from backend.errors import NotFound
from backend.incidents.models import (
    ACTIVE_ASSIGNMENT,
    WORKING_ASSIGNMENT,
    AssignmentView,
    IncidentSummary,
)
from backend.incidents.repo import assignments_of, run_state_of, summarise
from backend.positions.service import PositionService
from backend.security.masking import mask_name
from backend.storage.postgres.pool import PgConn
from dispatch.errors import DispatchError
from dispatch.geo import distance_m as haversine_m
from playbooks.state import RunState


class ChecklistEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One item of the responder's role; ``item`` is what a tick sends (``<step>.<item>``)."""

    item: str
    text_zh: str
    text_en: str
    required: bool
    ticked: bool


class TeamMember(msgspec.Struct, frozen=True, kw_only=True):
    """Someone offered or working on the incident; distance and ETA from their live position
    when it is fresh, else from when they were offered."""

    responder_id: str
    display_name: str
    role: str
    state: str
    distance_m: float | None
    eta_s: float | None
    is_me: bool


class PatientSummary(msgspec.Struct, frozen=True, kw_only=True):
    """The patient as an offer may show it: masked name and risk grade."""

    name: str
    risk_grade: int


class AssignmentBrief(msgspec.Struct, frozen=True, kw_only=True):
    """The responder's view of one of its assignments."""

    assignment: AssignmentView
    incident: IncidentSummary
    description: str | None
    violent: bool
    flags: list[str]
    patient: PatientSummary | None
    patient_id: str | None
    """Set only while the assignment is accepted, en route or on scene."""
    checklist: list[ChecklistEntry]
    team: list[TeamMember]


def role_checklist(run: RunState, role: str) -> list[ChecklistEntry]:
    """Every checklist item of ``role`` in the incident's playbook, in playbook order."""
    ticked = set(run.ticked)
    return [
        ChecklistEntry(
            item=ref,
            text_zh=item.text.zh_cn,
            text_en=item.text.en,
            required=item.required,
            ticked=ref in ticked,
        )
        for ref, item in run.playbook.checklist_items().items()
        if item.role == role
    ]


async def _team(
    positions: PositionService, incident: Any, views: list[AssignmentView], me: str, now: float
) -> list[TeamMember]:
    team: list[TeamMember] = []
    for a in views:
        if a.state not in ACTIVE_ASSIGNMENT:
            continue
        distance, eta = a.distance_m, a.eta_s
        try:
            live = await positions.index.get(a.responder_id, now)
        except DispatchError:
            live = None  # Redis away: the distances at offer time still say something
        if live is not None:
            distance = haversine_m(incident["lat"], incident["lon"], live.lat, live.lon)
            eta = positions.index.speed.eta_s(distance, live.mode)
        team.append(
            TeamMember(
                responder_id=a.responder_id,
                display_name=a.display_name,
                role=a.role,
                state=a.state,
                distance_m=None if distance is None else round(distance),
                eta_s=None if eta is None else round(eta),
                is_me=a.responder_id == me,
            )
        )
    return team


async def brief_of(
    conn: PgConn, positions: PositionService, assignment_id: str, user_id: str
) -> AssignmentBrief:
    """The brief of one of the caller's own assignments; 404 for anyone else's."""
    try:
        aid = uuid.UUID(assignment_id)
    except ValueError:
        raise NotFound(f"no assignment {assignment_id}") from None
    row = await conn.fetchrow(
        "SELECT incident_id, responder_id::text AS responder_id FROM assignments WHERE id = $1", aid
    )
    if row is None or row["responder_id"] != user_id:
        raise NotFound(f"no assignment {assignment_id}")
    incident: Any = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", row["incident_id"])
    views = await assignments_of(conn, incident["id"])
    mine = next(v for v in views if v.id == str(aid))
    patient: PatientSummary | None = None
    if incident["patient_id"] is not None:
        p = await conn.fetchrow(
            "SELECT p.name, pt.risk_grade FROM persons p JOIN patients pt ON pt.person_id = p.id "
            "WHERE p.id = $1",
            incident["patient_id"],
        )
        if p is not None:
            patient = PatientSummary(name=mask_name(p["name"]), risk_grade=p["risk_grade"])
    working = mine.state in WORKING_ASSIGNMENT and incident["closed_at"] is None
    return AssignmentBrief(
        assignment=mine,
        incident=summarise(incident, [{"state": v.state} for v in views]),
        description=incident["description"],
        violent=incident["violent"],
        flags=list(incident["flags"]),
        patient=patient,
        patient_id=str(incident["patient_id"]) if working and incident["patient_id"] else None,
        checklist=role_checklist(run_state_of(incident), mine.role),
        team=await _team(positions, incident, views, user_id, time.time()),
    )
