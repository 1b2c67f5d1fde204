"""Sizes and timings of a fan-out run, and the constants every part of it shares."""

from __future__ import annotations

import msgspec

DISTRICT = "440310"
ORG_PATH = f"{DISTRICT}.01.01.01"
KIND = "bench.update"
PAYLOAD_BYTES = 200
PEER = "bare websockets broadcast"
SUBPROTOCOL = "pingan.v1"
USERS = 10  # keeper accounts: PINGAN_WS_MAX_CONNECTIONS_PER_USER caps sockets per user at 1,000
FILL_EVENT_BYTES = 60_000


class FanoutBenchError(RuntimeError):
    """The benchmark could not run (a process did not start or answer in time)."""


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """Sizes and timings of one run."""

    clients: tuple[int, ...]
    rate_per_s: float
    window_s: float  # one window; each figure pools ``repeats`` of them
    repeats: int
    warmup: int  # first updates of each window left out of the latency figures
    workers: int  # client processes
    burst_deliveries: int  # updates x clients of the burst phase
    fill_bytes: int  # sent to each stalled client before its window
    send_timeout_s: float  # PINGAN_WS_SEND_TIMEOUT_S of our backend


FULL = Plan(
    clients=(1000, 5000),
    rate_per_s=2.0,
    window_s=10.0,
    repeats=6,
    warmup=4,
    workers=4,
    burst_deliveries=100_000,
    fill_bytes=4_500_000,
    send_timeout_s=5.0,
)
QUICK = Plan(
    clients=(50, 200),
    rate_per_s=20.0,
    window_s=1.5,
    repeats=1,
    warmup=4,
    workers=2,
    burst_deliveries=4_000,
    fill_bytes=4_500_000,
    send_timeout_s=1.0,
)
