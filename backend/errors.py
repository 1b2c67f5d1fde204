"""One error shape for every HTTP response: ``{"error": {"code", "message", "field"}}``.

Services raise :class:`ApiError` subclasses (or their package's own errors, mapped here); the
exception handlers below are the only place that turns errors into HTTP responses.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.validation import explain

log = logging.getLogger("pingan.errors")


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True):
    """The machine-readable part of an error response."""

    code: str
    message: str
    field: str | None = None
    details: dict[str, Any] | None = None


class ErrorResponse(msgspec.Struct, frozen=True, kw_only=True):
    """Every 4xx and 5xx answer has this shape."""

    error: ErrorBody


class ApiError(Exception):
    """An error a client can act on: status, machine code, message and optional field."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers
        self.details: dict[str, Any] | None = None
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class NotFound(ApiError):
    """Unknown id, or an id outside the caller's jurisdiction (existence is not revealed)."""

    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    """The request conflicts with the current state (duplicate, already taken, wrong state)."""

    status_code = 409
    code = "conflict"


class Unprocessable(ApiError):
    """Well-formed but semantically wrong (e.g. idempotency key reused with another body)."""

    status_code = 422
    code = "unprocessable"


class Unauthorized(ApiError):
    """No valid credentials."""

    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    """Authenticated but not permitted."""

    status_code = 403
    code = "forbidden"


class TooManyRequests(ApiError):
    """Rate limit or lockout."""

    status_code = 429
    code = "too_many_requests"


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorResponse]:
    """Build the standard error response."""
    return Response(
        ErrorResponse(error=ErrorBody(code=code, message=message, field=field)),
        status_code=status,
        headers=headers,
    )


def _validation_field(extra: Any) -> tuple[str | None, str | None]:
    # Litestar puts msgspec's failure in `extra` as [{"message": ..., "key": ..., "source": ...}].
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        first = extra[0]
        key = first.get("key")
        message = first.get("message")
        return (str(key) if key else None, str(message) if message else None)
    return None, None


def handle_api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[ErrorResponse]:
    """ApiError → its status and code (and its details, e.g. candidates to choose from)."""
    body = ErrorBody(code=exc.code, message=exc.message, field=exc.field, details=exc.details)
    return Response(ErrorResponse(error=body), status_code=exc.status_code, headers=exc.headers)


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorResponse]:
    """Litestar's own errors (validation, 404 route, 405, 413 …) → the standard shape."""
    if isinstance(exc, ValidationException):
        field, message = _validation_field(exc.extra)
        detail = message or exc.detail
        if field == "data" and message:  # a body problem: name the field inside the body
            inner, reason = explain(message)
            field, detail = inner or None, reason
        return error_response(400, "invalid", f"{field}: {detail}" if field else detail, field)
    if isinstance(exc, NotAuthorizedException):
        return error_response(401, "unauthorized", exc.detail, headers=exc.headers)
    if isinstance(exc, PermissionDeniedException):
        return error_response(403, "forbidden", exc.detail)
    code = {
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "too_many_requests",
    }.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, exc.detail, headers=exc.headers)


def handle_data_error(_: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[ErrorResponse]:
    """A value the database cannot take (bad encoding, out of range): the client's input."""
    return error_response(400, "invalid", f"a value was not acceptable: {type(exc).__name__}")


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorResponse]:
    """Anything else is our bug: log it with the request id, tell the client only the id."""
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.exception("unhandled error", extra={"request_id": request_id, "path": request.url.path})
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal",
        f"internal error; quote request id {request_id} to the administrator",
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ApiError: handle_api_error,
    asyncpg.DataError: handle_data_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
