"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis).

Every operation is called with generated inputs and a valid token of a powerful role; no answer
may be a 5xx, and every documented answer must match its schema. Bounded examples keep CI fast.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from backend.security.policy import Role
from backend.security.users import UserCreate, create_user
from simulators.geography import Geography
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths, backend_env, free_port

pytestmark = pytest.mark.e2e
# Examples per operation; raise it locally (PINGAN_TEST_FUZZ_EXAMPLES=500) for a deeper search.
FUZZ_EXAMPLES = int(os.environ.get("PINGAN_TEST_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzz_target(
    database_url: str,
    redis_url: str,
    district: Geography,
    paths: DistrictPaths,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BackendProcess, dict[str, str]]]:
    """A real backend and a token that holds most permissions (operator + case worker + auditor)."""

    async def seed() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("DELETE FROM users WHERE username = 'fuzzer'")
            await create_user(
                conn,
                UserCreate(
                    username="fuzzer",
                    display_name="Fuzzer",
                    password=TEST_PASSWORD,
                    org_path=paths.district,
                    roles=[Role.OPERATOR, Role.CASE_WORKER, Role.AUDITOR, Role.DISTRICT_LEADER],
                ),
            )
        finally:
            await conn.close()

    asyncio.run(seed())
    folder: Path = tmp_path_factory.mktemp("fuzz")
    backend = BackendProcess(
        backend_env(database_url, redis_url, PINGAN_DATA_DIR=str(folder)),
        free_port(),
        folder / "backend.log",
    )
    backend.wait_ready()
    token = httpx.post(
        f"{backend.base_url}/api/auth/login", json={"username": "fuzzer", "password": TEST_PASSWORD}
    ).json()["access_token"]
    yield backend, {"Authorization": f"Bearer {token}"}
    backend.stop()


# every operation's examples take two to three minutes on a slow 2-core box: past the default
# 120 s, the timeout fired inside an example and read as a flaky server error
@pytest.mark.timeout(600)
def test_api_has_no_server_errors_and_keeps_its_schema(
    fuzz_target: tuple[BackendProcess, dict[str, str]],
) -> None:
    backend, headers = fuzz_target
    api = schemathesis.openapi.from_url(f"{backend.base_url}/schema/openapi.json")
    failures: dict[str, str] = {}
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/auth/logout":
            continue  # would end the fuzzer's own session mid-run; covered by the auth tests
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=backend.base_url,
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            exercise()
        except Exception as exc:
            # a flaky failure is an exception group: its message does not say what failed
            inner = "".join(f"\n  - {e!r}"[:1500] for e in getattr(exc, "exceptions", ()))
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000] + inner
    assert operations >= 8
    assert not failures, "\n\n".join(f"{op}: {why}" for op, why in failures.items())
