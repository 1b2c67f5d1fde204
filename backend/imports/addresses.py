"""Import unified addresses: validated per row, staged with COPY, merged idempotently.

Rows that fail validation or fall outside every grid are rejected with their line and reason and
never reach the live table; a failure of the merge leaves the live table as it was. Each address
is stored with its normalised text and token bigrams for matching, and the bigrams' document
frequencies are recounted when anything changed. An address whose cell or org unit changes
carries the map counts of the records at it (``backend.api.map.rollup.move_addresses``), folded
into the stored counts before the import commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import h3
import msgspec
from msgspec import Meta

from backend.api.map.rollup import ROLLUP_SOURCES, folder, move_addresses
from backend.api.places.normalise import address_grams, normalise_address
from backend.imports.engine import (
    Context,
    ImportSummary,
    KindSpec,
    Reject,
    RowError,
    run_import,
    upsert_sql,
)
from backend.imports.readers import Raw
from backend.imports.readers import read_csv as _read_csv
from backend.storage.postgres.pool import PgConn
from backend.validation import SAFE_TEXT

__all__ = ["ADDRESSES", "AddressInput", "ImportSummary", "Reject", "import_addresses", "read_csv"]

REQUIRED = ("id", "text", "lat", "lon")


class AddressInput(msgspec.Struct, frozen=True, kw_only=True):
    """One address row as accepted at the edge."""

    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    text: Annotated[str, Meta(min_length=1, max_length=500, pattern=SAFE_TEXT)]
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    building_id: Annotated[str, Meta(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")] | None = None


def cell_of(lat: float, lon: float, ctx: Context) -> tuple[str, int]:
    """The grid and res-9 cell of a point, or a RowError when it lies outside the district."""
    r9 = h3.str_to_int(h3.latlng_to_cell(lat, lon, 9))
    grid = ctx.grid_of_cell.get(r9)
    if grid is None:
        raise RowError("lat", "coordinates are outside every grid of the district")
    return grid, r9


@lru_cache(maxsize=4096)
def _cells(lat: float, lon: float) -> tuple[int, int, int, int]:
    # The houses of a building share its point: compute its cells once.
    r9 = h3.str_to_int(h3.latlng_to_cell(lat, lon, 9))
    cell12 = h3.latlng_to_cell(lat, lon, 12)
    r7 = h3.str_to_int(h3.cell_to_parent(cell12, 7))
    r8 = h3.str_to_int(h3.cell_to_parent(cell12, 8))
    return r7, r8, r9, h3.str_to_int(cell12)


def _prepare(item: AddressInput, ctx: Context) -> tuple[Any, ...]:
    r7, r8, r9, r12 = _cells(item.lat, item.lon)
    grid = ctx.grid_of_cell.get(r9)
    if grid is None:
        raise RowError("lat", "coordinates are outside every grid of the district")
    norm = normalise_address(item.text)
    return (
        item.id,
        item.text,
        item.lat,
        item.lon,
        r7,
        r8,
        r9,
        r12,
        item.building_id,
        grid,
        norm,
        # Staged as one space-separated text (grams hold no spaces) and split in the merge:
        # asyncpg encodes a text[] for COPY about six times slower than a text.
        " ".join(address_grams(norm)),
    )


async def refresh_gram_frequencies(conn: PgConn) -> None:
    """Recount how many addresses hold each bigram (the matcher starts from the rarest)."""
    await conn.execute("DELETE FROM address_grams")
    await conn.execute(
        "INSERT INTO address_grams (gram, df) "
        "SELECT g, count(*) FROM addresses, unnest(grams) AS g GROUP BY g"
    )


_COLUMNS = [
    "id",
    "text",
    "lat",
    "lon",
    "h3_r7",
    "h3_r8",
    "h3_r9",
    "h3_r12",
    "building_id",
    "org_path",
    "norm_text",
    "grams",
]
_TYPES = {
    "id": "text",
    "text": "text",
    "lat": "float8",
    "lon": "float8",
    "building_id": "text",
    "org_path": "text",
    "norm_text": "text",
    "grams": "text",
}

ADDRESSES = KindSpec(
    name="addresses",
    table="addresses",
    row_type=AddressInput,
    columns=tuple((c, _TYPES.get(c, "bigint")) for c in _COLUMNS),
    key="id",
    prepare=_prepare,
    required=REQUIRED,
    needs_cells=True,
    merge_sql=upsert_sql(
        "addresses",
        "id",
        _COLUMNS,
        f"SELECT {', '.join(_COLUMNS[:-1])}, string_to_array(grams, ' ') AS grams FROM {{stage}}",
        compare=["text", "lat", "lon", "building_id", "org_path", "norm_text", "grams"],
    ),
    before_merge=(move_addresses,),
    # move_addresses left deltas in every layer with records at a moved address: fold them.
    after=(refresh_gram_frequencies, folder(*ROLLUP_SOURCES)),
)


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV with a header; raises on a missing column."""
    return _read_csv(path, REQUIRED)


async def import_addresses(
    conn: PgConn,
    rows: Iterable[tuple[int, Raw]],
    *,
    on_reject: Callable[[Reject], None] = lambda _r: None,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> ImportSummary:
    """Load ``rows`` into ``addresses``; returns counts. Re-importing the same rows changes nothing."""
    return await run_import(conn, ADDRESSES, rows, on_reject=on_reject, on_progress=on_progress)
