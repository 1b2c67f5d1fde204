"""Keyset paging of the responder list: an opaque cursor naming the last row of a page.

Keyset, not offset: a district lists thousands of responders while duty changes reorder nothing
(the order is name, then id), so a page never skips or repeats anyone.
"""

from __future__ import annotations

import base64
import uuid

import msgspec

from backend.api.responders.schemas import Responder
from backend.errors import ApiError

NEXT_HEADER = "X-Next-After"


def encode_cursor(last: Responder) -> str:
    """The cursor after ``last``: base64url of ``[display_name, id]``."""
    raw = msgspec.json.encode([last.display_name, last.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, str]:
    """``(display_name, id)`` of a cursor; a clear 400 naming ``after`` when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        name, rid = msgspec.json.decode(raw, type=tuple[str, str])
        uuid.UUID(rid)
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise ApiError("not a cursor from X-Next-After", field="after", code="bad_cursor") from None
    return name, rid
