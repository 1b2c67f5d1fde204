"""The shipped library: every playbook loads and checks clean, and drills to its timeline.

The expected timelines live in ``timelines/<scenario>.txt``. After a deliberate change to a
playbook or to the engine, regenerate them (see docs/playbooks.md) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playbooks.drill import drill_library, format_report, load_scenario, unmet_expectations
from playbooks.loader import check_files, library_dir, load_library

LIBRARY = load_library(library_dir())
SCENARIOS = sorted((library_dir() / "scenarios").glob("*.yaml"))
TIMELINES = Path(__file__).parent / "timelines"


def test_the_library_checks_clean() -> None:
    assert check_files([library_dir()]) == []


def test_the_library_has_the_six_playbooks() -> None:
    assert sorted(p.id for p in LIBRARY) == [
        "crisis_at_home",
        "emergency_transfer",
        "medication_reaction",
        "missing_patient",
        "public_safety_high_risk",
        "self_harm",
    ]


@pytest.mark.parametrize("playbook", list(LIBRARY), ids=lambda p: p.id)
def test_every_playbook_closes_with_the_record_sheet_within_24_hours(playbook: object) -> None:
    from playbooks.durations import parse_duration
    from playbooks.schema import CloseStep, Playbook

    assert isinstance(playbook, Playbook)
    closes = [s for s in playbook.steps if isinstance(s, CloseStep)]
    assert closes
    assert all(c.require_record_sheet and parse_duration(c.deadline) == 24 * 3600 for c in closes)
    assert playbook.title.zh_cn
    assert playbook.title.en
    assert playbook.basis


def test_every_playbook_has_a_scenario() -> None:
    covered = {load_scenario(path).playbook for path in SCENARIOS}
    assert covered == {p.id for p in LIBRARY}


@pytest.mark.parametrize(
    ("kind", "grade", "violent", "flags", "expected"),
    [
        ("crisis_at_home", 2, False, (), "crisis_at_home"),
        ("crisis_at_home", 3, False, (), "public_safety_high_risk"),
        ("danger_to_others", 5, True, ("weapon",), "public_safety_high_risk"),
        ("danger_to_others", None, True, (), "crisis_at_home"),
        ("self_harm", 4, False, (), "self_harm"),
        ("emergency_transfer", 2, False, (), "emergency_transfer"),
        ("missing_patient", None, False, (), "missing_patient"),
        ("medication_reaction", 1, False, ("overdose_suspected",), "medication_reaction"),
    ],
)
def test_select_routes_each_kind(
    kind: str, grade: int | None, violent: bool, flags: tuple[str, ...], expected: str
) -> None:
    chosen = LIBRARY.select(kind, grade, violent=violent, flags=flags)  # type: ignore[arg-type]
    assert chosen.id == expected


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_scenario_drills_to_its_expected_timeline(path: Path) -> None:
    scenario = load_scenario(path)
    report = drill_library(LIBRARY, scenario)
    assert unmet_expectations(report, scenario.expect) == []
    expected = TIMELINES / f"{scenario.name}.txt"
    assert expected.is_file(), f"no expected timeline {expected}; see docs/playbooks.md"
    assert format_report(report) == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_scenario_meets_or_misses_every_deadline_it_started(path: Path) -> None:
    report = drill_library(LIBRARY, load_scenario(path))
    assert report.state.status in ("closed", "cancelled")
    assert all(d.status in ("met", "missed", "cancelled") for d in report.deadlines)
