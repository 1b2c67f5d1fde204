"""Choosing and offering responders: the care team first, then the nearest qualified.

An offer is a compare-and-set on the responder's status (``available`` → ``offered``) in the
same transaction as the assignment row; a partial unique index makes a second live assignment
of one responder impossible even if two nodes race.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from backend.incidents.repo import Actor, record
from backend.incidents.status_sync import note_change
from backend.positions.service import PositionService
from backend.realtime.outbox import emit
from backend.security.masking import mask_name
from backend.storage.postgres.pool import PgConn
from dispatch.geo import distance_m as haversine_m
from dispatch.matching import rank_candidates
from dispatch.models import Capability, DutyStatus


class Pick(msgspec.Struct, frozen=True, kw_only=True):
    """A responder chosen for an offer, with why."""

    responder_id: str
    distance_m: float
    eta_s: float
    reasons: list[str]
    care_team: bool = False


def offer_timer_id(assignment_id: str) -> str:
    """The id of the timer that expires an offer."""
    return f"offer:{assignment_id}"


async def _busy_on(conn: PgConn, incident_id: str) -> set[str]:
    """Who is not paged again for this incident: everyone offered, working, done, released or
    who said no. An offer withdrawn by the run (its places filled, or its playbook replaced)
    was nobody's refusal: that responder may be asked for another place."""
    rows = await conn.fetch(
        "SELECT responder_id::text AS id FROM assignments "
        "WHERE incident_id = $1 AND state <> 'withdrawn'",
        incident_id,
    )
    return {r["id"] for r in rows}


async def find_candidates(
    conn: PgConn,
    positions: PositionService,
    incident: Any,
    *,
    role: str,
    k: int,
    radius_m: float,
    care_team_first: bool,
    exclude: set[str],
    now: float,
) -> list[Pick]:
    """Up to ``k`` responders for ``role``: care-team members on duty and within reach, then the
    nearest available ones by estimated travel time. Never someone already on this incident
    (`_busy_on`)."""
    skip = exclude | await _busy_on(conn, incident["id"])
    picks: list[Pick] = []
    capability = Capability(role)
    if care_team_first and incident["patient_id"] is not None:
        team = await conn.fetch(
            """
            SELECT c.user_id::text AS id, c.role FROM care_team_members c
            JOIN responders r ON r.user_id = c.user_id JOIN users u ON u.id = c.user_id
            WHERE c.patient_id = $1 AND r.duty_status = 'available' AND $2 = ANY(u.capabilities)
            ORDER BY c.is_primary DESC, c.user_id
            """,
            incident["patient_id"],
            role,
        )
        for member in team:
            live = await positions.index.get(member["id"], now)
            if member["id"] in skip or live is None:
                continue
            distance = haversine_m(incident["lat"], incident["lon"], live.lat, live.lon)
            if distance > radius_m:
                continue
            eta = positions.index.speed.eta_s(distance, live.mode)
            picks.append(
                Pick(
                    responder_id=member["id"],
                    distance_m=distance,
                    eta_s=eta,
                    care_team=True,
                    reasons=[
                        f"patient's care team ({member['role']})",
                        f"{distance / 1000:.1f} km, ~{eta / 60:.0f} min",
                    ],
                )
            )
            skip.add(member["id"])
    if len(picks) < k:
        nearest = await positions.index.nearest(
            incident["lat"],
            incident["lon"],
            capability=capability,
            k=k + len(skip),
            max_radius_m=radius_m,
            now=now,
            statuses=frozenset({DutyStatus.available}),
        )
        # The index may lag PostgreSQL by a commit: only the database says who is available.
        ids = [uuid.UUID(c.responder_id) for c in nearest if c.responder_id not in skip]
        free = {
            str(r["user_id"])
            for r in await conn.fetch(
                "SELECT user_id FROM responders WHERE user_id = ANY($1::uuid[]) AND duty_status = 'available'",
                ids,
            )
        }
        for c in rank_candidates(nearest):
            if len(picks) >= k:
                break
            if c.responder_id in skip or c.responder_id not in free:
                continue
            picks.append(
                Pick(
                    responder_id=c.responder_id,
                    distance_m=c.distance_m,
                    eta_s=c.eta_s,
                    reasons=["nearest qualified", *c.reasons],
                )
            )
            skip.add(c.responder_id)
    return picks[:k]


async def offer(
    conn: PgConn,
    incident: Any,
    pick: Pick,
    *,
    step_id: str,
    role: str,
    now: float,
    timeout_s: float,
    actor: Actor,
    manual: bool = False,
    from_statuses: tuple[str, ...] = ("available",),
) -> str | None:
    """Offer the incident to one responder; None when someone else took them first."""
    taken = await conn.fetchval(
        """
        UPDATE responders SET duty_status = 'offered', status_version = status_version + 1,
               status_changed_at = now(), updated_at = now()
        WHERE user_id = $1 AND duty_status = ANY($2::text[]) RETURNING 1
        """,
        uuid.UUID(pick.responder_id),
        list(from_statuses),
    )
    if taken is None:
        return None
    note_change(pick.responder_id, "offered")
    expires = datetime.fromtimestamp(now, UTC) + timedelta(seconds=timeout_s)
    assignment_id: uuid.UUID = await conn.fetchval(
        """
        INSERT INTO assignments (incident_id, responder_id, role, step_id, state, manual, distance_m, eta_s, reasons,
                                 expires_at)
        VALUES ($1, $2, $3, $4, 'offered', $5, $6, $7, $8, $9) RETURNING id
        """,
        incident["id"],
        uuid.UUID(pick.responder_id),
        role,
        step_id,
        manual,
        pick.distance_m,
        pick.eta_s,
        pick.reasons,
        expires,
    )
    aid = str(assignment_id)
    await conn.execute(
        "INSERT INTO timers (id, incident_id, kind, purpose, subject, due_at) VALUES ($1, $2, 'offer', 'offer_expiry', $3, $4)",
        offer_timer_id(aid),
        incident["id"],
        aid,
        expires,
    )
    await record(
        conn,
        incident,
        "assignment.offered",
        {
            "assignment_id": aid,
            "responder_id": pick.responder_id,
            "role": role,
            "step_id": step_id,
            "distance_m": round(pick.distance_m),
            "eta_s": round(pick.eta_s),
            "reasons": pick.reasons,
            "manual": manual,
        },
        actor,
    )
    await emit(
        conn,
        stream="personal",
        kind="assignment.offered",
        org_path=incident["org_path"],
        subject=pick.responder_id,
        payload=await offer_payload(conn, incident, aid, pick, role, expires),
    )
    return aid


async def offer_payload(
    conn: PgConn, incident: Any, assignment_id: str, pick: Pick, role: str, expires: datetime
) -> dict[str, Any]:
    """What the phone shows before acceptance: the place, the ask, and the patient at the masked level."""
    patient: dict[str, Any] | None = None
    if incident["patient_id"] is not None:
        row = await conn.fetchrow(
            "SELECT p.name, pt.risk_grade FROM persons p JOIN patients pt ON pt.person_id = p.id WHERE p.id = $1",
            incident["patient_id"],
        )
        if row is not None:
            patient = {"name": mask_name(row["name"]), "risk_grade": row["risk_grade"]}
    return {
        "assignment_id": assignment_id,
        "incident_id": incident["id"],
        "kind": incident["kind"],
        "priority": incident["priority"],
        "role": role,
        "address": incident["address_text"],
        "lat": incident["lat"],
        "lon": incident["lon"],
        "distance_m": round(pick.distance_m),
        "eta_s": round(pick.eta_s),
        "expires_at": expires.timestamp(),
        "violent": incident["violent"],
        "patient": patient,
    }
