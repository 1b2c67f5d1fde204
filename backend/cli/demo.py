"""``pingan demo``: everything on embedded defaults, with the synthetic Pingshan district loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from backend.cli.common import connect, console, run, services, settings_from_env
from backend.cli.data import load_blockdata, load_boundaries
from backend.cli.demo_disputes import ensure_demo_disputes
from backend.cli.demo_ledgers import ensure_demo_ledgers
from backend.cli.demo_psych import ensure_demo_psych
from backend.cli.demo_rentals import ensure_demo_rentals
from backend.cli.server import serve_until_stopped
from backend.logs import configure_logging
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.passwords import hash_password
from backend.security.policy import Capability, Department, Role
from backend.security.users import UserCreate, create_user, find_user
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import PgConn


async def _loaded(settings: Settings) -> tuple[bool, bool]:
    """(the jurisdiction tree is loaded, block data is loaded)."""
    conn = await connect(settings)
    try:
        await migrate(conn)
        tree = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM org_units)")
        people = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM persons)")
        return bool(tree), bool(people)
    finally:
        await conn.close()


def prepare_geography(settings: Settings, addresses: int, seed: int) -> None:
    """Generate and import the synthetic district with a moderate block-data set (people, houses,
    enterprises, events, patients, key places in proportion to ``addresses``) once; later runs
    reuse what is in the database. Events end today, so the map's default window shows them."""
    tree, people = run(_loaded(settings))
    if people:
        console.print("block data: already loaded, reusing it")
        return
    from simulators.blockdata import FULL, write_blockdata

    folder = Path(settings.data_dir) / "seed"
    scale = addresses / FULL["addresses"]
    console.print(
        f"block data: generating synthetic Pingshan at scale {scale:.4f} "
        f"(~{addresses:,} addresses) in {folder}"
    )
    files = write_blockdata(folder, scale=scale, seed=seed, end=datetime.now(UTC).date())
    if not tree:
        result = run(load_boundaries(settings, files["boundaries"]))
        console.print(f"geography: {result.units} org units over {result.cells} H3 cells")
    for kind, summary in run(load_blockdata(settings, files)).items():
        console.print(
            f"block data: {summary.inserted:,} {kind} loaded, {summary.rejected} rejected"
        )


DEMO_PASSWORD = "Pingan-demo-2026"  # printed at start; the demo is for a local machine only


async def ensure_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    conn = await connect(settings)
    try:
        district = await conn.fetchval(
            "SELECT path FROM org_units WHERE level = 'district' ORDER BY path LIMIT 1"
        )
        # The community with the most registered patients (the first one when none are loaded),
        # so its case worker, leader and police officer have someone to look after.
        community = await conn.fetchval(
            """
            SELECT o.path FROM org_units o WHERE o.level = 'community'
            ORDER BY (SELECT count(*) FROM patients p
                      WHERE p.org_path = o.path OR p.org_path LIKE o.path || '.%') DESC, o.path
            LIMIT 1
            """
        )
        street = await conn.fetchval("SELECT parent_path FROM org_units WHERE path = $1", community)
        grid = await conn.fetchval(
            "SELECT path FROM org_units WHERE level = 'grid' AND parent_path = $1 ORDER BY path LIMIT 1",
            community,
        )
        plan = [
            ("admin", "系统管理员", district, [Role.ADMIN], []),
            ("district.leader", "区领导", district, [Role.DISTRICT_LEADER], []),
            ("street.leader", "街道领导", street, [Role.STREET_LEADER], []),
            ("community.leader", "社区书记", community, [Role.COMMUNITY_LEADER], []),
            ("operator", "指挥中心值班员", district, [Role.OPERATOR], []),
            ("caseworker", "社区专干", community, [Role.CASE_WORKER], []),
            ("counsellor", "社区心理服务站", community, [Role.COUNSELLOR], []),
            ("street.counsellor", "街道心理服务分中心", street, [Role.COUNSELLOR], []),
            ("gridworker", "社区网格员", community, [Role.GRID_WORKER], []),
            # 部门账号: the street's justice office keeps community correction and released
            # prisoners; the district's civil-affairs bureau the low-income, elderly and children
            ("justice.office", "街道司法所", street, [Role.DEPARTMENT_OFFICER], []),
            ("civil.affairs", "区民政局", district, [Role.DEPARTMENT_OFFICER], []),
            # and the fire brigade, which signs off the fire rectifications it verified
            ("fire.brigade", "区消防救援大队", district, [Role.DEPARTMENT_OFFICER], []),
            ("responder", "社区民警", grid, [Role.RESPONDER], [Capability.POLICE]),
            ("auditor", "审计员", district, [Role.AUDITOR], []),
            ("gateway", "定位网关", district, [Role.GATEWAY], []),
            ("hotline", "热线平台", district, [Role.INTEGRATION], []),
        ]
        departments: dict[str, Department] = {
            "justice.office": "justice",
            "civil.affairs": "civil_affairs",
            "fire.brigade": "fire",
        }
        shown: list[tuple[str, str, str]] = []
        for username, name, org, roles, caps in plan:
            if await find_user(conn, username) is None:
                await create_user(
                    conn,
                    UserCreate(
                        username=username,
                        display_name=name,
                        password=DEMO_PASSWORD,
                        org_path=org,
                        roles=roles,
                        capabilities=caps,
                        department=departments.get(username),
                    ),
                )
            if Role.RESPONDER in roles:
                # The login printed for the responder app must open it: without a row in the
                # registry the app only said "not registered as a responder".
                await conn.execute(
                    "INSERT INTO responders (user_id, mode, team) "
                    "SELECT id, 'vehicle', '社区警务室' FROM users WHERE username = $1 "
                    "ON CONFLICT (user_id) DO NOTHING",
                    username,
                )
            shown.append((username, ",".join(r.value for r in roles), org))
        await _ensure_demo_care_teams(conn, community)
        keyring = load_keyring(settings)
        cipher = FieldCipher(keyring)
        await ensure_demo_psych(conn, cipher, community, street, datetime.now(UTC))
        await ensure_demo_ledgers(conn, cipher, community, datetime.now(UTC))
        await ensure_demo_rentals(conn, cipher, keyring, community, datetime.now(UTC))
        await ensure_demo_disputes(conn, cipher, keyring, datetime.now(UTC))
        return shown
    finally:
        await conn.close()


async def _ensure_demo_care_teams(conn: PgConn, community: str) -> None:
    """Put the demo case worker on the care team of every patient of their community, and the
    demo police officer beside them, so the case-work page's "my patients" and the warnings on
    their phones have someone to show. On the first run only, the two highest-risk of those
    patients are made high-risk (grade 3 at least) with a last visit three weeks old: a small
    community rarely has an overdue high-risk patient on a given day, and the demo should show
    the overdue-follow-up rule raising its warnings (within a minute) and someone handling them."""
    fresh = not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM care_team_members c JOIN users u ON u.id = c.user_id "
        "WHERE u.username = 'caseworker')"
    )
    await conn.execute(
        """
        INSERT INTO care_team_members (patient_id, user_id, role, is_primary)
        SELECT p.person_id, u.id, t.role, t.is_primary
        FROM patients p
        CROSS JOIN (VALUES ('caseworker', 'social_worker', true), ('responder', 'police', false))
             AS t(username, role, is_primary)
        JOIN users u ON u.username = t.username
        WHERE p.org_path = $1 OR p.org_path LIKE $1 || '.%'
        ON CONFLICT DO NOTHING
        """,
        community,
    )
    if fresh:
        await conn.execute(
            """
            UPDATE patients SET last_follow_up_at = now() - interval '21 days', follow_up_due_at = NULL,
                   risk_grade = greatest(risk_grade, 3)
            WHERE person_id IN (
                SELECT person_id FROM patients WHERE org_path = $1 OR org_path LIKE $1 || '.%'
                ORDER BY risk_grade DESC, person_id LIMIT 2)
            """,
            community,
        )


async def create_fleet(
    conn: PgConn, count: int, password: str, *, seed: int = 2026, within: str | None = None
) -> int:
    """Create ``count`` responder accounts (``fleet.0001`` …) over the grids and register them as
    responders; existing ones are kept. Returns how many were new.

    Set-up, not simulation, so it writes rows directly: the password is hashed once (argon2 costs
    ~50 ms a hash) and every account shares that hash, which is fine for a local demo only.
    """
    from simulators.roster import plan_fleet

    grids = [
        r["path"]
        for r in await conn.fetch(
            "SELECT path FROM org_units WHERE level = 'grid' AND ($1::text IS NULL OR path LIKE $1 || '.%') "
            "ORDER BY path",
            within,
        )
    ]
    if not grids:
        raise click.ClickException("no grids to place the fleet in: load the geography first")
    plan = plan_fleet(count, seed, grids)
    hashed = hash_password(password)
    async with conn.transaction():
        created = await conn.fetch(
            """
            INSERT INTO users (username, display_name, password_hash, org_path, roles, capabilities)
            SELECT u, d, $5, o, ARRAY['responder'], string_to_array(c, ',')
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(u, d, o, c)
            ON CONFLICT (username) DO NOTHING RETURNING id
            """,
            [m.username for m in plan],
            [m.display_name for m in plan],
            [m.home_grid for m in plan],
            [",".join(m.capabilities) for m in plan],
            hashed,
        )
        await conn.execute(
            """
            INSERT INTO responders (user_id, mode, team)
            SELECT u.id, t.mode, t.team FROM unnest($1::text[], $2::text[], $3::text[]) AS t(username, mode, team)
            JOIN users u ON u.username = t.username
            ON CONFLICT (user_id) DO NOTHING
            """,
            [m.username for m in plan],
            [m.mode for m in plan],
            [m.team for m in plan],
        )
    return len(created)


async def _ensure_fleet(settings: Settings, count: int, seed: int) -> int:
    conn = await connect(settings)
    try:
        return await create_fleet(conn, count, DEMO_PASSWORD, seed=seed)
    finally:
        await conn.close()


def start_simulators(
    host: str,
    port: int,
    responders: int,
    rate: float,
    seed: int,
    time_scale: float = 1.0,
    duty_share: float | None = None,
) -> subprocess.Popen[Any]:
    """The fleet and the incidents in their own process: clients of the backend like any other."""
    command = [
        sys.executable,
        "-m",
        "backend",
        "simulate",
        "all",
        "--url",
        f"http://{_reachable(host)}:{port}",
        "--responders",
        str(responders),
        "--rate",
        str(rate),
        "--seed",
        str(seed),
        "--status-every",
        "60",
        "--time-scale",
        str(time_scale),
        *(["--duty-share", str(duty_share)] if duty_share is not None else []),
    ]
    env = {**os.environ, "PINGAN_SIM_PASSWORD": DEMO_PASSWORD}
    return subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and CLI


def stop_simulators(proc: subprocess.Popen[Any] | None) -> None:
    """Stop the simulator process (SIGTERM, then SIGKILL after 10 s)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _reachable(host: str) -> str:
    """The address a local client uses for a server bound to ``host``."""
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - comparing, not binding


def print_urls(port: int, host: str, logins: list[tuple[str, str, str]]) -> None:
    """Tell the person at the terminal where to look."""
    base = f"http://{_reachable(host)}:{port}"
    console.rule("[bold]Ping'an Command is running")
    for name, path in (
        ("wall display", "/wall/"),
        ("operator console", "/console/"),
        ("leader view", "/leader/"),
        ("responder app", "/responder/"),
        ("case work", "/casework/"),
        ("psych services", "/psych/"),
        ("ledgers", "/ledgers/"),
        ("rental houses", "/rentals/"),
        ("disputes", "/disputes/"),
        ("API (OpenAPI)", "/schema"),
        ("readiness", "/readyz"),
    ):
        console.print(f"  {name:<18} {base}{path}")
    console.print(f"  logins (password [bold]{DEMO_PASSWORD}[/bold]):")
    for username, roles, org in logins:
        console.print(f"    {username:<18} {roles:<18} {org}")
    console.print("  Ctrl-C stops everything.")


@click.command()
@click.option("--host", default=None, help="Interface to bind (PINGAN_HOST).")
@click.option("--port", type=int, default=None, help="Port to bind (PINGAN_PORT).")
@click.option(
    "--addresses",
    type=click.IntRange(100, 2_000_000),
    default=20_000,
    show_default=True,
    help="Unified addresses to generate on the first run; people, houses, enterprises and "
    "events scale with them (595,500 is the whole of Pingshan).",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Seed of the synthetic district."
)
@click.option(
    "--responders",
    type=click.IntRange(0, 20_000),
    default=300,
    show_default=True,
    help="Simulated responder accounts (created once, kept).",
)
@click.option(
    "--incident-rate",
    type=click.FloatRange(0, 600),
    default=0.5,
    show_default=True,
    help="Simulated incidents per minute.",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(0.1, 1000),
    default=1.0,
    show_default=True,
    help="Speed up simulated movement and human delays (e.g. 60: a 7-minute visit takes 7 s).",
)
@click.option(
    "--duty-share",
    type=click.FloatRange(0, 1),
    default=None,
    help="Share of the fleet on duty (default: by the local time of day, fewer at night).",
)
@click.option(
    "--no-simulators",
    is_flag=True,
    help="Run the system without the fleet and incident simulators.",
)
def demo(
    host: str | None,
    port: int | None,
    addresses: int,
    seed: int,
    responders: int,
    incident_rate: float,
    time_scale: float,
    duty_share: float | None,
    no_simulators: bool,
) -> None:
    """Run the whole system: embedded servers (unless configured), migrations, data, backend,
    and simulators that make the district come alive."""
    settings = settings_from_env(host=host, port=port)
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        prepare_geography(resolved, addresses, seed)
        logins = run(ensure_demo_users(resolved))
        if responders:
            created = run(_ensure_fleet(resolved, responders, seed))
            console.print(f"fleet: {responders} responder accounts ({created} new)")
        simulators: list[subprocess.Popen[Any]] = []

        def started(bound: int) -> None:
            print_urls(bound, resolved.host, logins)
            if not no_simulators and responders:
                simulators.append(
                    start_simulators(
                        resolved.host,
                        bound,
                        responders,
                        incident_rate,
                        seed,
                        time_scale,
                        duty_share,
                    )
                )
                console.print(
                    f"  simulators: {responders} responders, {incident_rate:g} incidents/min"
                )

        try:
            serve_until_stopped(resolved, on_started=started)
        finally:
            for proc in simulators:
                stop_simulators(proc)
