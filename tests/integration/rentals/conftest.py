"""Rental houses in two communities, for the rental-grading tests."""

from __future__ import annotations

import msgspec
import pytest

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths


class Houses(msgspec.Struct, frozen=True, kw_only=True):
    """House ids of community A and B."""

    roomy: str  # let, 60 m², the block data says green; nobody registered there
    crowded: str  # let, 20 m², the block data gives no grade; a key person lives there
    owned: str  # not let
    other_community: str  # let, in community B


@pytest.fixture
async def houses(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> Houses:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        sql = "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 4"
        a = await conn.fetch(sql, paths.community_a)
        b = await conn.fetch(sql, paths.community_b)
        assert len(a) == 4 and b, "the synthetic district has addresses in both communities"

        async def house(
            hid: str, address: str, area: float, *, rental: bool, grade: str | None
        ) -> str:
            path = await conn.fetchval("SELECT org_path FROM addresses WHERE id = $1", address)
            await conn.execute(
                "INSERT INTO buildings (id, address_id, use, org_path) VALUES ($1, $2, 'village', $3)",
                f"B{hid}",
                address,
                path,
            )
            await conn.execute(
                "INSERT INTO houses (id, building_id, address_id, area_m2, use, is_rental, "
                "rental_grade, org_path) VALUES ($1, $2, $3, $4, 'residence', $5, $6, $7)",
                hid,
                f"B{hid}",
                address,
                area,
                rental,
                grade,
                path,
            )
            return hid

        out = Houses(
            roomy=await house("H1", a[0]["id"], 60.0, rental=True, grade="green"),
            crowded=await house("H2", a[1]["id"], 20.0, rental=True, grade=None),
            owned=await house("H3", a[2]["id"], 90.0, rental=False, grade=None),
            other_community=await house("H4", b[0]["id"], 50.0, rental=True, grade="yellow"),
        )
        await create_person(
            conn,
            cipher,
            PersonCreate(
                name="赵矫", address_id=a[1]["id"], tags=["community_correction"], birth_year=1990
            ),
        )
        await create_person(
            conn, cipher, PersonCreate(name="钱租", address_id=a[1]["id"], birth_year=1995)
        )
        return out
