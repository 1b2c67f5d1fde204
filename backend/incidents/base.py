"""What every part of the incident service shares: its resources and who the actor is."""

from __future__ import annotations

import uuid
from typing import Any

from backend.errors import Conflict, NotFound
from backend.incidents.repo import Actor, lock_incident
from backend.incidents.runner import Runner
from backend.positions.grids import GridLookup
from backend.security.audit import AuditLog
from backend.security.context import Caller
from backend.security.denials import deny
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn, PgPool
from playbooks.loader import Library


def actor_of(caller: Caller) -> Actor:
    """The caller as the timeline names it."""
    return Actor(id=caller.principal.user_id, name=caller.principal.display_name)


class ServiceBase:
    """The resources of the incident service; intake, responder and operator actions use them.

    Every change is one transaction (`status_sync.transaction`), event log and outbox included,
    with the playbook run stepped in the same transaction.
    """

    def __init__(
        self, pool: PgPool, runner: Runner, library: Library, grids: GridLookup, audit: AuditLog
    ) -> None:
        self.audit = audit
        self.pool = pool
        self.runner = runner
        self.library = library
        self.grids = grids

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

    async def managed(self, conn: PgConn, caller: Caller, incident_id: str) -> Any:
        """The incident locked for a change by the command center: in the caller's jurisdiction
        (else a 404 with a recorded denial) and still live (else 409 ``incident_ended``)."""
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
