"""SQL of incidents: rows, summaries, assignments, the event log and its announcements."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import msgspec

from backend.early_warning.store import live_about
from backend.incidents.models import (
    AssignmentView,
    IncidentDetail,
    IncidentSummary,
    StepInfo,
    TimelineEntry,
)
from backend.incidents.repeats import PlaceHistory, place_history
from backend.incidents.waivers import is_waivable
from backend.realtime.outbox import emit
from backend.storage.postgres.pool import PgConn
from playbooks.state import RunState, decode_run
from playbooks.titles import shown_title


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who did something: a user, or the system (playbook, timer, dispatch)."""

    id: str | None
    name: str

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """An action of the system itself."""
        return cls(id=None, name=name)


async def lock_incident(conn: PgConn, incident_id: str) -> Any:
    """The incident row, locked until the transaction ends (serialises changes to one incident)."""
    return await conn.fetchrow("SELECT * FROM incidents WHERE id = $1 FOR UPDATE", incident_id)


def run_state_of(row: Any) -> RunState:
    """The engine state stored with an incident."""
    return decode_run(msgspec.json.encode(row["run_state"]))


async def record(conn: PgConn, incident: Any, kind: str, data: dict[str, Any], actor: Actor) -> int:
    """Append a fact to the incident's log and announce it on the incident stream."""
    event_id: int = await conn.fetchval(
        "INSERT INTO incident_events (incident_id, actor_id, actor_name, kind, data) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id",
        incident["id"],
        uuid.UUID(actor.id) if actor.id else None,
        actor.name,
        kind,
        data,
    )
    await emit(
        conn,
        stream="incidents",
        kind="incident.event",
        org_path=incident["org_path"],
        subject=incident["id"],
        payload={
            "incident_id": incident["id"],
            "event_id": event_id,
            "kind": kind,
            "actor": actor.name,
            "data": data,
        },
    )
    return event_id


async def already_applied(
    conn: PgConn, incident_id: str, actor_id: str, client_msg_id: str | None
) -> bool:
    """Whether a phone's message with this ``client_msg_id`` is already in the incident's log.

    Call it with the incident locked: a phone resending what it queued offline then changes
    nothing, whatever happened in between (a later status, a tick, a note)."""
    if client_msg_id is None:
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM incident_events WHERE incident_id = $1 AND actor_id = $2 "
            "AND data->>'client_msg_id' = $3)",
            incident_id,
            uuid.UUID(actor_id),
            client_msg_id,
        )
    )


def with_msg_id(data: dict[str, Any], client_msg_id: str | None) -> dict[str, Any]:
    """The event data, carrying the phone's message id when it sent one."""
    return data if client_msg_id is None else {**data, "client_msg_id": client_msg_id}


async def announce(
    conn: PgConn, incident_id: str, kind: str = "incident.updated"
) -> IncidentSummary:
    """Publish the incident's current summary (walls replace what they had)."""
    summary = await summary_of(conn, incident_id)
    await emit(
        conn,
        stream="incidents",
        kind=kind,
        org_path=summary.org_path,
        subject=incident_id,
        payload=msgspec.to_builtins(summary),
    )
    return summary


def running_steps(state: RunState) -> list[StepInfo]:
    """Every step the run waits on, in cursor order (one per step id)."""
    if state.status in ("closed", "cancelled"):
        return []
    infos: list[StepInfo] = []
    for step_id in dict.fromkeys(c.step_id for c in state.cursors):
        step = state.playbook.find_step(step_id)
        deadlines = [t.due_at for t in state.timers if t.step_id == step_id]
        title = shown_title(step) if step is not None else None
        infos.append(
            StepInfo(
                id=step_id,
                title_zh=title.zh_cn if title else None,
                title_en=title.en if title else None,
                deadline_at=min(deadlines) if deadlines else None,
                waivable=is_waivable(state, step_id),
            )
        )
    return infos


def _step(state: RunState) -> StepInfo | None:
    steps = running_steps(state)
    return steps[0] if steps else None


def summarise(row: Any, assignments: list[Any]) -> IncidentSummary:
    """A wall's view of an incident row and its assignment rows."""
    state = run_state_of(row)
    return IncidentSummary(
        id=row["id"],
        kind=row["kind"],
        priority=row["priority"],
        state=row["state"],
        lat=row["lat"],
        lon=row["lon"],
        address=row["address_text"],
        org_path=row["org_path"],
        opened_at=row["created_at"].timestamp(),
        updated_at=row["updated_at"].timestamp(),
        playbook_id=row["playbook_id"],
        playbook_version=row["playbook_version"],
        step=_step(state),
        escalations=sum(state.misses.values()),
        responders=dict(Counter(a["state"] for a in assignments)),
        has_patient=row["patient_id"] is not None,
        version=row["version"],
        repeat_call="repeat_call" in row["flags"],
    )


async def summary_of(conn: PgConn, incident_id: str) -> IncidentSummary:
    """The summary of one incident."""
    row = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", incident_id)
    assignments = await conn.fetch(
        "SELECT state FROM assignments WHERE incident_id = $1", incident_id
    )
    return summarise(row, list(assignments))


_ASSIGNMENT_SQL = """
    SELECT a.id::text AS id, a.incident_id, a.responder_id::text AS responder_id, u.display_name, a.role, a.step_id,
           a.state, a.manual, a.distance_m, a.eta_s, a.reasons, a.reason, a.offered_at, a.expires_at, a.accepted_at,
           a.en_route_at, a.on_scene_at, a.ended_at
    FROM assignments a JOIN users u ON u.id = a.responder_id
"""


async def assignments_of(conn: PgConn, incident_id: str) -> list[AssignmentView]:
    """Every assignment of the incident, oldest first."""
    rows = await conn.fetch(
        _ASSIGNMENT_SQL + " WHERE a.incident_id = $1 ORDER BY a.offered_at, a.id", incident_id
    )
    return [msgspec.convert(dict(r), AssignmentView) for r in rows]


async def assignment(conn: PgConn, assignment_id: str, *, lock: bool = False) -> Any:
    """One assignment row (locked when asked)."""
    try:
        aid = uuid.UUID(assignment_id)
    except ValueError:
        return None
    return await conn.fetchrow(
        "SELECT * FROM assignments WHERE id = $1" + (" FOR UPDATE" if lock else ""), aid
    )


async def detail_of(
    conn: PgConn, incident_id: str, *, earlier: PlaceHistory | None = None
) -> IncidentDetail:
    """The full view of an incident (``earlier``: its place's history, when the caller has just
    looked it up, as intake has)."""
    row = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", incident_id)
    if row is None:
        raise LookupError(f"no incident {incident_id}")
    views = await assignments_of(conn, incident_id)
    if earlier is None:
        earlier = await place_history(
            conn,
            address_id=row["address_id"],
            lat=row["lat"],
            lon=row["lon"],
            before=row["created_at"],
            exclude=incident_id,
        )
    patient_id = str(row["patient_id"]) if row["patient_id"] else None
    warnings = await live_about(conn, patient_id=patient_id, address_id=row["address_id"])
    return IncidentDetail(
        earlier=earlier,
        warnings=warnings,
        running_steps=running_steps(run_state_of(row)),
        summary=summarise(row, [{"state": a.state} for a in views]),
        description=row["description"],
        source=row["source"],
        violent=row["violent"],
        flags=list(row["flags"]),
        patient_id=patient_id,
        address_id=row["address_id"],
        assignments=views,
        checklists=row["checklists"],
        outcome=row["outcome"],
        closed_at=row["closed_at"],
    )


async def timeline_of(
    conn: PgConn, incident_id: str, *, after: int = 0, limit: int = 500
) -> list[TimelineEntry]:
    """The incident's log, oldest first."""
    rows = await conn.fetch(
        "SELECT id, at, kind, actor_name, data FROM incident_events WHERE incident_id = $1 AND id > $2 "
        "ORDER BY id LIMIT $3",
        incident_id,
        after,
        limit,
    )
    return [msgspec.convert(dict(r), TimelineEntry) for r in rows]
