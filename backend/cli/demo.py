"""``pingan demo``: everything on embedded defaults, with the synthetic Pingshan district loaded."""

from __future__ import annotations

from pathlib import Path

import click

from backend.cli.common import connect, console, run, services, settings_from_env
from backend.cli.data import load_addresses, load_boundaries
from backend.cli.server import serve_until_stopped
from backend.logs import configure_logging
from backend.security.policy import Capability, Role
from backend.security.users import UserCreate, create_user, find_user
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate


async def _needs_geography(settings: Settings) -> bool:
    conn = await connect(settings)
    try:
        await migrate(conn)
        return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM org_units)")
    finally:
        await conn.close()


def prepare_geography(settings: Settings, addresses: int, seed: int) -> None:
    """Generate and import the synthetic district once; later runs reuse what is in the database."""
    if not run(_needs_geography(settings)):
        console.print("geography: already loaded, reusing it")
        return
    from simulators.geography import write_geography

    folder = Path(settings.data_dir) / "seed"
    console.print(
        f"geography: generating synthetic Pingshan with {addresses:,} addresses in {folder}"
    )
    boundaries, address_file = write_geography(folder, addresses=addresses, seed=seed)
    result = run(load_boundaries(settings, boundaries))
    console.print(f"geography: {result.units} org units over {result.cells} H3 cells")
    summary = run(
        load_addresses(settings, address_file, address_file.with_suffix(".rejects.jsonl"))
    )
    console.print(f"geography: {summary.inserted:,} addresses loaded, {summary.rejected} rejected")


DEMO_PASSWORD = "Pingan-demo-2026"  # printed at start; the demo is for a local machine only


async def _ensure_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    conn = await connect(settings)
    try:
        district = await conn.fetchval(
            "SELECT path FROM org_units WHERE level = 'district' ORDER BY path LIMIT 1"
        )
        street = await conn.fetchval(
            "SELECT path FROM org_units WHERE level = 'street' ORDER BY path LIMIT 1"
        )
        community = await conn.fetchval(
            "SELECT path FROM org_units WHERE level = 'community' AND parent_path = $1 ORDER BY path LIMIT 1",
            street,
        )
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
            ("responder", "社区民警", grid, [Role.RESPONDER], [Capability.POLICE]),
            ("auditor", "审计员", district, [Role.AUDITOR], []),
            ("gateway", "定位网关", district, [Role.GATEWAY], []),
            ("hotline", "热线平台", district, [Role.INTEGRATION], []),
        ]
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
                    ),
                )
            shown.append((username, ",".join(r.value for r in roles), org))
        return shown
    finally:
        await conn.close()


def print_urls(port: int, host: str, logins: list[tuple[str, str, str]]) -> None:
    """Tell the person at the terminal where to look."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - comparing, not binding
    base = f"http://{shown}:{port}"
    console.rule("[bold]Ping'an Command is running")
    for name, path in (
        ("wall display", "/wall/"),
        ("operator console", "/console/"),
        ("leader view", "/leader/"),
        ("responder app", "/responder/"),
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
    help="Unified addresses to generate on the first run.",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Seed of the synthetic district."
)
def demo(host: str | None, port: int | None, addresses: int, seed: int) -> None:
    """Run the whole system: embedded servers (unless configured), migrations, data, backend."""
    settings = settings_from_env(host=host, port=port)
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        prepare_geography(resolved, addresses, seed)
        logins = run(_ensure_demo_users(resolved))
        serve_until_stopped(
            resolved, on_started=lambda bound: print_urls(bound, resolved.host, logins)
        )
