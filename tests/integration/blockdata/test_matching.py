"""Address matching on imported addresses: variant forms find the right address first."""

from __future__ import annotations

import random

from backend.api.places.matching import match_address
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths
from tests.integration.blockdata.conftest import Loaded

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def variants(text: str) -> list[str]:
    """Ways a caller or a clerk writes the same address."""
    short = text.replace("深圳市坪山区", "")
    return [
        text,
        short,
        text.translate(FULL_WIDTH),
        short.replace("街道", "").replace("社区", " "),
        short.replace("栋", "号楼").replace("房", "室"),
        "广东省" + text,
    ]


async def test_variant_forms_rank_the_address_first(loaded: Loaded, clean_db: PgPool) -> None:
    async with clean_db.acquire() as conn:
        rows = await conn.fetch("SELECT id, text FROM addresses ORDER BY id")
        rng = random.Random(5)
        for row in rng.sample(list(rows), 40):
            for text in variants(row["text"]):
                found = await match_address(conn, text, limit=3)
                assert found, text
                assert found[0].address_id == row["id"], (text, found[:2])
                assert found[0].score >= 0.99


async def test_a_typo_or_a_missing_word_still_finds_it(loaded: Loaded, clean_db: PgPool) -> None:
    async with clean_db.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id, text FROM addresses WHERE text LIKE '%栋%房' ORDER BY id"
        )
        hits = 0
        sample = random.Random(9).sample(list(rows), 30)
        for row in sample:
            text = row["text"].replace("深圳市坪山区", "")
            street_end = text.index("街道") + 2
            no_street = text[street_end:]  # the street omitted
            found = await match_address(conn, no_street, limit=5)
            hits += bool(found) and found[0].address_id == row["id"]
    assert hits >= 27, f"{hits}/30 first"


async def test_chinese_numerals_are_read_as_digits(loaded: Loaded, clean_db: PgPool) -> None:
    async with clean_db.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE text ~ '号[1-9]栋[1-9]0[1-9]房$' ORDER BY id LIMIT 1"
        )
        text = row["text"]
        building = text[text.index("号") + 1 : text.index("栋")]
        spoken = text.replace(f"号{building}栋", f"号{CN[building]}栋")
        found = await match_address(conn, spoken, limit=3)
    assert found[0].address_id == row["id"]


async def test_within_keeps_one_subtree_and_nonsense_finds_nothing(
    loaded: Loaded, clean_db: PgPool, paths: DistrictPaths
) -> None:
    async with clean_db.acquire() as conn:
        inside = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1", paths.street_a
        )
        outside = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE org_path LIKE $1 || '.%' LIMIT 1", paths.street_b
        )
        mine = await match_address(conn, inside["text"], within=paths.street_a, limit=10)
        theirs = await match_address(conn, outside["text"], within=paths.street_a, limit=10)
        nonsense = await match_address(conn, "!!!", limit=5)
    assert mine[0].address_id == inside["id"]
    assert all(c.org_path.startswith(paths.street_a + ".") for c in mine + theirs)
    assert outside["id"] not in {c.address_id for c in theirs}
    assert nonsense == []
