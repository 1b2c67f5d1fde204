"""Bringing every sealed personal field under the current data key and the current index form.

Rotating a data key is two steps: put the new key first in ``PINGAN_DATA_KEYS`` (new values are
sealed with it, old ones still open with theirs), then re-seal what the old key sealed, so it can
be dropped. :func:`key_census` says how many values each key still seals; :func:`rekey` re-seals
them. The same pass recomputes each blind index from the value it opens, so an index written in
an older normal form (a phone typed with dashes before numbers were normalised, see
``crypto.normalise_phone``) is found by a lookup again.

It works in batches, each its own transaction, and writes a row only if its ciphertext is still
the one it read: an API write in between wins, and the next run finds that row current. Values
are never logged; a value that no configured key opens is counted and left as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import msgspec

from backend.security.crypto import DecryptionError, FieldCipher, key_id
from backend.storage.postgres.pool import PgConn


class SealedField(msgspec.Struct, frozen=True, kw_only=True):
    """One encrypted column ``<column>_enc`` and, when ``indexed``, its blind index
    ``<column>_idx``."""

    table: str
    key: str
    column: str
    kind: str
    """The encryption context, and the index kind when indexed (``crypto.FieldCipher``)."""
    indexed: bool = True

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


SEALED_FIELDS = (
    SealedField(table="persons", key="id", column="id_number", kind="id_number"),
    SealedField(table="persons", key="id", column="phone", kind="phone"),
    SealedField(table="patients", key="person_id", column="guardian_phone", kind="phone"),
    # free text and answers: sealed, never looked up, so no blind index
    SealedField(
        table="follow_ups", key="id", column="notes", kind="follow_up_notes", indexed=False
    ),
    SealedField(
        table="psych_assessments", key="id", column="answers", kind="psych_answers", indexed=False
    ),
    SealedField(
        table="psych_services", key="id", column="notes", kind="psych_notes", indexed=False
    ),
    SealedField(
        table="ledger_entries", key="id", column="notes", kind="ledger_notes", indexed=False
    ),
    SealedField(
        table="ledger_checks", key="id", column="notes", kind="ledger_check_notes", indexed=False
    ),
    SealedField(
        table="rental_assessments", key="id", column="notes", kind="rental_notes", indexed=False
    ),
    SealedField(
        table="rental_hazards",
        key="id",
        column="signoff_notes",
        kind="rental_signoff_notes",
        indexed=False,
    ),
    SealedField(
        table="disputes", key="id", column="details", kind="dispute_details", indexed=False
    ),
    SealedField(
        table="dispute_actions", key="id", column="notes", kind="dispute_notes", indexed=False
    ),
)
"""Every sealed field of the schema (a new one must be added here to rotate with the rest)."""


class RekeyReport(msgspec.Struct, kw_only=True):
    """What one pass did to one field."""

    field: str
    scanned: int = 0
    resealed: int = 0
    """Sealed again under the current key (it was sealed under another)."""
    reindexed: int = 0
    """Blind index rewritten (it did not match the value's current normal form)."""
    unreadable: int = 0
    """No configured key opens it (a key removed too early, or damage): left unchanged."""
    raced: int = 0
    """Changed by someone else between read and write: left to their write."""


async def key_census(conn: PgConn) -> dict[str, dict[str, int]]:
    """Per sealed field, how many values each key id seals (no value is opened).

    Table and column names in the SQL of this module come from SEALED_FIELDS only."""
    census: dict[str, dict[str, int]] = {}
    for f in SEALED_FIELDS:
        enc = f"{f.column}_enc"
        rows = await conn.fetch(
            f"SELECT convert_from(substring({enc} FROM 2 FOR get_byte({enc}, 0)), 'UTF8') AS kid, "
            f"count(*) AS n FROM {f.table} WHERE {enc} IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
        census[f.name] = {r["kid"]: r["n"] for r in rows}
    return census


async def rekey(
    conn: PgConn,
    cipher: FieldCipher,
    *,
    batch: int = 2000,
    on_batch: Callable[[str, int], None] | None = None,
) -> list[RekeyReport]:
    """Re-seal every value not under the current key and fix every stale blind index."""
    return [await _rekey_field(conn, cipher, f, batch, on_batch) for f in SEALED_FIELDS]


async def _rekey_field(
    conn: PgConn,
    cipher: FieldCipher,
    f: SealedField,
    batch: int,
    on_batch: Callable[[str, int], None] | None,
) -> RekeyReport:
    report = RekeyReport(field=f.name)
    enc = f"{f.column}_enc"
    # an unindexed field reads its ciphertext in the index's place: it never counts as stale
    idx = f"{f.column}_idx" if f.indexed else enc
    context = f.kind.encode()
    after = uuid.UUID(int=0)
    while True:
        rows = await conn.fetch(
            f"SELECT {f.key} AS key, {enc} AS enc, {idx} AS idx FROM {f.table} "
            f"WHERE {enc} IS NOT NULL AND {f.key} > $1 ORDER BY {f.key} LIMIT $2",
            after,
            batch,
        )
        if not rows:
            return report
        after = rows[-1]["key"]
        changes = []
        for row in rows:
            report.scanned += 1
            blob = bytes(row["enc"])
            try:
                value = cipher.decrypt(blob, context=context)
            except DecryptionError:
                report.unreadable += 1
                continue
            index = cipher.blind_index(value, kind=f.kind) if f.indexed else blob
            stale_key = key_id(blob) != cipher.current_key_id
            if not stale_key and row["idx"] is not None and bytes(row["idx"]) == index:
                continue
            sealed = cipher.encrypt(value, context=context) if stale_key else blob
            stale_index = row["idx"] is None or bytes(row["idx"]) != index
            changes.append((row["key"], sealed, index, blob, stale_key, stale_index))
        if changes:
            assignments = f"{enc} = c.enc" + (f", {idx} = c.idx" if f.indexed else "")
            async with conn.transaction():
                # only where the ciphertext is still the one read: a write in between wins
                done = await conn.fetch(
                    f"UPDATE {f.table} AS t SET {assignments} "
                    f"FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[]) "
                    f"AS c(key, enc, idx, old) WHERE t.{f.key} = c.key AND t.{enc} = c.old "
                    f"RETURNING t.{f.key}",
                    [c[0] for c in changes],
                    [c[1] for c in changes],
                    [c[2] for c in changes],
                    [c[3] for c in changes],
                )
            written = {r[0] for r in done}
            for key, _, _, _, stale_key, stale_index in changes:
                if key in written:
                    report.resealed += stale_key
                    report.reindexed += stale_index
                else:
                    report.raced += 1
        if on_batch is not None:
            on_batch(f.name, len(rows))
