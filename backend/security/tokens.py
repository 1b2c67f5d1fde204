"""Access tokens (JWT, HS256, short-lived) and opaque refresh tokens (stored only as hashes)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import jwt
import msgspec

from backend.security.policy import Role, permissions_for
from backend.security.principal import Principal

ALGORITHM = "HS256"
AUDIENCE = "pingan"


class InvalidToken(ValueError):
    """The token is malformed, forged or expired; the message says which, never the token."""


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    """What an access token carries: enough to authorise without a database round trip."""

    sub: str
    sid: str
    name: str
    dn: str
    roles: list[str]
    caps: list[str]
    org: str
    iat: int
    exp: int
    jti: str
    dept: str | None = None
    aud: str = AUDIENCE
    typ: str = "access"


def issue_access_token(
    key: bytes,
    *,
    user_id: str,
    session_id: str,
    username: str,
    display_name: str,
    roles: list[str],
    capabilities: list[str],
    org_path: str,
    now: float,
    ttl_s: int,
    department: str | None = None,
) -> tuple[str, int]:
    """A signed access token and its expiry (epoch seconds)."""
    exp = int(now) + ttl_s
    claims = AccessClaims(
        sub=user_id,
        sid=session_id,
        name=username,
        dn=display_name,
        roles=roles,
        caps=capabilities,
        org=org_path,
        iat=int(now),
        exp=exp,
        jti=uuid.uuid4().hex,
        dept=department,
    )
    return jwt.encode(msgspec.to_builtins(claims), key, algorithm=ALGORITHM), exp


def decode_access_token(key: bytes, token: str, *, now: float) -> Principal:
    """The principal of a valid access token; raises :class:`InvalidToken` otherwise."""
    try:
        raw = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "sid"], "verify_exp": False},
        )
        claims = msgspec.convert(raw, AccessClaims)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"invalid access token: {type(exc).__name__}") from None
    except msgspec.ValidationError:
        raise InvalidToken("invalid access token: unexpected claims") from None
    # Expiry is checked here against the caller's clock so tests and sockets can pass time in.
    if claims.exp <= now:
        raise InvalidToken("access token expired")
    if claims.typ != "access":
        raise InvalidToken("not an access token")
    try:
        roles = frozenset(Role(r) for r in claims.roles)
    except ValueError:
        raise InvalidToken("access token names an unknown role") from None
    return Principal(
        user_id=claims.sub,
        username=claims.name,
        display_name=claims.dn,
        roles=roles,
        permissions=permissions_for(roles, claims.dept),
        capabilities=frozenset(claims.caps),
        org_path=claims.org,
        session_id=claims.sid,
        expires_at=float(claims.exp),
        department=claims.dept,
    )


def new_refresh_token() -> tuple[str, bytes]:
    """A fresh opaque refresh token and the hash to store in its place."""
    token = "rt_" + secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    """SHA-256 of a refresh token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).digest()
