"""Block-data benchmark: generation, import and one-map aggregation at Pingshan scale.

* generation time of the full data set (595,500 addresses, 707,700 people, …) by
  ``simulators.blockdata``;
* import time of every file through the staged importer (validation, encryption, COPY into
  staging, address resolution, merge, rollups), against a bare COPY of the same files into
  unindexed unlogged tables of text measured in the same run (goal: under 3 minutes, within 2×
  of COPY), and beside a COPY into logged tables (the live tables write WAL; that one does too);
* one-map aggregation latency p50/p95 of people per H3 cell for the whole district at res 7, 8
  and 9, against the same counts as a plain GROUP BY over the raw tables (goal p95 ≤ 100 ms).

Everything runs in a scratch database created on the server of ``database_url`` and dropped
afterwards. Run it alone: ``python -m backend.bench.blockdata [database_url] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from backend.api.map.services import cell_counts
from backend.bench.table import BenchRow, format_rows
from backend.imports.blockdata import KINDS
from backend.imports.boundaries import import_boundaries
from backend.imports.engine import run_import
from backend.imports.readers import read_rows
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring
from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import init_connection
from simulators.blockdata import write_blockdata
from simulators.geography import DISTRICT_CODE

BENCH = "blockdata"
FULL_SCALE = 1.0
QUICK_SCALE = 0.01
IMPORT_GOAL_S = 180.0
P95_GOAL_MS = 100.0

_RAW_GROUP_BY = """
    SELECT h3_parent(a.h3_r9, $2) AS cell, count(*) FROM persons p
    JOIN addresses a ON a.id = p.address_id
    WHERE p.org_path = $1 OR p.org_path LIKE $1 || '.%'
    GROUP BY 1
"""


def _keyring() -> Keyring:
    return Keyring(
        signing=secrets.token_bytes(32),
        data={"bench": secrets.token_bytes(32)},
        current="bench",
        index=secrets.token_bytes(32),
        audit=secrets.token_bytes(32),
    )


async def _import_all(conn: asyncpg.Connection[Any], files: dict[str, Path]) -> dict[str, float]:
    """Import every kind in order; seconds per kind."""
    cipher = FieldCipher(_keyring())
    await import_boundaries(conn, files["boundaries"].read_bytes())
    took: dict[str, float] = {}
    for kind, spec in KINDS.items():
        start = time.perf_counter()
        summary = await run_import(conn, spec, read_rows(files[kind], spec.required), cipher=cipher)
        took[kind] = time.perf_counter() - start
        if summary.rejected:
            raise RuntimeError(f"bench data set: {summary.rejected} {kind} rows rejected")
    return took


async def _bare_copy(
    conn: asyncpg.Connection[Any], files: dict[str, Path], *, logged: bool = False
) -> float:
    """COPY each file as it is into an unindexed table of text columns; total seconds.

    Unlogged (the issue's peer) writes no WAL; ``logged`` tables write WAL as the live ones do."""
    total = 0.0
    kind_of_table = "TABLE" if logged else "UNLOGGED TABLE"
    for kind in KINDS:
        path = files[kind]
        table = f"bare_{kind}"
        if path.suffix == ".csv":
            header = path.open(encoding="utf-8").readline().strip().split(",")
            cols = ", ".join(f'"{c}" text' for c in header)
            options = {"format": "csv", "header": True}
        else:  # JSON Lines and GeoJSON: each line verbatim as one value
            cols = "doc text"
            options = {"format": "csv", "delimiter": "\x02", "quote": "\x01"}
        await conn.execute(f"CREATE {kind_of_table} {table} ({cols})")
        start = time.perf_counter()
        await conn.copy_to_table(table, source=path, **options)  # type: ignore[arg-type]
        total += time.perf_counter() - start
        await conn.execute(f"DROP TABLE {table}")
    return total


async def _latency(call: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    """p50 and p95 of ``call`` in milliseconds (after two warm-up calls)."""
    for _ in range(2):
        await call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(samples, n=20)
    return statistics.median(samples), cuts[18]


async def _aggregation_rows(
    conn: asyncpg.Connection[Any], runs: int, peer_runs: int
) -> list[BenchRow]:
    """Latency of the people layer at res 7, 8, 9 beside the raw GROUP BY; then the patients layer."""
    rows: list[BenchRow] = []
    for res in (7, 8, 9):

        async def ours(res: int = res) -> object:
            return await cell_counts(
                conn, DISTRICT_CODE, "people", res=res, key=None, bbox=None, window=None
            )

        async def raw(res: int = res) -> object:
            return await conn.fetch(_RAW_GROUP_BY, DISTRICT_CODE, res)

        p50, p95 = await _latency(ours, runs)
        peer50, peer95 = await _latency(raw, peer_runs)
        peer_name = "GROUP BY over persons ⨝ addresses"
        rows.append(
            BenchRow(bench=BENCH, figure=f"people per cell, district, res {res}, p50", unit="ms",
                     ours=p50, peer=peer50, peer_name=peer_name)
        )  # fmt: skip
        rows.append(
            BenchRow(bench=BENCH, figure=f"people per cell, district, res {res}, p95", unit="ms",
                     ours=p95, peer=peer95, peer_name=peer_name, goal=f"p95 ≤ {P95_GOAL_MS:.0f} ms",
                     met=p95 <= P95_GOAL_MS)
        )  # fmt: skip
    p50, p95 = await _latency(
        lambda: cell_counts(
            conn, DISTRICT_CODE, "patients", res=8, key=None, bbox=None, window=None
        ),
        runs,
    )
    rows.append(
        BenchRow(bench=BENCH, figure="patients per cell (stored counts, suppressed), res 8, p95",
                 unit="ms", ours=p95, goal=f"p95 ≤ {P95_GOAL_MS:.0f} ms", met=p95 <= P95_GOAL_MS)
    )  # fmt: skip
    return rows


async def run_blockdata_bench(database_url: str, *, quick: bool = False) -> list[BenchRow]:
    """Generate, import and aggregate the Pingshan data set in a scratch database; the rows."""
    scale = QUICK_SCALE if quick else FULL_SCALE
    scratch = f"pingan_bench_blockdata_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{scratch}"')
    rows: list[BenchRow] = []
    try:
        with tempfile.TemporaryDirectory(prefix="pingan-blockdata-") as tmp:
            start = time.perf_counter()
            files = await asyncio.to_thread(write_blockdata, Path(tmp), scale=scale, seed=2026)
            generated = time.perf_counter() - start
            rows.append(
                BenchRow(bench=BENCH, figure=f"generate data set (scale {scale:g})", unit="s",
                         ours=generated)
            )  # fmt: skip
            conn = await asyncpg.connect(with_database(database_url, scratch))
            try:
                await init_connection(conn)
                await migrate(conn)
                took = await _import_all(conn, files)
                total = sum(took.values())
                bare = await _bare_copy(conn, files)
                bare_logged = await _bare_copy(conn, files, logged=True)
                rows.extend(
                    BenchRow(bench=BENCH, figure=f"import {kind}", unit="s", ours=seconds)
                    for kind, seconds in took.items()
                )
                rows.append(
                    BenchRow(bench=BENCH, figure=f"import data set (scale {scale:g})", unit="s",
                             ours=total, peer=bare, peer_name="bare COPY of the same files",
                             goal=f"< {IMPORT_GOAL_S:.0f} s and ≤ 2× bare COPY",
                             met=total < IMPORT_GOAL_S and total <= 2 * bare)
                )  # fmt: skip
                rows.append(
                    BenchRow(bench=BENCH, figure=f"import data set (scale {scale:g}), WAL-logged peer",
                             unit="s", ours=total, peer=bare_logged,
                             peer_name="bare COPY of the same files into logged tables")
                )  # fmt: skip
                await conn.execute("ANALYZE")
                # The raw GROUP BY takes seconds at full scale: fewer samples of it.
                rows.extend(
                    await _aggregation_rows(conn, 30 if quick else 200, 30 if quick else 12)
                )
            finally:
                await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()
    return rows


def main() -> None:
    """Command line: python -m backend.bench.blockdata [--quick] [database_url]."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "database_url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(run_blockdata_bench(args.database_url, quick=args.quick))
    print(format_rows(rows))  # noqa: T201


if __name__ == "__main__":
    main()
