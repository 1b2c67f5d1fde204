"""The three levels: figures per unit with the small-count rule, instructions from a street to
its communities and their answers, monthly reports up, and activities."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.psych.periods import period_of
from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.psych.conftest import Residents
from tests.integration.psych.test_records import SELF_HARM, SEVERE, assessment, session

Client = AsyncTestClient[Any]


class Staff:
    """Logged-in headers of the centres of street A and its community A, and the district."""

    def __init__(self, community: dict[str, str], street: dict[str, str], district: dict[str, str]):
        self.community = community
        self.street = street
        self.district = district


@pytest.fixture
async def staff(client: Client, make_user: Any, paths: DistrictPaths) -> Staff:
    await make_user("xl.c", paths.community_a, Role.COUNSELLOR)
    await make_user("xl.s", paths.street_a, Role.COUNSELLOR)
    await make_user("xl.d", paths.district, Role.COUNSELLOR)
    return Staff(
        community=await login(client, "xl.c"),
        street=await login(client, "xl.s"),
        district=await login(client, "xl.d"),
    )


def _community_row(page: dict[str, Any], path: str) -> dict[str, Any]:
    [row] = [u for u in page["units"] if u["org_path"] == path]
    return row["figures"]


async def test_figures_per_community_count_people_once_and_suppress_small_counts(
    client: Client, staff: Staff, residents: Residents, paths: DistrictPaths
) -> None:
    # five people found severe, one of them twice (counted once); two with self-harm thoughts
    for person in residents.others[:5]:
        r = await client.post(
            "/api/psych/assessments", json=assessment(person, SEVERE), headers=staff.community
        )
        assert r.status_code == 201, r.text
    await client.post(
        "/api/psych/assessments",
        json=assessment(residents.others[0], SEVERE, scale="phq9"),
        headers=staff.community,
    )
    for person in residents.others[5:7]:
        await client.post(
            "/api/psych/assessments", json=assessment(person, SELF_HARM), headers=staff.community
        )
    await client.post(
        "/api/psych/services", json=session(residents.others[5]), headers=staff.community
    )
    activity = {
        "id": str(uuid.uuid4()),
        "kind": "education",
        "title": "心理健康进社区讲座",
        "at": datetime.now(UTC).isoformat(),
        "attendees": 60,
    }
    assert (
        await client.post("/api/psych/activities", json=activity, headers=staff.community)
    ).status_code == 201

    page = (await client.get("/api/psych/units?level=community", headers=staff.street)).json()
    figures = _community_row(page, paths.community_a)
    assert figures["assessments"] == 8
    assert figures["people_assessed"] == 7
    assert figures["severe"] == 5
    assert figures["self_harm"] is None  # 2: published as "<5"
    assert figures["moderate"] == 0  # zero reveals no one
    assert (figures["crisis_interventions"], figures["referrals"]) == (1, 1)
    assert (figures["activities"], figures["attendees"]) == (1, 60)
    assert figures["open_crises"] == 6  # five severe (warning) and one self-harm still open
    # the street sees only its own communities; the district sees both streets' totals
    assert all(u["org_path"].startswith(paths.street_a) for u in page["units"])
    district = (await client.get("/api/psych/units?level=street", headers=staff.district)).json()
    assert _community_row(district, paths.street_a)["assessments"] == 8
    assert _community_row(district, paths.street_b)["assessments"] == 0
    assert district["total"]["people_assessed"] == 7
    # the community counsellor asking for streets gets nothing outside its community
    own = (await client.get("/api/psych/units?level=street", headers=staff.community)).json()
    assert own["units"] == []
    # a month by name is the same as its bounds on the district's clock
    month = period_of(datetime.now(UTC))
    named = (
        await client.get(f"/api/psych/units?level=community&period={month}", headers=staff.street)
    ).json()
    assert _community_row(named, paths.community_a) == figures
    both = await client.get(
        f"/api/psych/units?period={month}&since=2026-11-01T00:00:00%2B08:00", headers=staff.street
    )
    assert (both.status_code, both.json()["error"]["code"]) == (422, "period_and_range")
    for url in ("/api/psych/units?period=", "/api/psych/reports?period=2026-13"):
        r = await client.get(url, headers=staff.street)
        assert (r.status_code, r.json()["error"]["field"]) == (400, "period"), url
    bad = await client.get(
        "/api/psych/units?since=2026-11-02T00:00:00%2B08:00&until=2026-11-01T00:00:00%2B08:00",
        headers=staff.street,
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "until")


async def test_an_instruction_goes_down_to_the_communities_and_their_answers_come_back(
    client: Client, staff: Staff, paths: DistrictPaths, clean_db: PgPool
) -> None:
    communities = [
        r["path"]
        for r in await clean_db.fetch(
            "SELECT path FROM org_units WHERE parent_path = $1 ORDER BY path", paths.street_a
        )
    ]
    body = {
        "id": str(uuid.uuid4()),
        "title": "开展重点人群心理筛查",
        "body": "本月内完成辖区独居老人 PHQ-9 筛查并反馈人数",
        "due_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
    }
    r = await client.post("/api/psych/instructions", json=body, headers=staff.street)
    assert r.status_code == 201, r.text
    issued = r.json()["instruction"]
    assert [t["org_path"] for t in issued["targets"]] == communities
    assert issued["done"] == 0
    again = await client.post("/api/psych/instructions", json=body, headers=staff.street)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    clash = await client.post(
        "/api/psych/instructions", json={**body, "title": "另一件事"}, headers=staff.street
    )
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "instruction_id_taken")

    inbox = (await client.get("/api/psych/instructions", headers=staff.community)).json()
    [received] = inbox["received"]
    assert [t["org_path"] for t in received["targets"]] == [paths.community_a]  # its own only
    answer = {"feedback": "已筛查独居老人 42 人，2 人转介", "done": True}
    r = await client.post(
        f"/api/psych/instructions/{issued['id']}/feedback", json=answer, headers=staff.community
    )
    assert r.status_code == 200, r.text
    assert r.json()["targets"][0]["state"] == "done"
    out = (await client.get("/api/psych/instructions", headers=staff.street)).json()
    [sent] = out["issued"]
    assert sent["done"] == 1
    done = [t for t in sent["targets"] if t["state"] == "done"]
    assert [(t["org_path"], t["feedback"]) for t in done] == [
        (paths.community_a, answer["feedback"])
    ]

    # not for the street that sent it, nor under an id that is none
    r = await client.post(
        f"/api/psych/instructions/{issued['id']}/feedback", json=answer, headers=staff.street
    )
    assert r.status_code == 404
    assert (
        await client.post(
            "/api/psych/instructions/nope/feedback", json=answer, headers=staff.community
        )
    ).status_code == 404


@pytest.mark.parametrize(
    ("who", "over", "field", "code"),
    [
        ("community", {}, "targets", "no_sub_units"),
        ("street", {"targets": ["OTHER"]}, "targets[0]", "not_a_sub_unit"),
        ("street", {"targets": []}, "targets", None),
        ("street", {"due_at": "2020-01-01T00:00:00+08:00"}, "due_at", "in_past"),
    ],
)
async def test_instructions_that_cannot_be_sent_are_refused_at_their_field(
    client: Client,
    staff: Staff,
    paths: DistrictPaths,
    clean_db: PgPool,
    who: str,
    over: dict[str, Any],
    field: str,
    code: str | None,
) -> None:
    if over.get("targets") == ["OTHER"]:
        over = {"targets": [paths.community_b]}  # a community of street B
    body = {
        "id": str(uuid.uuid4()),
        "title": "标题",
        "body": "正文内容",
        "due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        **over,
    }
    r = await client.post("/api/psych/instructions", json=body, headers=getattr(staff, who))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    if code:
        assert r.json()["error"]["code"] == code
    assert await clean_db.fetchval("SELECT count(*) FROM psych_instructions") == 0


async def test_a_month_is_reported_up_once_and_the_street_sees_it(
    client: Client, staff: Staff, residents: Residents, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await client.post(
        "/api/psych/assessments", json=assessment(residents.plain, SEVERE), headers=staff.community
    )
    month = period_of(datetime.now(UTC))
    body = {"id": str(uuid.uuid4()), "period": month, "comment": "本月筛查 1 人"}
    r = await client.post("/api/psych/reports", json=body, headers=staff.community)
    assert r.status_code == 201, r.text
    report = r.json()["report"]
    assert (report["org_path"], report["figures"]["assessments"]) == (paths.community_a, 1)
    again = await client.post("/api/psych/reports", json=body, headers=staff.community)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    second = await client.post(
        "/api/psych/reports", json={**body, "id": str(uuid.uuid4())}, headers=staff.community
    )
    assert (second.status_code, second.json()["error"]["code"]) == (409, "already_reported")
    # a record after the report moves the live figures, not the report
    await client.post(
        "/api/psych/assessments", json=assessment(residents.tagged, SEVERE), headers=staff.community
    )
    status = (await client.get(f"/api/psych/reports?period={month}", headers=staff.street)).json()
    assert status["can_report"] is True and status["own"] is None
    [mine] = [c for c in status["children"] if c["org_path"] == paths.community_a]
    assert mine["report"]["figures"]["assessments"] == 1
    assert all(c["report"] is None for c in status["children"] if c is not mine)
    assert status["live"]["assessments"] == 2
    # a community has no centre below it: its grids are not listed as units that never report
    own = (await client.get(f"/api/psych/reports?period={month}", headers=staff.community)).json()
    assert own["children"] == [] and own["own"]["id"] == body["id"]
    assert await clean_db.fetchval("SELECT count(*) FROM psych_reports") == 1


@pytest.mark.parametrize(
    ("who", "period", "status", "code"),
    [
        ("district", None, 422, "district_does_not_report"),
        ("community", "2099-12", 422, "future_period"),
        ("community", "2026-13", 400, None),
    ],
)
async def test_reports_that_cannot_be_sent_are_refused(
    client: Client,
    staff: Staff,
    clean_db: PgPool,
    who: str,
    period: str | None,
    status: int,
    code: str | None,
) -> None:
    body = {"id": str(uuid.uuid4()), "period": period or period_of(datetime.now(UTC))}
    r = await client.post("/api/psych/reports", json=body, headers=getattr(staff, who))
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == "period"
    if code:
        assert r.json()["error"]["code"] == code
    assert await clean_db.fetchval("SELECT count(*) FROM psych_reports") == 0


async def test_an_activity_is_stored_once_and_listed_in_the_jurisdiction(
    client: Client, staff: Staff, paths: DistrictPaths
) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "kind": "group_activity",
        "title": "亲子沟通小组",
        "at": datetime.now(UTC).isoformat(),
        "attendees": 12,
    }
    first = await client.post("/api/psych/activities", json=body, headers=staff.community)
    again = await client.post("/api/psych/activities", json=body, headers=staff.community)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert again.json()["activity"]["id"] == body["id"]
    clash = await client.post(
        "/api/psych/activities", json={**body, "attendees": 13}, headers=staff.community
    )
    assert clash.status_code == 409
    tomorrow = {
        **body,
        "id": str(uuid.uuid4()),
        "at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }
    late = await client.post("/api/psych/activities", json=tomorrow, headers=staff.community)
    assert (late.status_code, late.json()["error"]["field"]) == (422, "at")
    listed = (await client.get("/api/psych/activities", headers=staff.street)).json()["items"]
    assert [(a["title"], a["org_path"]) for a in listed] == [("亲子沟通小组", paths.community_a)]
