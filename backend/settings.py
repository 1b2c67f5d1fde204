"""The one configuration object, read from ``PINGAN_*`` environment variables.

Every field of :class:`Settings` maps to ``PINGAN_<FIELD>`` (upper case). An optional TOML file
named by ``PINGAN_CONFIG_FILE`` supplies values first; the environment wins over the file.
A wrong value raises :class:`ConfigError` naming the variable and what is expected, so start-up
stops with a message a person can act on.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.validation import explain

ENV_PREFIX = "PINGAN_"

Port = Annotated[int, Meta(ge=0, le=65535)]
PositiveSeconds = Annotated[float, Meta(gt=0, le=86_400)]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

# Fields whose values never appear in `pingan config`, logs or errors.
SECRET_FIELDS = frozenset(
    {
        "secret_key",
        "data_keys",
        "index_key",
        "audit_key",
        "database_url",
        "redis_url",
        "vapid_private_pem",
    }
)


def default_data_dir() -> str:
    """The data folder under the user's data home (XDG), used when PINGAN_DATA_DIR is unset."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "pingan")


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Effective configuration of one process. Build it with :func:`load_settings`."""

    database_url: str | None = None
    """PostgreSQL DSN; unset means an embedded PostgreSQL in ``data_dir``."""
    redis_url: str | None = None
    """Redis URL; unset means an embedded Redis in ``data_dir``."""
    data_dir: str = msgspec.field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: Port = 8000
    log_level: LogLevel = "INFO"
    log_json: bool = True
    redis_prefix: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] = "pingan"
    db_pool_min: Annotated[int, Meta(ge=1, le=100)] = 2
    db_pool_max: Annotated[int, Meta(ge=1, le=500)] = 20
    secret_key: str | None = None
    """Signing key for access tokens; generated and kept in ``data_dir`` when unset."""
    data_keys: str | None = None
    """Encryption keys for personal data, ``id:base64key,...`` (first is current)."""
    index_key: str | None = None
    """Base64 key of the HMAC blind index for exact lookup of encrypted fields."""
    audit_key: str | None = None
    """Base64 key of the audit log's HMAC chain (kept outside the database)."""
    login_max_failures: Annotated[int, Meta(ge=1, le=100)] = 5
    login_lockout_s: Annotated[int, Meta(ge=1, le=86_400)] = 600
    access_token_ttl_s: Annotated[int, Meta(ge=30, le=86_400)] = 900
    refresh_token_ttl_s: Annotated[int, Meta(ge=300, le=90 * 86_400)] = 7 * 86_400
    allowed_origins: list[str] = msgspec.field(default_factory=list)
    """Origins allowed to open WebSockets; empty means same-origin only."""
    map_style_url: str | None = None
    default_locale: Literal["zh-CN", "en"] = "zh-CN"
    position_freshness_s: PositiveSeconds = 60.0
    position_mirror: bool = True
    """Search an in-process mirror of the position index, kept in step over Redis Pub/Sub
    (dispatch/feed.py); false: every search is a round trip to Redis."""
    max_body_bytes: Annotated[int, Meta(ge=1024, le=64 * 1024 * 1024)] = 1_048_576
    stream_maxlen: Annotated[int, Meta(ge=100, le=10_000_000)] = 10_000
    """Events each Redis stream keeps for resuming clients."""
    ws_queue_size: Annotated[int, Meta(ge=10, le=100_000)] = 1000
    """Messages queued per socket before the client is dropped as too slow."""
    ws_send_timeout_s: Annotated[float, Meta(gt=0, le=120)] = 5.0
    """A socket that cannot take one message for this long is dropped as too slow."""
    ws_max_message_bytes: Annotated[int, Meta(ge=1024, le=16 * 1024 * 1024)] = 65_536
    ws_max_subscriptions: Annotated[int, Meta(ge=1, le=1000)] = 20
    ws_max_connections_per_user: Annotated[int, Meta(ge=1, le=1000)] = 5
    ws_rate_per_s: Annotated[float, Meta(gt=0, le=10_000)] = 20.0
    ws_rate_burst: Annotated[int, Meta(ge=1, le=100_000)] = 60
    ws_ping_interval_s: Annotated[float, Meta(gt=0, le=600)] = 20.0
    position_batch_interval_s: Annotated[float, Meta(gt=0, le=60)] = 0.5
    """At most one position batch per client per interval."""
    offer_timeout_s: Annotated[float, Meta(gt=0, le=3600)] = 60.0
    """How long a responder has to answer an offer before the next candidate is asked."""
    timer_poll_s: Annotated[float, Meta(gt=0, le=60)] = 0.25
    """How often each node claims due playbook timers."""
    follow_up_days_low: Annotated[int, Meta(ge=1, le=366)] = 90
    """Longest gap between two follow-up visits of a patient of risk grade 0, in days."""
    follow_up_days_mid: Annotated[int, Meta(ge=1, le=366)] = 30
    """The same for risk grades 1-2."""
    follow_up_days_high: Annotated[int, Meta(ge=1, le=366)] = 14
    """The same for risk grades 3-5."""
    follow_up_unstable_days: Annotated[int, Meta(ge=1, le=366)] = 14
    """After a visit that found the patient unstable, the next is due within this many days."""
    follow_up_warn_min_grade: Annotated[int, Meta(ge=0, le=5)] = 3
    """Overdue follow-ups of patients of this risk grade or above raise an early warning."""
    follow_up_serious_after_days: Annotated[int, Meta(ge=0, le=366)] = 7
    """An overdue follow-up this many days late makes its warning serious."""
    repeat_call_warn_count: Annotated[int, Meta(ge=2, le=1000)] = 3
    """Incidents at one address within the repeat window (30 days) that raise an early warning."""
    repeat_call_serious_count: Annotated[int, Meta(ge=2, le=1000)] = 5
    """... and that make it serious."""
    warning_ack_lapse_days: Annotated[float, Meta(gt=0, le=366)] = 3.0
    """A warning taken in hand and still live this many days later is opened again."""
    warning_check_s: Annotated[float, Meta(gt=0, le=86_400)] = 60.0
    """How often each node runs the early-warning rules."""
    gc_freeze_interval_s: Annotated[float, Meta(ge=0, le=3600)] = 5.0
    """How often `pingan serve` freezes the live objects out of the collector's way
    (backend/gc_policy.py); 0 leaves CPython's collector as it is."""
    playbook_dir: str | None = None
    """Folder of playbook YAML files; default the library shipped in playbooks/library."""
    push_subject: str = "mailto:command-center@pingan.invalid"
    """The VAPID contact push services see."""
    push_allow_insecure: bool = False
    """Allow http:// push endpoints (tests with a local push service only)."""
    vapid_private_pem: str | None = None
    """The VAPID private key (PEM); made once and kept in ``data_dir`` when unset."""
    frontend_dist: str | None = None
    """Folder of the built frontend; default ``frontend/dist`` beside the package."""

    @property
    def embedded_postgres(self) -> bool:
        """True when no PostgreSQL URL is configured and an embedded one must be started."""
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        """True when no Redis URL is configured and an embedded one must be started."""
        return self.redis_url is None


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the variable and what is expected."""


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return ENV_PREFIX + field.upper()


def _coerce_env(field: str, raw: str) -> Any:
    # Lists come as comma-separated strings; everything else is converted by msgspec (strict=False
    # turns "8000" into 8000 and "true" into True).
    if field == "allowed_origins":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if raw == "" and field in _OPTIONAL_FIELDS:
        return None
    return raw


_OPTIONAL_FIELDS = frozenset(f.name for f in msgspec.structs.fields(Settings) if f.default is None)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from a TOML file (optional), the environment, then ``overrides``.

    Raises :class:`ConfigError` naming the variable for any wrong value or unknown variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_file = env.get(ENV_PREFIX + "CONFIG_FILE")
    if config_file:
        try:
            values.update(tomllib.loads(Path(config_file).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{ENV_PREFIX}CONFIG_FILE: cannot read {config_file}: {exc}") from exc
    known = {f.name for f in msgspec.structs.fields(Settings)}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "CONFIG_FILE":
            continue
        field = key[len(ENV_PREFIX) :].lower()
        if field.startswith("test_"):
            continue  # test-harness variables, read by tests/conftest.py
        if field not in known:
            raise ConfigError(f"{key}: unknown setting (known: {', '.join(sorted(known))})")
        values[field] = _coerce_env(field, raw)
    values.update(overrides)
    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        bad_field, reason = explain(exc)
        where = env_name(bad_field) if bad_field else "configuration"
        raise ConfigError(f"{where}: {reason}") from None
    if settings.db_pool_min > settings.db_pool_max:
        raise ConfigError(
            f"{env_name('db_pool_min')}: must not exceed {env_name('db_pool_max')} "
            f"({settings.db_pool_min} > {settings.db_pool_max})"
        )
    return settings


def describe_settings(settings: Settings) -> dict[str, Any]:
    """The effective configuration as a dict with secrets hidden, for ``pingan config``."""
    out: dict[str, Any] = {}
    for name, value in msgspec.structs.asdict(settings).items():
        if name in SECRET_FIELDS and value is not None:
            out[name] = _redact_url(value) if name.endswith("_url") else "********"
        else:
            out[name] = value
    out["embedded_postgres"] = settings.embedded_postgres
    out["embedded_redis"] = settings.embedded_redis
    return out


def _redact_url(url: str) -> str:
    # Keep scheme, host and database so an operator can check where it points; hide the password.
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:********@", url)
