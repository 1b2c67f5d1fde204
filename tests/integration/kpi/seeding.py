"""Incidents with constructed milestone times, written straight to the tables the KPIs read
(incidents and assignments), so expected percentiles are known exactly."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.security.policy import Capability, Role
from backend.storage.postgres.pool import PgConn
from playbooks.loader import library_dir, load_playbook
from playbooks.state import encode_run, new_run

_numbers = itertools.count(1)
_PLAYBOOK = load_playbook(library_dir() / "crisis_at_home.yaml")


def run_state(incident_id: str, state: str) -> dict[str, Any]:
    """A real (ended) run of the crisis playbook, so every reader of incidents can decode it."""
    run = new_run(incident_id.replace(":", "-"), _PLAYBOOK)
    status = "cancelled" if state == "cancelled" else "closed" if state == "closed" else "running"
    run = msgspec.structs.replace(run, status=status)
    decoded: dict[str, Any] = msgspec.json.decode(encode_run(run))
    return decoded


async def add_responder(
    conn: PgConn, make_user: Any, name: str, org: str, caps: list[Capability], duty: str
) -> str:
    """A responder account with a responders row in ``duty`` status; returns the user id."""
    user = await make_user(name, org, Role.RESPONDER, capabilities=caps)
    await conn.execute(
        "INSERT INTO responders (user_id, duty_status) VALUES ($1::uuid, $2)", user.id, duty
    )
    return str(user.id)


async def add_incident(
    conn: PgConn,
    *,
    org_path: str,
    lat: float,
    lon: float,
    created: datetime,
    responder_id: str,
    alert_s: float | None = None,
    accept_s: float | None = None,
    arrive_s: float | None = None,
    closed_after_s: float | None = None,
    state: str = "closed",
    extra_offer_s: float | None = None,
) -> str:
    """An incident created at ``created`` whose first offer, acceptance and arrival came after
    the given seconds (None: never). ``extra_offer_s`` adds a later, second assignment (the
    KPIs must take the first). Returns its id."""
    incident_id = f"INC-{created:%Y%m%d}-{next(_numbers):05d}"

    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else created + timedelta(seconds=seconds)

    await conn.execute(
        "INSERT INTO incidents (id, kind, priority, state, lat, lon, org_path, source, playbook_id, "
        "playbook_version, run_state, created_at, updated_at, closed_at) VALUES "
        "($1, 'crisis_at_home', 2, $2, $3, $4, $5, 'console', 'crisis_at_home', 1, $6, $7, $7, $8)",
        incident_id,
        state,
        lat,
        lon,
        org_path,
        run_state(incident_id, state),
        created,
        at(closed_after_s),
    )
    offers = [] if alert_s is None else [(alert_s, accept_s, arrive_s)]
    if extra_offer_s is not None:
        offers.append((extra_offer_s, extra_offer_s + 5, extra_offer_s + 10))
    for offer, accept, arrive in offers:
        await conn.execute(
            "INSERT INTO assignments (incident_id, responder_id, role, step_id, state, offered_at, "
            "accepted_at, on_scene_at, ended_at) VALUES ($1, $2::uuid, 'police', 'respond', "
            "'cleared', $3, $4, $5, $6)",
            incident_id,
            uuid.UUID(responder_id),
            at(offer),
            at(accept),
            at(arrive),
            at(closed_after_s),
        )
    return incident_id
