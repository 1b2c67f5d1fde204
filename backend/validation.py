"""Turn msgspec validation errors into (field, reason) a person can act on."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from msgspec import Meta

# Text that PostgreSQL and a log line can take: no NUL and no control characters but tab/newline.
SAFE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SafeText = Annotated[str, Meta(pattern=SAFE_TEXT)]
# A canonical UUID (what uuid.UUID accepts from a query or body): a looser "36 hex or dash"
# pattern lets "----...----" through to uuid.UUID, which then fails as a 500, not a 400.
UUID_TEXT = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<field>[^`]+)`")


def explain(exc: msgspec.ValidationError | str) -> tuple[str | None, str]:
    """The dotted field path (``steps[3].deadline``) and the reason, from a msgspec error."""
    message = str(exc)
    missing = _MISSING.search(message)
    at = _AT_PATH.search(message)
    prefix = at.group("path") if at else ""
    reason = _AT_PATH.sub("", message)
    if missing:
        field = f"{prefix}.{missing.group('field')}" if prefix else missing.group("field")
        return field, "required"
    unknown = _UNKNOWN.search(message)
    if unknown:  # the field that should not be there, named like a missing one
        field = f"{prefix}.{unknown.group('field')}" if prefix else unknown.group("field")
        return field, "unknown field"
    return (prefix or None), reason
