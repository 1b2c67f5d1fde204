"""The block-data benchmark runs end to end (quick scale) and cleans up its scratch database."""

from __future__ import annotations

import asyncpg

from backend.bench.blockdata import run_blockdata_bench


async def test_quick_bench_reports_every_figure_and_drops_its_database(pg_admin_dsn: str) -> None:
    rows = await run_blockdata_bench(pg_admin_dsn, quick=True)
    figures = {r.figure for r in rows}
    assert "import data set (scale 0.01)" in figures
    for res in (7, 8, 9):
        assert f"people per cell, district, res {res}, p95" in figures
    assert all(r.ours >= 0 for r in rows)
    imported = next(r for r in rows if r.figure.startswith("import data set"))
    assert imported.peer is not None and imported.peer_name
    conn = await asyncpg.connect(pg_admin_dsn)
    try:
        left = await conn.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'pingan_bench_blockdata_%'"
        )
    finally:
        await conn.close()
    assert left == 0
