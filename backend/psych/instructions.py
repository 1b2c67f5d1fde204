"""Work instructions down the tree (工作指示) and each unit's answer back up (反馈).

A street centre instructs its communities, the district its streets: always the caller's own
unit to its direct sub-units, so an instruction never skips a level.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from backend.errors import Conflict, NotFound, Unprocessable
from backend.psych.models import (
    Feedback,
    InstructionCreate,
    InstructionCreated,
    InstructionPage,
    InstructionView,
    TargetState,
)
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn

_LIST_LIMIT = 50
_SELECT = """
SELECT i.*, o.name_zh AS from_name_zh, o.name_en AS from_name_en
FROM psych_instructions i JOIN org_units o ON o.path = i.from_path
"""
_TARGETS = """
SELECT t.*, o.name_zh, o.name_en FROM psych_instruction_targets t
JOIN org_units o ON o.path = t.org_path
WHERE t.instruction_id = ANY($1::uuid[]) ORDER BY t.org_path
"""


async def sub_units(conn: PgConn, path: str) -> list[Any]:
    """The centres directly below ``path`` (streets of the district, communities of a street),
    in path order. A community has none: grids keep no psychological-service station."""
    return list(
        await conn.fetch(
            "SELECT path, name_zh, name_en, level FROM org_units "
            "WHERE parent_path = $1 AND level IN ('street', 'community') ORDER BY path",
            path,
        )
    )


async def _views(
    conn: PgConn, rows: list[Any], now: datetime, *, only: str | None = None
) -> list[InstructionView]:
    """``only``: show that unit's answer alone (a community does not read its peers')."""
    targets: dict[str, list[TargetState]] = {}
    for t in await conn.fetch(_TARGETS, [r["id"] for r in rows]):
        if only is not None and t["org_path"] != only:
            continue
        targets.setdefault(str(t["instruction_id"]), []).append(
            msgspec.convert(dict(t), TargetState)
        )
    views = []
    for r in rows:
        mine = targets.get(str(r["id"]), [])
        done = sum(1 for t in mine if t.state == "done")
        views.append(
            InstructionView(
                id=str(r["id"]),
                from_path=r["from_path"],
                from_name_zh=r["from_name_zh"],
                from_name_en=r["from_name_en"],
                by_name=r["by_name"],
                title=r["title"],
                body=r["body"],
                due_at=r["due_at"],
                created_at=r["created_at"],
                targets=mine,
                done=done,
                overdue=r["due_at"] < now and done < len(mine),
            )
        )
    return views


async def _one(conn: PgConn, instruction_id: str, now: datetime) -> InstructionView:
    row = await conn.fetchrow(_SELECT + " WHERE i.id = $1::uuid", instruction_id)
    return (await _views(conn, [row], now))[0]


def _targets_of(data: InstructionCreate, units: list[Any]) -> list[str]:
    paths = [u["path"] for u in units]
    if data.targets is None:
        return paths
    if not data.targets:
        raise Unprocessable("name at least one unit, or leave targets out", field="targets")
    for i, target in enumerate(data.targets):
        if target not in paths:
            raise Unprocessable(
                f"{target} is not a unit directly below yours",
                field=f"targets[{i}]",
                code="not_a_sub_unit",
            )
    return sorted(set(data.targets))


async def issue(
    conn: PgConn, auditor: Auditor, data: InstructionCreate, now: datetime
) -> InstructionCreated:
    """Send an instruction from the caller's unit to its sub-units (once, whatever the
    retries). 422 when the unit has none, names another unit, or the due date has passed;
    409 when the id was used for another instruction."""
    principal = auditor.caller.principal
    units = await sub_units(conn, principal.org_path)
    if not units:
        raise Unprocessable(
            "your unit has no units below it to instruct", field="targets", code="no_sub_units"
        )
    targets = _targets_of(data, units)
    if data.due_at <= now:
        raise Unprocessable("the due date has passed", field="due_at", code="in_past")
    async with conn.transaction():
        row = await conn.fetchrow(
            """
            INSERT INTO psych_instructions (id, from_path, by_user, by_name, title, body, due_at)
            VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7)
            ON CONFLICT (id) DO NOTHING RETURNING id
            """,
            data.id,
            principal.org_path,
            principal.user_id,
            principal.display_name,
            data.title,
            data.body,
            data.due_at,
        )
        duplicate = row is None
        if duplicate:
            stored: Any = await conn.fetchrow(
                "SELECT from_path, title, body, due_at FROM psych_instructions WHERE id = $1::uuid",
                data.id,
            )
            stored_targets = await conn.fetchval(
                "SELECT array_agg(org_path ORDER BY org_path) FROM psych_instruction_targets "
                "WHERE instruction_id = $1::uuid",
                data.id,
            )
            if (stored["from_path"], stored["title"], stored["body"], stored["due_at"]) != (
                principal.org_path,
                data.title,
                data.body,
                data.due_at,
            ) or list(stored_targets or []) != targets:
                raise Conflict(
                    f"instruction {data.id} was sent with other content",
                    field="id",
                    code="instruction_id_taken",
                )
        else:
            await conn.executemany(
                "INSERT INTO psych_instruction_targets (instruction_id, org_path) VALUES ($1::uuid, $2)",
                [(data.id, t) for t in targets],
            )
            await auditor.record(
                conn,
                "psych.instruct",
                object_type="psych_instruction",
                object_id=data.id,
                details={"targets": len(targets)},
            )
        return InstructionCreated(instruction=await _one(conn, data.id, now), duplicate=duplicate)


async def answer(
    conn: PgConn, auditor: Auditor, instruction_id: str, data: Feedback, now: datetime
) -> InstructionView:
    """The caller's unit answers an instruction addressed to it (again, to amend the answer);
    404 for an instruction it did not receive."""
    principal = auditor.caller.principal
    async with conn.transaction():
        row = await conn.fetchrow(
            """
            UPDATE psych_instruction_targets
            SET state = $3, feedback = $4, answered_by = $5::uuid, answered_by_name = $6,
                answered_at = $7
            WHERE instruction_id = $1::uuid AND org_path = $2 RETURNING org_path
            """,
            instruction_id,
            principal.org_path,
            "done" if data.done else "open",
            data.feedback,
            principal.user_id,
            principal.display_name,
            now,
        )
        if row is None:
            raise NotFound(f"no instruction {instruction_id} for your unit", field="instruction_id")
        await auditor.record(
            conn,
            "psych.feedback",
            object_type="psych_instruction",
            object_id=instruction_id,
            details={"done": data.done},
        )
        row = await conn.fetchrow(_SELECT + " WHERE i.id = $1::uuid", instruction_id)
        return (await _views(conn, [row], now, only=principal.org_path))[0]


async def list_instructions(conn: PgConn, org_path: str, now: datetime) -> InstructionPage:
    """What the unit ``org_path`` received and issued, newest first."""
    received = await conn.fetch(
        _SELECT
        + " WHERE i.id IN (SELECT instruction_id FROM psych_instruction_targets WHERE org_path = $1)"
        " ORDER BY i.created_at DESC, i.id LIMIT $2",
        org_path,
        _LIST_LIMIT,
    )
    issued = await conn.fetch(
        _SELECT + " WHERE i.from_path = $1 ORDER BY i.created_at DESC, i.id LIMIT $2",
        org_path,
        _LIST_LIMIT,
    )
    return InstructionPage(
        received=await _views(conn, list(received), now, only=org_path),
        issued=await _views(conn, list(issued), now),
    )
