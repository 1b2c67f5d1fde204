"""The append-only, hash-chained audit log.

Every row carries ``hash = HMAC(audit_key, prev_hash || canonical(row))``. Appends take a
transaction-scoped advisory lock so the chain follows commit order across all nodes; the
database refuses UPDATE, DELETE and TRUNCATE by trigger. :func:`verify_chain` walks the log and
names the first row that does not match.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import msgspec

from backend.storage.postgres.pool import PgConn

AUDIT_LOCK_KEY = 0x61756469740A  # "audit"
GENESIS = b"\x00" * 32
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Outcome = Literal["ok", "denied", "failed"]


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What happened, by whom, to what, with which outcome."""

    action: str
    outcome: Outcome = "ok"
    actor_id: str | None = None
    actor_name: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    org_path: str | None = None
    reason: str | None = None
    request_id: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class AuditRow(msgspec.Struct, frozen=True, kw_only=True):
    """One stored row, as returned by the audit API."""

    seq: int
    at: datetime
    action: str
    outcome: str
    actor_id: str | None
    actor_name: str | None
    object_type: str | None
    object_id: str | None
    org_path: str | None
    reason: str | None
    request_id: str | None
    details: dict[str, Any]


class ChainReport(msgspec.Struct, frozen=True, kw_only=True):
    """The result of walking the chain."""

    rows: int
    ok: bool
    first_broken_seq: int | None = None
    problem: str | None = None


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def canonical(seq: int, at: datetime, entry: AuditEntry) -> bytes:
    """The bytes the hash covers: every column but the hashes, in a fixed order and encoding."""
    fields = [
        seq,
        _micros(at),
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.org_path,
        entry.outcome,
        entry.reason,
        entry.request_id,
    ]
    return msgspec.json.encode([*fields, entry.details], order="sorted")


def chain_hash(key: bytes, prev: bytes, seq: int, at: datetime, entry: AuditEntry) -> bytes:
    """HMAC-SHA256 linking a row to its predecessor."""
    return hmac.new(key, prev + canonical(seq, at, entry), hashlib.sha256).digest()


class AuditLog:
    """Appends to and verifies the chain; the key lives outside the database."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    async def append(self, conn: PgConn, entry: AuditEntry) -> int:
        """Append ``entry`` (inside the caller's transaction, or in its own); return its seq."""
        if conn.is_in_transaction():
            return await self._append(conn, entry)
        async with conn.transaction():
            return await self._append(conn, entry)

    async def _append(self, conn: PgConn, entry: AuditEntry) -> int:
        if entry.actor_id is not None:  # the column is uuid: hash the form it reads back as
            entry = msgspec.structs.replace(entry, actor_id=str(uuid.UUID(entry.actor_id)))
        await conn.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_LOCK_KEY)
        last = await conn.fetchrow("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq = (last["seq"] + 1) if last else 1
        prev = bytes(last["hash"]) if last else GENESIS
        # now() is the transaction start; the clock here is the one that matters to a reader.
        at = datetime.now(UTC)
        digest = chain_hash(self._key, prev, seq, at, entry)
        await conn.execute(
            """
            INSERT INTO audit_log (seq, at, actor_id, actor_name, action, object_type, object_id,
                                   org_path, outcome, reason, request_id, details, prev_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            seq,
            at,
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.org_path,
            entry.outcome,
            entry.reason,
            entry.request_id,
            entry.details,
            prev,
            digest,
        )
        return seq

    async def verify_chain(self, conn: PgConn) -> ChainReport:
        """Walk every row in order; report the first whose link or hash is wrong."""
        prev = GENESIS
        expected_seq = 1
        rows = 0
        async for row in _rows(conn):
            rows += 1
            seq = row["seq"]
            if seq != expected_seq:
                return ChainReport(
                    rows=rows,
                    ok=False,
                    first_broken_seq=expected_seq,
                    problem=f"row {expected_seq} is missing (next is {seq})",
                )
            if bytes(row["prev_hash"]) != prev:
                return ChainReport(
                    rows=rows,
                    ok=False,
                    first_broken_seq=seq,
                    problem="prev_hash does not match the previous row",
                )
            entry = AuditEntry(
                action=row["action"],
                outcome=row["outcome"],
                actor_id=_str(row["actor_id"]),
                actor_name=row["actor_name"],
                object_type=row["object_type"],
                object_id=row["object_id"],
                org_path=row["org_path"],
                reason=row["reason"],
                request_id=row["request_id"],
                details=row["details"],
            )
            if not hmac.compare_digest(
                chain_hash(self._key, prev, seq, row["at"], entry), bytes(row["hash"])
            ):
                return ChainReport(
                    rows=rows,
                    ok=False,
                    first_broken_seq=seq,
                    problem="content does not match its hash (altered)",
                )
            prev = bytes(row["hash"])
            expected_seq += 1
        return ChainReport(rows=rows, ok=True)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


async def _rows(conn: PgConn) -> AsyncIterator[Any]:
    # A cursor needs a transaction; a snapshot one so rows appended meanwhile do not interfere.
    query = "SELECT * FROM audit_log ORDER BY seq"
    if conn.is_in_transaction():
        async for row in conn.cursor(query, prefetch=2000):
            yield row
        return
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        async for row in conn.cursor(query, prefetch=2000):
            yield row
