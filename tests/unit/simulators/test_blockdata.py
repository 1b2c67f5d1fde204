"""The synthetic block data: the seed's figures, deterministic, plausible patients."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from backend.imports.blockdata import id_check_char
from simulators.blockdata import FULL, counts_for, write_blockdata


def test_full_scale_has_the_seed_figures() -> None:
    counts = counts_for(1.0)
    assert counts["addresses"] == 595_500
    assert counts["buildings"] == 43_900
    assert counts["houses"] == 551_600
    assert counts["persons"] == FULL["persons"] == 707_700
    assert counts["enterprises"] == 77_500


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_blockdata(tmp_path_factory.mktemp("bd"), scale=0.02, seed=3)


def lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def test_files_hold_the_scaled_figures(files: dict[str, Path]) -> None:
    counts = counts_for(0.02)
    assert lines(files["addresses"]) - 1 == counts["addresses"]
    assert lines(files["buildings"]) - 1 == counts["buildings"]
    assert lines(files["houses"]) - 1 == counts["houses"]
    assert lines(files["persons"]) == counts["persons"]
    assert lines(files["enterprises"]) - 1 == counts["enterprises"]


def test_same_seed_same_bytes(files: dict[str, Path], tmp_path: Path) -> None:
    again = write_blockdata(tmp_path, scale=0.02, seed=3)
    for kind in ("addresses", "persons", "patients", "events", "places"):
        assert again[kind].read_bytes() == files[kind].read_bytes(), kind


def test_patients_are_half_a_percent_mostly_low_risk(files: dict[str, Path]) -> None:
    persons = lines(files["persons"])
    patients = [msgspec.json.decode(x) for x in files["patients"].read_bytes().splitlines()]
    assert 0.004 <= len(patients) / persons <= 0.006
    grades = Counter(p["risk_grade"] for p in patients)
    assert grades[0] + grades[1] > 0.6 * len(patients)
    assert 0 < grades[3] + grades[4] + grades[5] < 0.2 * len(patients)


def test_id_numbers_are_well_formed(files: dict[str, Path]) -> None:
    for raw in files["persons"].read_bytes().splitlines()[:2000]:
        number = msgspec.json.decode(raw)["id_number"]
        assert id_check_char(number[:17]) == number[17]


def test_addresses_are_unique_and_cluster(files: dict[str, Path]) -> None:
    with files["addresses"].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    points = Counter((r["lat"], r["lon"]) for r in rows)
    assert max(points.values()) > 5, "houses share their building's point"
