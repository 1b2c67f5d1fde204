"""Writing events: in the caller's transaction, beside the state change they announce."""

from __future__ import annotations

from typing import Any, Literal

from backend.storage.postgres.pool import PgConn

StreamName = Literal["incidents", "personal"]


def district_of(org_path: str) -> str:
    """The district (the root of the path) that partitions the streams."""
    return org_path.split(".", 1)[0]


async def emit(
    conn: PgConn,
    *,
    stream: StreamName,
    kind: str,
    org_path: str,
    payload: dict[str, Any],
    subject: str | None = None,
) -> int:
    """Queue an event for publication; must run inside the transaction of the change it announces.

    Returns the event id (unique for ever; clients de-duplicate by it).
    """
    if not conn.is_in_transaction():
        raise RuntimeError(
            "emit() outside a transaction would publish a change that may not commit"
        )
    event_id: int = await conn.fetchval(
        """
        INSERT INTO outbox (district, stream, kind, org_path, subject, payload)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
        """,
        district_of(org_path),
        stream,
        kind,
        org_path,
        subject,
        payload,
    )
    return event_id
