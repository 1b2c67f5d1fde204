"""Helpers for the responder app's browser tests: a phone (360×640, touch, emulated location),
a responder account, a patient with need-to-know details, an incident nearby, what the page
keeps in storage, and a PushManager whose subscription points at a local push service."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.async_api import Browser, BrowserContext, Page

from backend.api.people.schemas import PatientCreate, PersonCreate
from backend.api.people.services import create_person, register_patient
from backend.imports.addresses import import_addresses
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
from backend.settings import load_settings
from backend.storage.postgres.pool import init_connection
from simulators.geography import Geography, generate_addresses
from tests.conftest import ROOT
from tests.e2e.browser.conftest import sign_in
from tests.e2e.push_service import b64url

PLAYBOOKS = ROOT / "tests" / "integration" / "incidents" / "playbooks"
PHONE = {"width": 360, "height": 640}
# What the patient's need-to-know record holds; the tests look for these on the page and in storage.
GUARDIAN_PHONE = "13812345678"
DE_ESCALATION = "轻声说话，不要围堵，先请监护人开门"
MEDICATION = "奥氮平 10mg 每晚"


def backend_env(push_allow_insecure: bool = False) -> dict[str, str]:
    """The backend settings the responder tests run with: the quick test playbook, long offers."""
    env = {"PINGAN_PLAYBOOK_DIR": str(PLAYBOOKS), "PINGAN_OFFER_TIMEOUT_S": "600"}
    if push_allow_insecure:
        env["PINGAN_PUSH_ALLOW_INSECURE"] = "true"
    return env


async def open_phone(
    browser: Browser,
    base_url: str,
    username: str,
    lat: float,
    lon: float,
    *,
    init_scripts: tuple[str, ...] = (),
) -> Page:
    """A signed-in phone on /responder/ with location permission at (lat, lon)."""
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
        permissions=["geolocation", "notifications"],
        reduced_motion="reduce",
    )
    for script in init_scripts:
        await context.add_init_script(script)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    await sign_in(page, base_url, username, "/responder/")
    await page.wait_for_selector(
        ".card--duty[data-duty]:not([data-duty='unknown'])", timeout=20_000
    )
    return page


async def close_phone(page: Page) -> None:
    context: BrowserContext = page.context
    await context.close()


async def register_responder(database_url: str, user_id: uuid.UUID | str) -> None:
    """Makes an account dispatchable, off duty."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO responders (user_id, mode, duty_status) VALUES ($1::uuid, 'vehicle', 'off_duty')",
            str(user_id),
        )
    finally:
        await conn.close()


def backend_cipher(database_url: str) -> FieldCipher:
    """The field cipher of the backend subprocess (its data folder's keys), so that what a test
    stores the backend can decrypt."""
    settings = load_settings(
        {},
        data_dir=str(Path(tempfile.gettempdir()) / "pingan-test-data"),
        database_url=database_url,
    )
    return FieldCipher(load_keyring(settings))


async def patient_at_home(database_url: str, district: Geography, community: str) -> dict[str, Any]:
    """Imports the district's addresses and registers a risk-grade-2 patient at one in
    ``community``; returns {address_id, lat, lon, patient_id}. Keys are the backend
    subprocess's own (its data folder), so it can decrypt the guardian's phone."""
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(district, 1500, seed=1)]
    cipher = backend_cipher(database_url)
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        await import_addresses(conn, list(enumerate(rows)))
        home = await conn.fetchrow(
            "SELECT id, lat, lon FROM addresses WHERE org_path LIKE $1 || '.%' ORDER BY id LIMIT 1",
            community,
        )
        assert home is not None, "the synthetic district has addresses in community A"
        person = await create_person(
            conn, cipher, PersonCreate(name="李四光", address_id=home["id"])
        )
        await register_patient(
            conn,
            cipher,
            person,
            PatientCreate(
                risk_grade=2,
                guardian_name="李大山",
                guardian_phone=GUARDIAN_PHONE,
                de_escalation_notes=DE_ESCALATION,
                medication=MEDICATION,
            ),
        )
    finally:
        await conn.close()
    return {"address_id": home["id"], "lat": home["lat"], "lon": home["lon"], "patient_id": person}


async def stored_text(page: Page) -> str:
    """Everything the page keeps: localStorage, sessionStorage, every IndexedDB store, and the
    Cache Storage entries' URLs, as one string."""
    return str(
        await page.evaluate(
            """async () => {
                const parts = [];
                for (const s of [localStorage, sessionStorage]) {
                    for (let i = 0; i < s.length; i++) parts.push(s.key(i), s.getItem(s.key(i)));
                }
                const dbs = indexedDB.databases ? await indexedDB.databases() : [];
                for (const info of dbs) {
                    const db = await new Promise((ok, ko) => {
                        const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = ko;
                    });
                    for (const name of db.objectStoreNames) {
                        const all = await new Promise((ok, ko) => {
                            const r = db.transaction(name).objectStore(name).getAll();
                            r.onsuccess = () => ok(r.result); r.onerror = ko;
                        });
                        parts.push(JSON.stringify(all));
                    }
                    db.close();
                }
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const req of await cache.keys()) parts.push(req.url);
                }
                return parts.join("\\n");
            }"""
        )
    )


async def wait_for(predicate: Any, timeout_s: float = 20, every_s: float = 0.2) -> Any:
    """Polls an async predicate until it returns something truthy."""
    async with asyncio.timeout(timeout_s):
        while True:
            value = await predicate()
            if value:
                return value
            await asyncio.sleep(every_s)


class PushKeys:
    """A browser's push subscription keys, made by the test: P-256 and a 16-byte auth secret."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64url(public)
        self.auth = b64url(self.auth_secret)


def fake_push_manager(endpoint: str, keys: PushKeys) -> str:
    """An init script: `PushManager.subscribe` returns a subscription to ``endpoint`` with the
    test's keys (headless Chromium has no push service of its own). Everything else — the
    service worker, the VAPID key fetch, the POST to the backend — is the page's real code."""
    sub = json.dumps({"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}})
    return f"""
(() => {{
  const json = {sub};
  let current = null;
  const make = (options) => ({{
    endpoint: json.endpoint,
    expirationTime: null,
    options: {{ userVisibleOnly: true, applicationServerKey: options && options.applicationServerKey
      ? new Uint8Array(options.applicationServerKey).buffer : null }},
    getKey: () => null,
    toJSON: () => ({{ endpoint: json.endpoint, expirationTime: null, keys: json.keys }}),
    unsubscribe: async () => {{ current = null; return true; }},
  }});
  if (typeof PushManager !== "undefined") {{
    PushManager.prototype.subscribe = async function (options) {{
      window.__pushSubscribeCalls = (window.__pushSubscribeCalls || 0) + 1;
      current = make(options);
      return current;
    }};
    PushManager.prototype.getSubscription = async function () {{ return current; }};
    PushManager.prototype.permissionState = async function () {{ return "granted"; }};
  }}
}})();
"""
