"""Import unified addresses from CSV: validated per row, staged with COPY, merged idempotently.

Rows that fail validation or fall outside every grid are rejected with their line and reason and
never reach the live table; a failure of the merge leaves the live table as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import h3
import msgspec
from msgspec import Meta

from backend.storage.postgres.pool import PgConn
from backend.validation import explain

CHUNK = 20_000
REQUIRED = ("id", "text", "lat", "lon")


class AddressInput(msgspec.Struct, frozen=True, kw_only=True):
    """One address row as accepted at the edge."""

    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    text: Annotated[str, Meta(min_length=1, max_length=500)]
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    building_id: Annotated[str, Meta(max_length=64)] | None = None


class Reject(msgspec.Struct, frozen=True, kw_only=True):
    """A row that was not loaded: its line in the file, the field and why."""

    line: int
    field: str | None
    reason: str


class ImportSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did to the live table."""

    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV with a header; raises on a missing column."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, row


def validate_row(
    line: int, row: dict[str, Any], grid_of_cell: dict[int, str]
) -> tuple[tuple[Any, ...] | None, Reject | None]:
    """A staging record for a good row, or the reason a bad one is rejected."""
    try:
        item = msgspec.convert(
            {k: v for k, v in row.items() if v not in ("", None)}, AddressInput, strict=False
        )
    except msgspec.ValidationError as exc:
        field, reason = explain(exc)
        return None, Reject(line=line, field=field, reason=reason)
    r9 = h3.str_to_int(h3.latlng_to_cell(item.lat, item.lon, 9))
    grid = grid_of_cell.get(r9)
    if grid is None:
        return None, Reject(
            line=line, field="lat", reason="coordinates are outside every grid of the district"
        )
    cell12 = h3.latlng_to_cell(item.lat, item.lon, 12)
    record = (
        item.id,
        item.text,
        item.lat,
        item.lon,
        h3.str_to_int(h3.cell_to_parent(cell12, 7)),
        h3.str_to_int(h3.cell_to_parent(cell12, 8)),
        r9,
        h3.str_to_int(cell12),
        item.building_id,
        grid,
    )
    return record, None


COLUMNS = [
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
]


async def import_addresses(
    conn: PgConn,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    on_reject: Callable[[Reject], None] = lambda _r: None,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> ImportSummary:
    """Load ``rows`` into ``addresses``; returns counts. Re-importing the same rows changes nothing."""
    grid_of_cell = {
        r["cell"]: r["grid_path"]
        for r in await conn.fetch("SELECT cell, grid_path FROM grid_cells")
    }
    read = rejected = 0
    seen: set[str] = set()
    async with conn.transaction():
        await conn.execute(
            "CREATE TEMP TABLE address_staging (LIKE addresses INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        batch: list[tuple[Any, ...]] = []
        for line, row in rows:
            read += 1
            record, reject = validate_row(line, row, grid_of_cell)
            if record is not None and record[0] in seen:
                reject = Reject(
                    line=line, field="id", reason=f"duplicate id {record[0]} in this file"
                )
                record = None
            if reject is not None:
                rejected += 1
                on_reject(reject)
            elif record is not None:
                seen.add(record[0])
                batch.append(record)
            if len(batch) >= CHUNK:
                await conn.copy_records_to_table("address_staging", records=batch, columns=COLUMNS)
                on_progress(read)
                batch = []
        if batch:
            await conn.copy_records_to_table("address_staging", records=batch, columns=COLUMNS)
        on_progress(read)
        counts = await conn.fetchrow(
            """
            WITH merged AS (
                INSERT INTO addresses AS a (id, text, lat, lon, h3_r7, h3_r8, h3_r9, h3_r12, building_id, org_path)
                SELECT id, text, lat, lon, h3_r7, h3_r8, h3_r9, h3_r12, building_id, org_path FROM address_staging
                ON CONFLICT (id) DO UPDATE SET
                    text = EXCLUDED.text, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
                    h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9,
                    h3_r12 = EXCLUDED.h3_r12, building_id = EXCLUDED.building_id,
                    org_path = EXCLUDED.org_path, updated_at = now()
                WHERE (a.text, a.lat, a.lon, a.building_id, a.org_path)
                      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.lat, EXCLUDED.lon, EXCLUDED.building_id, EXCLUDED.org_path)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted) AS inserted,
                   count(*) FILTER (WHERE NOT inserted) AS updated
            FROM merged
            """
        )
    assert counts is not None
    inserted, updated = int(counts["inserted"]), int(counts["updated"])
    return ImportSummary(
        read=read,
        inserted=inserted,
        updated=updated,
        unchanged=read - rejected - inserted - updated,
        rejected=rejected,
    )
