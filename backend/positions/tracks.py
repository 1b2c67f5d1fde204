"""Sampled tracks: at most one row per responder per interval, written in batches with COPY.

Samples wait in memory for at most one flush interval; a crash loses those seconds of track,
never a record of record (tracks are for replay and coverage analysis).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from backend.storage.postgres.pool import PgPool
from dispatch.models import PositionReport


class TrackSampler:
    """Keeps the reports worth storing; :meth:`flush` writes them."""

    def __init__(self, interval_s: float = 10.0, max_buffer: int = 200_000) -> None:
        self.interval_s = interval_s
        self.max_buffer = max_buffer
        self._last: dict[str, tuple[float, str]] = {}
        self._buffer: list[tuple[Any, ...]] = []
        self.dropped = 0

    def offer(self, report: PositionReport, status: str) -> bool:
        """Buffer ``report`` if the interval has passed or the status changed; returns whether it was kept."""
        last = self._last.get(report.responder_id)
        if last is not None and report.ts - last[0] < self.interval_s and last[1] == status:
            return False
        if len(self._buffer) >= self.max_buffer:
            self.dropped += 1  # the database is not keeping up; shed samples, not memory
            return False
        self._last[report.responder_id] = (report.ts, status)
        self._buffer.append(
            (
                uuid.UUID(report.responder_id),
                datetime.fromtimestamp(report.ts, UTC),
                report.lat,
                report.lon,
                report.accuracy_m,
                report.speed_mps,
                report.heading_deg,
                status,
            )
        )
        return True

    async def flush(self, pool: PgPool) -> int:
        """Write the buffered samples; returns how many were written."""
        if not self._buffer:
            return 0
        rows, self._buffer = self._buffer, []
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "CREATE TEMP TABLE track_staging (LIKE position_tracks) ON COMMIT DROP"
            )
            await conn.copy_records_to_table(
                "track_staging",
                records=rows,
                columns=[
                    "responder_id",
                    "at",
                    "lat",
                    "lon",
                    "accuracy_m",
                    "speed_mps",
                    "heading_deg",
                    "status",
                ],
            )
            await conn.execute(
                "INSERT INTO position_tracks SELECT s.* FROM track_staging s "
                "JOIN responders r ON r.user_id = s.responder_id ON CONFLICT DO NOTHING"
            )
        return len(rows)
