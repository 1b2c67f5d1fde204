"""Running another playbook on a live incident: the old run's clocks and offers end, the people
already working stay and fill the new places first, the timeline says who and why, and bad
requests change nothing."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.incidents.conftest import PLAYBOOKS, Crew, add_patient, simulated_operator

Client = AsyncTestClient[Any]
REASON = "现场确认为高风险患者"

# More police, and a doctor only after them: what a dangerous subject calls for.
POLICE_HEAVY = """\
id: police_heavy
version: 3
title: {zh-CN: 测试·警力优先, en: Test police first}
priority: 1
triggers:
  kinds: [danger_to_others]
  risk_grade: {min: 4, max: 5}
steps:
  - id: alert_police
    type: alert
    roles: [{role: police, quorum: 2}]
    radius_m: 5000
    k: 2
    deadline: 10m
    next: alert_doctor
  - id: alert_doctor
    type: alert
    roles: [{role: community_doctor, quorum: 1}]
    radius_m: 5000
    deadline: 10m
    next: done
  - id: done
    type: close
    require_record_sheet: false
    require_outcome: false
"""


# A crisis at home whose subject turns out to be grade 4 or 5: chosen over quick_team then.
HOME_HIGH_RISK = """\
id: home_high_risk
version: 1
title: {zh-CN: 测试·居家高风险, en: Test high risk at home}
priority: 1
triggers:
  kinds: [crisis_at_home]
  risk_grade: {min: 4, max: 5}
steps:
  - id: alert_police
    type: alert
    roles: [{role: police, quorum: 1}]
    radius_m: 5000
    deadline: 10m
    next: done
  - id: done
    type: close
    require_record_sheet: false
    require_outcome: false
"""


@pytest.fixture
async def app(
    clean_db: PgPool, district: Any, app_settings: Settings, tmp_path: Path
) -> AsyncIterator[Client]:
    """The test library (quick_team) plus police_heavy, which no crisis_at_home call selects,
    and home_high_risk, which one does once its subject is known to be grade 4 or 5."""
    folder = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS, folder)
    (folder / "police_heavy.yaml").write_text(POLICE_HEAVY, encoding="utf-8")
    (folder / "home_high_risk.yaml").write_text(HOME_HIGH_RISK, encoding="utf-8")
    settings = msgspec.structs.replace(
        app_settings, playbook_dir=str(folder), offer_timeout_s=30.0, timer_poll_s=0.1
    )
    async with AsyncTestClient(create_app(settings)) as c:
        yield c


async def _open(app: Client, crew: Crew, operator: dict[str, str], address: dict[str, Any]) -> str:
    """A quick_team incident: police.a accepted, doctor.a only offered."""
    lat, lon = address["lat"], address["lon"]
    await crew.add("police.a", Capability.POLICE, lat + 0.002, lon)
    await crew.add("doctor.a", Capability.COMMUNITY_DOCTOR, lat, lon + 0.003)
    r = await app.post(
        "/api/incidents",
        headers=operator,
        json={"kind": "crisis_at_home", "place": {"address_id": address["id"]}},
    )
    assert r.status_code == 201, r.text
    incident_id = str(r.json()["incident"]["summary"]["id"])
    assert r.json()["incident"]["summary"]["playbook_id"] == "quick_team"
    (offer,) = await crew.mine("police.a")
    accepted = await app.post(
        f"/api/assignments/{offer['id']}/accept", headers=crew.headers["police.a"]
    )
    assert accepted.status_code == 200, accepted.text
    return incident_id


async def _assignments(pool: PgPool, incident_id: str) -> list[tuple[str, str, str, str]]:
    """(login, role, step, state) of every assignment, oldest first."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT u.username, a.role, a.step_id, a.state FROM assignments a "
            "JOIN users u ON u.id = a.responder_id WHERE a.incident_id = $1 ORDER BY a.offered_at",
            incident_id,
        )
    return [(r["username"], r["role"], r["step_id"], r["state"]) for r in rows]


async def _live_timers(pool: PgPool, incident_id: str) -> list[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id FROM timers WHERE incident_id = $1 AND kind = 'engine' "
            "AND fired_at IS NULL AND cancelled_at IS NULL ORDER BY id",
            incident_id,
        )
    return [r["id"] for r in rows]


async def _timeline(app: Client, operator: dict[str, str], incident_id: str) -> list[Any]:
    r = await app.get(f"/api/incidents/{incident_id}/timeline", headers=operator)
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_the_new_playbook_keeps_the_people_working_and_pages_only_for_the_rest(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    clean_db: PgPool,
) -> None:
    incident_id = await _open(app, crew, operator, address)
    old_timers = await _live_timers(clean_db, incident_id)
    assert old_timers, "quick_team's alert step has a deadline running"
    await crew.add("police.b", Capability.POLICE, address["lat"] - 0.002, address["lon"])

    r = await app.post(
        f"/api/incidents/{incident_id}/playbook",
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=operator,
    )
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["playbook_id"] == "police_heavy"
    assert r.json()["summary"]["priority"] == 1  # the more urgent of the two

    # police.a stays and fills one of the two police places; only one more is paged (police.b);
    # the doctor's offer of the old run is withdrawn (the new run wants a doctor only later)
    assert await _assignments(clean_db, incident_id) == [
        ("police.a", "police", "alert_police", "accepted"),
        ("doctor.a", "community_doctor", "alert_team", "withdrawn"),
        ("police.b", "police", "alert_police", "offered"),
    ]
    live = await _live_timers(clean_db, incident_id)
    assert not set(old_timers) & set(live)  # the old run's deadlines are gone
    assert [t.split(":", 1)[1] for t in live] == ["alert_police:1"]
    assert all(t.startswith(f"{incident_id}-r2:") for t in live)

    events = await _timeline(app, operator, incident_id)
    (switched,) = [e for e in events if e["kind"] == "playbook.switched"]
    assert switched["data"] == {
        "from": "quick_team",
        "from_version": 1,
        "to": "police_heavy",
        "to_version": 3,
        "reason": REASON,
        "kept": 1,
    }
    assert switched["actor_name"]
    carried = [e["data"] for e in events if e["kind"] == "responder_carried_over"]
    assert carried == [
        {"step_id": "alert_police", "role": "police", "responder_id": crew.ids["police.a"]}
    ]

    # The new run goes on as any run: police.b accepts, the police step is met, a doctor is
    # asked for (doctor.a again: the old withdrawal is no refusal of this run)
    (offer,) = [a for a in await crew.mine("police.b") if a["state"] == "offered"]
    accepted = await app.post(
        f"/api/assignments/{offer['id']}/accept", headers=crew.headers["police.b"]
    )
    assert accepted.status_code == 200, accepted.text
    rows = await _assignments(clean_db, incident_id)
    assert rows[-1] == ("doctor.a", "community_doctor", "alert_doctor", "offered")

    # The same playbook again (a double click) changes nothing.
    again = await app.post(
        f"/api/incidents/{incident_id}/playbook",
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=operator,
    )
    assert again.status_code == 200, again.text
    events = await _timeline(app, operator, incident_id)
    assert len([e for e in events if e["kind"] == "playbook.switched"]) == 1
    assert await _assignments(clean_db, incident_id) == rows

    # The doctor accepts, the new run reaches its close; the archive tells the old run's
    # deadline (cancelled by the switch) from the new run's (met)
    (offer,) = [a for a in await crew.mine("doctor.a") if a["state"] == "offered"]
    accepted = await app.post(
        f"/api/assignments/{offer['id']}/accept", headers=crew.headers["doctor.a"]
    )
    assert accepted.status_code == 200, accepted.text
    closed = await app.post(f"/api/incidents/{incident_id}/close", headers=operator, json={})
    assert closed.status_code == 200, closed.text
    archive = (await app.get(f"/api/incidents/{incident_id}/archive/", headers=operator)).json()
    outcomes = {d["timer_id"]: d["outcome"] for d in archive["data"]["deadlines"]}
    assert outcomes == {
        **dict.fromkeys(old_timers, "cancelled"),
        f"{incident_id}-r2:alert_police:1": "met",
        f"{incident_id}-r2:alert_doctor:1": "met",
    }
    page = await app.get(f"/api/incidents/{incident_id}/archive/print", headers=operator)
    assert "取消 cancelled" in page.text


async def test_a_responder_who_was_kept_can_still_step_down(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    clean_db: PgPool,
) -> None:
    incident_id = await _open(app, crew, operator, address)
    r = await app.post(
        f"/api/incidents/{incident_id}/playbook",
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=operator,
    )
    assert r.status_code == 200, r.text
    (mine,) = [a for a in await crew.mine("police.a") if a["state"] == "accepted"]
    assert mine["step_id"] == "alert_police"
    released = await app.post(
        f"/api/incidents/{incident_id}/assignments/{mine['id']}/release",
        json={"reason": "调往另一起警情"},
        headers=operator,
    )
    assert released.status_code in (200, 204), released.text
    # the new run knows the place is empty again: it withdraws the acceptance it adopted
    events = await _timeline(app, operator, incident_id)
    withdrawn = [e["data"] for e in events if e["kind"] == "acceptance_withdrawn"]
    assert withdrawn == [
        {"step_id": "alert_police", "role": "police", "responder_id": crew.ids["police.a"]}
    ]
    run = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert "alert_police" in {s["id"] for s in run["running_steps"]}


async def test_the_old_runs_checklists_go_with_it(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
) -> None:
    incident_id = await _open(app, crew, operator, address)
    (offer,) = await crew.mine("doctor.a")
    accepted = await app.post(
        f"/api/assignments/{offer['id']}/accept", headers=crew.headers["doctor.a"]
    )
    assert accepted.status_code == 200, accepted.text
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert set(detail["checklists"]) == {"police"}  # quick_team's on-scene checklist
    r = await app.post(
        f"/api/incidents/{incident_id}/playbook",
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=operator,
    )
    assert r.status_code == 200, r.text
    assert r.json()["checklists"] == {}  # police_heavy has none


async def test_bad_requests_name_the_field_and_change_nothing(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    make_user: Any,
    paths: DistrictPaths,
    clean_db: PgPool,
) -> None:
    incident_id = await _open(app, crew, operator, address)
    url = f"/api/incidents/{incident_id}/playbook"
    before = await _assignments(clean_db, incident_id)

    unknown = await app.post(
        url, json={"playbook_id": "no_such_book", "reason": REASON}, headers=operator
    )
    assert unknown.status_code == 404, unknown.text
    assert (unknown.json()["error"]["field"], unknown.json()["error"]["code"]) == (
        "playbook_id",
        "unknown_playbook",
    )
    for body, field in (
        ({"playbook_id": "police_heavy"}, "reason"),
        ({"playbook_id": "police_heavy", "reason": "x"}, "reason"),
        ({"playbook_id": "Police Heavy!", "reason": REASON}, "playbook_id"),
        ({"playbook_id": 7, "reason": REASON}, "playbook_id"),
        ({"playbook_id": "police_heavy", "reason": REASON, "force": True}, "force"),
    ):
        bad = await app.post(url, json=body, headers=operator)
        assert bad.status_code == 400, (body, bad.text)
        assert field in bad.text, (body, bad.text)

    responder = await app.post(
        url,
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=crew.headers["police.a"],
    )
    assert responder.status_code == 403
    await make_user("op.b", paths.street_b, Role.OPERATOR)
    elsewhere = await app.post(
        url,
        json={"playbook_id": "police_heavy", "reason": REASON},
        headers=await login(app, "op.b"),
    )
    assert elsewhere.status_code == 404, elsewhere.text

    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert detail["summary"]["playbook_id"] == "quick_team"
    assert await _assignments(clean_db, incident_id) == before
    events = await _timeline(app, operator, incident_id)
    assert [e for e in events if e["kind"] == "playbook.switched"] == []

    cancelled = await app.post(
        f"/api/incidents/{incident_id}/cancel", json={"reason": "误报，测试"}, headers=operator
    )
    assert cancelled.status_code == 204, cancelled.text
    ended = await app.post(
        url, json={"playbook_id": "police_heavy", "reason": REASON}, headers=operator
    )
    assert ended.status_code == 409
    assert ended.json()["error"]["code"] == "incident_ended"


async def test_the_simulated_operator_runs_the_playbook_the_library_suggests(
    app: Client,
    crew: Crew,
    operator: dict[str, str],
    address: dict[str, Any],
    clean_db: PgPool,
    app_settings: Settings,
) -> None:
    patient = await add_patient(clean_db, app_settings, address["id"], "孙高危", risk_grade=4)
    await crew.add("police.s", Capability.POLICE, address["lat"] + 0.001, address["lon"])
    sim, session = await simulated_operator(app)
    incident_id = await sim.create(session)
    assert incident_id is not None
    (offer,) = await crew.mine("police.s")
    phone = crew.headers["police.s"]
    base = f"/api/assignments/{offer['id']}"
    assert (await app.post(f"{base}/accept", headers=phone)).status_code == 200
    r = await app.post(f"{base}/status", json={"status": "en_route"}, headers=phone)
    assert r.status_code == 200, r.text

    live = (await app.get("/api/incidents?state=live", headers=operator)).json()["items"]
    for incident in live:
        await sim.look_after(session, incident)
    assert (sim.stats["identified"], sim.stats["switched"]) == (1, 1), sim.stats
    detail = (await app.get(f"/api/incidents/{incident_id}", headers=operator)).json()
    assert (detail["patient_id"], detail["summary"]["playbook_id"]) == (patient, "home_high_risk")
    # the officer on the way fills the new run's only place: nobody else is paged
    assert await _assignments(clean_db, incident_id) == [
        ("police.s", "police", "alert_police", "en_route")
    ]
    assert not [k for k in sim.stats if "_http_" in k], sim.stats
