"""Dispute screening and mediation up and down the centres: registering once, the high-risk
warning, escalation and hand-down along the tree, who may act, mediation and closing, the
overdue rule, the lists, each unit's counts, weekly screenings, bad input and audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.disputes.policy import may_assign, parent, week_of
from backend.early_warning.dispute_rule import check_disputes
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Capability, Role
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from simulators.geography import Geography, generate_addresses
from tests.conftest import DistrictPaths, login

Client = AsyncTestClient[Any]


def now_iso(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def dispute(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": "neighbour",
        "title": "楼上漏水引发邻里纠纷",
        "details": "张三（302）与李四（202）因漏水赔偿争执，双方情绪激动",
        "parties": 2,
        "risk": "medium",
        "source": "grid",
        "at": now_iso(),
    }
    body.update(over)
    return body


def step(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": str(uuid.uuid4()), "at": now_iso()}
    body.update(over)
    return body


class People(msgspec.Struct, frozen=True, kw_only=True):
    worker: dict[str, str]  # community A
    street: dict[str, str]  # street A's leader
    district: dict[str, str]
    other: dict[str, str]  # community B's case worker
    address: str  # in community A
    address_b: str


@pytest.fixture
async def people(
    client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool, district: Geography
) -> People:
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    async with clean_db.acquire() as conn:
        await import_addresses(conn, [(i, r) for i, r in enumerate(rows)])
        sql = "SELECT id FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1"
        a = await conn.fetchval(sql, paths.community_a)
        b = await conn.fetchval(sql, paths.community_b)
    await make_user("cw.a", paths.community_a, Role.CASE_WORKER)
    await make_user("lead.s", paths.street_a, Role.STREET_LEADER)
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    await make_user("cw.b", paths.community_b, Role.CASE_WORKER)
    return People(
        worker=await login(client, "cw.a"),
        street=await login(client, "lead.s"),
        district=await login(client, "lead.d"),
        other=await login(client, "cw.b"),
        address=a,
        address_b=b,
    )


async def _register(client: Client, who: dict[str, str], **over: Any) -> Any:
    r = await client.post("/api/disputes", json=dispute(**over), headers=who)
    assert r.status_code == 201, r.text
    return r.json()["dispute"]


def test_where_a_dispute_may_go() -> None:
    assert parent("440310.01.03") == "440310.01"
    assert parent("440310") is None
    assert may_assign("440310.01", "440310.01.03", "440310.01.03.12")
    assert not may_assign("440310.01", "440310.01", "440310.01.03")  # not to itself
    assert not may_assign("440310.01", "440310.01.04", "440310.01.03.12")  # not sideways
    assert not may_assign("440310.01.03", "440310.02", "440310.02.01")  # not outside
    assert week_of(datetime(2026, 11, 29, 17, 0, tzinfo=UTC)) == "2026-W49"  # Monday in China


async def test_a_high_risk_dispute_is_registered_once_and_warns_at_once(
    client: Client, people: People, paths: DistrictPaths, clean_db: PgPool
) -> None:
    body = dispute(risk="high", kind="labour", parties=40, address_id=people.address)
    r = await client.post("/api/disputes", json=body, headers=people.worker)
    assert r.status_code == 201, r.text
    out = r.json()
    d = out["dispute"]
    assert (d["holder_path"], d["status"], d["yours"], d["risk"]) == (
        paths.community_a,
        "open",
        True,
        "high",
    )
    assert d["org_path"].startswith(paths.community_a + ".")  # the address's grid
    due = datetime.fromisoformat(d["due_at"]) - datetime.fromisoformat(body["at"])
    assert due == timedelta(days=3)
    assert [w["rule"] for w in d["warnings"]] == ["dispute_high_risk"]
    assert out["action"]["kind"] == "registered"
    again = await client.post("/api/disputes", json=body, headers=people.worker)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    taken = await client.post(
        "/api/disputes", json={**body, "title": "另一件事情"}, headers=people.worker
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "dispute_id_taken")
    assert await clean_db.fetchval("SELECT count(*) FROM disputes") == 1
    sealed = await clean_db.fetchval("SELECT details_enc FROM disputes")
    assert "张三".encode() not in bytes(sealed)
    warning = await clean_db.fetchrow("SELECT level, details FROM early_warnings")
    assert warning["level"] == "serious" and "张三" not in str(warning["details"])


async def test_up_the_tree_and_down_again_and_only_the_holder_acts(
    client: Client, people: People, paths: DistrictPaths, clean_db: PgPool
) -> None:
    d = await _register(client, people.worker, address_id=people.address)
    url = f"/api/disputes/{d['id']}"
    up = await client.post(
        f"{url}/escalate", json=step(reason="涉及多个部门，社区无法协调"), headers=people.worker
    )
    assert up.status_code == 201, up.text
    assert (up.json()["dispute"]["holder_path"], up.json()["dispute"]["yours"]) == (
        paths.street_a,
        False,
    )
    # the community still sees it (it happened there) but the street acts on it now
    seen = await client.get(url, headers=people.worker)
    assert seen.status_code == 200
    r = await client.post(f"{url}/mediations", json=step(), headers=people.worker)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "held_elsewhere")

    detail = (await client.get(url, headers=people.street)).json()
    assert detail["escalate_to"] == paths.district
    named = {u["org_path"] for u in detail["units"]}
    assert {paths.district, paths.street_a, paths.community_a} <= named  # the one above too
    assert all(u["name_zh"] and u["name_en"] for u in detail["units"])
    assert detail["assign_to"] == [paths.community_a, detail["dispute"]["org_path"]]
    sideways = await client.post(
        f"{url}/assign", json=step(to_path=paths.community_b, due_days=5), headers=people.street
    )
    assert (sideways.status_code, sideways.json()["error"]["code"]) == (422, "not_on_the_way")
    down = await client.post(
        f"{url}/assign",
        json=step(to_path=paths.community_a, due_days=5, notes="请社区牵头，司法所配合"),
        headers=people.street,
    )
    assert down.status_code == 201, down.text
    assert down.json()["dispute"]["holder_path"] == paths.community_a
    kinds = [a["kind"] for a in (await client.get(url, headers=people.worker)).json()["actions"]]
    assert kinds == ["registered", "escalated", "assigned"]
    # each step announced under where it happened, ids and words only
    events = await clean_db.fetch(
        "SELECT org_path, payload FROM outbox WHERE kind = 'dispute.updated' ORDER BY id"
    )
    assert [e["payload"]["action"] for e in events] == kinds
    assert {e["org_path"] for e in events} == {d["org_path"]}
    assert all(set(e["payload"]) == {"dispute_id", "action", "action_id"} for e in events)


async def test_mediation_then_closing_settles_the_warnings_and_ends_the_work(
    client: Client, people: People, clean_db: PgPool
) -> None:
    d = await _register(client, people.worker, risk="high")
    url = f"/api/disputes/{d['id']}"
    m = await client.post(f"{url}/mediations", json=step(notes="第一次调解"), headers=people.worker)
    assert m.status_code == 201 and m.json()["dispute"]["status"] == "mediating"
    done = await client.post(
        f"{url}/close", json=step(outcome="agreement", notes="达成赔偿协议"), headers=people.worker
    )
    assert done.status_code == 201, done.text
    out = done.json()
    assert (out["dispute"]["status"], out["dispute"]["outcome"]) == ("resolved", "agreement")
    assert len(out["resolved_warnings"]) == 1 and out["dispute"]["warnings"] == []
    late = await client.post(f"{url}/mediations", json=step(), headers=people.worker)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "dispute_closed")

    other = await _register(client, people.worker)
    ref = await client.post(
        f"/api/disputes/{other['id']}/close", json=step(outcome="court"), headers=people.worker
    )
    assert ref.json()["dispute"]["status"] == "referred"


async def test_a_new_risk_judgement_raises_or_settles_the_high_risk_warning(
    client: Client, people: People
) -> None:
    d = await _register(client, people.worker, risk="low")
    url = f"/api/disputes/{d['id']}/risk"
    high = await client.post(url, json=step(risk="high"), headers=people.worker)
    assert [w["rule"] for w in high.json()["dispute"]["warnings"]] == ["dispute_high_risk"]
    due = datetime.fromisoformat(high.json()["dispute"]["due_at"])
    assert due < datetime.now(UTC) + timedelta(days=4)  # brought nearer
    low = await client.post(url, json=step(risk="low"), headers=people.worker)
    assert low.json()["dispute"]["warnings"] == [] and len(low.json()["resolved_warnings"]) == 1
    assert datetime.fromisoformat(low.json()["dispute"]["due_at"]) == due  # never further


async def test_the_overdue_rule_and_escalation_with_a_new_deadline(
    client: Client, people: People, clean_db: PgPool
) -> None:
    d = await _register(client, people.worker, risk="medium")
    later = datetime.now(UTC) + timedelta(days=16)
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_disputes(conn, later)
    assert len(run.raised) == 1
    row = await clean_db.fetchrow("SELECT rule, level, subject_id FROM early_warnings")
    assert (row["rule"], row["level"], row["subject_id"]) == ("dispute_overdue", "warning", d["id"])
    async with clean_db.acquire() as conn, conn.transaction():
        again = await check_disputes(conn, later + timedelta(days=7))
    assert (again.raised, len(again.escalated)) == ([], 1)
    # seen from now the deadline is ahead: the rule's next pass settles it
    async with clean_db.acquire() as conn, conn.transaction():
        settled = await check_disputes(conn, datetime.now(UTC))
    assert len(settled.resolved) == 1


async def test_the_lists_each_units_counts_and_the_weekly_screenings(
    client: Client, people: People, paths: DistrictPaths
) -> None:
    mine = await _register(client, people.worker, risk="high")
    await _register(client, people.other, kind="family")
    gone = await _register(client, people.worker)
    await client.post(
        f"/api/disputes/{gone['id']}/close", json=step(outcome="withdrawn"), headers=people.worker
    )
    held = (await client.get("/api/disputes?which=held", headers=people.worker)).json()
    assert [d["id"] for d in held["items"]] == [mine["id"]]
    assert (held["live"], held["high"]) == (1, 1)
    closed = (await client.get("/api/disputes?which=closed", headers=people.worker)).json()
    assert [d["id"] for d in closed["items"]] == [gone["id"]]
    district = (await client.get("/api/disputes?which=live", headers=people.district)).json()
    assert district["live"] == 2
    family = await client.get("/api/disputes?which=live&kind=family", headers=people.district)
    assert [d["kind"] for d in family.json()["items"]] == ["family"]

    summary = await client.get("/api/disputes/summary?level=community", headers=people.district)
    units = {u["org_path"]: u for u in summary.json()["units"]}
    a = units[paths.community_a]
    assert (a["live"], a["high"], a["held"], a["resolved_30d"]) == (1, 1, 1, 1)
    assert units[paths.community_b]["live"] == 1

    week = week_of(datetime.now(UTC))
    r = await client.post(
        "/api/disputes/screenings", json={"week": week, "found": 0}, headers=people.worker
    )
    assert r.status_code == 200 and r.json()["reported"] is True
    page = (await client.get(f"/api/disputes/screenings?week={week}", headers=people.street)).json()
    reported = {u["org_path"]: u["reported"] for u in page["units"]}
    assert reported[paths.community_a] is True and page["reported"] == 1
    assert page["units"][0]["reported"] is False  # those yet to report first
    nxt = week_of(datetime.now(UTC) + timedelta(days=14))
    future = await client.post(
        "/api/disputes/screenings", json={"week": nxt, "found": 0}, headers=people.worker
    )
    assert (future.status_code, future.json()["error"]["code"]) == (422, "in_future")
    no53 = await client.post(
        "/api/disputes/screenings", json={"week": "2025-W53", "found": 0}, headers=people.worker
    )
    assert (no53.status_code, no53.json()["error"]["code"]) == (422, "no_such_week")


async def test_bad_input_scope_and_audit(
    client: Client,
    people: People,
    paths: DistrictPaths,
    make_user: Any,
    clean_db: PgPool,
) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"address_id": people.address_b}, 404, "address_id"),  # another community's
        ({"org_path": paths.community_b}, 404, "org_path"),
        ({"org_path": "9.9"}, 404, "org_path"),
        ({"parties": 1}, 400, "parties"),
        ({"title": "x" * 101}, 400, "title"),
        ({"kind": "feud"}, 400, "kind"),
        ({"at": now_iso(hours=2)}, 422, "at"),
    ]
    for over, status, field in cases:
        r = await client.post("/api/disputes", json=dispute(**over), headers=people.worker)
        assert r.status_code == status, (over, r.text)
        assert field in r.text, (over, r.text)
    assert await clean_db.fetchval("SELECT count(*) FROM disputes") == 0

    d = await _register(client, people.worker)
    url = f"/api/disputes/{d['id']}"
    assert (await client.get(url, headers=people.other)).status_code == 404
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1", d["id"]
    )
    assert denied == 1
    assert (await client.get("/api/disputes/not-an-id", headers=people.worker)).status_code == 404
    top = await client.post(f"{url}/escalate", json=step(reason="上报"), headers=people.worker)
    top = await client.post(f"{url}/escalate", json=step(reason="上报"), headers=people.street)
    top = await client.post(f"{url}/escalate", json=step(reason="上报"), headers=people.district)
    assert (top.status_code, top.json()["error"]["code"]) == (422, "at_top")

    await make_user("resp", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    responder = await login(client, "resp")
    assert (await client.get("/api/disputes", headers=responder)).status_code == 403

    # details and notes for those who work disputes (leaders head their centres); reads audited
    worker_view = (await client.get(url, headers=people.worker)).json()
    assert worker_view["details"] and "张三" in worker_view["details"]
    await make_user("comm.l", paths.community_a, Role.COMMUNITY_LEADER)
    leader = await login(client, "comm.l")
    leader_view = await client.get(url, headers=leader)
    assert leader_view.status_code == 200 and "张三" in (leader_view.json()["details"] or "")
    reads = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'dispute.read' AND object_id = $1", d["id"]
    )
    assert reads == 3


async def test_live_disputes_are_on_the_one_map_by_risk_until_closed(
    client: Client, people: People, clean_db: PgPool
) -> None:
    high = await _register(client, people.worker, risk="high", address_id=people.address)
    await _register(client, people.worker, risk="low", address_id=people.address)
    await _register(client, people.worker, risk="low")  # no address: not on the map

    async def cells(key: str | None = None) -> list[int | None]:
        q = "/api/map/cells?layer=disputes&res=9" + (f"&key={key}" if key else "")
        r = await client.get(q, headers=people.district)
        assert r.status_code == 200, r.text
        return [c["count"] for c in r.json()["cells"]]

    assert await cells() == [2]
    assert await cells("high") == [1]
    await client.post(
        f"/api/disputes/{high['id']}/close", json=step(outcome="agreement"), headers=people.worker
    )
    assert await cells("high") == []
    assert await cells() == [1]
    units = await client.get("/api/map/units?layer=disputes&level=street", headers=people.district)
    assert sum(u["count"] for u in units.json()["units"]) == 1


async def test_the_list_pages_without_gaps_or_repeats(client: Client, people: People) -> None:
    made = {(await _register(client, people.worker, risk=r))["id"] for r in ("low", "high", "low")}
    first = (await client.get("/api/disputes?which=held&limit=2", headers=people.worker)).json()
    rest = (
        await client.get("/api/disputes?which=held&limit=2&offset=2", headers=people.worker)
    ).json()
    ids = [d["id"] for d in first["items"]] + [d["id"] for d in rest["items"]]
    assert len(first["items"]) == 2 and len(ids) == 3 and set(ids) == made
    assert first["items"][0]["risk"] == "high"  # high-risk first
    bad = await client.get("/api/disputes?offset=-1", headers=people.worker)
    assert bad.status_code == 400 and "offset" in bad.text


async def test_a_key_person_linked_as_a_party_makes_the_dispute_high_risk(
    client: Client, people: People, clean_db: PgPool, app_settings: Settings
) -> None:
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        plain = await create_person(
            conn, cipher, PersonCreate(name="孙普通", address_id=people.address)
        )
        corrected = await create_person(
            conn,
            cipher,
            PersonCreate(name="赵矫正", address_id=people.address, tags=["community_correction"]),
        )
        patient = await create_person(
            conn, cipher, PersonCreate(name="钱患者", address_id=people.address)
        )
        await register_patient(conn, cipher, patient, PatientCreate(risk_grade=3))
        elsewhere = await create_person(
            conn, cipher, PersonCreate(name="李远", address_id=people.address_b)
        )
    d = await _register(client, people.worker, risk="medium", address_id=people.address)
    url = f"/api/disputes/{d['id']}/parties"

    first = await client.post(url, json={"person_id": plain}, headers=people.worker)
    assert first.status_code == 201, first.text
    assert (first.json()["party"]["key_reasons"], first.json()["raised_risk"]) == ([], False)
    assert first.json()["dispute"]["risk"] == "medium"

    key = await client.post(url, json={"person_id": corrected}, headers=people.worker)
    assert key.status_code == 201, key.text
    out = key.json()
    assert (out["party"]["key_reasons"], out["raised_risk"]) == (["community_correction"], True)
    assert out["dispute"]["risk"] == "high"
    assert [w["rule"] for w in out["dispute"]["warnings"]] == ["dispute_high_risk"]
    again = await client.post(url, json={"person_id": corrected}, headers=people.worker)
    assert again.status_code == 200 and again.json()["duplicate"] is True

    third = await client.post(url, json={"person_id": patient}, headers=people.worker)
    assert third.json()["party"]["key_reasons"] == ["patient"]
    assert third.json()["raised_risk"] is False  # high already

    outside = await client.post(url, json={"person_id": elsewhere}, headers=people.worker)
    assert outside.status_code == 404
    assert (
        await client.post(url, json={"person_id": "nope"}, headers=people.worker)
    ).status_code == 400

    detail = (await client.get(f"/api/disputes/{d['id']}", headers=people.worker)).json()
    assert [(p["name"], p["key_reasons"]) for p in detail["parties_linked"]] == [
        ("孙普通", []),
        ("赵矫正", ["community_correction"]),
        ("钱患者", ["patient"]),
    ]
    kinds = [a["kind"] for a in detail["actions"]]
    assert kinds == ["registered", "risk"]  # the key person's, recorded as a judgement
    leader = (await client.get(f"/api/disputes/{d['id']}", headers=people.street)).json()
    assert all(p["name"] != "赵矫正" for p in leader["parties_linked"])  # masked for a leader
    reads = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'person.read' AND details->>'dispute' = $1",
        d["id"],
    )
    assert reads == 6  # three parties, two reads


async def test_a_grid_worker_finds_a_party_by_the_id_card_in_hand_but_cannot_browse(
    client: Client,
    people: People,
    clean_db: PgPool,
    app_settings: Settings,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    cipher = FieldCipher(load_keyring(app_settings))
    async with clean_db.acquire() as conn:
        corrected = await create_person(
            conn,
            cipher,
            PersonCreate(
                name="赵矫正",
                address_id=people.address,
                id_number="440310198001011234",
                phone="13800138000",
                tags=["community_correction"],
            ),
        )
        await create_person(
            conn,
            cipher,
            PersonCreate(name="李远", address_id=people.address_b, id_number="44031019800101567X"),
        )
    await make_user("gw.a", paths.community_a, Role.GRID_WORKER)
    gw = await login(client, "gw.a")

    # no browsing: the list and a record by id stay closed
    assert (await client.get("/api/persons", headers=gw)).status_code == 403
    assert (await client.get(f"/api/persons/{corrected}", headers=gw)).status_code == 403

    found = await client.post(
        "/api/persons/lookup", json={"id_number": "440310198001011234"}, headers=gw
    )
    assert found.status_code == 200, found.text
    (view,) = found.json()["items"]
    assert view["id"] == corrected
    assert view["name"] == "赵矫正"  # to confirm who stands there
    assert view["id_number"] == "440310********1234" and view["phone"] == "138****8000"
    assert view["tags"] is None  # the groups are not a grid worker's to read
    far = await client.post(
        "/api/persons/lookup", json={"id_number": "44031019800101567X"}, headers=gw
    )
    assert far.status_code == 404 and far.json()["error"]["field"] == "id_number"

    d = await _register(client, gw, risk="low", address_id=people.address)
    linked = await client.post(
        f"/api/disputes/{d['id']}/parties", json={"person_id": corrected}, headers=gw
    )
    assert linked.status_code == 201, linked.text
    out = linked.json()
    assert (out["party"]["name"], out["party"]["key_reasons"]) == (
        "赵矫正",
        ["community_correction"],
    )
    assert out["raised_risk"] is True and out["dispute"]["risk"] == "high"
    rows = await clean_db.fetch(
        "SELECT action, outcome, details->>'lookup' AS lookup FROM audit_log "
        "WHERE actor_name IS NOT NULL AND object_type = 'person' AND actor_id = "
        "(SELECT id FROM users WHERE username = 'gw.a') ORDER BY seq"
    )
    # the lookup read, the refused one outside the jurisdiction, then the link
    assert [(r["action"], r["outcome"], r["lookup"]) for r in rows][:2] == [
        ("person.read", "ok", "id_number"),
        ("person.read", "denied", None),
    ]
