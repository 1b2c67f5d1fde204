"""The simulators' HTTP side: one account's session with token refresh, and patient retries.

A simulated phone or console does what a real one must: it retries when the backend is away
(connection refused during a restart, 502/503 from a proxy or a node that is not ready) with
jittered exponential back-off, refreshes its access token before it expires, and logs in again
when the refresh token is refused. Answers the caller must handle (4xx) are returned, not
raised: a 409 is part of the conversation.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any

import httpx

RETRY_STATUSES = frozenset({502, 503, 504})
TRANSIENT = (httpx.TransportError,)


class BackendUnavailable(ConnectionError):
    """The backend did not answer within the retry budget."""


class Api:
    """A shared HTTP client for many sessions (one connection pool), with retries."""

    def __init__(self, base_url: str, *, retry_for_s: float = 120.0, timeout_s: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout_s,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={"User-Agent": "pingan-simulator/1"},
        )
        self.retry_for_s = retry_for_s
        self.stats: Counter[str] = Counter()

    @property
    def ws_url(self) -> str:
        """The realtime endpoint of the same backend."""
        return self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/ws"

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send, retrying transport errors and 502-504 with back-off for ``retry_for_s``."""
        merged = dict(headers or {})
        if token is not None:
            merged["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + self.retry_for_s
        attempt = 0
        while True:
            try:
                response = await self._client.request(
                    method, path, json=json, params=params, headers=merged
                )
            except TRANSIENT as exc:
                self.stats["transport_errors"] += 1
                problem: str = type(exc).__name__
            else:
                self.stats[f"{response.status_code // 100}xx"] += 1
                if response.status_code >= 500:
                    self.stats[f"status_{response.status_code}"] += 1
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
            attempt += 1
            if time.monotonic() >= deadline:
                raise BackendUnavailable(f"{method} {path}: {problem} for {self.retry_for_s:.0f} s")
            self.stats["retries"] += 1
            await asyncio.sleep(min(10.0, 0.25 * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.0))


class Session:
    """One account signed in: tokens kept fresh, a 401 answered by signing in again."""

    def __init__(self, api: Api, username: str, password: str) -> None:
        self.api = api
        self.username = username
        self._password = password
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.user: dict[str, Any] = {}

    @property
    def user_id(self) -> str:
        """The account's id (after :meth:`login`)."""
        return str(self.user["id"])

    async def login(self) -> dict[str, Any]:
        """Sign in with the password; raises PermissionError when refused."""
        r = await self.api.request(
            "POST",
            "/api/auth/login",
            json={"username": self.username, "password": self._password},
        )
        if r.status_code != 200:
            raise PermissionError(f"login {self.username}: HTTP {r.status_code} {r.text[:200]}")
        self._take(r.json())
        return self.user

    def _take(self, pair: dict[str, Any]) -> None:
        self._access = pair["access_token"]
        self._refresh = pair["refresh_token"]
        self._expires_at = time.time() + float(pair["expires_in"])
        self.user = pair.get("user") or self.user

    async def token(self) -> str:
        """A valid access token, refreshed (or signed in again) when near expiry."""
        async with self._lock:
            if self._access is None or time.time() > self._expires_at - 60:
                await self._renew()
            assert self._access is not None
            return self._access

    async def _renew(self) -> None:
        if self._refresh is not None:
            r = await self.api.request(
                "POST", "/api/auth/refresh", json={"refresh_token": self._refresh}
            )
            if r.status_code == 200:
                self._take(r.json())
                return
        await self.login()

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """An authenticated request; on 401 the session signs in again and retries once."""
        r = await self.api.request(
            method, path, token=await self.token(), json=json, params=params, headers=headers
        )
        if r.status_code == 401:
            async with self._lock:
                await self.login()
            r = await self.api.request(
                method, path, token=await self.token(), json=json, params=params, headers=headers
            )
        return r
