"""``pingan playbooks check`` and ``drill`` as a person runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCENARIOS = ROOT / "playbooks" / "library" / "scenarios"


def _pingan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_library_checks_clean() -> None:
    result = _pingan("playbooks", "check")
    assert result.returncode == 0, result.stderr
    assert "playbooks ok" in result.stdout


def test_malformed_playbook_names_file_path_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    good = (ROOT / "playbooks" / "library" / "crisis_at_home.yaml").read_text(encoding="utf-8")
    bad.write_text(good.replace("deadline: 2m", "deadline: soon", 1), encoding="utf-8")
    result = _pingan("playbooks", "check", str(bad))
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr
    assert "deadline" in result.stderr


def test_every_scenario_drills_to_its_expectations() -> None:
    scenarios = sorted(SCENARIOS.glob("*.yaml"))
    assert len(scenarios) >= 6
    for scenario in scenarios:
        result = _pingan("playbooks", "drill", "--scenario", str(scenario))
        assert result.returncode == 0, (scenario.name, result.stderr)
        assert "Timeline" in result.stdout
