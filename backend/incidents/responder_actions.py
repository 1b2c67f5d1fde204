"""A responder's own actions on an assignment: accept, decline, status, checklist, notes; and an
offer's expiry. Each resent `client_msg_id` is applied once."""

from __future__ import annotations

import time
from typing import Any

from backend.errors import Conflict, NotFound
from backend.incidents import dispatcher, grants, status_sync
from backend.incidents.base import ServiceBase, actor_of
from backend.incidents.models import IncidentDetail
from backend.incidents.repo import (
    Actor,
    already_applied,
    announce,
    assignment,
    detail_of,
    lock_incident,
    record,
    with_msg_id,
)
from backend.incidents.runner import cancel_timer, set_responder_status, tell_assignment_ended
from backend.security.context import Caller
from backend.storage.postgres.pool import PgConn
from playbooks.events import (
    ChecklistTicked,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    ResponderArrived,
)


class ResponderActions(ServiceBase):
    """What a responder does with its own assignments (phone, socket or HTTP)."""

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
