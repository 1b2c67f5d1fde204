"""``/api/auth/*`` and ``/api/me``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT
from msgspec import Meta

from backend.errors import ApiError, Unauthorized
from backend.security.auth import AuthError, AuthService, Me, TokenPair, load_me
from backend.security.context import Caller
from backend.security.guards import AUTHENTICATED, PUBLIC
from backend.storage.postgres.pool import PgPool


class LoginRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Username and password."""

    username: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class RefreshRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A refresh token from a previous login or refresh."""

    refresh_token: Annotated[str, Meta(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


def _request_id(request: Request[Any, Any, Any]) -> str | None:
    rid: str | None = request.scope.get("state", {}).get("request_id")
    return rid


def _refused(exc: AuthError) -> ApiError:
    headers = {"WWW-Authenticate": 'Bearer realm="pingan"'} if exc.status == 401 else None
    return ApiError(str(exc), code=exc.code, status_code=exc.status, headers=headers)


class AuthController(Controller):
    """Sign in, rotate tokens, sign out."""

    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012

    @post("/login", opt=PUBLIC, status_code=200, summary="Exchange a password for tokens")
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        pool: NamedDependency[PgPool],
        auth: NamedDependency[AuthService],
    ) -> Response[TokenPair]:
        """200 with tokens; 401 wrong credentials; 423 locked."""
        try:
            pair = await auth.login(
                pool,
                data.username,
                data.password,
                request_id=_request_id(request),
                user_agent=request.headers.get("user-agent"),
            )
        except AuthError as exc:
            raise _refused(exc) from None
        return Response(pair, headers={"Cache-Control": "no-store"})

    @post("/refresh", opt=PUBLIC, status_code=200, summary="Rotate a refresh token")
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshRequest],
        pool: NamedDependency[PgPool],
        auth: NamedDependency[AuthService],
    ) -> Response[TokenPair]:
        """200 with a new pair; 401 when the token is unknown, used or its session ended."""
        try:
            pair = await auth.refresh(pool, data.refresh_token, request_id=_request_id(request))
        except AuthError as exc:
            raise _refused(exc) from None
        return Response(pair, headers={"Cache-Control": "no-store"})

    @post("/logout", opt=PUBLIC, status_code=HTTP_204_NO_CONTENT, summary="End the session")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshRequest],
        pool: NamedDependency[PgPool],
        auth: NamedDependency[AuthService],
    ) -> None:
        """Always 204, so a client can log out twice without an error."""
        await auth.logout(pool, data.refresh_token, request_id=_request_id(request))


class MeController(Controller):
    """The signed-in user."""

    path = "/api/me"
    tags = ["auth"]  # noqa: RUF012

    @get("/", opt=AUTHENTICATED, summary="Who am I, where, and which menus")
    async def me(self, caller: NamedDependency[Caller], pool: NamedDependency[PgPool]) -> Me:
        """The user, roles, jurisdiction and menus."""
        async with pool.acquire() as conn:
            try:
                return await load_me(conn, uuid.UUID(caller.principal.user_id))
            except AuthError as exc:
                raise Unauthorized(str(exc)) from None
