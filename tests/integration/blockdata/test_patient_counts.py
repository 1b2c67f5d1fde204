"""The patients layer read from stored counts (migration 0012): after any sequence of patient
admissions, grade changes, discharges, person moves and removals, address re-imports and imports
of persons and patients, committed or rolled back, the stored counts equal a recount from the live
tables and the map answers exactly what the live join it replaced answered."""

from __future__ import annotations

import csv
import functools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.api.map import services
from backend.api.map.rollup import fold_layers, rebuild_layers
from backend.imports import bulk
from backend.imports.blockdata import KINDS
from backend.imports.engine import run_import
from backend.imports.readers import read_rows
from backend.security.crypto import FieldCipher
from backend.security.policy import Role
from backend.storage.postgres.pool import PgConn, PgPool
from simulators.geography import Geography
from tests.conftest import DistrictPaths, login
from tests.integration.blockdata import patients_oracle as oracle
from tests.integration.blockdata.conftest import Loaded, import_file
from tests.integration.blockdata.test_live_counts import assert_counts_match_a_recount

Client = AsyncTestClient[Any]
MIGRATION = Path(__file__).parents[3] / "backend/migrations/0012_patients_live_counts.sql"
EXTRA_STEPS = 6


async def rolled_back(conn: PgConn, body: Callable[[], Awaitable[None]]) -> None:
    """Run ``body`` in a transaction on ``conn``, then roll the transaction back."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await body()
    finally:
        await transaction.rollback()


@dataclass(frozen=True)
class World:
    """What the random writes draw from: persons and addresses of the busiest cells (so cells
    reach the suppression threshold), every grid, and a folder for import files."""

    hot_persons: list[str]
    hot_addresses: list[str]
    grids: list[str]
    cipher: FieldCipher
    folder: Path


async def make_world(conn: PgConn, cipher: FieldCipher, folder: Path) -> World:
    busiest = (
        "SELECT a.h3_r8 FROM persons p JOIN addresses a ON a.id = p.address_id "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3"
    )
    hot_addresses = await conn.fetch(
        f"SELECT id FROM addresses WHERE h3_r8 IN ({busiest}) ORDER BY id"
    )
    hot_persons = await conn.fetch(
        "SELECT p.id::text AS id FROM persons p JOIN addresses a ON a.id = p.address_id "
        f"WHERE a.h3_r8 IN ({busiest}) ORDER BY 1"
    )
    grids = await conn.fetch("SELECT path FROM org_units WHERE level = 'grid' ORDER BY path")
    return World(
        hot_persons=[r["id"] for r in hot_persons],
        hot_addresses=[r["id"] for r in hot_addresses],
        grids=[r["path"] for r in grids],
        cipher=cipher,
        folder=folder,
    )


async def patients(conn: PgConn) -> list[str]:
    return [
        r["id"] for r in await conn.fetch("SELECT person_id::text AS id FROM patients ORDER BY 1")
    ]


async def free_persons(conn: PgConn, world: World) -> list[str]:
    """Persons of the busy cells who are not patients."""
    rows = await conn.fetch(
        "SELECT p.id::text AS id FROM persons p WHERE p.id = ANY($1::text[]::uuid[]) "
        "AND NOT EXISTS (SELECT 1 FROM patients pt WHERE pt.person_id = p.id) ORDER BY 1",
        world.hot_persons,
    )
    return [r["id"] for r in rows]


def some(rng: random.Random, items: list[str], most: int) -> list[str]:
    return rng.sample(items, min(len(items), rng.randint(1, most)))


# --- the writes --------------------------------------------------------------------------------


async def admit(conn: PgConn, rng: random.Random, world: World) -> None:
    """New patients in one statement; some under another grid than their person's."""
    chosen = some(rng, await free_persons(conn, world), 12)
    await conn.execute(
        "INSERT INTO patients (person_id, risk_grade, org_path) "
        "SELECT p.id, v.grade, coalesce(v.org, p.org_path) "
        "FROM unnest($1::text[], $2::int[], $3::text[]) v(id, grade, org) JOIN persons p ON p.id = v.id::uuid",
        chosen,
        [rng.randint(0, 5) for _ in chosen],
        [rng.choice(world.grids) if rng.random() < 0.3 else None for _ in chosen],
    )


async def admit_cluster(conn: PgConn, rng: random.Random, world: World) -> None:
    """Five or more patients of one grade in one cell beside one to three of others: the case
    where a grade's count is published but suppressed because the rest of the cell is small."""
    cells = await conn.fetch(
        "SELECT a.h3_r9, array_agg(p.id::text ORDER BY p.id) AS ids FROM persons p "
        "JOIN addresses a ON a.id = p.address_id WHERE p.id = ANY($1::text[]::uuid[]) "
        "AND NOT EXISTS (SELECT 1 FROM patients pt WHERE pt.person_id = p.id) "
        "GROUP BY 1 HAVING count(*) >= 8 ORDER BY 1",
        world.hot_persons,
    )
    if not cells:
        return
    ids = rng.choice(cells)["ids"]
    chosen = rng.sample(ids, rng.randint(6, 8))
    grade = rng.randint(0, 5)
    others = [g for g in range(6) if g != grade]
    grades = [grade] * 5 + [rng.choice(others) for _ in chosen[5:]]
    await conn.execute(
        "INSERT INTO patients (person_id, risk_grade, org_path) "
        "SELECT p.id, v.grade, p.org_path FROM unnest($1::text[], $2::int[]) v(id, grade) "
        "JOIN persons p ON p.id = v.id::uuid",
        chosen,
        grades,
    )


async def regrade(conn: PgConn, rng: random.Random, world: World) -> None:
    chosen = some(rng, await patients(conn), 8)
    await conn.execute(
        "UPDATE patients pt SET risk_grade = v.grade FROM unnest($1::text[], $2::int[]) v(id, grade) "
        "WHERE pt.person_id = v.id::uuid",
        chosen,
        [rng.randint(0, 5) for _ in chosen],
    )


async def reassign_org(conn: PgConn, rng: random.Random, world: World) -> None:
    chosen = some(rng, await patients(conn), 4)
    await conn.execute(
        "UPDATE patients pt SET org_path = v.org FROM unnest($1::text[], $2::text[]) v(id, org) "
        "WHERE pt.person_id = v.id::uuid",
        chosen,
        [rng.choice(world.grids) for _ in chosen],
    )


async def change_person(conn: PgConn, rng: random.Random, world: World) -> None:
    """A patient record corrected to name another person (elsewhere)."""
    new = some(rng, await free_persons(conn, world), 3)
    old = rng.sample(await patients(conn), min(len(new), len(await patients(conn))))
    new = new[: len(old)]
    await conn.execute(
        "UPDATE patients pt SET person_id = v.new::uuid FROM unnest($1::text[], $2::text[]) v(old, new) "
        "WHERE pt.person_id = v.old::uuid",
        old,
        new,
    )


async def discharge(conn: PgConn, rng: random.Random, world: World) -> None:
    await conn.execute(
        "DELETE FROM patients WHERE person_id = ANY($1::text[]::uuid[])",
        some(rng, await patients(conn), 5),
    )


async def move_persons(conn: PgConn, rng: random.Random, world: World) -> None:
    """Patients (and a neighbour) move house in one statement; some lose their address."""
    chosen = some(rng, await patients(conn), 8) + some(rng, await free_persons(conn, world), 2)
    targets = [rng.choice(world.hot_addresses) if rng.random() < 0.85 else None for _ in chosen]
    await conn.execute(
        "UPDATE persons p SET address_id = v.address FROM unnest($1::text[], $2::text[]) v(id, address) "
        "WHERE p.id = v.id::uuid",
        chosen,
        targets,
    )


async def remove_persons(conn: PgConn, rng: random.Random, world: World) -> None:
    """Persons removed, their patient records with them (ON DELETE CASCADE)."""
    chosen = some(rng, await patients(conn), 3) + some(rng, await free_persons(conn, world), 1)
    await conn.execute("DELETE FROM persons WHERE id = ANY($1::text[]::uuid[])", chosen)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


async def import_rows(conn: PgConn, world: World, kind: str, path: Path) -> None:
    """Import ``path`` on ``conn``; a changing import leaves no patients delta unfolded."""
    spec = KINDS[kind]
    summary = await run_import(conn, spec, read_rows(path, spec.required), cipher=world.cipher)
    assert summary.rejected == 0, (kind, summary)
    if summary.inserted or summary.updated:
        left = "SELECT count(*) FROM map_cell_deltas WHERE layer = 'patients'"
        assert await conn.fetchval(left) == 0, f"the {kind} import folds the patients layer"


async def reimport_addresses(conn: PgConn, rng: random.Random, world: World) -> None:
    """Addresses of patients re-imported at another address's point (another cell and grid)."""
    rows = await conn.fetch(
        "SELECT id, text, lat, lon, building_id, org_path FROM addresses ORDER BY id"
    )
    homes = await conn.fetch(
        "SELECT DISTINCT p.address_id FROM patients pt JOIN persons p ON p.id = pt.person_id "
        "WHERE p.address_id IS NOT NULL ORDER BY 1"
    )
    moving = set(some(rng, [r["address_id"] for r in homes], 3))
    body = []
    for r in rows:
        lat, lon = r["lat"], r["lon"]
        if r["id"] in moving:
            there = rng.choice([o for o in rows if o["org_path"] != r["org_path"]])
            lat, lon = there["lat"], there["lon"]
        body.append([r["id"], r["text"], repr(lat), repr(lon), r["building_id"] or ""])
    header = ["id", "text", "lat", "lon", "building_id"]
    await import_rows(
        conn, world, "addresses", write_csv(world.folder / "addresses.csv", header, body)
    )


async def import_patients(conn: PgConn, rng: random.Random, world: World) -> None:
    """A patients file: new grades for some patients, some new patients."""
    known = some(rng, await patients(conn), 6) + some(rng, await free_persons(conn, world), 4)
    rows = await conn.fetch(
        "SELECT external_id FROM persons WHERE id = ANY($1::text[]::uuid[]) ORDER BY 1", known
    )
    body = [[r["external_id"], rng.randint(0, 5)] for r in rows]
    path = write_csv(world.folder / "patients.csv", ["person_external_id", "risk_grade"], body)
    await import_rows(conn, world, "patients", path)


async def import_persons(conn: PgConn, rng: random.Random, world: World) -> None:
    """A persons file that moves some patients to other addresses."""
    rows = await conn.fetch(
        "SELECT external_id, name FROM persons WHERE id = ANY($1::text[]::uuid[]) ORDER BY 1",
        some(rng, await patients(conn), 5),
    )
    body = [[r["external_id"], r["name"], rng.choice(world.hot_addresses)] for r in rows]
    path = write_csv(world.folder / "persons.csv", ["external_id", "name", "address_id"], body)
    await import_rows(conn, world, "persons", path)


async def fold(conn: PgConn, rng: random.Random, world: World) -> None:
    await (fold_layers(conn, "patients") if rng.random() < 0.5 else fold_layers(conn))


Write = Callable[[PgConn, random.Random, World], Awaitable[None]]
WRITES: list[Write] = [
    admit,
    admit,
    admit_cluster,
    regrade,
    reassign_org,
    change_person,
    discharge,
    move_persons,
    move_persons,
    remove_persons,
    reimport_addresses,
    import_patients,
    import_persons,
    fold,
]


# --- the checks --------------------------------------------------------------------------------


async def assert_stored_counts_match_a_recount(conn: PgConn) -> None:
    assert await oracle.stored(conn) == await oracle.recount(conn)


def bbox_around(cells: list[Any]) -> tuple[float, float, float, float]:
    """A box of about 2 km around the middle of ``cells``, which leaves some of them out."""
    lats = [c.lat for c in cells]
    lons = [c.lon for c in cells]
    mid_lat, mid_lon = sorted(lats)[len(lats) // 2], sorted(lons)[len(lons) // 2]
    return mid_lon - 0.01, mid_lat - 0.01, mid_lon + 0.01, mid_lat + 0.01


async def assert_map_answers_as_the_live_join(
    conn: PgConn, jurisdictions: list[str], keys: list[str | None]
) -> None:
    """Every resolution, key, level and a bbox, per jurisdiction: the service equals the oracle."""
    for where in jurisdictions:
        for key in keys:
            for res in (7, 8, 9):
                got = await services.cell_counts(
                    conn, where, "patients", res=res, key=key, bbox=None, window=None
                )
                want = await oracle.live_cells(conn, where, res=res, key=key, bbox=None)
                assert got == want, (where, key, res)
                if want:
                    box = bbox_around(want)
                    got = await services.cell_counts(
                        conn, where, "patients", res=res, key=key, bbox=box, window=None
                    )
                    want = await oracle.live_cells(conn, where, res=res, key=key, bbox=box)
                    assert got == want, (where, key, res, box)
            for level in ("district", "street", "community", "grid"):
                got_units = await services.unit_counts(
                    conn, where, "patients", level=level, key=key, window=None
                )
                want_units = await oracle.live_units(conn, where, level=level, key=key)
                assert got_units == want_units, (where, key, level)


async def assert_http_answers_as_the_live_join(
    client: Client, headers: dict[str, str], conn: PgConn, where: str
) -> None:
    for query, res, key in (("res=9", 9, None), ("res=8&key=1", 8, "1"), ("res=7&key=0", 7, "0")):
        r = await client.get(f"/api/map/cells?layer=patients&{query}", headers=headers)
        assert r.status_code == 200, r.text
        want = await oracle.live_cells(conn, where, res=res, key=key, bbox=None)
        assert r.json()["cells"] == msgspec.to_builtins(want), query
    r = await client.get("/api/map/units?layer=patients&level=grid&key=2", headers=headers)
    want_units = await oracle.live_units(conn, where, level="grid", key="2")
    assert r.json()["units"] == msgspec.to_builtins(want_units)


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_writes_keep_counts_equal_to_the_live_join(
    seed: int,
    loaded: Loaded,
    client: Client,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
    cipher: FieldCipher,
    tmp_path: Path,
) -> None:
    rng = random.Random(seed)
    await make_user("chief", paths.community_a, Role.COMMUNITY_LEADER)
    headers = await login(client, "chief")
    jurisdictions = [paths.district, paths.street_a, paths.community_a, paths.grid_b]
    rollbacks = 0
    async with clean_db.acquire() as conn:
        world = await make_world(conn, cipher, tmp_path)
        for _ in range(3):
            await admit(conn, rng, world)
            await admit_cluster(conn, rng, world)
        # Every kind of write twice and some more, in a random order; each commits at least once.
        schedule = rng.sample(WRITES * 2, len(WRITES) * 2) + rng.choices(WRITES, k=EXTRA_STEPS)
        committed: set[str] = set()
        for step, write in enumerate(schedule):
            if write.__name__ in committed and rng.random() < 0.3:
                before = await oracle.stored(conn)
                await rolled_back(conn, functools.partial(write, conn, rng, world))
                assert await oracle.stored(conn) == before, f"rolled-back {write.__name__} counted"
                rollbacks += 1
            else:
                await write(conn, rng, world)
                committed.add(write.__name__)
            await assert_stored_counts_match_a_recount(conn)
            if step % 4 == 3:
                keys = [None, str(rng.randint(0, 5))]
                await assert_map_answers_as_the_live_join(conn, jurisdictions, keys)
        grades: list[str | None] = [None, "0", "1", "2", "3", "4", "5"]
        await assert_map_answers_as_the_live_join(conn, jurisdictions, grades)
        await assert_http_answers_as_the_live_join(client, headers, conn, paths.community_a)
        cells = [
            c
            for res in (8, 9)
            for c in await services.cell_counts(
                conn, paths.district, "patients", res=res, key=None, bbox=None, window=None
            )
        ]
        assert any(c.suppressed for c in cells) and any((c.count or 0) >= 5 for c in cells), (
            "both published and suppressed cells, or the comparison proves little"
        )
        await assert_counts_match_a_recount(conn)
    assert rollbacks > 0 and committed == {w.__name__ for w in WRITES}


async def test_a_patient_counts_at_once_moves_and_leaves_with_the_person_and_a_rollback_not(
    loaded: Loaded, clean_db: PgPool
) -> None:
    async with clean_db.acquire() as conn:
        person = await conn.fetchrow(
            "SELECT p.id, p.org_path, a.h3_r9 FROM persons p JOIN addresses a ON a.id = p.address_id "
            "WHERE NOT EXISTS (SELECT 1 FROM patients pt WHERE pt.person_id = p.id) ORDER BY p.id LIMIT 1"
        )
        far = await conn.fetchrow(
            "SELECT id, h3_r9 FROM addresses WHERE h3_r9 <> $1 ORDER BY id LIMIT 1", person["h3_r9"]
        )
        here = ("4", person["h3_r9"], person["org_path"])
        there = ("4", far["h3_r9"], person["org_path"])
        start = await oracle.stored(conn)

        def plus(counts: dict[Any, int], item: Any, n: int) -> dict[Any, int]:
            out = dict(counts)
            out[item] = out.get(item, 0) + n
            return {k: v for k, v in out.items() if v}

        async def admit_and_look() -> None:
            await conn.execute(
                "INSERT INTO patients (person_id, risk_grade, org_path) VALUES ($1, 4, $2)",
                person["id"],
                person["org_path"],
            )
            assert await oracle.stored(conn) == plus(start, here, 1), "counts in its transaction"

        await rolled_back(conn, admit_and_look)
        assert await oracle.stored(conn) == start
        await conn.execute(
            "INSERT INTO patients (person_id, risk_grade, org_path) VALUES ($1, 4, $2)",
            person["id"],
            person["org_path"],
        )
        assert await oracle.stored(conn) == plus(start, here, 1)
        await conn.execute(
            "UPDATE persons SET address_id = $2 WHERE id = $1", person["id"], far["id"]
        )
        assert await oracle.stored(conn) == plus(start, there, 1), "moves with its person"
        await conn.execute("DELETE FROM persons WHERE id = $1", person["id"])
        assert await oracle.stored(conn) == start, "leaves with its person"
        assert (
            await conn.fetchval("SELECT count(*) FROM map_cell_deltas WHERE layer = 'patients'") > 0
        )
        await fold_layers(conn)
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") == 0
        assert await oracle.stored(conn) == start == await oracle.recount(conn)


async def test_the_migration_counts_the_patients_already_loaded(
    loaded: Loaded, clean_db: PgPool
) -> None:
    async with clean_db.acquire() as conn:
        live = await oracle.recount(conn)
        assert sum(live.values()) == loaded.summaries["patients"].inserted > 0

        async def migrate_again() -> None:
            # As before 0012: no triggers, no stored patients counts; then 0012 runs.
            await conn.execute(
                "DROP FUNCTION map_count_changes_own_org() CASCADE;"
                "DROP FUNCTION map_uncount_patient_of_person() CASCADE;"
                "DELETE FROM map_cell_counts WHERE layer = 'patients';"
                "DELETE FROM map_cell_deltas WHERE layer = 'patients';"
            )
            assert await oracle.stored(conn) == {}
            await conn.execute(MIGRATION.read_text(encoding="utf-8"))
            assert await oracle.stored(conn) == live

        await rolled_back(conn, migrate_again)
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%map_patients%' OR tgname LIKE 'patients_map%'"
            )
            == 5
        ), "the triggers are back after the rollback"


async def test_a_bulk_load_of_patients_counts_them(
    clean_db: PgPool,
    district: Geography,
    blockdata_files: dict[str, Path],
    cipher: FieldCipher,
    monkeypatch: pytest.MonkeyPatch,
    paths: DistrictPaths,
) -> None:
    monkeypatch.setattr(bulk, "BULK_MIN_ROWS", 5)  # the first load of patients goes bulk
    went_bulk: list[str] = []
    drop = bulk.drop_secondary

    async def spy(conn: PgConn, table: str) -> bulk.Dropped:
        went_bulk.append(table)
        return await drop(conn, table)

    monkeypatch.setattr("backend.imports.engine.drop_secondary", spy)
    for kind in KINDS:
        summary, rejects = await import_file(clean_db, kind, blockdata_files[kind], cipher)
        assert not rejects and summary.inserted == summary.read, (kind, summary)
    assert "patients" in went_bulk and "persons" in went_bulk
    async with clean_db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM map_cell_deltas") == 0
        assert await oracle.stored(conn) == await oracle.recount(conn) != {}
        await assert_map_answers_as_the_live_join(conn, [paths.district], [None, "1"])
        await rebuild_layers(conn, "patients")
        assert await oracle.stored(conn) == await oracle.recount(conn)
