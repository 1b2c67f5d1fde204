"""Login, lockout, refresh rotation, logout and token checks against the real app."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import AsyncTestClient

from backend.security.keys import load_keyring
from backend.security.policy import Capability, Role
from backend.security.tokens import issue_access_token
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool
from tests.conftest import TEST_PASSWORD, DistrictPaths, login

Client = AsyncTestClient[Any]


async def _audit(pool: PgPool, action: str) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return [
            dict(r)
            for r in await conn.fetch(
                "SELECT * FROM audit_log WHERE action = $1 ORDER BY seq", action
            )
        ]


async def test_login_returns_tokens_and_me_shows_menus(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("op.one", paths.district, Role.OPERATOR)
    response = await client.post(
        "/api/auth/login", json={"username": "op.one", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["menus"] == ["wall", "console"]
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["org_unit"]["path"] == paths.district
    assert "incident:create" in me.json()["permissions"]


async def test_menus_follow_roles(client: Client, make_user: Any, paths: DistrictPaths) -> None:
    await make_user("resp.one", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    await make_user("aud.one", paths.district, Role.AUDITOR)
    await make_user("lead.one", paths.street_a, Role.STREET_LEADER)
    menus = {}
    for name in ("resp.one", "aud.one", "lead.one"):
        r = await client.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        menus[name] = r.json()["user"]["menus"]
    assert menus == {
        "resp.one": ["responder"],
        "aud.one": ["audit"],
        "lead.one": ["wall", "leader", "psych", "ledgers", "rentals", "disputes"],
    }


async def test_wrong_password_and_unknown_user_are_refused_and_audited(
    client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("op.two", paths.district, Role.OPERATOR)
    wrong = await client.post(
        "/api/auth/login", json={"username": "op.two", "password": "nope-nope-1"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"username": "ghost", "password": "nope-nope-1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"
    rows = await _audit(clean_db, "auth.login")
    assert [(r["actor_name"], r["outcome"], r["reason"]) for r in rows] == [
        ("op.two", "failed", "wrong password"),
        ("ghost", "failed", "unknown user"),
    ]


async def test_five_failures_lock_the_account(
    client: Client, make_user: Any, paths: DistrictPaths, clean_db: PgPool
) -> None:
    await make_user("op.three", paths.district, Role.OPERATOR)
    codes = [
        (
            await client.post(
                "/api/auth/login", json={"username": "op.three", "password": "bad-guess-1"}
            )
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    locked = await client.post(
        "/api/auth/login", json={"username": "op.three", "password": TEST_PASSWORD}
    )
    assert locked.status_code == 423
    assert locked.json()["error"]["code"] == "locked"
    reasons = [r["reason"] for r in await _audit(clean_db, "auth.login")]
    assert reasons[4] == "wrong password; locked after 5 failures"
    assert reasons[5] == "locked"


async def test_refresh_rotates_and_reuse_ends_the_session(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("op.four", paths.district, Role.OPERATOR)
    first = (
        await client.post(
            "/api/auth/login", json={"username": "op.four", "password": TEST_PASSWORD}
        )
    ).json()
    second = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    # The first token again: theft is assumed and the session ends for everyone holding it.
    reused = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    after = await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert me.status_code == 401


async def test_logout_revokes_refresh_and_access(
    client: Client, make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("op.five", paths.district, Role.OPERATOR)
    pair = (
        await client.post(
            "/api/auth/login", json={"username": "op.five", "password": TEST_PASSWORD}
        )
    ).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get("/api/me", headers=headers)).status_code == 200
    assert (
        await client.post("/api/auth/logout", json={"refresh_token": pair["refresh_token"]})
    ).status_code == 204
    assert (
        await client.post("/api/auth/logout", json={"refresh_token": pair["refresh_token"]})
    ).status_code == 204
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).status_code == 401
    assert (await client.get("/api/me", headers=headers)).status_code == 401


async def test_expired_forged_and_missing_tokens_are_refused(
    client: Client, make_user: Any, paths: DistrictPaths, app_settings: Settings
) -> None:
    await make_user("op.six", paths.district, Role.OPERATOR)
    headers = await login(client, "op.six")
    session_token = headers["Authorization"].split()[1]
    key = load_keyring(app_settings).signing
    claims = dict(
        user_id="00000000-0000-0000-0000-000000000000",
        session_id="00000000-0000-0000-0000-000000000000",
        username="op.six",
        display_name="x",
        roles=["operator"],
        capabilities=[],
        org_path=paths.district,
    )
    expired, _ = issue_access_token(key, **claims, now=time.time() - 3600, ttl_s=60)
    forged, _ = issue_access_token(b"k" * 32, **claims, now=time.time(), ttl_s=600)
    for token in (expired, forged, session_token[:-2] + "xx", "garbage"):
        r = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/api/me")).status_code == 401


async def test_every_non_public_route_requires_a_token(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    public = {
        "/healthz",
        "/readyz",
        "/api/client-config",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
    }
    checked = 0
    for path, methods in schema["paths"].items():
        if path in public:
            continue
        concrete = path.replace("{", "").replace("}", "")
        for method in methods:
            r = await client.request(method.upper(), concrete)
            assert r.status_code == 401, (method, path, r.status_code)
            checked += 1
    assert checked >= 3


async def test_bad_login_bodies_get_clear_400s(client: Client) -> None:
    cases = [
        ({"username": "x"}, "password"),
        ({"username": "", "password": "p"}, "username"),
        ({"username": "x" * 65, "password": "p"}, "username"),
        ({"username": 5, "password": "p"}, "username"),
    ]
    for body, field in cases:
        r = await client.post("/api/auth/login", json=body)
        assert r.status_code == 400, body
        assert r.json()["error"]["field"] == field, r.json()
    r = await client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
