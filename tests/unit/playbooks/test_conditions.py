from __future__ import annotations

import pytest

from playbooks.conditions import holds, specificity, triggers_match
from playbooks.schema import Condition, IncidentContext, RiskRange, Triggers

HIGH = IncidentContext(
    kind="danger_to_others", risk_grade=4, violent=True, flags=("weapon", "public_place")
)
UNKNOWN = IncidentContext(kind="danger_to_others")


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        (Condition(), UNKNOWN, True),
        (Condition(risk_grade_at_least=3), HIGH, True),
        (Condition(risk_grade_at_least=5), HIGH, False),
        (Condition(risk_grade_at_least=3), UNKNOWN, False),
        (Condition(risk_grade_at_most=4), HIGH, True),
        (Condition(risk_grade_at_most=2), UNKNOWN, False),
        (Condition(violent=True), HIGH, True),
        (Condition(violent=False), HIGH, False),
        (Condition(has_care_team=True), HIGH, False),
        (Condition(flags=("weapon",)), HIGH, True),
        (Condition(flags=("weapon", "minor")), HIGH, False),
        (Condition(without_flags=("minor",)), HIGH, True),
        (Condition(without_flags=("weapon",)), HIGH, False),
        (Condition(risk_grade_at_least=3, violent=True, flags=("weapon",)), HIGH, True),
    ],
)
def test_holds(condition: Condition, context: IncidentContext, expected: bool) -> None:
    assert holds(condition, context) is expected


def test_triggers_match_kind_grade_and_condition() -> None:
    assert triggers_match(Triggers(kinds=("danger_to_others",)), HIGH)
    assert not triggers_match(Triggers(kinds=("self_harm",)), HIGH)
    high_only = Triggers(kinds=("danger_to_others",), risk_grade=RiskRange(min=3))
    assert triggers_match(high_only, HIGH)
    assert not triggers_match(high_only, UNKNOWN)
    assert triggers_match(Triggers(kinds=("danger_to_others",)), UNKNOWN)
    violent = Triggers(kinds=("danger_to_others",), when=Condition(violent=True))
    assert triggers_match(violent, HIGH)
    assert not triggers_match(violent, UNKNOWN)


def test_specificity_orders_conditions_then_grade_width_then_kinds() -> None:
    broad = Triggers(kinds=("a", "b"))
    one_kind = Triggers(kinds=("a",))
    narrow = Triggers(kinds=("a", "b"), risk_grade=RiskRange(min=3))
    conditional = Triggers(kinds=("a", "b"), when=Condition(violent=True))
    ranked = sorted([broad, one_kind, narrow, conditional], key=specificity)
    assert ranked == [broad, one_kind, narrow, conditional]
