"""The staged import engine every kind of block data goes through.

1. Rows stream from a reader (CSV, JSON Lines, GeoJSON) and are validated one by one against the
   kind's msgspec Struct, then shaped into a staging record (encrypting personal fields, computing
   H3 cells); a bad row becomes a :class:`Reject` naming its line, field and reason.
2. Good records are COPYed in chunks into a temporary staging table.
3. In SQL: rows that name an address in words are matched to a unified address (rows that cannot
   be matched are rejected with the best candidates), references to other records are checked,
   and unique columns are checked against the live table.
4. One statement inserts new keys and updates changed rows (``IS DISTINCT FROM``), so a re-import
   of the same file changes nothing. A load that at least doubles the live table runs in bulk
   mode (``bulk.py``): secondary indexes and foreign keys are built again after the merge.

All of it runs in one transaction: an import that fails leaves the live tables as they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from backend.api.places.matching import AddressCandidate, is_confident, match_address
from backend.imports.bulk import drop_secondary, restore, worth_bulk
from backend.imports.readers import Raw
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn
from backend.validation import explain

CHUNK = 20_000
JOIN_MEMORY = "64MB"
YIELD_EVERY = 500
# Rows naming an address in words that are matched one by one; past this the rest are rejected
# without candidates (a file of mostly unmatched text is a different job than an import).
MAX_FUZZY = 5_000
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


class Reject(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A row that was not loaded: its line in the file (feature number in GeoJSON), field, why."""

    line: int
    field: str | None
    reason: str
    candidates: list[AddressCandidate] = msgspec.field(default_factory=list)
    """For an address that could not be matched: the best unified addresses, best first."""


class ImportSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did to the live table."""

    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


class RowError(ValueError):
    """Raised by a kind's ``prepare`` for a row that is well-formed but wrong."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass
class Context:
    """What ``prepare`` may need: the grid of each res-9 cell and the field cipher."""

    grid_of_cell: dict[int, str] = field(default_factory=dict)
    cipher: FieldCipher | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, kw_only=True)
class Ref:
    """A staging column that must name an existing live record."""

    column: str
    table: str
    target: str
    what: str


@dataclass(frozen=True, kw_only=True)
class KindSpec:
    """How one kind of record is validated, staged and merged."""

    name: str
    table: str
    """The live table the merge writes."""
    row_type: type[msgspec.Struct]
    columns: tuple[tuple[str, str], ...]
    """Staging columns (name, SQL type) in the order ``prepare`` returns them."""
    key: str
    """The staging column holding the natural key (duplicates within a file are rejected)."""
    prepare: Callable[[Any, Context], tuple[Any, ...]]
    merge_sql: str
    """Merges ``stage`` into the live table; returns one row (inserted, updated)."""
    required: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    unique: tuple[tuple[str, str], ...] = ()
    """(staging column, live table) pairs: a value another live record (other key) holds is refused."""
    resolves_address: bool = False
    """Staging has address_id, address_text, address_norm; rows are matched to an address."""
    needs_cells: bool = False
    before_merge: tuple[Callable[[PgConn, str], Any], ...] = ()
    """Run (in the transaction) with the checked staging table's name, just before the merge."""
    after: tuple[Callable[[PgConn], Any], ...] = ()
    """Run (in the transaction) when the merge changed something, e.g. folding map layers."""


def _decode(spec: KindSpec, raw: Raw) -> Any:
    if isinstance(raw, bytes):
        return msgspec.json.decode(raw, type=spec.row_type)
    for name, value in raw.items():
        if isinstance(value, str) and _NOT_UTF8.search(value):
            raise RowError(name, "not valid UTF-8 (is the file in another encoding?)")
    return msgspec.convert(
        {k: v for k, v in raw.items() if v not in ("", None) and k is not None},
        spec.row_type,
        strict=False,
    )


def check_row(
    spec: KindSpec, line: int, raw: Raw, ctx: Context
) -> tuple[tuple[Any, ...] | None, Reject | None]:
    """The staging record (line first) for a good row, or the reason a bad one is rejected."""
    try:
        item = _decode(spec, raw)
        return (line, *spec.prepare(item, ctx)), None
    except msgspec.ValidationError as exc:
        where, reason = explain(exc)
        return None, Reject(line=line, field=where, reason=reason)
    except msgspec.DecodeError as exc:
        return None, Reject(line=line, field=None, reason=f"malformed JSON: {exc}")
    except UnicodeDecodeError:
        return None, Reject(
            line=line, field=None, reason="not valid UTF-8 (is the file in another encoding?)"
        )
    except RowError as exc:
        return None, Reject(line=line, field=exc.field, reason=exc.reason)


async def load_cells(conn: PgConn) -> dict[int, str]:
    """The grid of every res-9 cell of the loaded geography."""
    return {
        r["cell"]: r["grid_path"]
        for r in await conn.fetch("SELECT cell, grid_path FROM grid_cells")
    }


class _Counter:
    """Counts rejects while passing them on."""

    def __init__(self, on_reject: Callable[[Reject], None]) -> None:
        self.count = 0
        self._on_reject = on_reject

    def __call__(self, reject: Reject) -> None:
        self.count += 1
        self._on_reject(reject)


def _duplicate(spec: KindSpec, seen: dict[Any, int], line: int, key: Any) -> Reject | None:
    first = seen.setdefault(key, line)
    if first == line:
        return None
    reason = f"duplicate {spec.key} {key} (first on line {first})"
    return Reject(line=line, field=spec.key, reason=reason)


class _Copier:
    """COPYs records into the staging table in chunks; one chunk's COPY runs while the next is
    prepared, so PostgreSQL works on the other core."""

    def __init__(self, conn: PgConn, stage: str, names: list[str]) -> None:
        self._conn, self._stage, self._names = conn, stage, names
        self._batch: list[tuple[Any, ...]] = []
        self._copying: asyncio.Task[str] | None = None

    async def add(self, record: tuple[Any, ...]) -> bool:
        """Queue ``record``; True when a chunk was handed to COPY."""
        self._batch.append(record)
        if len(self._batch) < CHUNK:
            return False
        await self.wait()
        self._copying = asyncio.ensure_future(
            self._conn.copy_records_to_table(self._stage, records=self._batch, columns=self._names)
        )
        self._batch = []
        return True

    async def wait(self) -> None:
        """Wait for the running COPY, if any."""
        if self._copying is not None:
            copying, self._copying = self._copying, None
            await copying

    async def finish(self) -> None:
        """COPY what is left."""
        await self.wait()
        if self._batch:
            await self._conn.copy_records_to_table(
                self._stage, records=self._batch, columns=self._names
            )
            self._batch = []


async def _stage_rows(
    conn: PgConn,
    spec: KindSpec,
    stage: str,
    rows: Iterable[tuple[int, Raw]],
    ctx: Context,
    reject: Callable[[Reject], None],
    on_progress: Callable[[int], None],
) -> int:
    """Validate and COPY every row into ``stage``; returns how many rows were read."""
    names = ["line", *(c for c, _ in spec.columns)]
    key_at = names.index(spec.key)
    seen: dict[Any, int] = {}
    read = 0
    copier = _Copier(conn, stage, names)

    try:
        for line, raw in rows:
            read += 1
            record, bad = check_row(spec, line, raw, ctx)
            if record is not None:
                bad = _duplicate(spec, seen, line, record[key_at])
            if bad is not None:
                reject(bad)
            elif record is not None and await copier.add(record):
                on_progress(read)
            if read % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the running COPY push its buffer to the server
    except BaseException:
        with contextlib.suppress(Exception):  # never leave a COPY running on the connection
            await copier.wait()
        raise
    await copier.finish()
    on_progress(read)
    return read


async def _check_refs(conn: PgConn, stage: str, ref: Ref, reject: Callable[[Reject], None]) -> None:
    for r in await conn.fetch(
        f"DELETE FROM {stage} s WHERE s.{ref.column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {ref.table} t WHERE t.{ref.target} = s.{ref.column}) "
        f"RETURNING s.line, s.{ref.column} AS value"
    ):
        reason = f"unknown {ref.what} {r['value']}"
        reject(Reject(line=r["line"], field=ref.column, reason=reason))


async def run_import(
    conn: PgConn,
    spec: KindSpec,
    rows: Iterable[tuple[int, Raw]],
    *,
    cipher: FieldCipher | None = None,
    on_reject: Callable[[Reject], None] = lambda _r: None,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> ImportSummary:
    """Import ``rows`` of ``spec``'s kind; see the module docstring. Re-import changes nothing."""
    ctx = Context(cipher=cipher)
    if spec.needs_cells:
        ctx.grid_of_cell = await load_cells(conn)
    stage = f"stage_{spec.name}"
    reject = _Counter(on_reject)
    async with conn.transaction():
        # One import of a kind at a time: the merge's INSERT of new keys may then not race.
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('pingan.import.' || $1))", spec.name
        )
        # Hash joins of staging with live tables of ~10^6 rows stay in memory instead of batching.
        await conn.execute(f"SET LOCAL work_mem = '{JOIN_MEMORY}'")
        cols = ", ".join(f"{n} {t}" for n, t in spec.columns)
        await conn.execute(
            f"CREATE TEMP TABLE {stage} (line integer NOT NULL, {cols}) ON COMMIT DROP"
        )
        read = await _stage_rows(conn, spec, stage, rows, ctx, reject, on_progress)
        await conn.execute(f"ANALYZE {stage}")
        if spec.resolves_address:
            await _resolve_addresses(conn, stage, reject)
        for ref in spec.refs:
            await _check_refs(conn, stage, ref, reject)
        for column, table in spec.unique:
            await _check_unique(conn, spec, stage, column, table, reject)
        for before in spec.before_merge:
            await before(conn, stage)
        staged = await conn.fetchval(f"SELECT count(*) FROM {stage}")
        bulk = await worth_bulk(conn, spec.table, staged)
        dropped = await drop_secondary(conn, spec.table) if bulk else None
        counts = await conn.fetchrow(spec.merge_sql.replace("{stage}", stage))
        assert counts is not None
        if dropped is not None:
            await restore(conn, dropped)
        inserted, updated = int(counts["inserted"]), int(counts["updated"])
        if inserted or updated:
            for step in spec.after:
                await step(conn)
    return ImportSummary(
        read=read,
        inserted=inserted,
        updated=updated,
        unchanged=read - reject.count - inserted - updated,
        rejected=reject.count,
    )


async def _check_unique(
    conn: PgConn,
    spec: KindSpec,
    stage: str,
    column: str,
    table: str,
    reject: Callable[[Reject], None],
) -> None:
    key = spec.key
    for r in await conn.fetch(
        f"""
        DELETE FROM {stage} s WHERE s.line IN (
            SELECT s2.line FROM {stage} s2 JOIN {table} t ON t.{column} = s2.{column} AND t.{key} <> s2.{key}
            UNION
            SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY {column} ORDER BY line) AS k
                              FROM {stage}) d WHERE k > 1)
        RETURNING s.line, s.{column} AS value
        """
    ):
        reject(
            Reject(
                line=r["line"],
                field=column,
                reason=f"{column} {r['value']} already belongs to another record",
            )
        )


async def _resolve_addresses(conn: PgConn, stage: str, reject: Callable[[Reject], None]) -> None:
    """Give every staged row a live address id, or reject it with the best candidates."""
    await conn.execute(
        f"""
        UPDATE {stage} s SET address_id = a.id FROM addresses a
        WHERE s.address_norm IS NOT NULL AND a.norm_text = s.address_norm
          AND (s.address_id IS NULL OR NOT EXISTS (SELECT 1 FROM addresses x WHERE x.id = s.address_id))
        """
    )
    missing = await conn.fetch(
        f"""
        SELECT s.line, s.address_id, s.address_text FROM {stage} s
        LEFT JOIN addresses a ON a.id = s.address_id WHERE a.id IS NULL  -- an anti-join, not a probe a row
        ORDER BY s.line
        """
    )
    fixed: list[tuple[int, str]] = []
    dropped: list[int] = []
    for i, row in enumerate(missing):
        line, given, text = row["line"], row["address_id"], row["address_text"]
        candidates = await match_address(conn, text, limit=3) if text and i < MAX_FUZZY else []
        if is_confident(candidates):
            fixed.append((line, candidates[0].address_id))
            continue
        dropped.append(line)
        if text:
            reason = f"no unified address matches {text!r}" + (
                f" (nor id {given})" if given else ""
            )
            reject(Reject(line=line, field="address", reason=reason, candidates=candidates))
        else:
            reject(Reject(line=line, field="address_id", reason=f"unknown address {given}"))
    if fixed:
        await conn.execute(
            f"UPDATE {stage} s SET address_id = v.id FROM unnest($1::int[], $2::text[]) AS v(line, id) "
            "WHERE s.line = v.line",
            [f[0] for f in fixed],
            [f[1] for f in fixed],
        )
    if dropped:
        await conn.execute(f"DELETE FROM {stage} WHERE line = ANY($1::int[])", dropped)


def upsert_sql(
    table: str, key: str, columns: list[str], select: str, *, compare: list[str] | None = None
) -> str:
    """An idempotent merge: insert new keys, update changed rows, count both.

    ``select`` yields the live columns by name. Plain INSERT of new keys and UPDATE of changed
    ones (both in one statement, on one snapshot) is cheaper than ``ON CONFLICT`` at bulk sizes;
    imports of a kind are serialised by an advisory lock, so no other writer races for a key.
    ``compare`` are the columns whose change makes an update (default: all but the key); leave
    out columns that differ on every import by design, such as ciphertexts with a fresh nonce.
    """
    compare = compare if compare is not None else [c for c in columns if c != key]
    names = ", ".join(columns)
    sets = ", ".join(f"{c} = v.{c}" for c in columns if c != key)
    old = ", ".join(f"t.{c}" for c in compare)
    new = ", ".join(f"v.{c}" for c in compare)
    return f"""
        WITH ins AS (
            INSERT INTO {table} ({names})
            SELECT {names} FROM ({select}) v
            WHERE NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{key} = v.{key})
            RETURNING 1
        ), upd AS (
            UPDATE {table} t SET {sets}, updated_at = now()
            FROM ({select}) v
            WHERE t.{key} = v.{key} AND ROW({old}) IS DISTINCT FROM ROW({new})
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM upd) AS updated
    """
