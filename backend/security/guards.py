"""The permission guard: every route names the permission it needs in its ``opt``.

``opt={"permission": Permission.X}`` requires X; ``opt={"authenticated": True}`` only a login;
``opt={"public": True}`` nothing at all. A route that says none of these is refused: new routes
are born guarded.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from backend.resources import Resources
from backend.security.audit import AuditEntry
from backend.security.policy import Permission
from backend.security.principal import Principal


def needs(permission: Permission) -> dict[str, Any]:
    """The ``opt`` of a route that requires ``permission``."""
    return {"permission": permission}


def needs_any(*permissions: Permission) -> dict[str, Any]:
    """The ``opt`` of a route that requires at least one of ``permissions``."""
    return {"permission_any": list(permissions)}


AUTHENTICATED: dict[str, Any] = {"authenticated": True}
PUBLIC: dict[str, Any] = {"public": True}


async def permission_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Allow, or raise 403 (and audit the denial)."""
    opt = handler.opt
    if opt.get("public"):
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise PermissionDeniedException("not authenticated")
    if opt.get("authenticated"):
        return
    any_of = opt.get("permission_any")
    if any_of and any(principal.can(Permission(p)) for p in any_of):
        return
    needed = opt.get("permission") or (" or ".join(any_of) if any_of else None)
    if needed is None:
        raise PermissionDeniedException("this route declares no permission")
    if not any_of and principal.can(Permission(needed)):
        return
    res: Resources = connection.app.state.resources
    async with res.pool.acquire() as conn:
        await res.audit.append(
            conn,
            AuditEntry(
                action="access.permission",
                outcome="denied",
                actor_id=principal.user_id,
                actor_name=principal.username,
                org_path=principal.org_path,
                reason=f"missing permission {needed}",
                request_id=connection.scope.get("state", {}).get("request_id"),
                details={"path": connection.url.path},
            ),
        )
    raise PermissionDeniedException(f"your role lacks the permission {needed}")
