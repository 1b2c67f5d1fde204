"""The demo's rental inspections, made on its first run through the same service the API uses:
the demo grid worker has inspected a few of the demo community's rental houses, some found in
order, some with hazards (one decisive), some inspections and several rectifications now overdue (their
warnings come with the rules' first pass); the other rental houses wait to be inspected. Without
them the /rentals/ page of a fresh demo would be empty."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from backend.cli.demo_auditor import demo_auditor
from backend.rentals.checklist import Ticked
from backend.rentals.houses import assess
from backend.rentals.models import AssessmentCreate
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring
from backend.storage.postgres.pool import PgConn

# (days ago, tenants, registered, found): the scenes a grid worker meets
_VISITS: list[tuple[float, int, int, list[Ticked]]] = [
    (2, 2, 2, []),
    (5, 3, 3, ["no_smoke_alarm"]),
    (18, 4, 3, ["no_extinguisher"]),  # yellow; both rectifications are days overdue
    (40, 1, 1, ["lease_unfiled", "no_extinguisher"]),  # yellow, due again 10 days ago
    (1, 6, 4, ["ebike_indoor_charging"]),  # red: charging indoors
    (20, 2, 2, ["unsafe_wiring"]),  # the rewiring was due in 7 days
    (3, 2, 2, []),
    (60, 1, 1, []),  # green unless a key person lives there
]


async def ensure_demo_rentals(
    conn: PgConn, cipher: FieldCipher, keyring: Keyring, community: str, now: datetime
) -> bool:
    """Make the inspections once (returns False when the demo has them already)."""
    auditor = await demo_auditor(conn, keyring, "gridworker", now)
    if auditor is None or await conn.fetchval("SELECT EXISTS (SELECT FROM rental_assessments)"):
        return False
    houses = await conn.fetch(
        "SELECT id FROM houses WHERE is_rental AND org_path LIKE $1 || '.%' ORDER BY id LIMIT $2",
        community,
        len(_VISITS),
    )
    for house, (days, tenants, registered, found) in zip(houses, _VISITS, strict=False):
        await assess(
            conn,
            cipher,
            auditor,
            house["id"],
            AssessmentCreate(
                id=str(uuid.uuid4()),
                at=now - timedelta(days=days),
                tenants=tenants,
                registered=registered,
                found=found,
                notes="演示：房东在场，已告知整改要求" if found else None,
            ),
            now,
        )
    return True
