"""Block-data import against the real database: good rows load, bad rows are rejected with their
line, field and reason, re-import changes nothing, and a failed import changes nothing at all."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import msgspec
import pytest

from backend.imports.blockdata import KINDS
from backend.imports.engine import Reject, run_import
from backend.imports.readers import read_rows
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn, PgPool
from tests.integration.blockdata.conftest import Loaded, import_file


def by_line(rejects: list[Reject]) -> dict[int, Reject]:
    return {r.line: r for r in rejects}


def assert_rejected(rejects: list[Reject], line: int, field: str | None, *words: str) -> None:
    found = by_line(rejects).get(line)
    assert found is not None, f"line {line} was not rejected; rejects: {rejects}"
    assert found.field == field, found
    for word in words:
        assert word in found.reason, found


async def test_full_set_loads_every_row_and_reimport_changes_nothing(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher
) -> None:
    for kind, summary in loaded.summaries.items():
        assert summary.rejected == 0 and summary.inserted == summary.read > 0, (kind, summary)
    for kind in KINDS:
        again, _rejects = await import_file(clean_db, kind, loaded.files[kind], cipher)
        assert (again.inserted, again.updated, again.rejected) == (0, 0, 0), (kind, again)
        assert again.unchanged == again.read
    async with clean_db.acquire() as conn:
        people = await conn.fetchval("SELECT count(*) FROM persons")
        located = await conn.fetchval("SELECT sum(n) FROM map_cell_counts WHERE layer = 'people'")
        plain_ids = await conn.fetchval(
            "SELECT count(*) FROM persons WHERE id_number_enc IS NOT NULL "
            "AND position('4403'::bytea IN id_number_enc) > 0 AND length(id_number_enc) = 18"
        )
    assert people == loaded.summaries["persons"].read
    assert located == people, "the map rollup counts every resident"
    assert plain_ids == 0


async def test_personal_fields_are_encrypted_like_the_api_does(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher
) -> None:
    first = msgspec.json.decode(loaded.files["persons"].read_bytes().splitlines()[0])
    async with clean_db.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT id_number_enc, id_number_idx FROM persons WHERE external_id = $1",
            first["external_id"],
        )
    assert row["id_number_enc"] != first["id_number"].encode()
    assert cipher.decrypt(bytes(row["id_number_enc"]), context=b"id_number") == first["id_number"]
    assert bytes(row["id_number_idx"]) == cipher.blind_index(first["id_number"], kind="id_number")


async def test_changed_rows_are_updated_and_only_they(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    lines = loaded.files["houses"].read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(lines))
    header, body = rows[0], rows[1:]
    grade = header.index("rental_grade")
    rental = header.index("is_rental")
    body[0][rental], body[0][grade] = "true", "red"
    body[1][header.index("use")] = "other" if body[1][header.index("use")] != "other" else "shop"
    path = tmp_path / "houses.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])
    summary, rejects = await import_file(clean_db, "houses", path, cipher)
    assert not rejects
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 2, len(body) - 2)
    async with clean_db.acquire() as conn:
        red = await conn.fetchval(
            "SELECT count(*) FROM houses WHERE id = $1 AND rental_grade = 'red'", body[0][0]
        )
        rollup = await conn.fetchval(
            "SELECT sum(n) FROM map_cell_counts WHERE layer = 'rentals' AND key = 'red'"
        )
        live = await conn.fetchval("SELECT count(*) FROM houses WHERE rental_grade = 'red'")
    assert red == 1
    assert rollup == live, "the rentals layer was recounted by the import"


async def test_bad_person_rows_are_rejected_with_line_field_and_reason(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    async with clean_db.acquire() as conn:
        address = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE id LIKE '%-001' LIMIT 1"
        )
    good = {"external_id": "N1", "name": "陈新", "address_id": address["id"]}
    lines = [
        msgspec.json.encode(good),  # 1: good
        msgspec.json.encode({"external_id": "N2", "address_id": address["id"]}),  # 2: no name
        msgspec.json.encode({**good, "external_id": "N3", "address_id": "NOPE-1"}),  # 3
        msgspec.json.encode({**good, "external_id": "N1"}),  # 4: duplicate key
        b'{"external_id": "N5", "name": "\xc0\xc1\xff", "address_id": "x"}',  # 5: not UTF-8
        msgspec.json.encode({**good, "external_id": "N6", "id_number": "440310199001011235"}),  # 6
        b"{not json",  # 7
        msgspec.json.encode(  # 8: no such address in words, candidates listed
            {"external_id": "N8", "name": "黄九", "address": "坪山区火星路12号3栋"}
        ),
        msgspec.json.encode(  # 9: the same address written another way: matched
            {
                "external_id": "N9",
                "name": "林十",
                "address": address["text"]
                .replace("深圳市坪山区", "")
                .translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
            }
        ),
        msgspec.json.encode({"external_id": "N10", "name": "钱十一"}),  # 10: no address at all
    ]
    path = tmp_path / "persons.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary, rejects = await import_file(clean_db, "persons", path, cipher)
    assert (summary.read, summary.inserted, summary.rejected) == (10, 2, 8)
    assert_rejected(rejects, 2, "name", "required")
    assert_rejected(rejects, 3, "address_id", "unknown address NOPE-1")
    assert_rejected(rejects, 4, "external_id", "duplicate", "line 1")
    assert_rejected(rejects, 5, None, "UTF-8")
    assert_rejected(rejects, 6, "id_number", "check digit")
    assert_rejected(rejects, 7, None, "malformed JSON")
    assert_rejected(rejects, 8, "address", "火星路")
    assert by_line(rejects)[8].candidates, "an unmatched address lists the best candidates"
    assert_rejected(rejects, 10, "address_id", "required")
    async with clean_db.acquire() as conn:
        matched = await conn.fetchval("SELECT address_id FROM persons WHERE external_id = 'N9'")
    assert matched == address["id"]


async def test_bad_csv_rows_outside_district_wrong_encoding_and_unknown_refs(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    addresses = tmp_path / "addresses.csv"
    addresses.write_bytes(
        "id,text,lat,lon,building_id\n"
        "A1,坪山区新路1号1栋,22.70,114.35,BX\n"  # 2: good
        "A2,南海某处,22.20,114.35,BX\n"  # 3: outside every grid
        "A3,,22.70,114.35,BX\n".encode()  # 4: empty text
        + b"A4,\xb9\xe3\xb6\xab,22.70,114.35,BX\n"  # 5: GBK bytes
        + b"A5,somewhere,north,114.35,BX\n"  # 6: not a number
    )
    summary, rejects = await import_file(clean_db, "addresses", addresses, cipher)
    assert (summary.inserted, summary.rejected) == (1, 4)
    assert_rejected(rejects, 3, "lat", "outside every grid")
    assert_rejected(rejects, 4, "text", "required")
    assert_rejected(rejects, 5, "text", "UTF-8")
    assert_rejected(rejects, 6, "lat")
    houses = tmp_path / "houses.csv"
    houses.write_text(
        "id,building_id,address_id,use,is_rental,rental_grade\n"
        "HX1,NO-SUCH-BUILDING,A1,residence,true,red\n"  # 2: unknown building
        "HX2,B4403100000001,A1,residence,false,red\n"  # 3: grade without rental
        "HX3,B4403100000001,A1,castle,false,\n",  # 4: unknown use
        encoding="utf-8",
    )
    summary, rejects = await import_file(clean_db, "houses", houses, cipher)
    assert (summary.inserted, summary.rejected) == (0, 3)
    assert_rejected(rejects, 2, "building_id", "unknown building NO-SUCH-BUILDING")
    assert_rejected(rejects, 3, "rental_grade", "rental")
    assert_rejected(rejects, 4, "use")


async def test_places_from_geojson_reject_points_outside_the_district(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    async with clean_db.acquire() as conn:
        address = await conn.fetchrow("SELECT id, lat, lon FROM addresses LIMIT 1")

    def feature(pid: str, lon: float, lat: float) -> dict[str, object]:
        props = {"id": pid, "kind": "safety_post", "name": "岗亭", "address_id": address["id"]}
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }

    path = tmp_path / "places.geojson"
    collection = {
        "type": "FeatureCollection",
        "features": [feature("S1", address["lon"], address["lat"]), feature("S2", 120.0, 30.0)],
    }
    path.write_bytes(msgspec.json.encode(collection))
    summary, rejects = await import_file(clean_db, "places", path, cipher)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert_rejected(rejects, 2, "lat", "outside")


async def test_a_failed_import_leaves_the_live_tables_as_they_were(
    loaded: Loaded, clean_db: PgPool, cipher: FieldCipher, tmp_path: Path
) -> None:
    async def fail_after_merge(conn: PgConn) -> None:
        raise RuntimeError("disk full (simulated)")

    spec = dataclasses.replace(KINDS["persons"], after=(fail_after_merge,))
    source = loaded.files["persons"].read_bytes().splitlines()
    changed = [line.replace(b'"name":"', b'"name":"\xe6\x94\xb9', 1) for line in source]
    path = tmp_path / "persons.jsonl"
    path.write_bytes(b"\n".join(changed) + b"\n")
    async with clean_db.acquire() as conn:
        before = await conn.fetch("SELECT external_id, name, updated_at FROM persons ORDER BY 1")
        with pytest.raises(RuntimeError, match="disk full"):
            await run_import(conn, spec, read_rows(path), cipher=cipher)
        after = await conn.fetch("SELECT external_id, name, updated_at FROM persons ORDER BY 1")
        staging_left = await conn.fetchval(
            "SELECT count(*) FROM pg_class WHERE relname = 'stage_persons'"
        )
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert staging_left == 0
