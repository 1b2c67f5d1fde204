"""Linking a dispute's parties to the people records (当事人关联), and the collision it allows:
a party who is a key person (a registered patient of risk grade 3 or above, or someone under
community correction or drug rehabilitation) makes the dispute high-risk at once, as a recorded
risk judgement with its warning, so nobody has to notice it by hand."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.disputes import policy
from backend.disputes.models import PartyCreate, PartyRecorded, RiskCreate
from backend.disputes.party_views import PARTIES_SQL, party_view
from backend.disputes.records import DISPUTE_SQL, dispute_view, judge, visible
from backend.errors import Conflict
from backend.realtime.outbox import emit
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.person_scope import person_in_scope
from backend.storage.postgres.pool import PgConn

KEY_PARTY_NOTE = "当事人为重点人员 / a party is a key person"


async def link(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute_id: str,
    data: PartyCreate,
    now: datetime,
) -> PartyRecorded:
    """Link the person (once). 404 for a dispute or person outside the jurisdiction; 409 when
    another centre holds the dispute or it is closed."""
    principal = auditor.caller.principal
    await visible(conn, auditor, dispute_id, "dispute.party")
    person = await person_in_scope(conn, auditor, data.person_id, "dispute.party")
    async with conn.transaction():
        dispute: Any = await conn.fetchrow(
            "SELECT * FROM disputes WHERE id = $1::uuid FOR UPDATE", dispute_id
        )
        stored = await conn.fetchrow(
            PARTIES_SQL + " WHERE dp.dispute_id = $1::uuid AND dp.person_id = $2::uuid",
            dispute_id,
            person["id"],
        )
        roles = frozenset(principal.roles)
        if stored is not None:
            return PartyRecorded(
                party=party_view(stored, roles),
                dispute=await _view(conn, dispute_id, principal.org_path, now),
                duplicate=True,
                raised_risk=False,
            )
        if dispute["status"] not in policy.LIVE:
            raise Conflict("the dispute is closed", field="dispute_id", code="dispute_closed")
        if not principal.covers(dispute["holder_path"]):
            raise Conflict(
                "another centre holds this dispute; only the holder acts on it",
                field="dispute_id",
                code="held_elsewhere",
            )
        facts: Any = await conn.fetchrow(
            "SELECT p.tags, pt.risk_grade FROM persons p "
            "LEFT JOIN patients pt ON pt.person_id = p.id WHERE p.id = $1::uuid",
            person["id"],
        )
        reasons = policy.key_reasons(list(facts["tags"]), facts["risk_grade"])
        await conn.execute(
            "INSERT INTO dispute_parties (dispute_id, person_id, key_reasons, by_user, by_name) "
            "VALUES ($1, $2::uuid, $3, $4::uuid, $5)",
            dispute["id"],
            person["id"],
            reasons,
            principal.user_id,
            principal.display_name,
        )
        await auditor.record(
            conn,
            "dispute.party",
            object_type="person",
            object_id=person["id"],
            org_path=person["org_path"],
            details={"dispute": dispute_id, "key": bool(reasons)},
        )
        await emit(
            conn,
            stream="incidents",
            kind="dispute.updated",
            org_path=dispute["org_path"],
            payload={"dispute_id": dispute_id, "action": "party", "action_id": None},
        )
        raised = bool(reasons) and dispute["risk"] != "high"
        if raised:
            step = RiskCreate(id=str(uuid.uuid4()), at=now, risk="high", notes=KEY_PARTY_NOTE)
            await judge(conn, cipher, auditor, dispute, step, now)
        row = await conn.fetchrow(
            PARTIES_SQL + " WHERE dp.dispute_id = $1::uuid AND dp.person_id = $2::uuid",
            dispute_id,
            person["id"],
        )
        return PartyRecorded(
            party=party_view(row, roles),
            dispute=await _view(conn, dispute_id, principal.org_path, now),
            duplicate=False,
            raised_risk=raised,
        )


async def _view(conn: PgConn, dispute_id: str, caller_path: str, now: datetime) -> Any:
    row = await conn.fetchrow(DISPUTE_SQL + " WHERE d.id = $1::uuid", dispute_id)
    return dispute_view(row, caller_path, now)
