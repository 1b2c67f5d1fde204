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


class _ErrorDocumentingOpenAPI(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, rewriting the schema the first time it is built.

    Building the schema costs about half of ``create_app``; Litestar builds it lazily, at the
    first request for it, and so do we (a node that never serves /schema never pays for it).
    """

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        fresh = self._openapi_schema is None
        schema = super().provide_openapi_schema()
        if fresh:
            _rewrite(schema)
        return schema


def document_errors(app: Litestar) -> None:
    """Every 4xx/5xx body documented as an ErrorResponse, the standard ones listed, once the
    schema is built (the plugin's class is swapped: Litestar creates the instance itself)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _ErrorDocumentingOpenAPI


def _rewrite(schema: dict[str, Any]) -> None:
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
