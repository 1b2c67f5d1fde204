"""Every early-warning rule has its own words on a phone's lock screen, and none names anyone."""

from __future__ import annotations

from typing import get_args

from backend.early_warning.models import Rule
from backend.push.sender import notification


def test_each_rule_has_its_own_title_and_no_personal_data() -> None:
    generic = notification("warning.raised", {"rule": "no_such_rule"})["title"]
    titles = set()
    for rule in get_args(Rule):
        shown = notification(
            "warning.raised",
            {"rule": rule, "level": "serious", "warning_id": 7, "subject_id": "p1", "name": "李平"},
        )
        assert shown["title"] != generic and shown["title"].endswith("(严重 / serious)")
        assert "李平" not in str(shown)
        titles.add(shown["title"])
    assert len(titles) == len(get_args(Rule))
