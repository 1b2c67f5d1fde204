"""The dispute page's copies of the server's rules say what the server does.

No route lists a dispute's kinds, risks, sources, outcomes, deadlines or a party's key reasons, so
the page keeps a copy (frontend/src/shared/dispute-terms.ts, frontend/src/disputes/labels.ts); a
change on either side fails here before the form offers a choice the server refuses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from backend.disputes.policy import (
    KEY_GROUPS,
    KEY_PATIENT_GRADE,
    SETTLE_DAYS,
    Kind,
    Referral,
    Resolution,
    Risk,
    Source,
    key_reasons,
)

FRONTEND = Path(__file__).resolve().parents[3] / "frontend" / "src"


def strings(source: str, name: str) -> list[str]:
    """The string literals of the array constant ``name``."""
    found = re.search(rf"export const {name}: [^=]+= \[([^\]]*)\];", source)
    assert found is not None, name
    return re.findall(r'"(\w+)"', found.group(1))


def keys(source: str, name: str) -> set[str]:
    """The keys of the record constant ``name`` (one ``key: value,`` per line)."""
    found = re.search(rf"export const {name}: [^=]+= \{{(.*?)\n\}};", source, re.DOTALL)
    assert found is not None, name
    return set(re.findall(r"^\s*(\w+): ", found.group(1), re.MULTILINE))


def test_kinds_risks_sources_and_outcomes_are_the_servers() -> None:
    terms = (FRONTEND / "shared" / "dispute-terms.ts").read_text(encoding="utf-8")
    labels = (FRONTEND / "disputes" / "labels.ts").read_text(encoding="utf-8")
    assert strings(terms, "DISPUTE_KINDS") == list(get_args(Kind))
    assert set(strings(terms, "DISPUTE_RISKS")) == set(get_args(Risk))
    assert keys(labels, "SOURCES") == set(get_args(Source))
    assert strings(labels, "RESOLUTIONS") == list(get_args(Resolution))
    assert strings(labels, "REFERRALS") == list(get_args(Referral))
    every = key_reasons(list(KEY_GROUPS), KEY_PATIENT_GRADE)  # each reason a party can have
    assert keys(labels, "KEY_REASONS") == set(every)


def test_the_default_days_are_the_servers_deadlines() -> None:
    labels = (FRONTEND / "disputes" / "labels.ts").read_text(encoding="utf-8")
    found = re.search(r"export const SETTLE_DAYS: [^=]+= \{ ([^}]*) \};", labels)
    assert found is not None
    mirrored = {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", found.group(1))}
    assert mirrored == SETTLE_DAYS
