"""Request ids and one access-log line per request."""

from __future__ import annotations

import logging
import time
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("pingan.access")
REQUEST_ID_HEADER = "x-request-id"


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            # Accept a caller's id only when it is short and plain, so logs stay clean.
            if 0 < len(text) <= 64 and text.replace("-", "").isalnum():
                return text
    return None


class RequestIdMiddleware(ASGIMiddleware):
    """Gives every request an id (kept from ``X-Request-ID`` when sane), returns it, logs the request."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Tag the scope, add the response header, write one log line when the response starts."""
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if scope["type"] == ScopeType.HTTP and not path.startswith(("/assets/",)):
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "path": path,
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
