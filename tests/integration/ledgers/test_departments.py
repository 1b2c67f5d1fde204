"""Department accounts (部门账号): a department officer keeps the ledgers of its department's
groups alone — lists, entries, checks, registering, the people to register, the figures and the
officers a person may be given — and another department's entries are a recorded 404."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.security.policy import Role
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.ledgers.conftest import Groups

Client = AsyncTestClient[Any]


def entry(person: str, group: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "person_id": person,
        "group": group,
        "since": date.today().isoformat(),
    }


def check() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(),
        "kind": "report_in",
        "finding": "normal",
    }


class Desk:
    def __init__(self, worker: dict[str, str], justice: dict[str, str], civil: dict[str, str]):
        self.worker, self.justice, self.civil = worker, justice, civil


@pytest.fixture
async def desk(client: Client, make_user: Any, paths: DistrictPaths) -> Desk:
    await make_user("cw.d", paths.community_a, Role.CASE_WORKER)
    await make_user("sfs.a", paths.street_a, Role.DEPARTMENT_OFFICER, department="justice")
    await make_user("mz.d", paths.district, Role.DEPARTMENT_OFFICER, department="civil_affairs")
    return Desk(
        worker=await login(client, "cw.d"),
        justice=await login(client, "sfs.a"),
        civil=await login(client, "mz.d"),
    )


async def test_a_department_officer_keeps_its_own_groups_ledgers_alone(
    client: Client, desk: Desk, groups: Groups, clean_db: PgPool
) -> None:
    me = (await client.get("/api/me", headers=desk.justice)).json()
    assert (me["department"], me["menus"]) == ("justice", ["ledgers"])

    # the justice office registers the person under community correction, not the elderly
    r = await client.post(
        "/api/ledgers", json=entry(groups.corrected, "community_correction"), headers=desk.justice
    )
    assert r.status_code == 201, r.text
    corrected = r.json()["entry"]
    refused = await client.post(
        "/api/ledgers", json=entry(groups.elderly[0], "elderly_alone"), headers=desk.justice
    )
    assert refused.status_code == 403
    assert (refused.json()["error"]["field"], refused.json()["error"]["code"]) == (
        "group",
        "not_your_group",
    )
    # the case worker keeps every group; the elderly entry is civil affairs'
    r = await client.post(
        "/api/ledgers", json=entry(groups.elderly[0], "elderly_alone"), headers=desk.worker
    )
    elderly = r.json()["entry"]

    listed = (await client.get("/api/ledgers", headers=desk.justice)).json()
    assert [i["id"] for i in listed["items"]] == [corrected["id"]] and listed["total"] == 1
    civil = (await client.get("/api/ledgers", headers=desk.civil)).json()
    assert [i["id"] for i in civil["items"]] == [elderly["id"]]
    everyone = (await client.get("/api/ledgers", headers=desk.worker)).json()
    assert everyone["total"] == 2
    other = await client.get("/api/ledgers?group=elderly_alone", headers=desk.justice)
    assert (other.status_code, other.json()["error"]["field"]) == (403, "group")
    pending = await client.get("/api/ledgers/pending?group=elderly_alone", headers=desk.justice)
    assert pending.status_code == 403

    # its own entry: read and checked; the other department's: a 404, recorded as a denial
    ok = await client.post(
        f"/api/ledgers/{corrected['id']}/checks", json=check(), headers=desk.justice
    )
    assert ok.status_code == 201, ok.text
    for response in (
        await client.get(f"/api/ledgers/{elderly['id']}", headers=desk.justice),
        await client.post(
            f"/api/ledgers/{elderly['id']}/checks", json=check(), headers=desk.justice
        ),
        await client.post(
            f"/api/ledgers/{elderly['id']}/close", json={"reason": "试图销档"}, headers=desk.justice
        ),
    ):
        assert response.status_code == 404
    denials = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND actor_name = 'sfs.a' "
        "AND object_id = $1 AND reason = 'another department''s group'",
        groups.elderly[0],
    )
    assert denials == 3
    assert (
        await clean_db.fetchval(
            "SELECT count(*) FROM ledger_checks WHERE entry_id = $1::uuid", elderly["id"]
        )
        == 0
    )

    # the figures: its groups alone
    figures = (await client.get("/api/ledgers/summary", headers=desk.justice)).json()
    assert {g["group"] for g in figures["total"]} == {"community_correction", "released_prisoner"}

    # no overdue-check warnings, which would name every group's entries
    warnings = await client.get("/api/warnings", headers=desk.justice)
    assert warnings.status_code in (200, 403)
    if warnings.status_code == 200:
        assert all(w["rule"] != "ledger_check_overdue" for w in warnings.json()["items"])


async def test_a_person_is_given_only_an_officer_who_keeps_the_group(
    client: Client, desk: Desk, groups: Groups
) -> None:
    def ids(page: Any) -> set[str]:
        return {o["display_name"] for o in page.json()["items"]}

    url = f"/api/ledgers/officers?person_id={groups.corrected}"
    assert {"Sfs.A", "Mz.D", "Cw.D"} <= ids(await client.get(url, headers=desk.worker))
    correction = ids(await client.get(url + "&group=community_correction", headers=desk.worker))
    assert "Sfs.A" in correction and "Mz.D" not in correction and "Cw.D" in correction
    justice = (await client.get("/api/me", headers=desk.justice)).json()
    civil = (await client.get("/api/me", headers=desk.civil)).json()
    wrong = await client.post(
        "/api/ledgers",
        json={**entry(groups.corrected, "community_correction"), "officer_id": civil["id"]},
        headers=desk.worker,
    )
    assert (wrong.status_code, wrong.json()["error"]["field"]) == (422, "officer_id")
    right = await client.post(
        "/api/ledgers",
        json={**entry(groups.corrected, "community_correction"), "officer_id": justice["id"]},
        headers=desk.worker,
    )
    assert right.status_code == 201, right.text
    assert right.json()["entry"]["officer_name"] == "Sfs.A"


async def test_a_department_officer_names_a_department_and_only_they_do(
    make_user: Any, paths: DistrictPaths
) -> None:
    from backend.security.users import UserError

    with pytest.raises(UserError) as missing:
        await make_user("sfs.x", paths.street_a, Role.DEPARTMENT_OFFICER)
    assert missing.value.field == "department"
    with pytest.raises(UserError) as stray:
        await make_user("cw.x", paths.community_a, Role.CASE_WORKER, department="justice")
    assert stray.value.field == "department"
