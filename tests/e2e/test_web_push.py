"""Web Push of an offer to a local push service that decrypts it with the subscription's keys.

The push service is the one stand-in allowed (the phone vendors' services cannot run here); it
speaks the real protocol: RFC 8030 delivery, RFC 8291 aes128gcm encryption, RFC 8292 VAPID.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import asyncpg
import http_ece
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.security.policy import Capability, Role
from tests.conftest import BackendProcess, DistrictPaths, login_http
from tests.e2e.push_service import LocalPushService
from tests.e2e.push_service import b64url as _b64
from tests.e2e.test_timers import PLAYBOOKS

pytestmark = pytest.mark.e2e


async def test_offer_is_pushed_encrypted_and_logout_removes_the_subscription(
    start_backend: Any, make_user: Any, paths: DistrictPaths, district: Any, database_url: str
) -> None:
    push = LocalPushService()
    await push.start()
    try:
        backend: BackendProcess = start_backend(
            PINGAN_PUSH_ALLOW_INSECURE="true", PINGAN_PLAYBOOK_DIR=str(PLAYBOOKS)
        )
        police = await make_user(
            "police.push", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE]
        )
        await make_user("op.push", paths.district, Role.OPERATOR)
        conn = await asyncpg.connect(database_url)
        await conn.execute(
            "INSERT INTO responders (user_id, duty_status) VALUES ($1::uuid, 'available')",
            police.id,
        )
        await conn.close()
        lon, lat = district.units[paths.grid_a].feature()["geometry"]["coordinates"][0][0]
        phone = await login_http(backend.base_url, "police.push")
        receiver_key = ec.generate_private_key(ec.SECP256R1())
        auth_secret = os.urandom(16)
        p256dh = receiver_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        endpoint = f"http://127.0.0.1:{push.port}/push/device-1"
        async with httpx.AsyncClient(base_url=backend.base_url, timeout=30) as http:
            vapid_key = (await http.get("/api/push/vapid-public-key", headers=phone)).json()[
                "public_key"
            ]
            r = await http.post(
                "/api/push/subscriptions",
                headers=phone,
                json={
                    "endpoint": endpoint,
                    "keys": {"p256dh": _b64(p256dh), "auth": _b64(auth_secret)},
                },
            )
            assert r.status_code == 204, r.text
            r = await http.post(
                "/api/positions",
                headers=phone,
                json={
                    "items": [
                        {
                            "responder_id": str(police.id),
                            "lat": lat,
                            "lon": lon,
                            "accuracy_m": 5,
                            "ts": time.time(),
                        }
                    ]
                },
            )
            assert r.json()["applied"] == 1
            operator = await login_http(backend.base_url, "op.push")
            created = await http.post(
                "/api/incidents",
                headers=operator,
                json={"kind": "crisis_at_home", "place": {"lat": lat, "lon": lon}},
            )
            assert created.status_code == 201, created.text
            async with asyncio.timeout(20):
                while not push.received:
                    await asyncio.sleep(0.1)
            headers, body = push.received[0]
            assert headers["content-encoding"] == "aes128gcm"
            scheme, _, params = headers["authorization"].partition(" ")
            assert scheme == "vapid"
            fields = dict(p.strip().split("=", 1) for p in params.split(","))
            assert fields["k"] == vapid_key
            claims = jwt.decode(fields["t"], options={"verify_signature": False})
            assert claims["aud"] == f"http://127.0.0.1:{push.port}"
            message = json.loads(
                http_ece.decrypt(
                    body, private_key=receiver_key, auth_secret=auth_secret, version="aes128gcm"
                )
            )
            assert message["type"] == "assignment.offered"
            assert message["incident_id"] == created.json()["incident"]["summary"]["id"]
            assert message["kind"] == "crisis_at_home"
            assert message["role"] == "police"
            assert abs(message["lat"] - lat) < 1e-6
    finally:
        await push.stop()


async def test_logout_removes_push_subscriptions(
    start_backend: Any, make_user: Any, paths: DistrictPaths, database_url: str
) -> None:
    backend: BackendProcess = start_backend(PINGAN_PUSH_ALLOW_INSECURE="true")
    await make_user("police.out", paths.grid_a, Role.RESPONDER, capabilities=[Capability.POLICE])
    async with httpx.AsyncClient(base_url=backend.base_url, timeout=30) as http:
        pair = (
            await http.post(
                "/api/auth/login", json={"username": "police.out", "password": "Test-password-1"}
            )
        ).json()
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        key = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        )
        sub = {
            "endpoint": "http://127.0.0.1:9/push/x",
            "keys": {"p256dh": _b64(key), "auth": _b64(os.urandom(16))},
        }
        assert (
            await http.post("/api/push/subscriptions", headers=headers, json=sub)
        ).status_code == 204
        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 1
            assert (
                await http.post("/api/auth/logout", json={"refresh_token": pair["refresh_token"]})
            ).status_code == 204
            assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0
        finally:
            await conn.close()
