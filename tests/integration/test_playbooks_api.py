"""The console reads the library and drills it over the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from litestar.testing import AsyncTestClient

from backend.security.policy import Role
from tests.conftest import DistrictPaths, login

SCENARIOS = Path(__file__).resolve().parents[2] / "playbooks" / "library" / "scenarios"


async def test_list_get_and_drill(
    client: AsyncTestClient[Any], make_user: Any, paths: DistrictPaths
) -> None:
    await make_user("op.pb", paths.district, Role.OPERATOR)
    await make_user("resp.pb", paths.grid_a, Role.RESPONDER, capabilities=["police"])
    operator = await login(client, "op.pb")
    listed = (await client.get("/api/playbooks", headers=operator)).json()
    assert {p["id"] for p in listed} >= {
        "crisis_at_home",
        "public_safety_high_risk",
        "self_harm",
        "emergency_transfer",
        "missing_patient",
        "medication_reaction",
    }
    one = await client.get("/api/playbooks/crisis_at_home", headers=operator)
    assert one.json()["steps"][0]["id"] == "notify_guardian"
    # The definition keeps `title` as written; screens get every step's name beside it.
    wait = next(s for s in one.json()["steps"] if s["id"] == "wait_arrivals")
    assert wait.get("title") is None
    assert one.json()["shown_titles"]["wait_arrivals"] == {
        "zh-CN": "等待到场",
        "en": "Wait for arrivals",
    }
    summary = next(p for p in listed if p["id"] == "crisis_at_home")
    named = {s["id"]: s["title"] for s in summary["steps"]}
    assert named["wait_arrivals"]["zh-CN"] == "等待到场"
    assert all(t is not None for t in named.values())
    assert (await client.get("/api/playbooks/nope", headers=operator)).status_code == 404
    scenario = yaml.safe_load(sorted(SCENARIOS.glob("*.yaml"))[0].read_text(encoding="utf-8"))
    drilled = await client.post("/api/playbooks/drill", headers=operator, json=scenario)
    assert drilled.status_code == 200, drilled.text
    assert drilled.json()["unmet"] == []
    assert "Timeline" in drilled.json()["text"]
    bad = await client.post("/api/playbooks/drill", headers=operator, json={"name": "x"})
    assert bad.status_code == 422
    responder = await login(client, "resp.pb")
    assert (
        await client.post("/api/playbooks/drill", headers=responder, json=scenario)
    ).status_code == 403
