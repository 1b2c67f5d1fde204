"""Long-lived resources of one backend process and their Litestar dependency providers."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import State
from redis.asyncio import Redis

from backend.early_warning.repeat_call_rule import RepeatCallPolicy
from backend.followups.policy import FollowUpPolicy
from backend.security.audit import AuditLog
from backend.security.auth import AuthService
from backend.security.crypto import FieldCipher
from backend.security.keys import Keyring
from backend.settings import Settings
from backend.storage.postgres.pool import PgPool


@dataclass
class Resources:
    """What the lifespan opens and closes: handlers receive the parts through DI."""

    settings: Settings
    pool: PgPool
    redis: Redis
    keyring: Keyring
    audit: AuditLog
    auth: AuthService
    cipher: FieldCipher


def resources_of(state: State) -> Resources:
    """The resources stored on the app state by the lifespan."""
    res: Resources = state.resources
    return res


def provide_settings(state: State) -> Settings:
    """DI: the process configuration."""
    return resources_of(state).settings


def provide_pool(state: State) -> PgPool:
    """DI: the PostgreSQL pool."""
    return resources_of(state).pool


def provide_redis(state: State) -> Redis:
    """DI: the Redis client."""
    return resources_of(state).redis


def provide_auth(state: State) -> AuthService:
    """DI: login and token service."""
    return resources_of(state).auth


def provide_cipher(state: State) -> FieldCipher:
    """DI: field encryption."""
    return resources_of(state).cipher


def follow_up_policy(settings: Settings) -> FollowUpPolicy:
    """The follow-up rule as configured."""
    return FollowUpPolicy(
        days_low=settings.follow_up_days_low,
        days_mid=settings.follow_up_days_mid,
        days_high=settings.follow_up_days_high,
        unstable_days=settings.follow_up_unstable_days,
        warn_min_grade=settings.follow_up_warn_min_grade,
        serious_after_days=settings.follow_up_serious_after_days,
    )


def repeat_call_policy(settings: Settings) -> RepeatCallPolicy:
    """The repeat-call rule as configured."""
    return RepeatCallPolicy(
        min_calls=settings.repeat_call_warn_count,
        serious_calls=max(settings.repeat_call_serious_count, settings.repeat_call_warn_count),
    )


def provide_follow_up_policy(state: State) -> FollowUpPolicy:
    """DI: the follow-up rule."""
    return follow_up_policy(resources_of(state).settings)
