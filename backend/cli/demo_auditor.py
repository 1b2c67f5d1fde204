"""An auditor acting for one of the demo's accounts, so the demo's records are made through the
same services (and audit rows) as the API's."""

from __future__ import annotations

from datetime import datetime

from backend.security.audit import AuditLog
from backend.security.context import Auditor, Caller
from backend.security.keys import Keyring
from backend.security.policy import Role, permissions_for
from backend.security.principal import Principal
from backend.storage.postgres.pool import PgConn


async def demo_auditor(
    conn: PgConn, keyring: Keyring, username: str, now: datetime
) -> Auditor | None:
    """The account's auditor; None when the demo has no such account."""
    user = await conn.fetchrow(
        "SELECT id::text, username, display_name, org_path, roles FROM users WHERE username = $1",
        username,
    )
    if user is None:
        return None
    roles = frozenset(Role(r) for r in user["roles"])
    return Auditor(
        AuditLog(keyring.audit),
        Caller(
            principal=Principal(
                user_id=user["id"],
                username=user["username"],
                display_name=user["display_name"],
                roles=roles,
                permissions=permissions_for(roles),
                capabilities=frozenset(),
                org_path=user["org_path"],
                session_id="demo",
                expires_at=now.timestamp() + 60,
            )
        ),
    )
