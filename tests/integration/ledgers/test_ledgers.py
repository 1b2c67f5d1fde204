"""Ledgers of special groups: registering once, checks moving the due date, the overdue rule and
its officer, closing, the lists with masking and audit, the people still to register, each
unit's counts with the small-count rule, and who may do what."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from backend.early_warning.ledger_rule import check_ledgers
from backend.ledgers.entries import register
from backend.ledgers.models import EntryCreate
from backend.security.audit import AuditLog
from backend.security.context import Auditor, Caller
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.security.policy import Role, permissions_for
from backend.security.principal import Principal
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import DistrictPaths, login
from tests.integration.ledgers.conftest import Groups

Client = AsyncTestClient[Any]


def entry(person: str, group: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "person_id": person,
        "group": group,
        "since": date.today().isoformat(),
        "notes": "每周一到司法所报到",
    }
    body.update(over)
    return body


def check(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(),
        "kind": "home_visit",
        "finding": "normal",
        "notes": "在家，情况正常",
    }
    body.update(over)
    return body


@pytest.fixture
async def worker(client: Client, make_user: Any, paths: DistrictPaths) -> dict[str, str]:
    await make_user("cw.l", paths.community_a, Role.CASE_WORKER)
    return await login(client, "cw.l")


async def _register(client: Client, worker: dict[str, str], person: str, group: str) -> Any:
    r = await client.post("/api/ledgers", json=entry(person, group), headers=worker)
    assert r.status_code == 201, r.text
    return r.json()["entry"]


async def test_a_person_is_registered_once_and_the_first_check_falls_due_by_the_groups_interval(
    client: Client, worker: dict[str, str], groups: Groups, clean_db: PgPool
) -> None:
    body = entry(groups.corrected, "community_correction")
    r = await client.post("/api/ledgers", json=body, headers=worker)
    assert r.status_code == 201, r.text
    out = r.json()["entry"]
    assert (out["group"], out["department"], out["check_days"]) == (
        "community_correction",
        "justice",
        7,
    )
    assert out["officer_name"] == "Cw.L" and out["tagged"] is True
    assert out["notes"] == body["notes"] and out["name"] == "赵矫"
    due = datetime.fromisoformat(out["due_at"]) - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < due <= timedelta(days=7)
    again = await client.post("/api/ledgers", json=body, headers=worker)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    twice = await client.post(
        "/api/ledgers", json={**body, "id": str(uuid.uuid4())}, headers=worker
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_registered")
    clash = await client.post("/api/ledgers", json={**body, "group": "drug_rehab"}, headers=worker)
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "entry_id_taken")
    assert await clean_db.fetchval("SELECT count(*) FROM ledger_entries") == 1
    sealed = await clean_db.fetchval("SELECT notes_enc FROM ledger_entries")
    assert "司法所".encode() not in bytes(sealed)


@pytest.mark.parametrize(
    ("over", "status", "field", "code"),
    [
        ({"group": "gamblers"}, 400, "group", None),
        ({"since": (date.today() + timedelta(days=5)).isoformat()}, 422, "since", "in_future"),
        ({"officer_id": "OUTSIDE"}, 422, "officer_id", "officer_outside"),
        ({"person_id": "OTHER"}, 404, "person_id", None),
    ],
)
async def test_registrations_that_cannot_be_made_are_refused_at_their_field(
    client: Client,
    worker: dict[str, str],
    groups: Groups,
    clean_db: PgPool,
    make_user: Any,
    paths: DistrictPaths,
    over: dict[str, Any],
    status: int,
    field: str,
    code: str | None,
) -> None:
    if over.get("officer_id") == "OUTSIDE":
        far = await make_user("cw.far", paths.community_b, Role.CASE_WORKER)
        over = {"officer_id": str(far.id)}
    if over.get("person_id") == "OTHER":
        over = {"person_id": groups.other_community}
    body = {**entry(groups.elderly[0], "elderly_alone"), **over}
    r = await client.post("/api/ledgers", json=body, headers=worker)
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field
    if code:
        assert r.json()["error"]["code"] == code
    assert await clean_db.fetchval("SELECT count(*) FROM ledger_entries") == 0


async def test_checks_move_the_due_date_flag_needs_and_a_late_form_changes_nothing_newer(
    client: Client, worker: dict[str, str], groups: Groups, clean_db: PgPool
) -> None:
    registered = await _register(client, worker, groups.elderly[0], "elderly_alone")
    url = f"/api/ledgers/{registered['id']}/checks"
    body = check(finding="needs_help", notes="冬季取暖困难，已报民政")
    r = await client.post(url, json=body, headers=worker)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["entry"]["needs_help"] is True
    assert datetime.fromisoformat(out["entry"]["due_at"]) == datetime.fromisoformat(
        body["at"]
    ) + timedelta(days=30)
    again = await client.post(url, json=body, headers=worker)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    late = check(at=(datetime.now(UTC) - timedelta(days=10)).isoformat())
    r = await client.post(url, json=late, headers=worker)
    assert r.status_code == 201
    assert r.json()["entry"]["needs_help"] is True  # the newer check still stands
    detail = (await client.get(f"/api/ledgers/{registered['id']}", headers=worker)).json()
    assert [c["notes"] for c in detail["checks"]] == [body["notes"], late["notes"]]
    future = await client.post(
        url, json=check(at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()), headers=worker
    )
    assert (future.status_code, future.json()["error"]["field"]) == (422, "at")
    assert (
        await client.post("/api/ledgers/nope/checks", json=check(), headers=worker)
    ).status_code == 404
    # the registration and the two stored checks told the ledgers topic, naming the entry only
    events = await clean_db.fetch(
        "SELECT org_path, payload FROM outbox WHERE kind = 'ledger.updated' ORDER BY id"
    )
    assert [e["payload"] for e in events] == [
        {"entry_id": registered["id"], "action": action}
        for action in ("registered", "checked", "checked")
    ]
    assert {e["org_path"] for e in events} == {registered["org_path"]}


async def test_an_overdue_check_warns_the_officer_and_a_check_or_closing_resolves_it(
    client: Client, worker: dict[str, str], groups: Groups, clean_db: PgPool
) -> None:
    corrected = await _register(client, worker, groups.corrected, "community_correction")
    elderly = await _register(client, worker, groups.elderly[0], "elderly_alone")
    await clean_db.execute("UPDATE ledger_entries SET due_at = now() - interval '2 days'")
    async with clean_db.acquire() as conn, conn.transaction():
        run = await check_ledgers(conn, datetime.now(UTC))
    assert len(run.raised) == 2
    rows = await clean_db.fetch(
        "SELECT subject_id, level, details FROM early_warnings WHERE rule = 'ledger_check_overdue'"
    )
    levels = {r["subject_id"]: r["level"] for r in rows}
    assert levels == {corrected["id"]: "serious", elderly["id"]: "warning"}  # correction is strict
    told = await clean_db.fetchval(
        "SELECT count(*) FROM outbox WHERE stream = 'personal' AND kind = 'warning.raised'"
    )
    assert told == 2  # the officer (the worker who registered them) hears of both
    async with clean_db.acquire() as conn, conn.transaction():
        assert (await check_ledgers(conn, datetime.now(UTC))).raised == []  # once

    listed = (await client.get("/api/ledgers?which=overdue", headers=worker)).json()
    assert listed["overdue"] == 2 and {i["id"] for i in listed["items"]} == {
        corrected["id"],
        elderly["id"],
    }
    assert all(i["warning"] is not None for i in listed["items"])

    r = await client.post(f"/api/ledgers/{corrected['id']}/checks", json=check(), headers=worker)
    assert r.json()["resolved_warnings"] != []
    r = await client.post(
        f"/api/ledgers/{elderly['id']}/close", json={"reason": "已迁出本区"}, headers=worker
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    live = await clean_db.fetchval(
        "SELECT count(*) FROM early_warnings WHERE rule = 'ledger_check_overdue' AND state <> 'resolved'"
    )
    assert live == 0
    closed = await client.post(f"/api/ledgers/{elderly['id']}/checks", json=check(), headers=worker)
    assert (closed.status_code, closed.json()["error"]["code"]) == (409, "entry_closed")
    again = await client.post(
        f"/api/ledgers/{elderly['id']}/close", json={"reason": "再关一次"}, headers=worker
    )
    assert again.status_code == 409
    # off the ledger, the person is to be registered again (the block data still lists them)
    pending = (await client.get("/api/ledgers/pending?group=elderly_alone", headers=worker)).json()
    assert groups.elderly[0] in [p["person_id"] for p in pending["items"]]


async def test_the_people_still_to_register_and_the_units_counts(
    client: Client, worker: dict[str, str], groups: Groups, make_user: Any, paths: DistrictPaths
) -> None:
    await _register(client, worker, groups.elderly[0], "elderly_alone")
    await _register(client, worker, groups.untagged, "low_income")  # not tagged in block data
    pending = (await client.get("/api/ledgers/pending?group=elderly_alone", headers=worker)).json()
    assert pending["total"] == 5
    assert [p["person_id"] for p in pending["items"]] == groups.elderly[1:]  # oldest first
    page2 = await client.get(
        "/api/ledgers/pending?group=elderly_alone&limit=2&offset=2", headers=worker
    )
    assert [p["person_id"] for p in page2.json()["items"]] == groups.elderly[3:5]
    past = await client.get(
        "/api/ledgers/pending?group=elderly_alone&limit=2&offset=10", headers=worker
    )
    assert (past.json()["items"], past.json()["total"]) == ([], 5)  # still says how many
    listed = (await client.get("/api/ledgers?group=low_income", headers=worker)).json()
    assert [i["tagged"] for i in listed["items"]] == [False]

    await make_user("lead.s", paths.street_a, Role.STREET_LEADER)
    leader = await login(client, "lead.s")
    page = (await client.get("/api/ledgers/summary?level=community", headers=leader)).json()
    [mine] = [u for u in page["units"] if u["org_path"] == paths.community_a]
    counts = {g["group"]: g for g in mine["groups"]}
    assert counts["elderly_alone"]["tagged"] == 6
    assert counts["elderly_alone"]["registered"] is None  # 1: "<5"
    assert counts["veteran"] == {
        "group": "veteran",
        "tagged": 0,
        "registered": 0,
        "overdue": 0,
        "needs_help": 0,
    }
    assert all(u["org_path"].startswith(paths.street_a) for u in page["units"])
    # a leader reads the ledger masked, and may not write it
    read = (await client.get("/api/ledgers", headers=leader)).json()
    assert read["items"][0]["name"] != "钱老0" and read["items"][0]["notes"] is None
    r = await client.post(
        "/api/ledgers", json=entry(groups.elderly[1], "elderly_alone"), headers=leader
    )
    assert r.status_code == 403


async def test_reads_are_audited_and_other_roles_are_refused(
    client: Client,
    worker: dict[str, str],
    groups: Groups,
    clean_db: PgPool,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    registered = await _register(client, worker, groups.corrected, "community_correction")
    await client.get("/api/ledgers", headers=worker)
    await client.get(f"/api/ledgers/{registered['id']}", headers=worker)
    audited = await clean_db.fetch(
        "SELECT action FROM audit_log WHERE object_id = $1 ORDER BY seq", groups.corrected
    )
    assert [a["action"] for a in audited] == ["ledger.register", "person.read", "ledger.read"]
    await make_user("xl.l", paths.community_a, Role.COUNSELLOR)
    counsellor = await login(client, "xl.l")
    assert (await client.get("/api/ledgers", headers=counsellor)).status_code == 403
    await make_user("cw.b", paths.community_b, Role.CASE_WORKER)
    other = await login(client, "cw.b")
    r = await client.get(f"/api/ledgers/{registered['id']}", headers=other)
    assert r.status_code == 404
    denied = await clean_db.fetchval(
        "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_id = $1",
        groups.corrected,
    )
    assert denied == 1


async def test_a_registration_racing_its_own_resend_is_stored_once(
    worker: dict[str, str], groups: Groups, clean_db: PgPool, app_settings: Settings
) -> None:
    """The resend arrives while the first submission's transaction is still open: it waits on
    the row and then answers "stored before", never a server error. (Called on the service: the
    test client runs one request at a time.)"""
    body = entry(groups.elderly[2], "elderly_alone")
    user = await clean_db.fetchrow("SELECT id, org_path FROM users WHERE username = 'cw.l'")
    person_path = await clean_db.fetchval(
        "SELECT org_path FROM persons WHERE id = $1::uuid", body["person_id"]
    )
    keyring = load_keyring(app_settings)
    roles = frozenset({Role.CASE_WORKER})
    principal = Principal(
        user_id=str(user["id"]),
        username="cw.l",
        display_name="Cw.L",
        roles=roles,
        permissions=permissions_for(roles),
        capabilities=frozenset(),
        org_path=user["org_path"],
        session_id="race",
        expires_at=time.time() + 600,
    )
    auditor = Auditor(AuditLog(keyring.audit), Caller(principal=principal))
    data = msgspec.convert(body, EntryCreate)
    async with clean_db.acquire() as first, clean_db.acquire() as second:
        tx = first.transaction()
        await tx.start()
        await first.execute(
            "INSERT INTO ledger_entries (id, person_id, grp, since, officer_id, check_days, due_at, "
            "org_path, created_by, created_by_name) VALUES ($1::uuid, $2::uuid, 'elderly_alone', "
            "$3, $4, 30, now() + interval '30 days', $5, $4, 'Cw.L')",
            body["id"],
            body["person_id"],
            data.since,
            user["id"],
            person_path,
        )
        resend = asyncio.create_task(
            register(second, FieldCipher(keyring), auditor, data, datetime.now(UTC))
        )
        await asyncio.sleep(0.5)
        assert not resend.done()  # waiting on the uncommitted row
        await tx.commit()
        out = await resend
    assert out.duplicate is True and out.entry.id == body["id"]
    assert await clean_db.fetchval("SELECT count(*) FROM ledger_entries") == 1


async def test_an_officer_is_chosen_among_those_who_keep_ledgers_over_the_person(
    client: Client,
    worker: dict[str, str],
    groups: Groups,
    clean_db: PgPool,
    make_user: Any,
    paths: DistrictPaths,
) -> None:
    street = await make_user("cw.street", paths.street_a, Role.CASE_WORKER)
    await make_user("cw.far", paths.community_b, Role.CASE_WORKER)
    counsellor = await make_user("xl.near", paths.community_a, Role.COUNSELLOR)
    gone = await make_user("cw.gone", paths.community_a, Role.CASE_WORKER)
    await clean_db.execute("UPDATE users SET disabled = true WHERE id = $1", gone.id)
    r = await client.get(f"/api/ledgers/officers?person_id={groups.elderly[0]}", headers=worker)
    assert r.status_code == 200, r.text
    # the person's own community first, then the street above it
    assert [o["display_name"] for o in r.json()["items"]] == ["Cw.L", "Cw.Street"]
    chosen = entry(groups.elderly[0], "elderly_alone", officer_id=str(street.id))
    r = await client.post("/api/ledgers", json=chosen, headers=worker)
    assert (r.status_code, r.json()["entry"]["officer_name"]) == (201, "Cw.Street")
    refused = entry(groups.elderly[1], "elderly_alone", officer_id=str(counsellor.id))
    r = await client.post("/api/ledgers", json=refused, headers=worker)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "officer_outside")
    elsewhere = await client.get(
        f"/api/ledgers/officers?person_id={groups.other_community}", headers=worker
    )
    assert elsewhere.status_code == 404
