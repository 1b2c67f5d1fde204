"""``GET /api/map/key-places``: thin, checks the input and the jurisdiction; services read."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.api.keyplaces import services
from backend.api.keyplaces.schemas import KeyPlaces, PlaceKind
from backend.api.kpi.controllers import Unit, scope_of
from backend.api.map.controllers import parse_bbox
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool

Bbox = Annotated[str | None, QueryParameter(max_length=100, pattern=r"^-?[0-9.]+(,-?[0-9.]+){3}$")]


class KeyPlaceController(Controller):
    """Key places for the wall's map; hospitals with capacity, beds in use and free."""

    path = "/api/map/key-places"
    tags = ["map"]  # noqa: RUF012

    @get("/", opt=needs(Permission.MAP_READ), summary="Key places and hospitals' free capacity")
    async def list_places(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        kind: FromQuery[PlaceKind | None] = None,
        unit: Unit = None,
        bbox: Bbox = None,
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 2000,
    ) -> KeyPlaces:
        """Inside your jurisdiction (or ``unit`` inside it; another unit answers 404 and is
        audited). ``in_use`` counts live incidents whose hand-over names the hospital."""
        box = parse_bbox(bbox)
        scope = await scope_of(pool, state, caller, unit)
        async with pool.acquire() as conn:
            return await services.key_places(conn, scope, kind=kind, bbox=box, limit=limit)
