"""``create_app(settings)``: builds the Litestar application. Wiring only, no logic."""

from __future__ import annotations

import logging
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
from backend.api.coverage.controllers import CoverageController
from backend.api.coverage.services import CoverageCache
from backend.api.disputes.controllers import DisputeController
from backend.api.followups.controllers import FollowUpController, PatientFollowUpController
from backend.api.geo.controllers import GeoController
from backend.api.governance.controllers import GovernanceController
from backend.api.health.controllers import HealthController
from backend.api.incidents.archives import ArchiveController
from backend.api.incidents.controllers import AssignmentController, IncidentController
from backend.api.keyplaces.controllers import KeyPlaceController
from backend.api.kpi.controllers import KpiController
from backend.api.ledgers.controllers import LedgerController
from backend.api.map.controllers import MapController
from backend.api.people.controllers import PatientController, PersonController
from backend.api.places.controllers import AddressController
from backend.api.playbooks.controllers import PlaybookController
from backend.api.psych.controllers import PsychController
from backend.api.rentals.controllers import RentalController
from backend.api.responders.controllers import PositionController, ResponderController
from backend.api.warnings.controllers import WarningController
from backend.errors import EXCEPTION_HANDLERS
from backend.gc_policy import GcPolicy
from backend.lifecycle import lifespan
from backend.middleware import RequestIdMiddleware
from backend.openapi_errors import document_errors
from backend.push.controllers import PushController
from backend.realtime.controllers import realtime_stats
from backend.realtime.socket import realtime_socket
from backend.resources import (
    provide_auth,
    provide_cipher,
    provide_follow_up_policy,
    provide_pool,
    provide_redis,
    provide_settings,
)
from backend.security.audit import AuditLog
from backend.security.guards import PUBLIC, permission_guard
from backend.security.keys import load_keyring
from backend.security.middleware import TokenAuthenticationMiddleware
from backend.security.providers import provide_auditor, provide_caller
from backend.settings import Settings

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


def create_app(settings: Settings, *, gc_policy: GcPolicy | None = None) -> Litestar:
    """The backend application for ``settings`` (whose URLs must point at running servers).

    ``gc_policy`` is the process's, when the process runs one (`pingan serve`): its figures
    are shown in ``/api/realtime/stats``.
    """
    if settings.database_url is None or settings.redis_url is None:
        raise ValueError(
            "create_app needs database_url and redis_url; use resolve_services() first"
        )
    keyring = load_keyring(settings)
    audit = AuditLog(keyring.audit)
    coverage_cache = CoverageCache(ttl_s=5.0)

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
        PatientFollowUpController,
        FollowUpController,
        WarningController,
        PsychController,
        LedgerController,
        RentalController,
        DisputeController,
        GovernanceController,
        client_config,
        realtime_socket,
        realtime_stats,
        ResponderController,
        PositionController,
        AddressController,
        MapController,
        KeyPlaceController,
        CoverageController,
        IncidentController,
        AssignmentController,
        PushController,
        ArchiveController,
        KpiController,
        PlaybookController,
    ]
    frontend = _frontend_router(settings)
    if frontend is not None:
        handlers.append(frontend)
    app = Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        lifespan=[lifespan(settings, keyring, audit)],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "pool": Provide(provide_pool, sync_to_thread=False),
            "redis": Provide(provide_redis, sync_to_thread=False),
            "auth": Provide(provide_auth, sync_to_thread=False),
            "cipher": Provide(provide_cipher, sync_to_thread=False),
            "follow_up_policy": Provide(provide_follow_up_policy, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
            "auditor": Provide(provide_auditor, sync_to_thread=False),
            "coverage_cache": Provide(coverage_cache.provide, sync_to_thread=False),
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
    app.state.gc_policy = gc_policy
    document_errors(app)
    return app
