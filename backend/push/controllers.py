"""``/api/push``: the VAPID key and this session's push subscription."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta

from backend.errors import ApiError
from backend.security.context import Caller
from backend.security.guards import AUTHENTICATED
from backend.storage.postgres.pool import PgPool

B64Url = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]+={0,2}$", max_length=200)]


class SubscriptionKeys(msgspec.Struct, frozen=True, kw_only=True):
    """The keys of a browser's PushSubscription."""

    p256dh: B64Url
    auth: B64Url


class PushSubscriptionIn(msgspec.Struct, frozen=True, kw_only=True):
    """``PushSubscription.toJSON()`` as the browser gives it."""

    endpoint: Annotated[str, Meta(pattern=r"^https?://[^\s]+$", max_length=2000)]
    keys: SubscriptionKeys


class VapidKey(msgspec.Struct, frozen=True, kw_only=True):
    """The application server key for ``pushManager.subscribe``."""

    public_key: str


class PushController(Controller):
    """Subscribe this login session's phone to Web Push."""

    path = "/api/push"
    tags = ["push"]  # noqa: RUF012

    @get("/vapid-public-key", opt=AUTHENTICATED, summary="The VAPID application server key")
    async def vapid_key(self, state: State) -> VapidKey:
        """Base64url, uncompressed P-256 point."""
        return VapidKey(public_key=state.vapid_public_key)

    @post(
        "/subscriptions",
        opt=AUTHENTICATED,
        status_code=204,
        summary="Register this session's subscription",
    )
    async def subscribe(
        self,
        data: JSONBody[PushSubscriptionIn],
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        state: State,
    ) -> None:
        """Tied to the login session: logging out removes it."""
        if (
            not data.endpoint.startswith("https://")
            and not state.resources.settings.push_allow_insecure
        ):
            raise ApiError(
                "push endpoints must use https", field="endpoint", code="insecure_endpoint"
            )
        await pool.execute(
            """
            INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id,
                p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, failures = 0
            """,
            uuid.UUID(caller.principal.user_id),
            uuid.UUID(caller.principal.session_id),
            data.endpoint,
            data.keys.p256dh,
            data.keys.auth,
        )

    @delete(
        "/subscriptions",
        opt=AUTHENTICATED,
        status_code=204,
        summary="Remove this session's subscriptions",
    )
    async def unsubscribe(
        self, caller: NamedDependency[Caller], pool: NamedDependency[PgPool]
    ) -> None:
        """For a phone that turns notifications off."""
        await pool.execute(
            "DELETE FROM push_subscriptions WHERE session_id = $1",
            uuid.UUID(caller.principal.session_id),
        )
