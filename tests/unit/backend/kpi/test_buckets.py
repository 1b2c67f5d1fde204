"""Buckets in local time, units of a level, and series with every bucket present."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.kpi.buckets import (
    DISTRICT_TZ,
    MAX_BUCKETS,
    assemble_series,
    bucket_start,
    bucket_starts,
    day_start,
    default_window,
    split_rows,
    unit_of,
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DISTRICT_TZ)


def test_day_starts_at_local_midnight() -> None:
    # 16:30 UTC on the 3rd is 00:30 on the 4th in Shenzhen.
    assert day_start(datetime(2025, 3, 3, 16, 30, tzinfo=UTC)) == local("2025-03-04T00:00")
    assert day_start(datetime(2025, 3, 3, 15, 59, tzinfo=UTC)) == local("2025-03-03T00:00")


def test_weeks_start_on_monday() -> None:
    assert bucket_start(local("2025-03-09T23:59"), "week") == local("2025-03-03T00:00")
    assert bucket_start(local("2025-03-10T00:00"), "week") == local("2025-03-10T00:00")


def test_bucket_starts_cover_the_window() -> None:
    starts = bucket_starts(local("2025-03-03T12:00"), local("2025-03-05T00:00"), "day")
    assert starts == [local("2025-03-03T00:00"), local("2025-03-04T00:00")]
    assert bucket_starts(local("2025-03-05T00:00"), local("2025-03-18T00:00"), "week") == [
        local("2025-03-03T00:00"),
        local("2025-03-10T00:00"),
        local("2025-03-17T00:00"),
    ]


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="after"):
        bucket_starts(local("2025-03-05T00:00"), local("2025-03-05T00:00"), "day")
    with pytest.raises(ValueError, match="more than"):
        bucket_starts(local("2024-01-01T00:00"), local("2025-01-01T00:00"), "day")


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=1, max_value=MAX_BUCKETS - 10),
    st.sampled_from(["day", "week"]),
)
def test_buckets_are_contiguous_and_hold_their_moments(
    start: datetime, hours: int, bucket: str
) -> None:
    since = start.replace(tzinfo=UTC)
    until = since + timedelta(hours=hours)
    starts = bucket_starts(since, until, bucket)  # type: ignore[arg-type]
    step = timedelta(days=7 if bucket == "week" else 1)
    assert starts[0] <= since < starts[0] + step
    assert starts[-1] < until <= starts[-1] + step
    assert all(b - a == step for a, b in itertools.pairwise(starts))


def test_default_window_ends_now_with_the_current_bucket() -> None:
    now = local("2025-03-12T10:00")
    since, until = default_window(now, "day")
    assert until == now
    assert len(bucket_starts(since, until, "day")) == 14
    assert len(bucket_starts(*default_window(now, "week"), "week")) == 8


def test_unit_of_level() -> None:
    assert unit_of("440310.01.03.12", "street") == "440310.01"
    assert unit_of("440310.01.03.12", "community") == "440310.01.03"
    assert unit_of("440310.01", "community") is None


def test_series_fill_empty_buckets_with_zeros() -> None:
    starts = [local("2025-03-03T00:00"), local("2025-03-04T00:00")]
    row = {
        "is_total": False,
        "unit": "440310.01",
        "bucket": datetime(2025, 3, 4),
        "opened": 2,
        **{
            f"{m}_{q}": v
            for m in ("alert", "accept", "arrive")
            for q, v in (("p50", 1.04), ("p90", 2), ("n", 2))
        },
    }
    opened = split_rows([row, {**row, "is_total": True, "unit": None}])
    assert set(opened) == {"440310.01", None}
    s = assemble_series(
        path="440310.01",
        name_zh="街道",
        name_en="Street",
        starts=starts,
        opened=opened["440310.01"],
        closed={datetime(2025, 3, 3): 4},
    )
    first, second = (b.figures for b in s.buckets)
    assert (first.opened, first.closed, first.to_alert.n, first.to_alert.p50_s) == (0, 4, 0, None)
    assert (second.opened, second.closed, second.to_accept.p50_s, second.to_arrive.p90_s) == (
        2,
        0,
        1.0,
        2.0,
    )
