"""Per-request dependencies: the caller and an auditor bound to it."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from backend.errors import Unauthorized
from backend.resources import resources_of
from backend.security.context import Auditor, Caller
from backend.security.principal import Principal


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    """DI: who is calling (the authentication middleware has set ``request.user``)."""
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):
        raise Unauthorized("not authenticated")
    return Caller(principal=principal, request_id=request.scope.get("state", {}).get("request_id"))


def provide_auditor(state: State, caller: NamedDependency[Caller]) -> Auditor:
    """DI: an auditor that names the caller on every row."""
    return Auditor(resources_of(state).audit, caller)
