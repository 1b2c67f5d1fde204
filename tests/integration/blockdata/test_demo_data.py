"""``pingan demo`` loads a moderate block-data set on first run, so every map layer has data,
and reuses it on the next run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from backend.cli.demo import ensure_demo_users, prepare_geography
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool, init_connection
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


def test_the_demo_case_worker_has_patients_and_two_of_them_are_overdue_once(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=6_000, seed=1)
    asyncio.run(ensure_demo_users(app_settings))

    async def team() -> tuple[int, int, list[Any]]:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            worker = await conn.fetchrow(
                "SELECT id, org_path FROM users WHERE username = 'caseworker'"
            )
            scope = "(p.org_path = $1 OR p.org_path LIKE $1 || '.%')"
            patients = await conn.fetchval(
                f"SELECT count(*) FROM patients p WHERE {scope}", worker["org_path"]
            )
            mine = await conn.fetchval(
                "SELECT count(*) FROM care_team_members WHERE user_id = $1 AND role = 'social_worker'",
                worker["id"],
            )
            overdue = await conn.fetch(
                f"SELECT risk_grade, last_follow_up_at FROM patients p WHERE {scope} "
                "AND last_follow_up_at < now() - interval '20 days'",
                worker["org_path"],
            )
            return patients, mine, list(overdue)
        finally:
            await conn.close()

    patients, mine, overdue = asyncio.run(team())
    assert patients >= 2, "the demo community has patients to show"
    assert mine == patients
    assert len(overdue) >= 2
    assert sum(r["risk_grade"] >= 3 for r in overdue) >= 2

    # A second start keeps whatever happened since: no patient is made overdue again.
    async def visit_all() -> None:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            await conn.execute("UPDATE patients SET last_follow_up_at = now()")
        finally:
            await conn.close()

    asyncio.run(visit_all())
    asyncio.run(ensure_demo_users(app_settings))
    assert asyncio.run(team())[2] == []


def test_the_demo_counsellor_finds_a_month_of_screenings_and_one_crisis_once(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=6_000, seed=1)
    asyncio.run(ensure_demo_users(app_settings))

    async def psych() -> tuple[int, list[Any], int, int]:
        conn = await asyncpg.connect(app_settings.database_url)
        await init_connection(conn)
        try:
            community = await conn.fetchval(
                "SELECT org_path FROM users WHERE username = 'counsellor'"
            )
            assessed = await conn.fetchval(
                "SELECT count(*) FROM psych_assessments WHERE org_path LIKE $1 || '.%'", community
            )
            crises = await conn.fetch(
                "SELECT level, details FROM early_warnings WHERE rule = 'psych_crisis' "
                "AND state = 'open'"
            )
            instructed = await conn.fetchval(
                "SELECT count(*) FROM psych_instruction_targets WHERE org_path = $1", community
            )
            activities = await conn.fetchval("SELECT count(*) FROM psych_activities")
            return assessed, list(crises), instructed, activities
        finally:
            await conn.close()

    first = asyncio.run(psych())
    assessed, crises, instructed, activities = first
    assert assessed == 24
    assert [c["level"] for c in crises if c["details"]["self_harm"]] == ["serious"]
    assert (instructed, activities) == (1, 1)
    asyncio.run(ensure_demo_users(app_settings))  # a second start makes nothing new
    assert asyncio.run(psych()) == first


def test_the_demo_case_worker_keeps_ledgers_with_two_checks_overdue_once(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=6_000, seed=1)
    asyncio.run(ensure_demo_users(app_settings))

    async def ledgers() -> tuple[int, int, int, int]:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            worker = await conn.fetchval("SELECT id FROM users WHERE username = 'caseworker'")
            row = await conn.fetchrow(
                "SELECT count(*) AS n, count(*) FILTER (WHERE due_at < now()) AS overdue, "
                "count(*) FILTER (WHERE officer_id = $1) AS mine FROM ledger_entries",
                worker,
            )
            checks = await conn.fetchval("SELECT count(*) FROM ledger_checks")
            return row["n"], row["overdue"], row["mine"], checks
        finally:
            await conn.close()

    first = asyncio.run(ledgers())
    registered, overdue, mine, checks = first
    assert registered >= 10 and mine == registered and checks == registered
    assert overdue >= 2
    asyncio.run(ensure_demo_users(app_settings))  # a second start makes nothing new
    assert asyncio.run(ledgers()) == first


def test_the_demo_grid_worker_has_inspected_rental_houses_once(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=6_000, seed=1)
    asyncio.run(ensure_demo_users(app_settings))

    async def rentals() -> tuple[int, int, int, int, int]:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            row = await conn.fetchrow(
                "SELECT count(*) AS n, count(*) FILTER (WHERE s.due_at < now()) AS overdue, "
                "count(*) FILTER (WHERE s.grade = 'red') AS red, "
                "count(*) FILTER (WHERE h.rental_grade IS DISTINCT FROM s.grade) AS differ "
                "FROM rental_status s JOIN houses h ON h.id = s.house_id"
            )
            hazards = await conn.fetchval(
                "SELECT count(*) FROM rental_hazards WHERE cleared_at IS NULL AND due_at < now()"
            )
            return row["n"], row["overdue"], row["red"], row["differ"], hazards
        finally:
            await conn.close()

    first = asyncio.run(rentals())
    inspected, overdue, red, differ, overdue_hazards = first
    assert inspected == 8 and differ == 0  # the houses carry the inspections' grades
    assert overdue >= 1 and red >= 1 and overdue_hazards >= 2
    asyncio.run(ensure_demo_users(app_settings))  # a second start makes nothing new
    assert asyncio.run(rentals()) == first


def test_the_demo_has_disputes_at_every_stage_once(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=6_000, seed=1)
    asyncio.run(ensure_demo_users(app_settings))

    async def disputes() -> tuple[list[str], int, int, int]:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            statuses = [
                r["status"] for r in await conn.fetch("SELECT status FROM disputes ORDER BY status")
            ]
            overdue = await conn.fetchval(
                "SELECT count(*) FROM disputes WHERE status IN ('open', 'mediating') "
                "AND due_at < now()"
            )
            warned = await conn.fetchval(
                "SELECT count(*) FROM early_warnings WHERE rule = 'dispute_high_risk'"
            )
            screenings = await conn.fetchval("SELECT count(*) FROM dispute_screenings")
            return statuses, overdue, warned, screenings
        finally:
            await conn.close()

    first = asyncio.run(disputes())
    statuses, overdue, warned, screenings = first
    assert statuses == ["mediating", "open", "open", "open", "referred", "resolved"]
    assert overdue >= 1 and warned == 1 and screenings == 3
    asyncio.run(ensure_demo_users(app_settings))  # a second start makes nothing new
    assert asyncio.run(disputes()) == first


def test_the_demo_has_a_justice_office_a_civil_affairs_bureau_and_a_fire_brigade(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> None:
    prepare_geography(app_settings, addresses=1_500, seed=1)
    asyncio.run(ensure_demo_users(app_settings))
    asyncio.run(ensure_demo_users(app_settings))  # a second start makes nothing new

    async def departments() -> list[tuple[str, str, str, list[str]]]:
        conn = await asyncpg.connect(app_settings.database_url)
        try:
            rows = await conn.fetch(
                "SELECT u.username, u.department, o.level, u.roles FROM users u "
                "JOIN org_units o ON o.path = u.org_path WHERE u.department IS NOT NULL "
                "ORDER BY u.username"
            )
            return [(r[0], r[1], r[2], list(r[3])) for r in rows]
        finally:
            await conn.close()

    assert asyncio.run(departments()) == [
        ("civil.affairs", "civil_affairs", "district", ["department_officer"]),
        ("fire.brigade", "fire", "district", ["department_officer"]),
        ("justice.office", "justice", "street", ["department_officer"]),
    ]
