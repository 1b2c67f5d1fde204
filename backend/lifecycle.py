"""Start and stop the long-lived parts of one backend process, in order, each stop bounded.

``create_app`` hands :func:`lifespan` to Litestar; handlers reach the parts through
``app.state`` (and DI providers in ``backend.resources``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar

from backend.incidents.commands import command_handler
from backend.incidents.runner import Runner
from backend.incidents.service import IncidentService
from backend.incidents.snapshots import register as register_incident_snapshots
from backend.incidents.timers import fire_due_timers
from backend.jobs.scheduler import create_scheduler
from backend.positions.grids import GridLookup
from backend.positions.service import PositionService
from backend.positions.tracks import TrackSampler
from backend.push.sender import PushSender, load_vapid, public_key_b64url
from backend.realtime.hub import Client, Hub
from backend.realtime.protocol import Error as WsError
from backend.realtime.protocol import PositionUpdate
from backend.realtime.relay import Relay
from backend.realtime.socket import ConnectionCounter
from backend.realtime.streams import EventStreams
from backend.realtime.topics import TopicRegistry
from backend.resources import Resources, follow_up_policy, repeat_call_policy
from backend.security.audit import AuditLog
from backend.security.auth import AuthService
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import PgPool, create_pool
from backend.storage.redis.client import create_redis
from dispatch.index import PositionIndex
from playbooks.loader import library_dir, load_library

log = logging.getLogger("pingan.app")
STOP_TIMEOUT_S = 10.0


async def _bounded(what: str, step: Awaitable[Any]) -> None:
    """Await one shutdown step, but never hang the process on it."""
    try:
        await asyncio.wait_for(step, STOP_TIMEOUT_S)
    except TimeoutError:
        log.warning("shutdown step timed out", extra={"step": what})
    except Exception as exc:
        log.warning("shutdown step failed", extra={"step": what, "error": type(exc).__name__})


def _position_handler(
    positions: PositionService,
) -> Callable[[Client, PositionUpdate], Awaitable[None]]:
    async def on_client_position(client: Client, message: PositionUpdate) -> None:
        item = msgspec.structs.asdict(message)
        item["responder_id"] = client.principal.user_id
        (result,) = await positions.ingest(client.principal, [item])
        if result.outcome == "rejected":
            client.send(
                WsError(code="position_rejected", message=result.reason or "", field=result.field)
            )

    return on_client_position


async def _districts(pool: PgPool) -> list[str]:
    rows = await pool.fetch("SELECT path FROM org_units WHERE level = 'district' ORDER BY path")
    return [r["path"] for r in rows]


def lifespan(settings: Settings, keyring: Keyring, audit: AuditLog) -> Callable[[Litestar], Any]:
    """The lifespan of the app: open, wire, run background work; then stop it all."""
    database_url = settings.database_url or ""

    @asynccontextmanager
    async def run(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(
            database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        try:
            async with pool.acquire() as conn:
                applied = await migrate(conn)
                grids = await GridLookup.load(conn)
            if applied:
                log.info("migrations applied", extra={"files": [m.name for m in applied]})
            redis = create_redis(settings.redis_url or "")
            streams = EventStreams(redis, settings.redis_prefix, maxlen=settings.stream_maxlen)
            registry = TopicRegistry()
            hub = Hub(
                streams,
                registry,
                snapshot_context=pool,
                load_districts=lambda: _districts(pool),
                queue_size=settings.ws_queue_size,
                send_timeout_s=settings.ws_send_timeout_s,
                max_subscriptions=settings.ws_max_subscriptions,
                position_interval_s=settings.position_batch_interval_s,
            )
            hub.position_max_age_s = settings.position_freshness_s
            vapid = load_vapid(Path(settings.data_dir), settings.vapid_private_pem)
            push = PushSender(
                pool,
                vapid,
                subject=settings.push_subject,
                allow_insecure=settings.push_allow_insecure,
            )
            relay = Relay(database_url, streams, on_published=push.on_published)
            index = PositionIndex(
                redis,
                prefix=f"{settings.redis_prefix}:pos",
                freshness_s=settings.position_freshness_s,
                mirror=settings.position_mirror,
            )
            # searches read Redis until the mirror is in step (a second or so at start)
            index.start()
            positions = PositionService(pool, index, streams, grids, TrackSampler())
            hub.on_client_position = _position_handler(positions)
            library = load_library(
                Path(settings.playbook_dir) if settings.playbook_dir else library_dir()
            )
            incidents = IncidentService(
                pool,
                Runner(positions, offer_timeout_s=settings.offer_timeout_s),
                library,
                grids,
                audit,
            )
            register_incident_snapshots(registry)
            hub.on_client_command = command_handler(incidents)
            node = f"{socket.gethostname()}:{os.getpid()}"
            scheduler = create_scheduler(
                pool,
                positions,
                fire_timers=lambda: fire_due_timers(pool, incidents, node),
                follow_up_policy=follow_up_policy(settings),
                repeat_call_policy=repeat_call_policy(settings),
                warning_ack_lapse=timedelta(days=settings.warning_ack_lapse_days),
                timer_poll_s=settings.timer_poll_s,
                warning_check_s=settings.warning_check_s,
            )
            app.state.update(
                incidents=incidents,
                library=library,
                positions=positions,
                hub=hub,
                relay=relay,
                streams=streams,
                topics=registry,
                ws_connections=ConnectionCounter(),
                push=push,
                vapid_public_key=public_key_b64url(vapid),
                resources=Resources(
                    settings=settings,
                    pool=pool,
                    redis=redis,
                    keyring=keyring,
                    audit=audit,
                    auth=AuthService(settings, keyring.signing, audit),
                    cipher=FieldCipher(keyring),
                ),
            )
            scheduler.start()
            tasks = [
                asyncio.create_task(hub.run(on_position=hub.on_position_fields), name="hub"),
                asyncio.create_task(hub.run_positions(), name="hub-positions"),
                asyncio.create_task(relay.run(), name="relay"),
            ]
            try:
                yield
            finally:
                scheduler.shutdown(wait=False)
                for task in tasks:
                    task.cancel()
                await _bounded("background tasks", asyncio.gather(*tasks, return_exceptions=True))
                await _bounded("track flush", positions.tracks.flush(pool))
                for client in list(hub.clients):
                    client.drop(1001, "server shutting down")
                await _bounded("position index", index.aclose())
                await _bounded("redis", redis.aclose())
        finally:
            try:
                await asyncio.wait_for(pool.close(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("database pool did not close in time; terminating it")
                with contextlib.suppress(Exception):
                    pool.terminate()

    return run
