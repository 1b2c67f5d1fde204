"""``create_app(settings)``: builds the Litestar application. Wiring only, no logic."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import msgspec
from litestar import Litestar, Router, get
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router

from backend.api.audit.controllers import AuditController
from backend.api.auth.controllers import AuthController, MeController
from backend.api.geo.controllers import GeoController
from backend.api.health.controllers import HealthController
from backend.api.incidents.controllers import AssignmentController, IncidentController
from backend.api.map.controllers import MapController
from backend.api.people.controllers import PatientController, PersonController
from backend.api.places.controllers import AddressController
from backend.api.responders.controllers import PositionController, ResponderController
from backend.errors import EXCEPTION_HANDLERS
from backend.incidents.runner import Runner
from backend.incidents.service import IncidentService
from backend.incidents.snapshots import register as register_incident_snapshots
from backend.incidents.timers import fire_due_timers
from backend.jobs.scheduler import create_scheduler
from backend.middleware import RequestIdMiddleware
from backend.positions.grids import GridLookup
from backend.positions.service import PositionService
from backend.positions.tracks import TrackSampler
from backend.realtime.controllers import realtime_stats
from backend.realtime.hub import Client, Hub
from backend.realtime.protocol import Error as WsError
from backend.realtime.protocol import PositionUpdate
from backend.realtime.relay import Relay
from backend.realtime.socket import ConnectionCounter, realtime_socket
from backend.realtime.streams import EventStreams
from backend.realtime.topics import TopicRegistry
from backend.resources import (
    Resources,
    provide_auth,
    provide_cipher,
    provide_pool,
    provide_redis,
    provide_settings,
)
from backend.security.audit import AuditLog
from backend.security.auth import AuthService
from backend.security.crypto import FieldCipher
from backend.security.guards import PUBLIC, permission_guard
from backend.security.keys import load_keyring
from backend.security.middleware import TokenAuthenticationMiddleware
from backend.security.providers import provide_auditor, provide_caller
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import create_pool
from backend.storage.redis.client import create_redis
from dispatch.index import PositionIndex
from playbooks.loader import library_dir, load_library

log = logging.getLogger("pingan.app")
DEFAULT_DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"


class ClientConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What a browser needs before anyone logs in."""

    map_style_url: str | None
    default_locale: str
    app_name: str


def _frontend_router(settings: Settings) -> Router | None:
    dist = Path(settings.frontend_dist) if settings.frontend_dist else DEFAULT_DIST
    if not (dist / "index.html").exists():
        log.warning("frontend not built; run `make frontend`", extra={"dist": str(dist)})
        return None
    return create_static_files_router(
        path="/", directories=[dist], html_mode=True, name="frontend", opt=PUBLIC
    )


def create_app(settings: Settings) -> Litestar:
    """The backend application for ``settings`` (whose URLs must point at running servers)."""
    if settings.database_url is None or settings.redis_url is None:
        raise ValueError(
            "create_app needs database_url and redis_url; use resolve_services() first"
        )
    database_url, redis_url = settings.database_url, settings.redis_url
    keyring = load_keyring(settings)
    audit = AuditLog(keyring.audit)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(
            database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        try:
            async with pool.acquire() as conn:
                applied = await migrate(conn)
            if applied:
                log.info("migrations applied", extra={"files": [m.name for m in applied]})
            redis = create_redis(redis_url)
            streams = EventStreams(redis, settings.redis_prefix, maxlen=settings.stream_maxlen)
            registry = TopicRegistry()

            async def load_districts() -> list[str]:
                async with pool.acquire() as conn:
                    rows = await conn.fetch(
                        "SELECT path FROM org_units WHERE level = 'district' ORDER BY path"
                    )
                return [r["path"] for r in rows]

            hub = Hub(
                streams,
                registry,
                snapshot_context=pool,
                load_districts=load_districts,
                queue_size=settings.ws_queue_size,
                send_timeout_s=settings.ws_send_timeout_s,
                max_subscriptions=settings.ws_max_subscriptions,
                position_interval_s=settings.position_batch_interval_s,
            )
            relay = Relay(database_url, streams)
            async with pool.acquire() as conn:
                grids = await GridLookup.load(conn)
            positions = PositionService(
                pool,
                PositionIndex(
                    redis,
                    prefix=f"{settings.redis_prefix}:pos",
                    freshness_s=settings.position_freshness_s,
                ),
                streams,
                grids,
                TrackSampler(),
            )
            hub.position_max_age_s = settings.position_freshness_s

            async def on_client_position(client: Client, message: PositionUpdate) -> None:
                item = msgspec.structs.asdict(message)
                item["responder_id"] = client.principal.user_id
                (result,) = await positions.ingest(client.principal, [item])
                if result.outcome == "rejected":
                    client.send(
                        WsError(code="position_rejected", message=result.reason or "", topic=None)
                    )

            hub.on_client_position = on_client_position
            library = load_library(
                Path(settings.playbook_dir) if settings.playbook_dir else library_dir()
            )
            runner = Runner(positions, offer_timeout_s=settings.offer_timeout_s)
            incidents = IncidentService(pool, runner, library, grids)
            register_incident_snapshots(registry)
            node = f"{socket.gethostname()}:{os.getpid()}"

            async def fire_timers() -> None:
                await fire_due_timers(pool, incidents, node)

            scheduler = create_scheduler(
                pool, positions, fire_timers=fire_timers, timer_poll_s=settings.timer_poll_s
            )
            app.state.incidents = incidents
            app.state.library = library
            app.state.positions = positions
            app.state.hub = hub
            app.state.relay = relay
            app.state.streams = streams
            app.state.topics = registry
            app.state.ws_connections = ConnectionCounter()
            app.state.resources = Resources(
                settings=settings,
                pool=pool,
                redis=redis,
                keyring=keyring,
                audit=audit,
                auth=AuthService(settings, keyring.signing, audit),
                cipher=FieldCipher(keyring),
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
                await asyncio.gather(*tasks, return_exceptions=True)
                await positions.tracks.flush(pool)
                for client in list(hub.clients):
                    client.drop(1001, "server shutting down")
                await redis.aclose()
        finally:
            await pool.close()

    @get(
        "/api/client-config",
        opt={"public": True},
        tags=["config"],
        summary="What a browser needs before login",
    )
    async def client_config() -> ClientConfig:
        return ClientConfig(
            map_style_url=settings.map_style_url,
            default_locale=settings.default_locale,
            app_name="Ping'an Command",
        )

    handlers: list[object] = [
        HealthController,
        AuthController,
        MeController,
        AuditController,
        GeoController,
        PersonController,
        PatientController,
        client_config,
        realtime_socket,
        realtime_stats,
        ResponderController,
        PositionController,
        AddressController,
        MapController,
        IncidentController,
        AssignmentController,
    ]
    frontend = _frontend_router(settings)
    if frontend is not None:
        handlers.append(frontend)
    return Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        lifespan=[lifespan],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "pool": Provide(provide_pool, sync_to_thread=False),
            "redis": Provide(provide_redis, sync_to_thread=False),
            "auth": Provide(provide_auth, sync_to_thread=False),
            "cipher": Provide(provide_cipher, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
            "auditor": Provide(provide_auditor, sync_to_thread=False),
        },
        guards=[permission_guard],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            RequestIdMiddleware(),
            DefineMiddleware(
                TokenAuthenticationMiddleware,
                exclude_from_auth_key="public",
                scopes={ScopeType.HTTP},
            ),
        ],
        request_max_body_size=settings.max_body_bytes,
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        openapi_config=OpenAPIConfig(
            title="Ping'an Command API",
            version="0.1.0",
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=PUBLIC, include_in_schema=False
            ),
            render_plugins=[ScalarRenderPlugin()],
        ),
        logging_config=None,
    )
