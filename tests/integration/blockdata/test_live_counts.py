"""Records written outside an import (the people service, plain SQL) count on the map at once, and
the incremental counts always equal a recount from the live tables."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import h3
from litestar.testing import AsyncTestClient

from backend.api.map.rollup import ROLLUP_SOURCES, fold_layers, rebuild_layers
from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.jobs.scheduler import create_scheduler
from backend.security.crypto import FieldCipher
from backend.security.policy import Role
from backend.storage.postgres.pool import PgConn, PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.blockdata.conftest import Loaded, import_file

Client = AsyncTestClient[Any]


async def cell_count(client: Client, headers: dict[str, str], layer: str, cell: str) -> int:
    """The published count of one res-9 cell (0 when the cell is not listed)."""
    r = await client.get(f"/api/map/cells?layer={layer}&res=9", headers=headers)
    assert r.status_code == 200, r.text
    return next((c["count"] for c in r.json()["cells"] if c["cell"] == cell), 0)


async def counts_now(conn: PgConn) -> dict[tuple[str, str, int, str], int]:
    """What the map reads: rollup plus deltas, summed per (layer, key, cell, org path)."""
    rows = await conn.fetch(
        "SELECT layer, key, h3_r9, org_path, sum(n) AS n FROM ("
        "SELECT layer, key, h3_r9, org_path, n FROM map_cell_counts UNION ALL "
        "SELECT layer, key, h3_r9, org_path, n FROM map_cell_deltas) c "
        "GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0"
    )
    return {(r["layer"], r["key"], r["h3_r9"], r["org_path"]): int(r["n"]) for r in rows}


async def assert_counts_match_a_recount(conn: PgConn) -> None:
    incremental = await counts_now(conn)
    async with conn.transaction():
        await rebuild_layers(conn)
        recounted = await counts_now(conn)
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") == 0
    assert incremental == recounted


async def test_a_person_created_by_the_service_counts_at_once(
    loaded: Loaded,
    client: Client,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
    cipher: FieldCipher,
) -> None:
    await make_user("boss", paths.district, Role.DISTRICT_LEADER)
    headers = await login(client, "boss")
    async with clean_db.acquire() as conn:
        address = await conn.fetchrow("SELECT id, h3_r9 FROM addresses ORDER BY id LIMIT 1")
    cell = h3.int_to_str(address["h3_r9"])
    before = await cell_count(client, headers, "people", cell)
    async with clean_db.acquire() as conn:
        await create_person(conn, cipher, PersonCreate(name="新来", address_id=address["id"]))
        await create_person(
            conn, cipher, PersonCreate(name="又来", address_id=address["id"], tags=["veteran"])
        )
    assert await cell_count(client, headers, "people", cell) == before + 2
    units = (await client.get("/api/map/units?layer=people&level=district", headers=headers)).json()
    assert units["units"][0]["count"] == loaded.summaries["persons"].read + 2
    async with clean_db.acquire() as conn:
        await conn.execute("DELETE FROM persons WHERE name = '新来'")
    assert await cell_count(client, headers, "people", cell) == before + 1
    async with clean_db.acquire() as conn:
        await assert_counts_match_a_recount(conn)


async def test_houses_and_enterprises_written_in_sql_count_and_move(
    loaded: Loaded, client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("boss", paths.district, Role.DISTRICT_LEADER)
    headers = await login(client, "boss")
    async with clean_db.acquire() as conn:
        house = await conn.fetchrow(
            "SELECT h.id, a.h3_r9 FROM houses h JOIN addresses a ON a.id = h.address_id "
            "WHERE NOT h.is_rental LIMIT 1"
        )
        firm = await conn.fetchrow(
            "SELECT e.id, a.h3_r9 FROM enterprises e JOIN addresses a ON a.id = e.address_id LIMIT 1"
        )
        far = await conn.fetchrow(
            "SELECT id, h3_r9 FROM addresses WHERE h3_r9 <> $1 ORDER BY id LIMIT 1",
            firm["h3_r9"],
        )
    house_cell = h3.int_to_str(house["h3_r9"])
    rentals = await cell_count(client, headers, "rentals", house_cell)
    old_cell, new_cell = h3.int_to_str(firm["h3_r9"]), h3.int_to_str(far["h3_r9"])
    old_n = await cell_count(client, headers, "enterprises", old_cell)
    new_n = await cell_count(client, headers, "enterprises", new_cell)
    async with clean_db.acquire() as conn:
        await conn.execute(
            "UPDATE houses SET is_rental = true, rental_grade = 'red' WHERE id = $1", house["id"]
        )
        await conn.execute(
            "UPDATE enterprises SET address_id = $2 WHERE id = $1", firm["id"], far["id"]
        )
    assert await cell_count(client, headers, "rentals", house_cell) == rentals + 1
    assert await cell_count(client, headers, "enterprises", old_cell) == old_n - 1
    assert await cell_count(client, headers, "enterprises", new_cell) == new_n + 1
    async with clean_db.acquire() as conn:
        await fold_layers(conn)
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") == 0
    assert await cell_count(client, headers, "enterprises", new_cell) == new_n + 1
    async with clean_db.acquire() as conn:
        await assert_counts_match_a_recount(conn)


async def test_reimported_addresses_that_move_carry_their_counts(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    rows = list(csv.reader(loaded.files["addresses"].read_text(encoding="utf-8").splitlines()))
    header, body = rows[0], rows[1:]
    lat, lon = header.index("lat"), header.index("lon")
    async with clean_db.acquire() as conn:
        busy = await conn.fetchval(
            "SELECT address_id FROM persons GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
    moved = next(r for r in body if r[0] == busy)
    target = next(r for r in body if r[0] != busy and abs(float(r[lat]) - float(moved[lat])) > 0.01)
    moved[lat], moved[lon] = target[lat], target[lon]  # a point of another grid of the district
    path = tmp_path / "addresses.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])
    summary, rejects = await import_file(clean_db, "addresses", path, cipher)
    assert not rejects and summary.updated == 1
    async with clean_db.acquire() as conn:
        await assert_counts_match_a_recount(conn)


def test_every_rollup_layer_has_triggers_behind_it() -> None:
    migrations = Path(__file__).parents[3] / "backend/migrations"
    sql = "".join(
        (migrations / name).read_text()
        for name in ("0011_map_live_counts.sql", "0012_patients_live_counts.sql")
    )
    for table, layers in (
        ("persons", ("people", "groups", "patients")),
        ("houses", ("houses", "rentals")),
        ("buildings", ("buildings",)),
        ("enterprises", ("enterprises",)),
        ("patients", ("patients",)),
    ):
        for layer in layers:
            for event in ("INSERT", "UPDATE", "DELETE"):
                if (table, layer, event) == ("persons", "patients", "INSERT"):
                    continue  # a new person is no one's patient yet
                found = re.search(
                    rf"AFTER {event} ON {table}\b[^;]*''{layer}''|BEFORE {event} ON {table}\b",
                    sql,
                )
                assert found, f"{layer}: no {event} trigger on {table}"
    assert set(ROLLUP_SOURCES) == {
        "people",
        "groups",
        "houses",
        "rentals",
        "buildings",
        "enterprises",
        "patients",
    }


async def test_the_scheduled_fold_empties_the_deltas_and_changes_no_count(
    loaded: Loaded, client: Client, clean_db: PgPool, cipher: FieldCipher
) -> None:
    del loaded
    async with clean_db.acquire() as conn:
        address = await conn.fetchrow("SELECT id FROM addresses ORDER BY id LIMIT 1")
        await create_person(conn, cipher, PersonCreate(name="折叠", address_id=address["id"]))
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") > 0
        before = await counts_now(conn)

    async def no_timers() -> None:
        return None

    scheduler = create_scheduler(clean_db, client.app.state.positions, fire_timers=no_timers)
    job = scheduler.get_job("map_fold")
    assert job is not None
    await job.func()
    async with clean_db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") == 0
        assert await counts_now(conn) == before
