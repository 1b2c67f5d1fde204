"""The demo's disputes, made on its first run through the same services the API uses: a few
found in the demo community by its grid worker and case worker over the past weeks, at every
stage (one high-risk and one overdue; one escalated to the street and handed back; some settled
or referred), and the community's screening reports of the last weeks. Without them the
/disputes/ page of a fresh demo would be empty."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from backend.cli.demo_auditor import demo_auditor
from backend.disputes import records
from backend.disputes.lists import report_screening
from backend.disputes.models import (
    AssignCreate,
    CloseCreate,
    DisputeCreate,
    EscalateCreate,
    MediationCreate,
    ScreeningCreate,
)
from backend.disputes.policy import Kind, Risk, Source, week_of
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring
from backend.storage.postgres.pool import PgConn

# (days ago, kind, title, parties, risk, source, what happened since)
_CASES: list[tuple[float, Kind, str, int, Risk, Source, str]] = [
    (1, "labour", "工地拖欠农民工工资", 23, "high", "hotline", "open"),
    (20, "neighbour", "楼上漏水引发邻里纠纷", 2, "medium", "grid", "overdue"),
    (6, "property", "小区停车位收费争议", 40, "medium", "walk_in", "escalated"),
    (12, "family", "赡养老人费用分担纠纷", 4, "low", "screening", "mediating"),
    (25, "consumer", "预付卡商家关门退费纠纷", 15, "low", "hotline", "agreement"),
    (30, "traffic", "电动车刮碰赔偿纠纷", 2, "low", "grid", "court"),
]


async def ensure_demo_disputes(
    conn: PgConn, cipher: FieldCipher, keyring: Keyring, now: datetime
) -> bool:
    """Make the disputes once (returns False when the demo has them already)."""
    worker = await demo_auditor(conn, keyring, "caseworker", now)
    street = await demo_auditor(conn, keyring, "street.leader", now)
    if worker is None or street is None:
        return False
    if await conn.fetchval("SELECT EXISTS (SELECT FROM disputes)"):
        return False
    community = worker.caller.principal.org_path
    address = await conn.fetchval(
        "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1", community
    )
    for days, kind, title, parties, risk, source, stage in _CASES:
        at = now - timedelta(days=days)
        made = await records.register(
            conn,
            cipher,
            worker,
            DisputeCreate(
                id=str(uuid.uuid4()),
                kind=kind,
                title=title,
                details="演示：双方当事人信息见此处（仅调解人员可见）",
                parties=parties,
                risk=risk,
                source=source,
                address_id=address,
                at=at,
            ),
            now,
        )
        did = made.dispute.id
        step_at = at + timedelta(days=days / 3)
        if stage in ("mediating", "agreement", "court"):
            await records.act(
                conn, cipher, worker, did,
                MediationCreate(id=str(uuid.uuid4()), at=step_at, notes="演示：第一次调解"),
                now,
            )  # fmt: skip
        if stage in ("agreement", "court"):
            await records.act(
                conn, cipher, worker, did,
                CloseCreate(
                    id=str(uuid.uuid4()), at=step_at + timedelta(days=1),
                    outcome="agreement" if stage == "agreement" else "court",
                ),
                now,
            )  # fmt: skip
        if stage == "escalated":
            await records.act(
                conn, cipher, worker, did,
                EscalateCreate(id=str(uuid.uuid4()), at=step_at, reason="涉及物业公司与多户业主"),
                now,
            )  # fmt: skip
            await records.act(
                conn, cipher, street, did,
                AssignCreate(
                    id=str(uuid.uuid4()), at=step_at + timedelta(hours=4), to_path=community,
                    due_days=10, notes="请社区牵头，街道住建办配合",
                ),
                now,
            )  # fmt: skip
    for weeks in (3, 2, 1):
        await report_screening(
            conn,
            worker,
            ScreeningCreate(week=week_of(now - timedelta(weeks=weeks)), found=weeks % 2),
            now,
        )
    return True
