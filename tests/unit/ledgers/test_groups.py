"""Every group of the ledger has a policy, and the groups are the block data's person tags."""

from __future__ import annotations

import re
from pathlib import Path

from backend.ledgers.groups import GROUPS, POLICIES, SERIOUS_AFTER_DAYS
from simulators.blockdata import TAGS


def test_every_group_has_a_policy_and_is_a_tag_of_the_block_data() -> None:
    assert set(POLICIES) == set(GROUPS)
    # the synthetic district tags people in exactly these groups (two of them by age)
    assert set(GROUPS) == {t for t, _ in TAGS} | {"elderly_alone", "left_behind_child"}


def test_only_supervision_the_law_requires_is_strict_and_it_is_checked_most_often() -> None:
    strict = {g for g, p in POLICIES.items() if p.strict}
    assert strict == {"community_correction", "drug_rehab"}
    assert POLICIES["community_correction"].check_days == min(
        p.check_days for p in POLICIES.values()
    )


def test_the_frontends_mirror_of_the_policies_says_what_the_server_does() -> None:
    # No route lists the policies; the pages keep a copy (frontend/src/shared/ledger-terms.ts).
    source = (Path(__file__).parents[3] / "frontend/src/shared/ledger-terms.ts").read_text()
    mirrored = {
        m["group"]: (m["department"], int(m["days"]), m["strict"] == "true")
        for m in re.finditer(
            r'^\s*(?P<group>\w+): \{ department: "(?P<department>\w+)", '
            r"checkDays: (?P<days>\d+), strict: (?P<strict>true|false) \},$",
            source,
            re.MULTILINE,
        )
    }
    assert mirrored == {g: (p.department, p.check_days, p.strict) for g, p in POLICIES.items()}
    assert f"SERIOUS_AFTER_DAYS = {SERIOUS_AFTER_DAYS};" in source
