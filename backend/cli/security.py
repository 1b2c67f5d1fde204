"""``pingan users ...`` and ``pingan audit verify``."""

from __future__ import annotations

import getpass
from typing import Any

import click
import msgspec

from backend.cli.common import connect, run, services, settings_from_env
from backend.logs import configure_logging
from backend.security.audit import AuditEntry, AuditLog
from backend.security.keys import load_keyring
from backend.security.policy import Capability, Role
from backend.security.users import (
    User,
    UserCreate,
    UserError,
    create_user,
    list_users,
    set_locked,
    set_password,
)
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


async def _with_conn(settings: Settings, work: Any) -> Any:
    conn = await connect(settings)
    try:
        await migrate(conn)
        async with conn.transaction():
            return await work(conn, AuditLog(load_keyring(settings).audit))
    finally:
        await conn.close()


def _do(work: Any) -> Any:
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        try:
            return run(_with_conn(resolved, work))
        except UserError as exc:
            where = f"{exc.field}: " if exc.field else ""
            raise click.ClickException(f"{where}{exc}") from None


def _show(user: User) -> str:
    flags = " [locked]" if user.locked_until else ""
    caps = f" caps={','.join(user.capabilities)}" if user.capabilities else ""
    return f"{user.username:<24} {user.org_path:<18} {','.join(user.roles)}{caps}{flags}"


@click.group("users")
def users_group() -> None:
    """Manage user accounts (administrators)."""


@users_group.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--org", "org_path", required=True, help="Org unit path, e.g. 440310.01.02.")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option(
    "--capability", "capabilities", multiple=True, type=click.Choice([c.value for c in Capability])
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_add(
    username: str,
    display_name: str,
    org_path: str,
    roles: tuple[str, ...],
    capabilities: tuple[str, ...],
    password: str,
) -> None:
    """Create an account."""
    try:
        data = msgspec.convert(
            {
                "username": username,
                "display_name": display_name,
                "password": password,
                "org_path": org_path,
                "roles": list(roles),
                "capabilities": list(capabilities),
            },
            UserCreate,
        )
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc)) from None

    async def work(conn: Any, audit: AuditLog) -> User:
        user = await create_user(conn, data)
        await audit.append(
            conn,
            AuditEntry(
                action="user.create",
                actor_name=_actor(),
                object_type="user",
                object_id=user.id,
                org_path=user.org_path,
                details={"roles": list(roles), "capabilities": list(capabilities)},
            ),
        )
        return user

    click.echo(_show(_do(work)))


@users_group.command("list")
@click.option("--within", default=None, help="Only accounts in this org unit's subtree.")
def users_list(within: str | None) -> None:
    """List accounts."""

    async def work(conn: Any, _audit: AuditLog) -> list[User]:
        return await list_users(conn, within)

    for user in _do(work):
        click.echo(_show(user))


def _lock_command(name: str, locked: bool) -> click.Command:
    @click.command(name)
    @click.argument("username")
    def command(username: str) -> None:
        async def work(conn: Any, audit: AuditLog) -> User:
            user = await set_locked(conn, username, locked=locked)
            await audit.append(
                conn,
                AuditEntry(
                    action=f"user.{name}",
                    actor_name=_actor(),
                    object_type="user",
                    object_id=user.id,
                    org_path=user.org_path,
                ),
            )
            return user

        click.echo(_show(_do(work)))

    command.help = f"{name.capitalize()} an account."
    return command


users_group.add_command(_lock_command("lock", True))
users_group.add_command(_lock_command("unlock", False))


@users_group.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_set_password(username: str, password: str) -> None:
    """Replace a password and end the account's sessions."""

    async def work(conn: Any, audit: AuditLog) -> User:
        user = await set_password(conn, username, password)
        await audit.append(
            conn,
            AuditEntry(
                action="user.set_password",
                actor_name=_actor(),
                object_type="user",
                object_id=user.id,
                org_path=user.org_path,
            ),
        )
        return user

    click.echo(_show(_do(work)))


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken row (exit 1 when broken)."""

    async def work(conn: Any, audit: AuditLog) -> Any:
        return await audit.verify_chain(conn)

    report = _do(work)
    if report.ok:
        click.echo(f"audit chain intact: {report.rows} rows")
        return
    raise click.ClickException(
        f"audit chain broken at row {report.first_broken_seq}: {report.problem}"
    )
