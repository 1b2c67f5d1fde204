"""Running another playbook on a live incident, chosen by the operator.

When the subject turns out to be a high-risk patient, or must be taken to hospital, the plan the
incident started under no longer fits. The operator names the playbook to run instead and why;
the old run's deadlines and open offers end, the new run starts at its first step, and the
responders already working stay on the incident, filling the new run's places first
(`playbooks/switch.py`). Everything happens in one transaction with its timeline entry.
"""

from __future__ import annotations

import time

from backend.errors import Conflict, NotFound
from backend.incidents import status_sync
from backend.incidents.base import ServiceBase, actor_of
from backend.incidents.models import WORKING_ASSIGNMENT, IncidentDetail
from backend.incidents.repo import announce, detail_of, record, run_state_of
from backend.security.context import Caller
from playbooks.errors import NoPlaybookError
from playbooks.switch import switch_run

SWITCHED = "playbook.switched"


class PlaybookActions(ServiceBase):
    """Replacing the playbook an incident runs."""

    async def switch_playbook(
        self, caller: Caller, incident_id: str, playbook_id: str, reason: str
    ) -> IncidentDetail:
        """Run ``playbook_id`` (its newest version) instead of the current playbook. The one
        already running, sent again, changes nothing; an unknown id is 404 ``playbook_id``."""
        try:
            playbook = self.library.get(playbook_id)
        except NoPlaybookError:
            raise NotFound(
                f"no playbook {playbook_id} in the library",
                field="playbook_id",
                code="unknown_playbook",
            ) from None
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            old = run_state_of(incident)
            if old.playbook.id == playbook.id:
                return await detail_of(conn, incident_id)  # sent again (a double click)
            if old.status != "running":  # a live incident always runs its playbook; be sure
                raise Conflict(f"the incident's run is {old.status}", code="incident_ended")
            working = await conn.fetch(
                "SELECT role, responder_id::text AS responder_id FROM assignments "
                "WHERE incident_id = $1 AND state = ANY($2::text[]) ORDER BY accepted_at, id",
                incident_id,
                list(WORKING_ASSIGNMENT),
            )
            earlier = await conn.fetchval(
                "SELECT count(*) FROM incident_events WHERE incident_id = $1 AND kind = $2",
                incident_id,
                SWITCHED,
            )
            # timer ids are "<run id>:<step>:<attempt>": each run of the incident needs its own id
            run_id = f"{incident_id.replace(':', '-')}-r{earlier + 2}"
            now = time.time()
            state, effects = switch_run(
                old, playbook, run_id, [(r["role"], r["responder_id"]) for r in working], now
            )
            actor = actor_of(caller)
            await record(
                conn,
                incident,
                SWITCHED,
                {
                    "from": old.playbook.id,
                    "from_version": old.playbook.version,
                    "to": playbook.id,
                    "to_version": playbook.version,
                    "reason": reason,
                    "kept": len(working),
                },
                actor,
            )
            # the old checklists name the old run's items: ticking them would move nothing now;
            # the new run requires its own as it reaches them
            await conn.execute("UPDATE incidents SET checklists = '{}' WHERE id = $1", incident_id)
            await self.runner.apply(conn, incident_id, state, effects, actor, now)
            await announce(conn, incident_id)
            return await detail_of(conn, incident_id)
