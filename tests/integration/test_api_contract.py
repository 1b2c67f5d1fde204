"""The frontend's table of HTTP endpoints against the backend's own OpenAPI document: every path,
method, query parameter and request/response property the views rely on exists on the server
(frontend/scripts/check-contract.mjs), so a renamed field fails here, not on a wall screen."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import ROOT

FRONTEND = ROOT / "frontend"


def _contract(openapi: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "node is needed (Node 20+): apt-get install nodejs npm"
    assert (FRONTEND / "node_modules" / "typescript").is_dir(), (
        "the frontend's packages are missing: run `make frontend` (npm ci in frontend/)"
    )
    return subprocess.run(
        [node, "scripts/check-contract.mjs", str(openapi)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_endpoint_the_frontend_calls_matches_the_server(
    app_settings: Settings, tmp_path: Path
) -> None:
    document = create_app(app_settings).openapi_schema.to_schema()
    openapi = tmp_path / "openapi.json"
    openapi.write_text(json.dumps(document, default=str))
    result = _contract(openapi)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "endpoints match" in result.stdout


def test_a_field_the_server_does_not_have_is_reported(
    app_settings: Settings, tmp_path: Path
) -> None:
    document = create_app(app_settings).openapi_schema.to_schema()
    # The link request loses its patient_id on the server's side: the check must say so.
    schemas = document["components"]["schemas"]
    (name,) = [n for n in schemas if n.endswith("SubjectLink")]
    del schemas[name]["properties"]["patient_id"]
    openapi = tmp_path / "openapi.json"
    openapi.write_text(json.dumps(document, default=str))
    result = _contract(openapi)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "patient_id" in result.stdout + result.stderr
