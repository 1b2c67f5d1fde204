"""Residents of special groups in two communities, for the ledger tests."""

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


class Groups(msgspec.Struct, frozen=True, kw_only=True):
    """People of community A by group, and one of community B."""

    corrected: str  # under community correction (checked weekly, strict)
    elderly: list[str]  # six elderly people living alone (monthly)
    untagged: str  # in no group in the block data
    other_community: str  # elderly, living alone, in community B


@pytest.fixture
async def groups(
    clean_db: PgPool, district: Geography, paths: DistrictPaths, app_settings: Settings
) -> Groups:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        sql = "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1"
        a = await conn.fetchval(sql, paths.community_a)
        b = await conn.fetchval(sql, paths.community_b)
        assert a and b, "the synthetic district has addresses in both communities"

        async def person(name: str, address: str, *tags: str, born: int = 1950) -> str:
            return await create_person(
                conn,
                cipher,
                PersonCreate(name=name, address_id=address, tags=list(tags), birth_year=born),
            )

        return Groups(
            corrected=await person("赵矫", a, "community_correction", born=1990),
            elderly=[await person(f"钱老{i}", a, "elderly_alone", born=1940 + i) for i in range(6)],
            untagged=await person("孙普", a, born=1980),
            other_community=await person("李远", b, "elderly_alone"),
        )
