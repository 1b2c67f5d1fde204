"""The incident's subject: the registered patient it concerns, known at intake or identified later.

A call often comes from a neighbour who gives an address, not a name; the subject is identified
on scene (a responder reads the ID card, the guardian names them). Linking the patient then does
what it would have done at intake: the working responders get their need-to-know grant, the wall
shows the incident as concerning a patient, and the playbook's branches from then on see the
patient's risk grade and care team. The playbook already running is not swapped by itself
(offers and deadlines are under way); when the library would now choose another one, the
timeline says so, and the operator decides (`playbook_switch.py`).
"""

from __future__ import annotations

import time
import uuid

import msgspec

from backend.errors import NotFound, Unprocessable
from backend.incidents import grants, status_sync
from backend.incidents.base import ServiceBase, actor_of
from backend.incidents.models import WORKING_ASSIGNMENT, IncidentDetail
from backend.incidents.places import OutsideJurisdiction
from backend.incidents.repo import announce, detail_of, lock_incident, record, run_state_of
from backend.security.context import Caller
from backend.security.denials import deny
from backend.security.principal import Principal
from backend.storage.postgres.pool import PgConn
from playbooks.errors import PlaybookError
from playbooks.events import SubjectIdentified


class PatientFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What dispatch and the playbook use of a patient (nothing personal)."""

    id: str
    risk_grade: int
    org_path: str
    has_care_team: bool


async def find_patient(conn: PgConn, principal: Principal, patient_id: str) -> PatientFacts:
    """The patient, if the caller's jurisdiction covers them: 404 (``patient_id``) when unknown;
    :class:`OutsideJurisdiction` (also a 404, for the caller to record as a denial) when not."""
    row = await conn.fetchrow(
        "SELECT person_id::text AS id, risk_grade, org_path, "
        "EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = person_id) AS team "
        "FROM patients WHERE person_id = $1",
        uuid.UUID(patient_id),
    )
    if row is None:
        raise NotFound(f"unknown patient {patient_id}", field="patient_id", code="unknown_patient")
    if not principal.covers(row["org_path"]):
        raise OutsideJurisdiction(
            f"unknown patient {patient_id}",
            field="patient_id",
            code="unknown_patient",
            object_type="patient",
            object_id=patient_id,
            org_path=row["org_path"],
        )
    return PatientFacts(
        id=row["id"],
        risk_grade=row["risk_grade"],
        org_path=row["org_path"],
        has_care_team=bool(row["team"]),
    )


class SubjectActions(ServiceBase):
    """Identifying (or correcting) the patient an incident concerns."""

    async def identify_subject(
        self, caller: Caller, incident_id: str, patient_id: str, reason: str | None
    ) -> IncidentDetail:
        """Link the patient to the live incident. Replacing a patient already linked needs a
        reason (422 ``reason_required``): the first link was someone's judgement too. The same
        patient sent again changes nothing."""
        async with status_sync.transaction(self.pool, self.runner.positions) as conn:
            incident = await self.managed(conn, caller, incident_id)
            try:
                patient = await find_patient(conn, caller.principal, patient_id)
            except OutsideJurisdiction as exc:
                await deny(
                    self.pool, self.audit, caller, exc.object_type, exc.object_id, exc.org_path
                )
                raise
            before = incident["patient_id"]
            if before is not None and str(before) == patient.id:
                return await detail_of(conn, incident_id)  # sent again (a double click)
            if before is not None and not reason:
                raise Unprocessable(
                    "the incident already concerns another patient: say why it is replaced",
                    field="reason",
                    code="reason_required",
                )
            await conn.execute(
                "UPDATE incidents SET patient_id = $2, updated_at = now() WHERE id = $1",
                incident_id,
                uuid.UUID(patient.id),
            )
            if before is not None:  # the wrong person's details leave every phone on it
                await conn.execute(
                    "UPDATE patient_access_grants SET ended_at = now() "
                    "WHERE incident_id = $1 AND patient_id = $2 AND ended_at IS NULL",
                    incident_id,
                    before,
                )
            incident = await lock_incident(conn, incident_id)
            working = await conn.fetch(
                "SELECT DISTINCT responder_id FROM assignments "
                "WHERE incident_id = $1 AND state = ANY($2::text[])",
                incident_id,
                list(WORKING_ASSIGNMENT),
            )
            for row in working:
                await grants.grant(conn, incident, row["responder_id"])
            actor = actor_of(caller)
            linked: dict[str, object] = {"replaced": before is not None}
            if reason:
                linked["reason"] = reason
            suggested = self._playbook_now(incident, patient)
            if suggested is not None:
                linked["playbook_suggested"] = suggested
            await record(conn, incident, "patient.linked", linked, actor)
            await self.runner.feed(
                conn,
                incident_id,
                SubjectIdentified(
                    risk_grade=patient.risk_grade, has_care_team=patient.has_care_team
                ),
                actor,
                time.time(),
            )
            await announce(conn, incident_id)
            return await detail_of(conn, incident_id)

    def _playbook_now(self, incident: object, patient: PatientFacts) -> str | None:
        """The playbook the library would choose now, when it is not the one running."""
        run = run_state_of(incident)
        if run.context is None:
            return None
        context = msgspec.structs.replace(
            run.context, risk_grade=patient.risk_grade, has_care_team=patient.has_care_team
        )
        try:
            chosen = self.library.select_for(context)
        except PlaybookError:
            return None
        return None if chosen.id == run.playbook.id else chosen.id
