"""The real backend process: start-up, bad configuration, Redis outage and recovery, embedded reuse."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, BackendProcess, OwnRedis

pytestmark = pytest.mark.e2e


def _cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(extra)
    return env


def test_backend_starts_and_answers(start_backend: Callable[..., BackendProcess]) -> None:
    backend = start_backend()
    ready = httpx.get(f"{backend.base_url}/readyz").json()
    assert ready["ready"] is True
    assert httpx.get(f"{backend.base_url}/schema/openapi.json").status_code == 200
    config = httpx.get(f"{backend.base_url}/api/client-config").json()
    assert config["default_locale"] == "zh-CN"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PINGAN_PORT", "not-a-port"),
        ("PINGAN_LOG_LEVEL", "CHATTY"),
        ("PINGAN_POSITION_FRESHNESS_S", "0"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    result = _cli("serve", env=_clean_env(**{variable: value}), timeout=30)
    assert result.returncode != 0
    assert variable in result.stderr


def _wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_readyz_names_redis_when_it_is_down_and_recovers(
    start_backend: Callable[..., BackendProcess], own_redis: OwnRedis
) -> None:
    url = own_redis.url
    backend = start_backend(PINGAN_REDIS_URL=url)
    own_redis.stop()

    def down() -> bool:
        r = httpx.get(f"{backend.base_url}/readyz", timeout=10)
        return r.status_code == 503 and r.json()["down"] == ["redis"]

    _wait_for(down, "readyz to report redis down")
    own_redis.start()  # same port again
    _wait_for(
        lambda: httpx.get(f"{backend.base_url}/readyz", timeout=10).status_code == 200, "recovery"
    )


def test_embedded_servers_keep_data_between_runs(tmp_path: Path) -> None:
    env = _clean_env(PINGAN_DATA_DIR=str(tmp_path / "data"))
    first = _cli("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_geography.sql" in first.stdout
    second = _cli("migrate", env=env)
    assert second.returncode == 0, second.stderr
    assert "nothing to apply" in second.stdout
