"""The demo's psychological-service records, made on its first run: a month of screenings in the
demo community (most results mild, some worrying, one with thoughts of self-harm, which raises
its crisis warning), a talk, and an instruction from the street centre. Without them the /psych/
page of a fresh demo would open on empty lists and no warning to act on."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from backend.psych.crisis import raise_crisis
from backend.psych.records import ANSWERS_CONTEXT
from backend.psych.scales import ITEMS, Scale, score
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn

SCREENED = 24
# how often each answer 0-3 is given: most residents screened are well
_WEIGHTS = {"well": (70, 22, 6, 2), "worried": (20, 35, 30, 15)}


def _answers(rng: random.Random, scale: Scale, mood: str) -> list[int]:
    return rng.choices(range(4), weights=_WEIGHTS[mood], k=ITEMS[scale])


async def ensure_demo_psych(
    conn: PgConn, cipher: FieldCipher, community: str, street: str, now: datetime
) -> bool:
    """Make the records once (returns False when the demo has them already)."""
    counsellor = await conn.fetchrow(
        "SELECT id, display_name FROM users WHERE username = 'counsellor'"
    )
    street_counsellor = await conn.fetchrow(
        "SELECT id, display_name FROM users WHERE username = 'street.counsellor'"
    )
    if counsellor is None or street_counsellor is None:
        return False
    if await conn.fetchval("SELECT EXISTS (SELECT FROM psych_assessments)"):
        return False
    people = await conn.fetch(
        """
        SELECT p.id::text AS id, p.org_path,
               (cardinality(p.tags) > 0 OR EXISTS (SELECT FROM patients pt WHERE pt.person_id = p.id))
                   AS key_group
        FROM persons p WHERE p.org_path LIKE $1 || '.%' ORDER BY p.id LIMIT $2
        """,
        community,
        SCREENED,
    )
    rng = random.Random(2026)
    async with conn.transaction():
        for i, person in enumerate(people):
            scale: Scale = "phq9" if i % 3 else "gad7"
            answers = _answers(rng, scale, "worried" if i % 5 == 0 else "well")
            if scale == "phq9" and i != 1:
                answers[8] = 0  # thoughts of self-harm: one resident only (the second)
            elif scale == "phq9":
                answers[8] = 1
            scored = score(scale, answers, key_group=person["key_group"])
            await conn.execute(
                """
                INSERT INTO psych_assessments (id, person_id, scale, answers_enc, score, band,
                                               self_harm, at, by_user, by_name, org_path)
                VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """,
                uuid.uuid4(),
                person["id"],
                scale,
                cipher.encrypt("".join(map(str, answers)), context=ANSWERS_CONTEXT),
                scored.score,
                scored.band,
                scored.self_harm,
                now - timedelta(days=rng.uniform(0.2, 20)),
                counsellor["id"],
                counsellor["display_name"],
                person["org_path"],
            )
            await raise_crisis(conn, person, scale, scored)
        await conn.execute(
            """
            INSERT INTO psych_activities (id, org_path, kind, title, at, attendees, by_user, by_name)
            VALUES ($1, $2, 'education', '心理健康进社区：识别抑郁的早期信号', $3, 46, $4, $5)
            """,
            uuid.uuid4(),
            community,
            now - timedelta(days=6),
            counsellor["id"],
            counsellor["display_name"],
        )
        instruction = uuid.uuid4()
        await conn.execute(
            """
            INSERT INTO psych_instructions (id, from_path, by_user, by_name, title, body, due_at)
            VALUES ($1, $2, $3, $4, '开展独居老人心理筛查',
                    '请各社区心理服务站本月内完成辖区独居老人 PHQ-9 筛查，并反馈筛查人数与转介情况。', $5)
            """,
            instruction,
            street,
            street_counsellor["id"],
            street_counsellor["display_name"],
            now + timedelta(days=10),
        )
        await conn.execute(
            """
            INSERT INTO psych_instruction_targets (instruction_id, org_path)
            SELECT $1, path FROM org_units
            WHERE parent_path = $2 AND level = 'community'
            """,
            instruction,
            street,
        )
    return True
