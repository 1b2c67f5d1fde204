"""``pingan users ...``, ``pingan audit verify`` and ``pingan keys status|rekey``."""

from __future__ import annotations

import getpass
from typing import Any

import click
import msgspec

from backend.cli.common import connect, progress_bar, run, services, settings_from_env
from backend.logs import configure_logging
from backend.security.audit import AuditEntry, AuditLog
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import DEPARTMENTS, Capability, Role
from backend.security.rekey import RekeyReport, key_census, rekey
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
@click.option(
    "--department",
    type=click.Choice(DEPARTMENTS),
    help="A department officer's department (the ledgers it keeps).",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_add(
    username: str,
    display_name: str,
    org_path: str,
    roles: tuple[str, ...],
    capabilities: tuple[str, ...],
    department: str | None,
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
                "department": department,
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


@click.group("keys")
def keys_group() -> None:
    """The data keys: what each still seals, and re-sealing after a rotation."""


async def _keys_status(settings: Settings) -> tuple[str, dict[str, dict[str, int]]]:
    conn = await connect(settings)
    try:
        await migrate(conn)
        return load_keyring(settings).current, await key_census(conn)
    finally:
        await conn.close()


@keys_group.command("status")
def keys_status() -> None:
    """How many values each data key seals, per field (nothing is decrypted)."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        current, census = run(_keys_status(resolved))
    click.echo(f"current key: {current}")
    for field, counts in census.items():
        shown = "  ".join(f"{kid}: {n}" for kid, n in counts.items()) or "(none)"
        click.echo(f"{field:<28} {shown}")


async def _rekey(settings: Settings, batch: int) -> list[RekeyReport]:
    keyring = load_keyring(settings)
    conn = await connect(settings)
    try:
        await migrate(conn)
        with progress_bar() as bar:
            tasks: dict[str, Any] = {}

            def advance(field: str, rows: int) -> None:
                if field not in tasks:
                    tasks[field] = bar.add_task(field, total=None)
                bar.advance(tasks[field], rows)

            reports = await rekey(conn, FieldCipher(keyring), batch=batch, on_batch=advance)
        await AuditLog(keyring.audit).append(
            conn,
            AuditEntry(
                action="keys.rekey",
                actor_name=_actor(),
                object_type="data_key",
                object_id=keyring.current,
                details={r.field: msgspec.to_builtins(r) for r in reports},
            ),
        )
        return reports
    finally:
        await conn.close()


@keys_group.command("rekey")
@click.option(
    "--batch",
    default=2000,
    show_default=True,
    type=click.IntRange(100, 50_000),
    help="Rows per transaction.",
)
def keys_rekey(batch: int) -> None:
    """Re-seal every value under the current key and rewrite stale blind indexes.

    Safe while the system runs (a row written meanwhile is left to that write) and safe to run
    again; run it after putting a new key first in PINGAN_DATA_KEYS, then `pingan keys status`
    shows when the old key seals nothing and may be removed."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        reports = run(_rekey(resolved, batch))
    for report in reports:
        click.echo(msgspec.json.encode(report).decode())
    unreadable = sum(r.unreadable for r in reports)
    if unreadable:
        raise click.ClickException(
            f"{unreadable} value(s) open with no configured key and were left as they are: "
            "keep every key that sealed them in PINGAN_DATA_KEYS"
        )
