"""``/api/incidents/{id}/archive``: the after-action archive, its printable page, and review notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from backend.errors import NotFound
from backend.incidents.archive import render_html
from backend.incidents.repo import Actor, announce, record
from backend.security.context import Auditor, Caller
from backend.security.denials import deny
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn, PgPool
from backend.validation import SAFE_TEXT


class ReviewNote(msgspec.Struct, frozen=True, kw_only=True):
    """A leader's review note."""

    text: Annotated[str, Meta(min_length=1, max_length=5000, pattern=SAFE_TEXT)]


class ArchiveView(msgspec.Struct, frozen=True, kw_only=True):
    """The archive as stored, with its notes; frozen once ``reviewed_at`` is set."""

    incident_id: str
    built_at: datetime
    reviewed_at: datetime | None
    data: dict[str, Any]
    notes: list[dict[str, Any]]


async def _archive(conn: PgConn, caller: Caller, incident_id: str, state: State) -> Any:
    row = await conn.fetchrow(
        "SELECT a.*, i.org_path FROM incident_archives a JOIN incidents i ON i.id = a.incident_id "
        "WHERE a.incident_id = $1",
        incident_id,
    )
    if row is None:
        raise NotFound(f"no archive for {incident_id}")
    if not caller.principal.covers(row["org_path"]):
        res = state.resources
        raise await deny(res.pool, res.audit, caller, "archive", incident_id, row["org_path"])
    return row


async def _notes(conn: PgConn, incident_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT at, author_name, text FROM archive_notes WHERE incident_id = $1 ORDER BY id",
        incident_id,
    )
    return [dict(r) for r in rows]


class ArchiveController(Controller):
    """After-action archives (处置档案) and review (复盘)."""

    path = "/api/incidents/{incident_id:str}/archive"
    tags = ["archives"]  # noqa: RUF012

    @get("/", opt=needs(Permission.ARCHIVE_READ), summary="The after-action archive (JSON)")
    async def get_archive(
        self,
        incident_id: FromPath[str],
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        auditor: NamedDependency[Auditor],
    ) -> ArchiveView:
        """Reading an archive is audited (it names responders and may concern a patient)."""
        async with pool.acquire() as conn:
            row = await _archive(conn, caller, incident_id, state)
            await auditor.record(
                conn,
                "archive.read",
                object_type="archive",
                object_id=incident_id,
                org_path=row["org_path"],
            )
            return ArchiveView(
                incident_id=incident_id,
                built_at=row["built_at"],
                reviewed_at=row["reviewed_at"],
                data=row["data"],
                notes=await _notes(conn, incident_id),
            )

    @get(
        "/print",
        opt=needs(Permission.ARCHIVE_READ),
        media_type="text/html",
        summary="A printable page",
    )
    async def printable(
        self,
        incident_id: FromPath[str],
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        auditor: NamedDependency[Auditor],
    ) -> Response[str]:
        """Open and print (to PDF) from the browser."""
        async with pool.acquire() as conn:
            row = await _archive(conn, caller, incident_id, state)
            await auditor.record(
                conn,
                "archive.print",
                object_type="archive",
                object_id=incident_id,
                org_path=row["org_path"],
            )
            page = render_html(row["data"], await _notes(conn, incident_id))
        return Response(page, media_type="text/html; charset=utf-8")

    @post(
        "/notes",
        opt=needs(Permission.ARCHIVE_REVIEW),
        status_code=201,
        summary="Append a review note",
    )
    async def add_note(
        self,
        incident_id: FromPath[str],
        state: State,
        data: JSONBody[ReviewNote],
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
    ) -> dict[str, str]:
        """Notes only ever append."""
        await self._note(pool, caller, incident_id, data.text, review=False, state=state)
        return {"status": "noted"}

    @post(
        "/review",
        opt=needs(Permission.ARCHIVE_REVIEW),
        status_code=201,
        summary="Mark reviewed (freezes the archive) with a note",
    )
    async def review(
        self,
        incident_id: FromPath[str],
        state: State,
        data: JSONBody[ReviewNote],
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
    ) -> dict[str, str]:
        """After this the archive cannot change; later notes still append."""
        await self._note(pool, caller, incident_id, data.text, review=True, state=state)
        return {"status": "reviewed"}

    async def _note(
        self,
        pool: PgPool,
        caller: Caller,
        incident_id: str,
        text: str,
        *,
        review: bool,
        state: State,
    ) -> None:
        async with pool.acquire() as conn, conn.transaction():
            row = await _archive(conn, caller, incident_id, state)
            if review and row["reviewed_at"] is None:
                await conn.execute(
                    "UPDATE incident_archives SET reviewed_at = now(), reviewed_by = $2 "
                    "WHERE incident_id = $1",
                    incident_id,
                    uuid.UUID(caller.principal.user_id),
                )
            await conn.execute(
                "INSERT INTO archive_notes (incident_id, author_id, author_name, text) "
                "VALUES ($1, $2, $3, $4)",
                incident_id,
                uuid.UUID(caller.principal.user_id),
                caller.principal.display_name,
                text,
            )
            incident = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", incident_id)
            actor = Actor(id=caller.principal.user_id, name=caller.principal.display_name)
            await record(
                conn,
                incident,
                "archive.reviewed" if review else "archive.noted",
                {"text": text[:200]},
                actor,
            )
            await announce(conn, incident_id)
