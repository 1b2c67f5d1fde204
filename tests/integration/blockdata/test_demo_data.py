"""``pingan demo`` loads a moderate block-data set on first run, so every map layer has data,
and reuses it on the next run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from backend.cli.demo import prepare_geography
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography

COUNTED = {
    "addresses": "SELECT count(*) FROM addresses",
    "persons": "SELECT count(*) FROM persons",
    "houses": "SELECT count(*) FROM houses WHERE is_rental",
    "enterprises": "SELECT count(*) FROM enterprises",
    "patients": "SELECT count(*) FROM patients",
    "places": "SELECT count(*) FROM key_places",
    "recent events": "SELECT count(*) FROM block_events WHERE occurred_at > $1",
    "people on the map": "SELECT coalesce(sum(n), 0) FROM map_cell_counts WHERE layer = 'people'",
}


def counts(database_url: str) -> dict[str, int]:
    async def fetch() -> dict[str, int]:
        conn = await asyncpg.connect(database_url)
        month = datetime.now(UTC) - timedelta(days=30)
        try:
            return {
                what: int(await conn.fetchval(sql, *([month] if "$1" in sql else [])))
                for what, sql in COUNTED.items()
            }
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_first_run_loads_block_data_and_the_next_reuses_it(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=1_500, seed=1)
    loaded = counts(app_settings.database_url or "")
    assert all(n > 0 for n in loaded.values()), loaded
    assert 1_400 <= loaded["addresses"] <= 1_600
    assert loaded["people on the map"] == loaded["persons"]
    prepare_geography(app_settings, addresses=1_500, seed=1)
    assert counts(app_settings.database_url or "") == loaded
