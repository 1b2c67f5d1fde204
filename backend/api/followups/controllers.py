"""Follow-ups of patients: the shared record of visits, the worklist and the care team."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.api.people.schemas import CareRole, CareTeamMember
from backend.errors import ApiError
from backend.followups import care_team, visits
from backend.followups.models import (
    CareTeamAdd,
    DuePage,
    FollowUpCreate,
    FollowUpPage,
    FollowUpRecorded,
)
from backend.followups.policy import FollowUpPolicy
from backend.followups.worklist import Scope, due_list
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import UUID_TEXT


class CareTeam(msgspec.Struct, frozen=True, kw_only=True):
    """A patient's care team after a change, primary member first."""

    items: list[CareTeamMember]


class PatientFollowUpController(Controller):
    """One patient's visits and care team."""

    path = "/api/patients/{patient_id:str}"
    tags = ["follow-ups"]  # noqa: RUF012

    @get("/follow-ups", opt=needs(Permission.PATIENT_READ), summary="A patient's visits")
    async def list_follow_ups(
        self,
        patient_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        follow_up_policy: NamedDependency[FollowUpPolicy],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> FollowUpPage:
        """Newest first, with the date the next visit is due. The notes are shown to those who
        may record visits. The read is audited as a read of the patient."""
        async with pool.acquire() as conn:
            return await visits.list_follow_ups(
                conn, cipher, auditor, follow_up_policy, patient_id, limit
            )

    @post(
        "/follow-ups",
        opt=needs(Permission.PATIENT_WRITE),
        summary="Record a visit (idempotent by its id)",
    )
    async def record_follow_up(
        self,
        patient_id: FromPath[str],
        data: JSONBody[FollowUpCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        follow_up_policy: NamedDependency[FollowUpPolicy],
    ) -> Response[FollowUpRecorded]:
        """201 for a new visit, 200 when this id was recorded already with the same content
        (409 with other content). The latest visit sets the patient's risk grade and next due
        date; the care team hears of it; an overdue warning about the patient is resolved."""
        async with pool.acquire() as conn:
            result = await visits.record_follow_up(
                conn, cipher, auditor, follow_up_policy, patient_id, data, datetime.now(UTC)
            )
        return Response(result, status_code=200 if result.duplicate else 201)

    @post(
        "/care-team",
        opt=needs(Permission.PATIENT_WRITE),
        status_code=200,
        summary="Put a user on the care team",
    )
    async def add_member(
        self,
        patient_id: FromPath[str],
        data: JSONBody[CareTeamAdd],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> CareTeam:
        """Any active user of the patient's district, in one of the care roles. A primary
        member replaces the former one."""
        async with pool.acquire() as conn:
            return CareTeam(items=await care_team.add_member(conn, auditor, patient_id, data))

    @delete(
        "/care-team/{user_id:str}",
        opt=needs(Permission.PATIENT_WRITE),
        status_code=200,
        summary="Take a user off the care team in one role",
    )
    async def remove_member(
        self,
        patient_id: FromPath[str],
        user_id: FromPath[str],
        role: Annotated[CareRole, QueryParameter()],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> CareTeam:
        """404 when they are not on the team in that role."""
        if not re.fullmatch(UUID_TEXT[1:-1], user_id):
            raise ApiError("not a user id (a UUID)", field="user_id", code="invalid")
        async with pool.acquire() as conn:
            return CareTeam(
                items=await care_team.remove_member(conn, auditor, patient_id, user_id, role)
            )


class FollowUpController(Controller):
    """The follow-up worklist."""

    path = "/api/follow-ups"
    tags = ["follow-ups"]  # noqa: RUF012

    @get("/due", opt=needs(Permission.PATIENT_READ), summary="Whose visit is due, soonest first")
    async def due(
        self,
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
        follow_up_policy: NamedDependency[FollowUpPolicy],
        # "scope" is a name Litestar keeps for the ASGI scope; the query string still says scope.
        whose: Annotated[Scope, QueryParameter(name="scope")] = "jurisdiction",
        within_days: Annotated[int, QueryParameter(ge=0, le=366)] = 7,
        risk_min: Annotated[int, QueryParameter(ge=0, le=5)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> DuePage:
        """Overdue patients first, then those due within ``within_days``; ``scope=mine`` keeps
        the patients whose care team you are on. Names and addresses masked by role; every
        listed patient's read audited. ``overdue`` counts the whole scope."""
        async with pool.acquire() as conn, conn.transaction():
            return await due_list(
                conn,
                auditor,
                follow_up_policy,
                scope=whose,
                within_days=within_days,
                risk_min=risk_min,
                limit=limit,
                now=datetime.now(UTC),
            )
