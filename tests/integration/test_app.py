"""The app in-process against the real servers: health, readiness, error shape, request ids."""

from __future__ import annotations

from litestar.testing import AsyncTestClient


async def test_healthz_and_readyz(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["down"] == []


async def test_request_id_is_returned_and_kept_when_given(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    fresh = await client.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    junk = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert junk.headers["x-request-id"] != "<script>"


async def test_unknown_route_uses_the_error_shape(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_openapi_is_served(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/readyz" in schema["paths"]
