"""Position ingest: one code path for phones (WebSocket) and gateways (HTTP batches).

Each report is validated on its own and answered on its own: a bad item never spoils the batch.
Accepted reports go to the live index (which ignores out-of-order ones), to the position stream
the hubs batch for walls, and, sampled, to PostgreSQL tracks.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from backend.positions.grids import GridLookup
from backend.positions.tracks import TrackSampler
from backend.realtime.streams import EventStreams
from backend.security.policy import Permission
from backend.security.principal import Principal, within
from backend.storage.postgres.pool import PgPool
from backend.validation import explain
from dispatch.errors import DispatchError
from dispatch.index import PositionIndex
from dispatch.models import (
    Capability,
    DutyStatus,
    PositionReport,
    ResponderProfile,
    TravelMode,
    UpsertOutcome,
)

log = logging.getLogger("pingan.positions")
MAX_FUTURE_S = 30.0
PROFILE_TTL_S = 30.0


class ItemResult(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one report of a batch."""

    index: int
    outcome: Literal["applied", "ignored", "rejected"]
    responder_id: str | None = None
    field: str | None = None
    reason: str | None = None


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """A responder as ingest needs it: index profile, home unit, duty status."""

    index: ResponderProfile
    home_org: str
    fetched_at: float


class PositionService:
    """Validates, authorises and applies position reports."""

    def __init__(
        self,
        pool: PgPool,
        index: PositionIndex,
        streams: EventStreams,
        grids: GridLookup,
        tracks: TrackSampler,
    ) -> None:
        self._pool = pool
        self.index = index
        self._streams = streams
        self.grids = grids
        self.tracks = tracks
        self._profiles: dict[str, Profile] = {}
        # plan the nearest search from every cell of this node's territory now (~0.2 ms a
        # cell, ~0.1 s for a district), so no dispatch query pays for it (docs/positions.md)
        index.warm_plans(grids.cells_at(index.index_res))

    async def profiles(self, ids: Sequence[str], now: float) -> dict[str, Profile]:
        """Profiles of ``ids`` (cached for a few seconds); unknown ids are absent."""
        missing = [
            i
            for i in set(ids)
            if i not in self._profiles or now - self._profiles[i].fetched_at > PROFILE_TTL_S
        ]
        uuids = [u for u in (_uuid(i) for i in missing) if u is not None]
        if uuids:
            async with self._pool.acquire() as conn:
                rows = await conn.fetch(
                    """
                    SELECT r.user_id::text AS id, r.mode, r.duty_status, u.capabilities, u.org_path
                    FROM responders r JOIN users u ON u.id = r.user_id
                    WHERE r.user_id = ANY($1::uuid[]) AND NOT u.disabled
                    """,
                    uuids,
                )
            for r in rows:
                self._profiles[r["id"]] = Profile(
                    index=ResponderProfile(
                        responder_id=r["id"],
                        capabilities=frozenset(Capability(c) for c in r["capabilities"]),
                        mode=TravelMode(r["mode"]),
                        status=DutyStatus(r["duty_status"]),
                    ),
                    home_org=r["org_path"],
                    fetched_at=now,
                )
        return {i: self._profiles[i] for i in ids if i in self._profiles}

    def forget(self, responder_id: str) -> None:
        """Drop a cached profile (after a status or capability change)."""
        self._profiles.pop(responder_id, None)

    async def ingest(
        self, principal: Principal, raw_items: Sequence[Any], now: float | None = None
    ) -> list[ItemResult]:
        """Validate and apply a batch; every item gets its own result, in order."""
        now = time.time() if now is None else now
        results: list[ItemResult | None] = [None] * len(raw_items)
        valid: list[tuple[int, PositionReport]] = []
        may_report_any = principal.can(Permission.POSITION_REPORT_ANY)
        for i, raw in enumerate(raw_items):
            try:
                report = msgspec.convert(raw, PositionReport)
            except msgspec.ValidationError as exc:
                field, reason = explain(exc)
                results[i] = ItemResult(
                    index=i,
                    outcome="rejected",
                    field=field,
                    reason=reason,
                    responder_id=raw.get("responder_id") if isinstance(raw, dict) else None,
                )
                continue
            problem = _check(report, principal, may_report_any, now)
            if problem is not None:
                results[i] = ItemResult(
                    index=i,
                    outcome="rejected",
                    responder_id=report.responder_id,
                    field=problem[0],
                    reason=problem[1],
                )
                continue
            valid.append((i, report))
        profiles = await self.profiles([r.responder_id for _, r in valid], now)
        accepted: list[tuple[int, PositionReport, Profile]] = []
        for i, report in valid:
            profile = profiles.get(report.responder_id)
            # Unknown, or outside the gateway's jurisdiction: the same answer, revealing nothing.
            if profile is None or (
                may_report_any and not within(profile.home_org, principal.org_path)
            ):
                results[i] = ItemResult(
                    index=i,
                    outcome="rejected",
                    responder_id=report.responder_id,
                    field="responder_id",
                    reason="unknown responder",
                )
            elif profile.index.status is DutyStatus.off_duty:
                results[i] = ItemResult(
                    index=i,
                    outcome="rejected",
                    responder_id=report.responder_id,
                    field="responder_id",
                    reason="responder is off duty: positions are not kept",
                )
            else:
                accepted.append((i, report, profile))
        if accepted:
            outcomes = await self.index.upsert_many([(r, p.index) for _, r, p in accepted], now)
            published: list[dict[str, str]] = []
            for (i, report, profile), outcome in zip(accepted, outcomes, strict=True):
                applied = outcome is not UpsertOutcome.ignored
                results[i] = ItemResult(
                    index=i,
                    outcome="applied" if applied else "ignored",
                    responder_id=report.responder_id,
                    reason=None if applied else "not newer than the stored position",
                )
                if applied:
                    org = self.grids.grid_at(report.lat, report.lon) or profile.home_org
                    published.append(_stream_fields(report, profile.index, org))
                    self.tracks.offer(report, profile.index.status.value)
            await self._publish(published)
        return [r for r in results if r is not None]

    async def _publish(self, entries: list[dict[str, str]]) -> None:
        by_district: dict[str, list[dict[str, str]]] = {}
        for fields in entries:
            by_district.setdefault(fields["org"].split(".")[0], []).append(fields)
        for district, items in by_district.items():
            await self._streams.publish_positions(district, items)

    async def announce_status(self, responder_id: str, status: DutyStatus, now: float) -> None:
        """Tell the walls a responder's status changed (or that it left, when off duty)."""
        self.forget(responder_id)
        try:
            if status is DutyStatus.off_duty:
                await self.index.remove(responder_id)
            else:
                await self.index.set_status(responder_id, status)
            state = await self.index.get(responder_id, now)
        except DispatchError as exc:
            log.warning(
                "index unavailable for a status change", extra={"error": type(exc).__name__}
            )
            return
        profile = (await self.profiles([responder_id], now)).get(responder_id)
        if profile is None:
            return
        if state is None:
            fields = {"rid": responder_id, "removed": "1", "org": profile.home_org}
        else:
            report = PositionReport(
                responder_id=responder_id,
                lat=state.lat,
                lon=state.lon,
                accuracy_m=state.accuracy_m,
                ts=state.ts,
            )
            org = self.grids.grid_at(state.lat, state.lon) or profile.home_org
            fields = _stream_fields(report, profile.index, org, status=status)
        await self._publish([fields])


def _check(
    report: PositionReport, principal: Principal, may_report_any: bool, now: float
) -> tuple[str, str] | None:
    if report.ts > now + MAX_FUTURE_S:
        return "ts", f"more than {MAX_FUTURE_S:.0f} s in the future"
    if not may_report_any and report.responder_id != principal.user_id:
        return "responder_id", "you may report only your own position"
    return None


def _stream_fields(
    report: PositionReport, profile: ResponderProfile, org: str, status: DutyStatus | None = None
) -> dict[str, str]:
    return {
        "rid": report.responder_id,
        "lat": repr(report.lat),
        "lon": repr(report.lon),
        "st": (status or profile.status).value,
        "ts": repr(report.ts),
        "caps": ",".join(sorted(c.value for c in profile.capabilities)),
        "org": org,
    }


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
