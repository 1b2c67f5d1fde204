"""``/api/rentals``: rental houses graded by risk (出租屋分级分类), their inspections, the
rectifications each department acts on, and each unit's rental houses at a glance."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.errors import NotFound
from backend.rentals import checklist, houses, signoff
from backend.rentals.checklist import Department
from backend.rentals.lists import HazardWhich, Which, list_hazards, list_rentals, summary
from backend.rentals.models import (
    AssessmentCreate,
    AssessmentRecorded,
    Checklist,
    ChecklistItem,
    HazardPage,
    RentalDetail,
    RentalPage,
    RentalSummary,
    SignOffCreate,
    SignOffRecorded,
)
from backend.rentals.scope import check_department, departments_followed
from backend.security.context import Auditor, Caller
from backend.security.crypto import FieldCipher
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import UUID_TEXT

_HOUSE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # houses.id's CHECK
_UUID = re.compile(UUID_TEXT)


def _house_id(text: str) -> str:
    if not _HOUSE_ID.match(text):
        raise NotFound(f"no rental house {text}", field="house_id")
    return text


def _kind(code: str) -> Literal["ticked", "derived", "factor"]:
    if code in checklist.TICKED:
        return "ticked"
    return "derived" if code in checklist.DERIVED else "factor"


CHECKLIST = Checklist(
    items=[
        ChecklistItem(
            code=code,
            kind=_kind(code),
            department=item.department,
            weight=item.weight,
            decisive=item.decisive,
            fix_days=item.fix_days,
        )
        for code, item in checklist.ITEMS.items()
    ],
    red_score=checklist.RED_SCORE,
    yellow_score=checklist.YELLOW_SCORE,
    inspect_days={str(g): d for g, d in checklist.INSPECT_DAYS.items()},
    min_area_per_tenant_m2=checklist.MIN_AREA_PER_TENANT_M2,
)


class RentalController(Controller):
    """Rental-housing grading."""

    path = "/api/rentals"
    tags = ["rentals"]  # noqa: RUF012

    @get("/checklist", opt=needs(Permission.RENTAL_READ), summary="The checklist and grading rule")
    async def checklist(self) -> Checklist:
        """Items with their department, weight, whether one alone makes a house red and the
        days to rectify; the score thresholds and how often each grade is inspected."""
        return CHECKLIST

    @get("/", opt=needs(Permission.RENTAL_READ), summary="Rental houses by what needs doing")
    async def list_rentals(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        which: Annotated[Which, QueryParameter()] = "due",
        q: Annotated[str | None, QueryParameter(min_length=2, max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> RentalPage:
        """``which``: due (inspected, overdue first), overdue, red, hazards (open
        rectifications), unassessed (never inspected, 待评定); ``q`` narrows to addresses
        containing it. With the jurisdiction's totals."""
        async with pool.acquire() as conn:
            return await list_rentals(
                conn,
                caller.principal.org_path,
                which=which,
                q=q,
                limit=limit,
                now=datetime.now(UTC),
                offset=offset,
            )

    @get(
        "/hazards",
        opt=needs(Permission.RENTAL_READ),
        summary="Open rectifications, for one department or all, overdue first",
    )
    async def hazards(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        department: Annotated[Department | None, QueryParameter()] = None,
        which: Annotated[HazardWhich, QueryParameter()] = "open",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> HazardPage:
        """What fire, police or housing has to follow up in your jurisdiction (a department's
        officer: its own alone, by default and by right)."""
        followed = departments_followed(caller.principal)
        if department is not None:
            check_department(caller.principal, department)
        elif len(followed) == 1:
            department = followed[0]
        async with pool.acquire() as conn:
            return await list_hazards(
                conn,
                caller.principal.org_path,
                department=department,
                which=which,
                limit=limit,
                now=datetime.now(UTC),
                offset=offset,
            )

    @get(
        "/summary",
        opt=needs(Permission.RENTAL_READ),
        summary="Each unit's rental houses: grades, inspected, overdue, rectifications",
    )
    async def summary(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        level: Annotated[Literal["street", "community", "grid"], QueryParameter()] = "community",
    ) -> RentalSummary:
        """Every unit of the level in your jurisdiction, zero included."""
        async with pool.acquire() as conn:
            return await summary(conn, caller.principal.org_path, level, datetime.now(UTC))

    @get(
        "/houses/{house_id:str}",
        opt=needs(Permission.RENTAL_READ),
        summary="A rental house, its rectifications and inspections",
    )
    async def read(
        self,
        house_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> RentalDetail:
        """Audited under the house; residents counted, never named; inspection notes for those
        who may inspect."""
        async with pool.acquire() as conn:
            return await houses.read(conn, cipher, auditor, _house_id(house_id), datetime.now(UTC))

    @post(
        "/houses/{house_id:str}/assessments",
        opt=needs(Permission.RENTAL_WRITE),
        summary="Record an inspection and grade the house (idempotent by its id)",
    )
    async def assess(
        self,
        house_id: FromPath[str],
        data: JSONBody[AssessmentCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[AssessmentRecorded]:
        """The latest inspection sets the grade, the next inspection and the rectifications."""
        async with pool.acquire() as conn:
            out = await houses.assess(
                conn, cipher, auditor, _house_id(house_id), data, datetime.now(UTC)
            )
        return Response(out, status_code=200 if out.duplicate else 201)

    @post(
        "/hazards/{hazard_id:str}/sign-off",
        opt=needs(Permission.RENTAL_RECTIFY),
        summary="Sign off a rectification your department verified on site (idempotent by its id)",
    )
    async def sign_off(
        self,
        hazard_id: FromPath[str],
        data: JSONBody[SignOffCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[SignOffRecorded]:
        """整改销号: closes the item and its overdue warning; the house keeps its grade until the
        next inspection."""
        if not _UUID.fullmatch(hazard_id):
            raise NotFound(f"no rectification {hazard_id}", field="hazard_id")
        async with pool.acquire() as conn:
            out = await signoff.sign_off(conn, cipher, auditor, hazard_id, data, datetime.now(UTC))
        return Response(out, status_code=200 if out.duplicate else 201)
