"""Incident intake: a new incident, its place and patient checked, its playbook chosen and run."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime

import msgspec

from backend.errors import Unprocessable
from backend.incidents import status_sync
from backend.incidents.base import ServiceBase, actor_of
from backend.incidents.models import IncidentCreate, IncidentDetail
from backend.incidents.places import OutsideJurisdiction, resolve_place
from backend.incidents.repeats import place_history
from backend.incidents.repo import Actor, announce, detail_of, lock_incident, record
from backend.incidents.subjects import find_patient
from backend.security.context import Caller
from backend.security.denials import deny
from playbooks.errors import PlaybookError
from playbooks.events import IncidentOpened
from playbooks.schema import IncidentContext
from playbooks.state import encode_run, new_run


def _request_hash(data: IncidentCreate) -> bytes:
    return hashlib.sha256(msgspec.json.encode(data, order="sorted")).digest()


class Intake(ServiceBase):
    """Creating incidents (idempotent per caller and Idempotency-Key)."""

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
                patient = (
                    None
                    if data.patient_id is None
                    else await find_patient(conn, principal, data.patient_id)
                )
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
            history = await place_history(
                conn,
                address_id=place.address_id,
                lat=place.lat,
                lon=place.lon,
                before=datetime.now(UTC),
            )
            flags = tuple(data.flags)
            if history.count and "repeat_call" not in flags:
                flags = (*flags, "repeat_call")  # before the playbook is chosen: triggers see it
            context = IncidentContext(
                kind=data.kind,
                risk_grade=patient.risk_grade if patient else None,
                violent=data.violent,
                has_care_team=bool(patient and patient.has_care_team),
                flags=flags,
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
                uuid.UUID(patient.id) if patient else None,
                data.description,
                {"name": data.reporter.name, "relation": data.reporter.relation}
                if data.reporter
                else {},
                source,
                data.violent,
                list(flags),
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
                    **(
                        {
                            "earlier_at_place": history.count,
                            "repeat_of": [e.id for e in history.latest],
                        }
                        if history.count
                        else {}
                    ),
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
            return await detail_of(conn, incident_id, earlier=history), True, suggestion
