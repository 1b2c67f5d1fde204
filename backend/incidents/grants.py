"""Need-to-know access of a responder to the incident's patient: it starts when they accept and
ends when their own part ends (clear, release) or the incident ends, whichever comes first.

A responder who has left the scene has no further need to know; the guardian's phone number and
the de-escalation notes must not stay readable to them for the rest of a long incident.
"""

from __future__ import annotations

from typing import Any

from backend.storage.postgres.pool import PgConn


async def grant(conn: PgConn, incident: Any, responder_id: Any) -> None:
    """Open (or re-open, after a release and a new acceptance) the responder's grant."""
    if incident["patient_id"] is None:
        return
    await conn.execute(
        "INSERT INTO patient_access_grants (patient_id, user_id, incident_id) VALUES ($1, $2, $3) "
        "ON CONFLICT (patient_id, user_id, incident_id) DO UPDATE SET granted_at = now(), ended_at = NULL "
        "WHERE patient_access_grants.ended_at IS NOT NULL",
        incident["patient_id"],
        responder_id,
        incident["id"],
    )


async def end_for(conn: PgConn, incident_id: str, responder_id: Any) -> None:
    """The responder's part is over: their grant on this incident ends now."""
    await conn.execute(
        "UPDATE patient_access_grants SET ended_at = now() "
        "WHERE incident_id = $1 AND user_id = $2::uuid AND ended_at IS NULL",
        incident_id,
        str(responder_id),
    )


async def end_all(conn: PgConn, incident_id: str) -> None:
    """The incident is over: every grant on it ends now."""
    await conn.execute(
        "UPDATE patient_access_grants SET ended_at = now() WHERE incident_id = $1 AND ended_at IS NULL",
        incident_id,
    )
