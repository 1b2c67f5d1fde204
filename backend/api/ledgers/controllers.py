"""``/api/ledgers``: who is registered with which group's department, the checks that keep the
ledger true, the people still to register, and each unit's ledgers at a glance."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.errors import NotFound
from backend.ledgers import entries
from backend.ledgers.groups import Group
from backend.ledgers.lists import Which, list_entries, list_pending
from backend.ledgers.models import (
    CheckCreate,
    CheckRecorded,
    EntryClose,
    EntryCreate,
    EntryDetail,
    EntryPage,
    EntryRecorded,
    EntryView,
    LedgerSummary,
    OfficerPage,
    PendingPage,
)
from backend.ledgers.scope import groups_kept
from backend.ledgers.summary import summary
from backend.security.context import Auditor, Caller
from backend.security.crypto import FieldCipher
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import UUID_TEXT

_UUID = re.compile(UUID_TEXT)


def _entry_id(text: str) -> str:
    # a str in the route, so a wrong id is refused after the token check, never before
    if not _UUID.match(text):
        raise NotFound(f"no ledger entry {text}", field="entry_id")
    return text


class LedgerController(Controller):
    """Ledgers of special and vulnerable groups."""

    path = "/api/ledgers"
    tags = ["ledgers"]  # noqa: RUF012

    @get("/", opt=needs(Permission.LEDGER_READ), summary="Registered people, overdue first")
    async def list_entries(
        self,
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
        group: Annotated[Group | None, QueryParameter()] = None,
        which: Annotated[Which, QueryParameter()] = "all",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> EntryPage:
        """Active entries of your jurisdiction (``which``: all, overdue, needs_help, or mine:
        those you answer for). Names masked by role; every listed person's read audited."""
        async with pool.acquire() as conn, conn.transaction():
            return await list_entries(
                conn,
                cipher,
                auditor,
                group=group,
                which=which,
                limit=limit,
                now=datetime.now(UTC),
                offset=offset,
            )

    @get(
        "/pending",
        opt=needs(Permission.LEDGER_WRITE),
        summary="People the block data lists in a group who are not registered",
    )
    async def pending(
        self,
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
        group: Annotated[Group, QueryParameter()],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> PendingPage:
        """待建档: oldest first. Names masked by role; every listed person's read audited."""
        async with pool.acquire() as conn, conn.transaction():
            return await list_pending(conn, auditor, group=group, limit=limit, offset=offset)

    @get(
        "/officers",
        opt=needs(Permission.LEDGER_WRITE),
        summary="Who may answer for a person (责任人), the nearest first",
    )
    async def officers(
        self,
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
        person_id: Annotated[str, QueryParameter(max_length=64)],
        group: Annotated[Group | None, QueryParameter()] = None,
    ) -> OfficerPage:
        """Active users who keep ledgers and whose jurisdiction covers the person (and, with
        ``group``, who keep that group: a department officer only their department's); 404
        when the person is unknown or outside your jurisdiction."""
        async with pool.acquire() as conn:
            return await entries.officers_for(conn, auditor, person_id, group)

    @get(
        "/summary",
        opt=needs(Permission.LEDGER_READ),
        summary="Each unit's ledgers: listed, registered, overdue, in need",
    )
    async def summary(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        level: Annotated[Literal["street", "community", "grid"], QueryParameter()] = "community",
    ) -> LedgerSummary:
        """Every unit of the level in your jurisdiction, zero included; counts 1-4 as null."""
        async with pool.acquire() as conn:
            return await summary(
                conn,
                caller.principal.org_path,
                level,
                datetime.now(UTC),
                groups_kept(caller.principal),
            )

    @post(
        "/",
        opt=needs(Permission.LEDGER_WRITE),
        summary="Register a person in a group's ledger (idempotent by its id)",
    )
    async def register(
        self,
        data: JSONBody[EntryCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[EntryRecorded]:
        """The first check falls due the group's interval from now."""
        async with pool.acquire() as conn:
            out = await entries.register(conn, cipher, auditor, data, datetime.now(UTC))
        return Response(out, status_code=200 if out.duplicate else 201)

    @get("/{entry_id:str}", opt=needs(Permission.LEDGER_READ), summary="An entry and its checks")
    async def read(
        self,
        entry_id: FromPath[str],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> EntryDetail:
        """Audited under the person; notes for those who may write the ledger."""
        async with pool.acquire() as conn:
            return await entries.read(conn, cipher, auditor, _entry_id(entry_id), datetime.now(UTC))

    @post(
        "/{entry_id:str}/checks",
        opt=needs(Permission.LEDGER_WRITE),
        summary="Record a check (idempotent by its id)",
    )
    async def record_check(
        self,
        entry_id: FromPath[str],
        data: JSONBody[CheckCreate],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> Response[CheckRecorded]:
        """The next check falls due the group's interval after this one."""
        async with pool.acquire() as conn:
            out = await entries.record_check(
                conn, cipher, auditor, _entry_id(entry_id), data, datetime.now(UTC)
            )
        return Response(out, status_code=200 if out.duplicate else 201)

    @post(
        "/{entry_id:str}/close",
        opt=needs(Permission.LEDGER_WRITE),
        status_code=200,
        summary="Take a person off the ledger, with the reason",
    )
    async def close(
        self,
        entry_id: FromPath[str],
        data: JSONBody[EntryClose],
        pool: NamedDependency[PgPool],
        cipher: NamedDependency[FieldCipher],
        auditor: NamedDependency[Auditor],
    ) -> EntryView:
        """409 when it is closed already."""
        async with pool.acquire() as conn:
            return await entries.close(
                conn, cipher, auditor, _entry_id(entry_id), data, datetime.now(UTC)
            )
