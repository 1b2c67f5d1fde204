"""A patient's psychological-crisis warning, raised by an assessment before the call, is in front
of the operator on the incident and in the review's "foreseen" list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from backend.incidents.archive import build_archive
from backend.security.policy import Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.incidents.conftest import add_patient

Client = AsyncTestClient[Any]


async def test_a_crisis_found_by_a_counsellor_is_on_the_patients_incident_and_its_review(
    app: Client,
    operator: dict[str, str],
    address: dict[str, Any],
    clean_db: PgPool,
    app_settings: Settings,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    patient = await add_patient(clean_db, app_settings, address["id"], "吴七", risk_grade=2)
    org = await clean_db.fetchval("SELECT org_path FROM persons WHERE id = $1::uuid", patient)
    await make_user("xl.i", org, Role.COUNSELLOR)
    counsellor = await login(app, "xl.i")
    r = await app.post(
        "/api/psych/assessments",
        headers=counsellor,
        json={
            "id": str(uuid.uuid4()),
            "person_id": patient,
            "scale": "phq9",
            "answers": [2, 2, 2, 1, 1, 1, 1, 1, 2],
            "at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    crisis = r.json()["warning"]
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={
            "kind": "crisis_at_home",
            "place": {"address_id": address["id"]},
            "patient_id": patient,
        },
    )
    assert r.status_code == 201, r.text
    incident = r.json()["incident"]
    assert [(w["id"], w["rule"], w["level"]) for w in incident["warnings"]] == [
        (crisis["id"], "psych_crisis", "serious")
    ]
    async with clean_db.acquire() as conn:
        archive = await build_archive(conn, incident["summary"]["id"])
    assert [w.rule for w in archive.foreseen] == ["psych_crisis"]
    assert archive.foreseen[0].days_before_call >= 0
