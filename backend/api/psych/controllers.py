"""``/api/psych``: assessments, sessions and activities of the centres, the figures per unit,
instructions down the tree and monthly reports up it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.errors import NotFound, Unprocessable
from backend.psych import activities, instructions, records, reports
from backend.psych.attention import attention_list
from backend.psych.figures import unit_table
from backend.psych.models import (
    ActivityCreate,
    ActivityPage,
    ActivityRecorded,
    AssessmentCreate,
    AssessmentRecorded,
    AttentionPage,
    Feedback,
    InstructionCreate,
    InstructionCreated,
    InstructionPage,
    InstructionView,
    PersonPsych,
    ReportCreate,
    ReportStatus,
    ReportSubmitted,
    ServiceCreate,
    ServiceRecorded,
    UnitFiguresPage,
)
from backend.psych.periods import PERIOD_PATTERN, month_bounds, period_of
from backend.security.context import Auditor, Caller
from backend.security.crypto import FieldCipher
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import UUID_TEXT

_UUID = re.compile(UUID_TEXT)


def _created(duplicate: bool) -> int:
    return 200 if duplicate else 201


class PsychController(Controller):
    """Psychological services of the caller's centre and jurisdiction."""

    path = "/api/psych"
    tags = ["psych"]  # noqa: RUF012

    @post(
        "/assessments",
        opt=needs(Permission.PSYCH_RECORD),
        summary="Record a PHQ-9 or GAD-7 (idempotent by its id)",
    )
    async def record_assessment(
        self,
        data: JSONBody[AssessmentCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[AssessmentRecorded]:
        """Scored on the server. Thoughts of self-harm, or a severe result, raise the person's
        psychological-crisis warning at once (serious for self-harm, or for a key group)."""
        async with pool.acquire() as conn:
            out = await records.record_assessment(conn, cipher, auditor, data, datetime.now(UTC))
        return Response(out, status_code=_created(out.duplicate))

    @post(
        "/services",
        opt=needs(Permission.PSYCH_RECORD),
        summary="Record a counselling session or crisis intervention (idempotent by its id)",
    )
    async def record_service(
        self,
        data: JSONBody[ServiceCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[ServiceRecorded]:
        """A crisis intervention resolves the person's live crisis warning."""
        async with pool.acquire() as conn:
            out = await records.record_service(conn, cipher, auditor, data, datetime.now(UTC))
        return Response(out, status_code=_created(out.duplicate))

    @get(
        "/persons/{person_id:str}",
        opt=needs(Permission.PSYCH_RECORD),
        summary="A person's assessments and sessions (audited)",
    )
    async def person_record(
        self,
        person_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> PersonPsych:
        """Newest first. 404 when unknown or outside your jurisdiction."""
        async with pool.acquire() as conn:
            return await records.person_record(conn, cipher, auditor, person_id, limit)

    @get(
        "/attention",
        opt=needs(Permission.PSYCH_RECORD),
        summary="Who waits for a session after a worrying result",
    )
    async def attention(
        self,
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AttentionPage:
        """People whose latest assessment is moderate or worse, or found thoughts of self-harm,
        with no session since: self-harm first. Names masked by role; each listed person's read
        audited."""
        async with pool.acquire() as conn, conn.transaction():
            return await attention_list(conn, auditor, limit=limit)

    @post(
        "/activities",
        opt=needs(Permission.PSYCH_RECORD),
        summary="Record an activity of your centre (idempotent by its id)",
    )
    async def record_activity(
        self,
        data: JSONBody[ActivityCreate],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> Response[ActivityRecorded]:
        """A talk, a group, a screening day or a training, held by your unit."""
        async with pool.acquire() as conn:
            out = await activities.record_activity(conn, auditor, data, datetime.now(UTC))
        return Response(out, status_code=_created(out.duplicate))

    @get("/activities", opt=needs(Permission.PSYCH_STATS), summary="Activities, newest first")
    async def list_activities(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> ActivityPage:
        """Held anywhere in your jurisdiction."""
        async with pool.acquire() as conn:
            return await activities.list_activities(conn, caller.principal.org_path, limit)

    @get(
        "/units",
        opt=needs(Permission.PSYCH_STATS),
        summary="Figures per street or community of your jurisdiction",
    )
    async def units(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        level: Annotated[Literal["street", "community", "grid"], QueryParameter()] = "community",
        period: Annotated[str | None, QueryParameter(pattern=PERIOD_PATTERN)] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        until: Annotated[datetime | None, QueryParameter()] = None,
    ) -> UnitFiguresPage:
        """Counts of one month on the district's clock (``period=YYYY-MM``), or in [since,
        until): by default this month so far. Counts of people by finding from 1 to 4 are
        published as null ("<5")."""
        now = datetime.now(UTC)
        if period is not None and (since is not None or until is not None):
            raise Unprocessable(
                "give a month or a time range, not both", field="period", code="period_and_range"
            )
        month = month_bounds(period if period is not None else period_of(now))
        start = since if since is not None else month[0]
        end = until if until is not None else (month[1] if period is not None else now)
        for name, value in (("since", start), ("until", end)):
            if value.tzinfo is None:
                raise Unprocessable("give a time zone (e.g. +08:00)", field=name, code="naive")
        if end <= start:
            raise Unprocessable("must come after since", field="until", code="before_since")
        async with pool.acquire() as conn:
            return await unit_table(conn, caller.principal.org_path, level, start, end)

    @get(
        "/instructions",
        opt=needs(Permission.PSYCH_STATS),
        summary="Instructions your unit received and issued",
    )
    async def list_instructions(
        self, pool: NamedDependency[PgPool], caller: NamedDependency[Caller]
    ) -> InstructionPage:
        """Newest first, each with its units' answers (a received one: your unit's only)."""
        async with pool.acquire() as conn:
            return await instructions.list_instructions(
                conn, caller.principal.org_path, datetime.now(UTC)
            )

    @post(
        "/instructions",
        opt=needs(Permission.PSYCH_DIRECT),
        summary="Instruct the units below yours (idempotent by its id)",
    )
    async def issue_instruction(
        self,
        data: JSONBody[InstructionCreate],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> Response[InstructionCreated]:
        """To every unit directly below yours, or to those named in ``targets``."""
        async with pool.acquire() as conn:
            out = await instructions.issue(conn, auditor, data, datetime.now(UTC))
        return Response(out, status_code=_created(out.duplicate))

    @post(
        "/instructions/{instruction_id:str}/feedback",
        opt=needs(Permission.PSYCH_RECORD),
        status_code=200,
        summary="Answer an instruction your unit received",
    )
    async def feedback(
        self,
        instruction_id: FromPath[str],
        data: JSONBody[Feedback],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> InstructionView:
        """``done: false`` reports progress; sending again amends the answer."""
        if not _UUID.match(instruction_id):
            raise NotFound(f"no instruction {instruction_id}", field="instruction_id")
        async with pool.acquire() as conn:
            return await instructions.answer(conn, auditor, instruction_id, data, datetime.now(UTC))

    @get("/reports", opt=needs(Permission.PSYCH_STATS), summary="A month's reports for your unit")
    async def report_status(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        period: Annotated[str | None, QueryParameter(pattern=PERIOD_PATTERN)] = None,
    ) -> ReportStatus:
        """Your unit's live figures, its own report and those of the units below it; the
        current month by default."""
        month = period if period is not None else period_of(datetime.now(UTC))
        async with pool.acquire() as conn:
            return await reports.status(conn, caller.principal.org_path, month)

    @post(
        "/reports",
        opt=needs(Permission.PSYCH_RECORD),
        summary="Report your unit's month up (once)",
    )
    async def submit_report(
        self,
        data: JSONBody[ReportCreate],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> Response[ReportSubmitted]:
        """The figures are frozen as they stand; the district receives, it does not report."""
        async with pool.acquire() as conn:
            out = await reports.submit(conn, auditor, data, datetime.now(UTC))
        return Response(out, status_code=_created(out.duplicate))
