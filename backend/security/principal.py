"""Who is asking: the authenticated principal and the jurisdiction rule."""

from __future__ import annotations

import msgspec

from backend.security.policy import Permission, Role


def within(path: str, jurisdiction: str) -> bool:
    """True when org unit ``path`` is ``jurisdiction`` or lies below it."""
    return path == jurisdiction or path.startswith(jurisdiction + ".")


def jurisdiction_sql(column: str, param: int) -> str:
    """SQL that keeps rows whose ``column`` lies in the jurisdiction bound to ``$param``.

    Org paths are digits and dots only (a CHECK constraint), so LIKE needs no escaping, and the
    ``text_pattern_ops`` indexes on path columns serve the prefix match.
    """
    return f"({column} = ${param} OR {column} LIKE ${param} || '.%')"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The user behind a request or a socket, as the access token says."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    permissions: frozenset[Permission]
    capabilities: frozenset[str]
    org_path: str
    session_id: str
    expires_at: float
    department: str | None = None  # a department officer's (部门账号), else None

    def can(self, permission: Permission) -> bool:
        """Whether any of the principal's roles grants ``permission``."""
        return permission in self.permissions

    def covers(self, org_path: str | None) -> bool:
        """Whether a record of ``org_path`` lies in the principal's jurisdiction."""
        return org_path is not None and within(org_path, self.org_path)
