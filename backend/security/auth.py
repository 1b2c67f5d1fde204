"""Login, refresh-token rotation, logout, and the session revocation check.

Refresh tokens rotate on every use. Presenting a token that was already used means it was
copied: the whole session is revoked, for the thief and the owner alike, and the owner logs in
again. Failed logins count per account; the Nth failure locks it for the configured time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from backend.security.audit import AuditEntry, AuditLog
from backend.security.passwords import verify_password
from backend.security.policy import Role, menus_for, permissions_for
from backend.security.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from backend.settings import Settings
from backend.storage.postgres.pool import PgConn, PgPool


class AuthError(Exception):
    """Login or refresh refused; ``code`` is machine-readable, the message safe to show."""

    def __init__(self, code: str, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class OrgUnitRef(msgspec.Struct, frozen=True, kw_only=True):
    """An org unit as the frontends show it."""

    path: str
    level: str
    name_zh: str
    name_en: str


class Me(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user, their jurisdiction and the menus they may open."""

    id: str
    username: str
    display_name: str
    roles: list[str]
    capabilities: list[str]
    org_unit: OrgUnitRef
    menus: list[str]
    permissions: list[str]
    department: str | None = None  # a department officer's: the ledgers they keep


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a login or refresh."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: Me
    token_type: str = "bearer"


async def load_me(conn: PgConn, user_id: uuid.UUID) -> Me:
    """The ``/api/me`` view of a user."""
    row = await conn.fetchrow(
        """
        SELECT u.id::text AS id, u.username, u.display_name, u.roles, u.capabilities,
               u.department, o.path, o.level, o.name_zh, o.name_en
        FROM users u JOIN org_units o ON o.path = u.org_path WHERE u.id = $1
        """,
        user_id,
    )
    if row is None:
        raise AuthError("unauthorized", "the account no longer exists")
    roles = [Role(r) for r in row["roles"]]
    perms = permissions_for(roles, row["department"])
    return Me(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=[r.value for r in roles],
        capabilities=list(row["capabilities"]),
        org_unit=OrgUnitRef(
            path=row["path"], level=row["level"], name_zh=row["name_zh"], name_en=row["name_en"]
        ),
        menus=menus_for(perms),
        permissions=sorted(p.value for p in perms),
        department=row["department"],
    )


class AuthService:
    """Issues and rotates tokens. One per process; stateless apart from the revocation cache."""

    def __init__(self, settings: Settings, signing_key: bytes, audit: AuditLog) -> None:
        self._settings = settings
        self._key = signing_key
        self._audit = audit
        self._revoked_cache: dict[str, tuple[bool, float]] = {}

    async def login(
        self,
        pool: PgPool,
        username: str,
        password: str,
        *,
        request_id: str | None,
        user_agent: str | None,
    ) -> TokenPair:
        """Check the password, count failures, lock after too many; audit either way."""
        name = username.strip().lower()
        # The bookkeeping of a refusal (failure count, lock, audit row) must commit, so the
        # transaction returns the refusal and it is raised only after the commit.
        async with pool.acquire() as conn, conn.transaction():
            outcome = await self._login(conn, name, password, request_id, user_agent)
        if isinstance(outcome, AuthError):
            raise outcome
        return outcome

    async def _login(
        self, conn: PgConn, name: str, password: str, request_id: str | None, user_agent: str | None
    ) -> TokenPair | AuthError:
        row = await conn.fetchrow(
            "SELECT id, password_hash, org_path, failed_logins, locked_until, disabled "
            "FROM users WHERE username = $1 FOR UPDATE",
            name,
        )
        now = datetime.now(UTC)
        # argon2 is deliberately slow (~50 ms): off the event loop, or every login stalls the node.
        ok = await asyncio.to_thread(
            verify_password, row["password_hash"] if row else None, password
        )
        entry = AuditEntry(
            action="auth.login",
            actor_id=str(row["id"]) if row else None,
            actor_name=name[:64],
            org_path=row["org_path"] if row else None,
            request_id=request_id,
        )
        if row is not None and row["locked_until"] is not None and row["locked_until"] > now:
            await self._audit.append(
                conn, msgspec.structs.replace(entry, outcome="denied", reason="locked")
            )
            return AuthError(
                "locked",
                "the account is locked; try again later or ask an administrator",
                status=423,
            )
        if row is None or not ok or row["disabled"]:
            reason = (
                "unknown user"
                if row is None
                else ("disabled" if row["disabled"] else "wrong password")
            )
            if row is not None and not row["disabled"]:
                failures = row["failed_logins"] + 1
                lock = failures >= self._settings.login_max_failures
                await conn.execute(
                    "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1",
                    row["id"],
                    0 if lock else failures,
                    now + timedelta(seconds=self._settings.login_lockout_s) if lock else None,
                )
                if lock:
                    reason += f"; locked after {failures} failures"
            await self._audit.append(
                conn, msgspec.structs.replace(entry, outcome="failed", reason=reason)
            )
            return AuthError("invalid_credentials", "wrong username or password")
        await conn.execute(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", row["id"]
        )
        session_id = await conn.fetchval(
            "INSERT INTO auth_sessions (user_id, user_agent) VALUES ($1, $2) RETURNING id",
            row["id"],
            (user_agent or "")[:200],
        )
        await self._audit.append(conn, entry)
        return await self._issue(conn, row["id"], session_id)

    async def refresh(
        self, pool: PgPool, refresh_token: str, *, request_id: str | None
    ) -> TokenPair:
        """Rotate a refresh token; a reused one revokes its whole session."""
        # A revocation for reuse must commit before the refusal is raised.
        async with pool.acquire() as conn, conn.transaction():
            outcome = await self._refresh(conn, hash_refresh_token(refresh_token), request_id)
        if isinstance(outcome, AuthError):
            raise outcome
        return outcome

    async def _refresh(
        self, conn: PgConn, digest: bytes, request_id: str | None
    ) -> TokenPair | AuthError:
        row = await conn.fetchrow(
            """
            SELECT t.session_id, t.expires_at, t.used_at, s.revoked_at, s.user_id, u.org_path, u.disabled,
                   u.locked_until
            FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
            WHERE t.token_hash = $1 FOR UPDATE OF t, s
            """,
            digest,
        )
        now = datetime.now(UTC)
        if row is None:
            return AuthError("invalid_refresh", "unknown refresh token; log in again")
        if row["used_at"] is not None:
            await self._revoke(conn, row["session_id"], "refresh token reused")
            await self._audit.append(
                conn,
                AuditEntry(
                    action="auth.refresh",
                    outcome="denied",
                    actor_id=str(row["user_id"]),
                    org_path=row["org_path"],
                    reason="reused refresh token: session revoked",
                    request_id=request_id,
                ),
            )
            return AuthError("invalid_refresh", "refresh token already used; the session was ended")
        if (
            row["revoked_at"] is not None
            or row["expires_at"] <= now
            or row["disabled"]
            or (row["locked_until"] is not None and row["locked_until"] > now)
        ):
            return AuthError("invalid_refresh", "the session has ended; log in again")
        await conn.execute(
            "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", digest
        )
        return await self._issue(conn, row["user_id"], row["session_id"])

    async def logout(self, pool: PgPool, refresh_token: str, *, request_id: str | None) -> None:
        """End the session the refresh token belongs to (idempotent)."""
        digest = hash_refresh_token(refresh_token)
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT s.id, s.user_id, u.org_path FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id "
                "JOIN users u ON u.id = s.user_id WHERE t.token_hash = $1",
                digest,
            )
            if row is None:
                return
            await self._revoke(conn, row["id"], "logout")
            await self._audit.append(
                conn,
                AuditEntry(
                    action="auth.logout",
                    actor_id=str(row["user_id"]),
                    org_path=row["org_path"],
                    request_id=request_id,
                ),
            )

    async def _revoke(self, conn: PgConn, session_id: uuid.UUID, reason: str) -> None:
        await conn.execute(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
            session_id,
            reason,
        )
        # Phones of an ended session must not be woken for this user any more.
        await conn.execute("DELETE FROM push_subscriptions WHERE session_id = $1", session_id)
        self._revoked_cache[str(session_id)] = (True, time.monotonic())

    async def _issue(self, conn: PgConn, user_id: uuid.UUID, session_id: uuid.UUID) -> TokenPair:
        me = await load_me(conn, user_id)
        token, digest = new_refresh_token()
        await conn.execute(
            "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + $3::interval)",
            digest,
            session_id,
            timedelta(seconds=self._settings.refresh_token_ttl_s),
        )
        ttl = self._settings.access_token_ttl_s
        access, _ = issue_access_token(
            self._key,
            user_id=me.id,
            session_id=str(session_id),
            username=me.username,
            display_name=me.display_name,
            roles=me.roles,
            capabilities=me.capabilities,
            org_path=me.org_unit.path,
            now=time.time(),
            ttl_s=ttl,
            department=me.department,
        )
        return TokenPair(access_token=access, refresh_token=token, expires_in=ttl, user=me)

    async def session_revoked(
        self, pool: PgPool, session_id: str, *, max_age_s: float = 5.0
    ) -> bool:
        """Whether the session was ended; answers from a cache at most ``max_age_s`` old."""
        cached = self._revoked_cache.get(session_id)
        now = time.monotonic()
        if cached is not None and (cached[0] or now - cached[1] < max_age_s):
            return cached[0]
        try:
            sid = uuid.UUID(session_id)
        except ValueError:
            return True
        async with pool.acquire() as conn:
            revoked: Any = await conn.fetchval(
                "SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE id = $1", sid
            )
        result = revoked is None or bool(revoked)
        if len(self._revoked_cache) > 50_000:  # bound memory; entries are cheap to re-read
            self._revoked_cache.clear()
        self._revoked_cache[session_id] = (result, now)
        return result
