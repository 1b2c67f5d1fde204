"""Authentication of every HTTP request (except routes marked ``public``) by bearer token."""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)

from backend.resources import Resources
from backend.security.tokens import InvalidToken, decode_access_token

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="pingan"'}


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the :class:`Principal` of a valid, unrevoked access token."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Reject a missing, invalid, expired or revoked token with 401."""
        token = bearer_token(connection)
        if token is None:
            raise NotAuthorizedException("missing bearer token", headers=WWW_AUTHENTICATE)
        res: Resources = connection.app.state.resources
        try:
            principal = decode_access_token(res.keyring.signing, token, now=time.time())
        except InvalidToken as exc:
            raise NotAuthorizedException(str(exc), headers=WWW_AUTHENTICATE) from None
        if await res.auth.session_revoked(res.pool, principal.session_id):
            raise NotAuthorizedException(
                "the session has ended; log in again", headers=WWW_AUTHENTICATE
            )
        return AuthenticationResult(user=principal, auth=token)
