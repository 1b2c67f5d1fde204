"""Snapshots of realtime topics about incidents (registered with the hub's topic registry)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from backend.incidents.models import LIVE_STATES
from backend.incidents.repo import detail_of, summarise
from backend.kpi import queries as kpi_queries
from backend.kpi.buckets import day_start
from backend.realtime.topics import TopicError, TopicRegistry, TopicSpec
from backend.security.policy import Permission
from backend.security.principal import Principal, jurisdiction_sql
from backend.storage.postgres.pool import PgPool


async def wall_snapshot(pool: PgPool, _principal: Principal, spec: TopicSpec) -> dict[str, Any]:
    """Every live incident of the topic's jurisdiction, most urgent first, and today's KPIs."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT * FROM incidents WHERE state = ANY($2::text[]) AND {jurisdiction_sql('org_path', 1)} "
            "ORDER BY priority, created_at",
            spec.org_path,
            list(LIVE_STATES),
        )
        ids = [r["id"] for r in rows]
        states = await conn.fetch(
            "SELECT incident_id, state FROM assignments WHERE incident_id = ANY($1::text[])", ids
        )
        now = datetime.now(UTC)
        kpis = await kpi_queries.today(conn, spec.org_path, start=day_start(now), now=now)
    by_incident: dict[str, list[Any]] = {}
    for s in states:
        by_incident.setdefault(s["incident_id"], []).append(s)
    return {
        "incidents": [
            msgspec.to_builtins(summarise(r, by_incident.get(r["id"], []))) for r in rows
        ],
        "kpis": msgspec.to_builtins(kpis),  # today's, as GET /api/kpi/today answers
    }


async def incident_snapshot(pool: PgPool, principal: Principal, spec: TopicSpec) -> dict[str, Any]:
    """One incident, for someone in its jurisdiction or assigned to it; otherwise not found."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT org_path FROM incidents WHERE id = $1", spec.subject)
        allowed = (
            row is not None
            and principal.can(Permission.INCIDENT_READ)
            and principal.covers(row["org_path"])
        )
        if row is not None and not allowed:
            allowed = bool(
                await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM assignments WHERE incident_id = $1 AND responder_id = $2)",
                    spec.subject,
                    uuid.UUID(principal.user_id),
                )
            )
        if not allowed:
            raise TopicError("not_found", f"no incident {spec.subject}")
        return {"incident": msgspec.to_builtins(await detail_of(conn, spec.subject or ""))}


async def personal_snapshot(pool: PgPool, principal: Principal, _spec: TopicSpec) -> dict[str, Any]:
    """A responder's live assignments (so a reconnecting phone shows its open offer)."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT a.id::text AS assignment_id, a.incident_id, a.state, a.role, a.expires_at FROM assignments a "
            "WHERE a.responder_id = $1 AND a.state IN ('offered', 'accepted', 'en_route', 'on_scene')",
            uuid.UUID(principal.user_id),
        )
    return {
        "assignments": [
            {**dict(r), "expires_at": r["expires_at"].timestamp() if r["expires_at"] else None}
            for r in rows
        ]
    }


def register(registry: TopicRegistry) -> None:
    """Install the incident snapshots."""
    registry.provide("wall", wall_snapshot)
    registry.provide("leader", wall_snapshot)
    registry.provide("incident", incident_snapshot)
    registry.provide("me", personal_snapshot)
