"""Document our one error shape in the OpenAPI schema, for every operation.

Litestar documents its own 400 body (``status_code``, ``detail``, ``extra``), but every error
leaves this service as ``{"error": {"code", "message", "field", "details"}}``; clients and
schema-driven fuzzers must see what they actually get.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin

from backend.errors import ErrorResponse

REF = "#/components/schemas/{name}"
STANDARD = {
    "400": "Invalid input: the field and the reason are named",
    "401": "Not authenticated, or the session ended",
    "403": "Your role lacks the permission",
    "404": "Unknown, or outside your jurisdiction",
    "409": "Conflicts with the current state",
    "422": "Well-formed but not acceptable",
}


def document_errors(app: Litestar) -> None:
    """Rewrite the cached schema: every 4xx/5xx body is an ErrorResponse; standard ones listed."""
    schema: dict[str, Any] = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    (_,), components = msgspec.json.schema_components([ErrorResponse], ref_template=REF)
    schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
    content = {"application/json": {"schema": {"$ref": REF.format(name="ErrorResponse")}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in list(responses.items()):
                if code[0] in "45":
                    response["content"] = content
            public = path in ("/healthz", "/readyz", "/api/client-config") or path.startswith(
                "/api/auth/"
            )
            for code, description in STANDARD.items():
                if public and code in ("401", "403"):
                    continue
                responses.setdefault(code, {"description": description, "content": content})
