"""The leaders' governance overview: each service's outstanding work summed up the tree, the
small-count rule on ledger figures, and a service the caller may not read left out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from backend.api.people.schemas import PersonCreate
from backend.api.people.services import create_person
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]


async def test_each_units_outstanding_work_for_a_leader_and_what_an_operator_may_see(
    client: Client,
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
    district: Geography,
    app_settings: Settings,
) -> None:
    cipher = FieldCipher(load_keyring(app_settings))
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        address, grid = await conn.fetchrow(
            "SELECT id, org_path FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            paths.community_a,
        )
        await conn.execute(
            "INSERT INTO buildings (id, address_id, use, org_path) VALUES ('B1', $1, 'village', $2)",
            address,
            grid,
        )
        await conn.execute(
            "INSERT INTO houses (id, building_id, address_id, use, is_rental, rental_grade, "
            "org_path) VALUES ('H1', 'B1', $1, 'residence', true, 'red', $2)",
            address,
            grid,
        )
        user = await make_user("cw.a", paths.community_a, Role.CASE_WORKER)
        for i in range(6):  # six overdue checks: published; one need open: "<5"
            person = await create_person(
                conn,
                cipher,
                PersonCreate(name=f"钱老{i}", address_id=address, tags=["elderly_alone"]),
            )
            await conn.execute(
                "INSERT INTO ledger_entries (id, person_id, grp, since, check_days, due_at, "
                "needs_help, org_path, created_by, created_by_name) VALUES ($1, $2, "
                "'elderly_alone', current_date, 30, $3, $4, $5, $6, 'X')",
                uuid.uuid4(),
                uuid.UUID(person),
                datetime.now(UTC) - timedelta(days=2),
                i == 0,
                grid,
                uuid.UUID(user.id),
            )
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("op.d", paths.district, Role.OPERATOR)
    leader = await login(client, "lead.d")
    worker = await login(client, "cw.a")
    r = await client.post(
        "/api/disputes",
        json={
            "id": str(uuid.uuid4()),
            "kind": "labour",
            "title": "拖欠工资",
            "parties": 12,
            "risk": "high",
            "source": "hotline",
            "address_id": address,
            "at": datetime.now(UTC).isoformat(),
        },
        headers=worker,
    )
    assert r.status_code == 201, r.text

    page = await client.get("/api/governance/units?level=community", headers=leader)
    assert page.status_code == 200, page.text
    units = {u["org_path"]: u for u in page.json()["units"]}
    a, b = units[paths.community_a], units[paths.community_b]
    assert a["disputes"] == {"live": 1, "high": 1, "overdue": 0}
    assert a["rentals"] == {"red": 1, "inspections_overdue": 0, "rectifications_overdue": 0}
    assert a["ledgers"] == {"overdue": 6, "needs_help": None}  # 1 of people: "<5"
    assert a["warnings"] == {"live": 1, "serious": 1}  # the high-risk dispute
    assert a["psych"] == {"crises": 0}
    assert b["disputes"] == {"live": 0, "high": 0, "overdue": 0}
    total = page.json()["total"]
    assert total["org_path"] == paths.district and total["disputes"]["live"] == 1

    operator = await login(client, "op.d")
    seen = (await client.get("/api/governance/units", headers=operator)).json()
    assert all(
        (u["ledgers"], u["rentals"], u["disputes"]) == (None, None, None) for u in seen["units"]
    )
    # a crisis (about a person: one is withheld), and who may count it
    await clean_db.execute(
        "INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level) "
        "VALUES ('psych_crisis', 'person', $1, $2, 'serious')",
        str(uuid.uuid4()),
        grid,
    )
    again = (await client.get("/api/governance/units?level=community", headers=leader)).json()
    a = next(u for u in again["units"] if u["org_path"] == paths.community_a)
    assert a["psych"] == {"crises": None} and a["warnings"] == {"live": 2, "serious": 2}

    assert (await client.get("/api/governance/units", headers=worker)).status_code == 403
