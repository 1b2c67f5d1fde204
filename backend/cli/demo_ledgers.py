"""The demo's ledgers, made on its first run: the demo community's people of special groups put on
their departments' ledgers with the demo case worker answering for them, most checked on time,
two overdue (their warnings come with the rule's first pass), one with a need still open, and the
rest left to register. Without them the /ledgers/ page of a fresh demo would be empty."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from backend.ledgers.entries import CHECK_NOTES_CONTEXT
from backend.ledgers.groups import POLICIES
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn

REGISTERED_PER_GROUP = 4  # the rest of each group stays "to register"


async def ensure_demo_ledgers(
    conn: PgConn, cipher: FieldCipher, community: str, now: datetime
) -> bool:
    """Make the entries once (returns False when the demo has them already)."""
    worker = await conn.fetchrow("SELECT id, display_name FROM users WHERE username = 'caseworker'")
    if worker is None or await conn.fetchval("SELECT EXISTS (SELECT FROM ledger_entries)"):
        return False
    people = await conn.fetch(
        """
        SELECT id, org_path, grp FROM (
            SELECT p.id, p.org_path, g AS grp,
                   row_number() OVER (PARTITION BY g ORDER BY p.birth_year, p.id) AS n
            FROM persons p, unnest(p.tags) AS g
            WHERE p.org_path LIKE $1 || '.%'
        ) t WHERE n <= $2 ORDER BY grp, id
        """,
        community,
        REGISTERED_PER_GROUP,
    )
    async with conn.transaction():
        for i, person in enumerate(people):
            days = POLICIES[person["grp"]].check_days
            # every fifth is overdue by a few days; the others were checked within their interval
            checked = now - timedelta(days=days + 3 if i % 5 == 1 else days * 0.4)
            needs_help = i % 7 == 3
            entry = uuid.uuid4()
            await conn.execute(
                """
                INSERT INTO ledger_entries (id, person_id, grp, since, officer_id, check_days,
                                            last_check_at, due_at, needs_help, org_path,
                                            created_by, created_by_name, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $5, $11, $12)
                """,
                entry,
                person["id"],
                person["grp"],
                (now - timedelta(days=400)).date(),
                worker["id"],
                days,
                checked,
                checked + timedelta(days=days),
                needs_help,
                person["org_path"],
                worker["display_name"],
                now - timedelta(days=400),
            )
            await conn.execute(
                """
                INSERT INTO ledger_checks (id, entry_id, at, kind, finding, notes_enc, by_user, by_name)
                VALUES ($1, $2, $3, 'home_visit', $4, $5, $6, $7)
                """,
                uuid.uuid4(),
                entry,
                checked,
                "needs_help" if needs_help else "normal",
                cipher.encrypt(
                    "家中有困难，已报街道民政" if needs_help else "上门走访，情况正常",
                    context=CHECK_NOTES_CONTEXT,
                ),
                worker["id"],
                worker["display_name"],
            )
    return True
