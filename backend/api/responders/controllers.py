"""``/api/responders`` and ``/api/positions``."""

from __future__ import annotations

import time
import uuid
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from backend.api.responders.paging import NEXT_HEADER, decode_cursor, encode_cursor
from backend.api.responders.schemas import (
    CellCountOut,
    DutyChange,
    NearestCandidate,
    PositionBatch,
    PositionBatchResult,
    Responder,
    ResponderCreate,
)
from backend.errors import ApiError, Conflict, NotFound
from backend.positions.service import PositionService
from backend.security.context import Auditor, Caller
from backend.security.guards import needs, needs_any
from backend.security.policy import Permission, Role
from backend.security.principal import jurisdiction_sql, within
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from dispatch.errors import DispatchError
from dispatch.models import Capability, DutyStatus

POSITION_BATCH_MAX = 1000


def _positions(state: State) -> PositionService:
    service: PositionService = state.positions
    return service


class ResponderController(Controller):
    """The registry of dispatchable people and their live positions."""

    path = "/api/responders"
    tags = ["responders"]  # noqa: RUF012

    @post("/", opt=needs(Permission.RESPONDER_ADMIN), summary="Register a responder account")
    async def create(
        self,
        data: JSONBody[ResponderCreate],
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        auditor: NamedDependency[Auditor],
    ) -> Responder:
        """The user must have the responder role and lie in your jurisdiction."""
        async with pool.acquire() as conn, conn.transaction():
            user = await conn.fetchrow(
                "SELECT id::text AS id, org_path, roles FROM users WHERE id = $1",
                uuid.UUID(data.user_id),
            )
            if user is None or not caller.principal.covers(user["org_path"]):
                raise NotFound(f"no user {data.user_id}", field="user_id")
            if Role.RESPONDER.value not in user["roles"]:
                raise ApiError(
                    "the user does not have the responder role",
                    field="user_id",
                    code="not_responder",
                )
            inserted = await conn.fetchval(
                "INSERT INTO responders (user_id, mode, team) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
                uuid.UUID(data.user_id),
                data.mode,
                data.team,
            )
            if inserted is None:
                raise Conflict(f"user {data.user_id} is already a responder", field="user_id")
            await auditor.record(
                conn,
                "responder.create",
                object_type="responder",
                object_id=data.user_id,
                org_path=user["org_path"],
            )
        return (await _list(pool, caller, ids=[data.user_id]))[0]

    @get("/", opt=needs(Permission.RESPONDER_READ), summary="Responders in your jurisdiction")
    async def list_responders(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        state: State,
        status: Annotated[str | None, QueryParameter(pattern=r"^[a-z_]{3,16}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 200,
        after: Annotated[str | None, QueryParameter(max_length=400)] = None,
    ) -> Response[list[Responder]]:
        """With live positions; ``position_known`` is false when there is no fresh report.

        Ordered by name; a full page carries ``X-Next-After``: pass it as ``after`` for the next.
        """
        start = decode_cursor(after) if after is not None else None
        responders = await _list(pool, caller, status=status, limit=limit + 1, after=start)
        headers = {}
        if len(responders) > limit:
            responders = responders[:limit]
            headers[NEXT_HEADER] = encode_cursor(responders[-1])
        return Response(await _with_positions(_positions(state), responders), headers=headers)

    @get("/me", opt=needs(Permission.POSITION_REPORT), summary="Your own responder record")
    async def me(
        self, pool: NamedDependency[PgPool], caller: NamedDependency[Caller], state: State
    ) -> Responder:
        """Duty status and live position, so a phone opening the app knows where it stands."""
        found = await _list(pool, caller, ids=[caller.principal.user_id], any_org=True)
        if not found:
            raise NotFound("you are not registered as a responder")
        return (await _with_positions(_positions(state), found))[0]

    @put("/me/duty", opt=needs(Permission.POSITION_REPORT), summary="Go on or off duty")
    async def set_duty(
        self,
        data: JSONBody[DutyChange],
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        state: State,
    ) -> Responder:
        """Only between off_duty and available; while on an incident the incident decides."""
        uid = uuid.UUID(caller.principal.user_id)
        async with pool.acquire() as conn:
            row = await conn.fetchrow(
                """
                UPDATE responders SET duty_status = $2, status_changed_at = now(), status_version = status_version + 1,
                       updated_at = now()
                WHERE user_id = $1 AND duty_status IN ('off_duty', 'available')
                RETURNING duty_status
                """,
                uid,
                data.status,
            )
            if row is None:
                exists = await conn.fetchval(
                    "SELECT duty_status FROM responders WHERE user_id = $1", uid
                )
                if exists is None:
                    raise NotFound("you are not registered as a responder")
                raise Conflict(f"you are {exists} on an incident: clear it first", field="status")
        await _positions(state).announce_status(
            caller.principal.user_id, DutyStatus(data.status), time.time()
        )
        return (await _list(pool, caller, ids=[caller.principal.user_id], any_org=True))[0]

    @get(
        "/nearest",
        opt=needs(Permission.RESPONDER_READ),
        summary="Exactly the k nearest qualified responders",
    )
    async def nearest(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        lat: Annotated[float, QueryParameter(ge=-90, le=90)],
        lon: Annotated[float, QueryParameter(ge=-180, le=180)],
        capability: Annotated[str | None, QueryParameter(pattern=r"^[a-z_]{3,32}$")] = None,
        k: Annotated[int, QueryParameter(ge=1, le=50)] = 5,
        max_radius_m: Annotated[float, QueryParameter(gt=0, le=50_000)] = 5000,
        status: Annotated[str, QueryParameter(pattern=r"^[a-z_,]{3,80}$")] = "available",
    ) -> list[NearestCandidate]:
        """By great-circle distance within the radius; each with ETA, last-seen age and reasons."""
        try:
            cap = Capability(capability) if capability else None
            statuses = frozenset(DutyStatus(s) for s in status.split(","))
        except ValueError as exc:
            raise ApiError(
                str(exc),
                field="capability" if capability and "capability" in str(exc).lower() else "status",
                code="invalid",
            ) from None
        try:
            found = await _positions(state).index.nearest(
                lat,
                lon,
                capability=cap,
                k=k,
                max_radius_m=max_radius_m,
                now=time.time(),
                statuses=statuses,
            )
        except DispatchError as exc:
            raise ApiError(
                f"the position index is unavailable: {exc}", code="unavailable", status_code=503
            ) from None
        names = {
            r.id: r
            for r in await _list(pool, caller, ids=[c.responder_id for c in found], any_org=True)
        }
        return [
            NearestCandidate(
                responder_id=c.responder_id,
                display_name=names[c.responder_id].display_name if c.responder_id in names else "",
                lat=c.lat,
                lon=c.lon,
                distance_m=round(c.distance_m, 1),
                eta_s=round(c.eta_s, 1),
                age_s=round(c.age_s, 1),
                status=c.status.value,
                capabilities=[x.value for x in c.capabilities],
                mode=c.mode.value,
                reasons=list(c.reasons),
            )
            for c in found
        ]

    @get(
        "/cells",
        opt=needs(Permission.MAP_READ),
        summary="Live responder counts per H3 cell (res 7 and 8)",
    )
    async def cells(
        self,
        state: State,
        caller: NamedDependency[Caller],
        res: Annotated[int, QueryParameter(ge=7, le=8)] = 8,
    ) -> list[CellCountOut]:
        """Counts by status and capability for the cells of your jurisdiction."""
        service = _positions(state)
        try:
            counts = await service.index.cell_counts(time.time())
        except DispatchError as exc:
            raise ApiError(
                f"the position index is unavailable: {exc}", code="unavailable", status_code=503
            ) from None
        out: list[CellCountOut] = []
        for c in counts:
            if c.resolution != res:
                continue
            grid = service.grids.grid_at_cell(c.cell)
            if grid is None or not within(grid, caller.principal.org_path):
                continue
            out.append(
                CellCountOut(
                    cell=c.cell,
                    resolution=c.resolution,
                    status=c.status.value,
                    capability=c.capability.value if c.capability else None,
                    count=c.count,
                )
            )
        return out


class PositionController(Controller):
    """Position reports in batches (gateways, simulators); phones use the WebSocket."""

    path = "/api/positions"
    tags = ["positions"]  # noqa: RUF012

    @post(
        "/",
        opt=needs_any(Permission.POSITION_REPORT, Permission.POSITION_REPORT_ANY),
        status_code=200,
        summary="Report positions; each item is answered on its own",
    )
    async def report(
        self,
        request: Request[object, object, State],
        data: JSONBody[PositionBatch],
        caller: NamedDependency[Caller],
        settings: NamedDependency[Settings],
    ) -> PositionBatchResult:
        """Up to 1,000 items; out-of-order items are ignored, bad ones rejected with a reason."""
        if len(data.items) > POSITION_BATCH_MAX:
            raise ApiError(
                f"at most {POSITION_BATCH_MAX} items per batch, got {len(data.items)}",
                field="items",
                code="too_many_items",
                status_code=413,
            )
        try:
            results = await _positions(request.app.state).ingest(caller.principal, data.items)
        except DispatchError as exc:
            raise ApiError(
                f"the position index is unavailable: {exc}", code="unavailable", status_code=503
            ) from None
        counts = {
            k: sum(1 for r in results if r.outcome == k) for k in ("applied", "ignored", "rejected")
        }
        return PositionBatchResult(results=results, **counts)


async def _list(
    pool: PgPool,
    caller: Caller,
    *,
    ids: list[str] | None = None,
    status: str | None = None,
    limit: int = 500,
    any_org: bool = False,
    after: tuple[str, str] | None = None,
) -> list[Responder]:
    clauses: list[str] = ["true"]
    args: list[object] = []
    if after is not None:
        args += [after[0], uuid.UUID(after[1])]
        clauses.append(f"(u.display_name, r.user_id) > (${len(args) - 1}, ${len(args)})")
    if not any_org:
        args.append(caller.principal.org_path)
        clauses.append(jurisdiction_sql("u.org_path", len(args)))
    if ids is not None:
        args.append([uuid.UUID(i) for i in ids])
        clauses.append(f"r.user_id = ANY(${len(args)}::uuid[])")
    if status is not None:
        args.append(status)
        clauses.append(f"r.duty_status = ${len(args)}")
    args.append(limit)
    rows = await pool.fetch(
        f"""
        SELECT r.user_id::text AS id, u.display_name, u.org_path, u.capabilities, r.mode, r.team, r.duty_status
        FROM responders r JOIN users u ON u.id = r.user_id
        WHERE {" AND ".join(clauses)} ORDER BY u.display_name, r.user_id LIMIT ${len(args)}
        """,
        *args,
    )
    return [
        Responder(
            id=r["id"],
            display_name=r["display_name"],
            org_path=r["org_path"],
            capabilities=list(r["capabilities"]),
            mode=r["mode"],
            team=r["team"],
            duty_status=r["duty_status"],
        )
        for r in rows
    ]


async def _with_positions(service: PositionService, responders: list[Responder]) -> list[Responder]:
    now = time.time()
    out: list[Responder] = []
    for r in responders:
        try:
            live = await service.index.get(r.id, now)
        except DispatchError:
            live = None
        if live is None:
            out.append(r)
        else:
            out.append(
                msgspec.structs.replace(
                    r, lat=live.lat, lon=live.lon, age_s=round(live.age_s, 1), position_known=True
                )
            )
    return out
