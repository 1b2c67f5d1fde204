"""User accounts in PostgreSQL: create, find, lock, change roles and passwords."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec
from msgspec import Meta

from backend.security.passwords import hash_password, password_problem
from backend.security.policy import LEADER_LEVELS, Capability, Department, Role
from backend.storage.postgres.pool import PgConn
from backend.validation import explain

Username = Annotated[str, Meta(pattern=r"^[a-z0-9_.-]{3,64}$")]


class UserError(ValueError):
    """A user change is invalid; ``field`` names what is wrong."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class User(msgspec.Struct, frozen=True, kw_only=True):
    """An account as the service layer sees it (never with its password hash)."""

    id: str
    username: str
    display_name: str
    org_path: str
    roles: list[Role]
    capabilities: list[Capability]
    locked_until: datetime | None = None
    disabled: bool = False
    department: Department | None = None


class UserCreate(msgspec.Struct, frozen=True, kw_only=True):
    """What creating an account needs."""

    username: Username
    display_name: Annotated[str, Meta(min_length=1, max_length=100)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]
    org_path: Annotated[str, Meta(pattern=r"^[0-9]+(\.[0-9]+)*$")]
    roles: Annotated[list[Role], Meta(min_length=1)]
    capabilities: list[Capability] = msgspec.field(default_factory=list)
    department: Department | None = None  # a department officer's, and only theirs


_COLUMNS = (
    "id::text AS id, username, display_name, org_path, roles, capabilities, locked_until, "
    "disabled, department"
)


def _user(row: asyncpg.Record) -> User:
    return msgspec.convert(dict(row), User)


async def _check_org(conn: PgConn, org_path: str, roles: list[Role]) -> None:
    level = await conn.fetchval("SELECT level FROM org_units WHERE path = $1", org_path)
    if level is None:
        raise UserError(f"org unit {org_path} does not exist", field="org_path")
    for role in roles:
        wanted = LEADER_LEVELS.get(role)
        if wanted is not None and level != wanted:
            raise UserError(
                f"a {role.value} must belong to a {wanted}, not a {level}", field="roles"
            )


async def create_user(conn: PgConn, data: UserCreate) -> User:
    """Insert an account; raises :class:`UserError` for a taken name, weak password or bad org."""
    try:  # Structs built in code skip validation: check the constraints here too
        data = msgspec.convert(msgspec.to_builtins(data), UserCreate)
    except msgspec.ValidationError as exc:
        field, reason = explain(exc)
        raise UserError(reason, field=field) from None
    problem = password_problem(data.password)
    if problem:
        raise UserError(f"password {problem}", field="password")
    if Role.RESPONDER in data.roles and not data.capabilities:
        raise UserError("a responder needs at least one capability", field="capabilities")
    if (Role.DEPARTMENT_OFFICER in data.roles) != (data.department is not None):
        raise UserError(
            "a department officer names a department, and only a department officer does",
            field="department",
        )
    await _check_org(conn, data.org_path, data.roles)
    row = await conn.fetchrow(
        f"""
        INSERT INTO users (username, display_name, password_hash, org_path, roles, capabilities,
                           department)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (username) DO NOTHING
        RETURNING {_COLUMNS}
        """,
        data.username,
        data.display_name,
        hash_password(data.password),
        data.org_path,
        [r.value for r in data.roles],
        [c.value for c in data.capabilities],
        data.department,
    )
    if row is None:
        raise UserError(f"username {data.username} is taken", field="username")
    return _user(row)


async def get_user(conn: PgConn, user_id: str) -> User | None:
    """The account with ``user_id``, or None."""
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", uid)
    return _user(row) if row else None


async def find_user(conn: PgConn, username: str) -> User | None:
    """The account named ``username``, or None."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE username = $1", username.lower())
    return _user(row) if row else None


async def list_users(conn: PgConn, within: str | None = None) -> list[User]:
    """Accounts, optionally only those in the subtree of ``within``."""
    if within is None:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM users ORDER BY username")
    else:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM users WHERE org_path = $1 OR org_path LIKE $1 || '.%' ORDER BY username",
            within,
        )
    return [_user(r) for r in rows]


async def set_locked(conn: PgConn, username: str, *, locked: bool) -> User:
    """Lock an account indefinitely (until unlocked) or unlock it and reset its failures."""
    row = await conn.fetchrow(
        f"""
        UPDATE users SET locked_until = CASE WHEN $2 THEN 'infinity'::timestamptz END,
                         failed_logins = 0, updated_at = now()
        WHERE username = $1 RETURNING {_COLUMNS}
        """,
        username,
        locked,
    )
    if row is None:
        raise UserError(f"no user named {username}", field="username")
    return _user(row)


async def set_password(conn: PgConn, username: str, password: str) -> User:
    """Replace the password and end every session of the account."""
    problem = password_problem(password)
    if problem:
        raise UserError(f"password {problem}", field="password")
    row = await conn.fetchrow(
        f"UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1 RETURNING {_COLUMNS}",
        username,
        hash_password(password),
    )
    if row is None:
        raise UserError(f"no user named {username}", field="username")
    await conn.execute(
        "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'password changed' "
        "WHERE user_id = $1 AND revoked_at IS NULL",
        uuid.UUID(row["id"]),
    )
    return _user(row)
