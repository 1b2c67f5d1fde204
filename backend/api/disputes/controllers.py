"""``/api/disputes``: disputes screened and mediated up and down the comprehensive-governance
centres (矛盾纠纷排查调处, 上下协同联动), and each unit's weekly screening."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.disputes import parties, records
from backend.disputes.lists import (
    Which,
    list_disputes,
    report_screening,
    screenings,
    summary,
    week_now,
)
from backend.disputes.models import (
    AssignCreate,
    CloseCreate,
    DisputeCreate,
    DisputeDetail,
    DisputePage,
    DisputeRecorded,
    DisputeSummary,
    EscalateCreate,
    MediationCreate,
    PartyCreate,
    PartyRecorded,
    RiskCreate,
    ScreeningCreate,
    ScreeningPage,
    ScreeningView,
)
from backend.disputes.policy import WEEK_PATTERN, Kind
from backend.errors import NotFound
from backend.security.context import Auditor, Caller
from backend.security.crypto import FieldCipher
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import UUID_TEXT

_UUID = re.compile(UUID_TEXT)
Level = Literal["street", "community", "grid"]


def _dispute_id(text: str) -> str:
    # a str in the route, so a wrong id is refused after the token check, never before
    if not _UUID.match(text):
        raise NotFound(f"no dispute {text}", field="dispute_id")
    return text


class DisputeController(Controller):
    """Dispute screening and mediation."""

    path = "/api/disputes"
    tags = ["disputes"]  # noqa: RUF012

    @get("/", opt=needs(Permission.DISPUTE_READ), summary="Disputes, overdue and high-risk first")
    async def list_disputes(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        which: Annotated[Which, QueryParameter()] = "held",
        kind: Annotated[Kind | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> DisputePage:
        """Those that happened in your jurisdiction or that it holds. ``which``: held (live, your
        centres act on them), live, overdue, high, closed. With the live totals."""
        async with pool.acquire() as conn:
            return await list_disputes(
                conn,
                caller.principal.org_path,
                which=which,
                kind=kind,
                limit=limit,
                now=datetime.now(UTC),
                offset=offset,
            )

    @get(
        "/summary",
        opt=needs(Permission.DISPUTE_READ),
        summary="Each unit's disputes: live, high-risk, overdue, held, closed in 30 days",
    )
    async def summary(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        level: Annotated[Level, QueryParameter()] = "community",
    ) -> DisputeSummary:
        """Every unit of the level in your jurisdiction, zero included."""
        async with pool.acquire() as conn:
            return await summary(conn, caller.principal.org_path, level, datetime.now(UTC))

    @get(
        "/screenings",
        opt=needs(Permission.DISPUTE_READ),
        summary="Each unit's screening report of a week (排查), missing ones first",
    )
    async def screenings(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        week: Annotated[str | None, QueryParameter(pattern=WEEK_PATTERN)] = None,
        level: Annotated[Level, QueryParameter()] = "community",
    ) -> ScreeningPage:
        """``week`` as YYYY-Www (ISO); this week when none."""
        async with pool.acquire() as conn:
            return await screenings(
                conn, caller.principal.org_path, week or week_now(datetime.now(UTC)), level
            )

    @post(
        "/screenings",
        opt=needs(Permission.DISPUTE_WRITE),
        status_code=200,
        summary="Report your unit's screening of a week, none found included (零报告)",
    )
    async def report_screening(
        self,
        data: JSONBody[ScreeningCreate],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> ScreeningView:
        """Sent again for the same week, it replaces the report (a correction)."""
        async with pool.acquire() as conn:
            return await report_screening(conn, auditor, data, datetime.now(UTC))

    @post(
        "/",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Register a dispute (idempotent by its id); your centre holds it",
    )
    async def register(
        self,
        data: JSONBody[DisputeCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """The deadline follows the risk (high 3 days, medium 15, low 30); a high-risk dispute
        raises its warning at once."""
        async with pool.acquire() as conn:
            out = await records.register(conn, cipher, auditor, data, datetime.now(UTC))
        return Response(out, status_code=200 if out.duplicate else 201)

    @get(
        "/{dispute_id:str}",
        opt=needs(Permission.DISPUTE_READ),
        summary="A dispute and its history",
    )
    async def read(
        self,
        dispute_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> DisputeDetail:
        """Audited; details and notes for those who work disputes; where it may go next."""
        async with pool.acquire() as conn:
            return await records.read(
                conn, cipher, auditor, _dispute_id(dispute_id), datetime.now(UTC)
            )

    async def _act(
        self,
        dispute_id: str,
        data: records.Action,
        pool: PgPool,
        cipher: FieldCipher,
        auditor: Auditor,
    ) -> Response[DisputeRecorded]:
        async with pool.acquire() as conn:
            out = await records.act(
                conn, cipher, auditor, _dispute_id(dispute_id), data, datetime.now(UTC)
            )
        return Response(out, status_code=200 if out.duplicate else 201)

    @post(
        "/{dispute_id:str}/mediations",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Record a mediation session (idempotent by its id)",
    )
    async def mediate(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[MediationCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """The dispute is being mediated; its deadline stands."""
        return await self._act(dispute_id, data, pool, cipher, auditor)

    @post(
        "/{dispute_id:str}/escalate",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Pass the dispute up to the centre above (上报)",
    )
    async def escalate(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[EscalateCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """The centre above holds it from now, with a new deadline by its risk."""
        return await self._act(dispute_id, data, pool, cipher, auditor)

    @post(
        "/{dispute_id:str}/assign",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Hand the dispute down to a unit on the way to its place (交办)",
    )
    async def assign(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[AssignCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """The unit holds it from now, by the deadline given."""
        return await self._act(dispute_id, data, pool, cipher, auditor)

    @post(
        "/{dispute_id:str}/risk",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Judge the dispute's risk again (研判)",
    )
    async def risk(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[RiskCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """High raises its warning; lower resolves it; a higher risk may bring the deadline
        nearer, never further."""
        return await self._act(dispute_id, data, pool, cipher, auditor)

    @post(
        "/{dispute_id:str}/parties",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Link a party to the people records (idempotent by the person)",
    )
    async def link_party(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[PartyCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[PartyRecorded]:
        """A key person (a patient of risk grade 3 or above, community correction, drug
        rehabilitation) makes the dispute high-risk at once, with its warning."""
        async with pool.acquire() as conn:
            out = await parties.link(
                conn, cipher, auditor, _dispute_id(dispute_id), data, datetime.now(UTC)
            )
        return Response(out, status_code=200 if out.duplicate else 201)

    @post(
        "/{dispute_id:str}/close",
        opt=needs(Permission.DISPUTE_WRITE),
        summary="Close the dispute: settled here, or referred to another channel",
    )
    async def close(
        self,
        dispute_id: FromPath[str],
        data: JSONBody[CloseCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[DisputeRecorded]:
        """agreement or withdrawn: resolved; court, arbitration, petition, other: referred. Its
        warnings go with it."""
        return await self._act(dispute_id, data, pool, cipher, auditor)
