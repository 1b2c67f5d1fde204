"""``/api/addresses/search``: the console's address autocomplete, within your jurisdiction."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.api.places.matching import MAX_LIMIT, AddressCandidate, match_address
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from backend.validation import SAFE_TEXT


class AddressPage(msgspec.Struct, frozen=True, kw_only=True):
    """Candidate addresses, best first."""

    items: list[AddressCandidate]


class AddressController(Controller):
    """Unified addresses."""

    path = "/api/addresses"
    tags = ["places"]  # noqa: RUF012

    @get(
        "/search",
        opt=needs(Permission.ADDRESS_READ),
        summary="Unified addresses that match free text, best first",
    )
    async def search(
        self,
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        q: Annotated[str, QueryParameter(min_length=1, max_length=200, pattern=SAFE_TEXT)],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 10,
    ) -> AddressPage:
        """Full-width digits, Chinese numerals and common variants (幢, 号楼, 室) are understood."""
        async with pool.acquire() as conn:
            items = await match_address(conn, q, within=caller.principal.org_path, limit=limit)
        return AddressPage(items=items)
