from __future__ import annotations

from .support import HEADER, SMALL, assert_load_problem, load_error

CLOSE = "  - {id: close, type: close}\n"


def test_duplicate_step_ids_point_at_the_second_one() -> None:
    text = HEADER + "steps:\n" + CLOSE + CLOSE
    assert_load_problem(text, "steps[1].id", "duplicate step id 'close' (first used at steps[0])")


def test_duplicate_item_ids_within_a_checklist() -> None:
    text = SMALL.replace("{id: note, role: police", "{id: safe, role: police")
    assert_load_problem(text, "steps[4].items[1].id", "duplicate item id 'safe'")


def test_an_unknown_step_reference() -> None:
    text = SMALL.replace("on_timeout: [widen, to_street]", "on_timeout: [widen, to_stret]")
    assert_load_problem(text, "steps[0].on_timeout[1]", "unknown step 'to_stret'")


def test_an_unknown_next() -> None:
    text = SMALL.replace("    deadline: 15m\n", "    deadline: 15m\n    next: nowhere\n")
    assert_load_problem(text, "steps[3].next", "unknown step 'nowhere'")


def test_quorum_larger_than_k() -> None:
    text = SMALL.replace("{role: police, quorum: 2}", "{role: police, quorum: 4}")
    assert_load_problem(text, "steps[0].roles[0].quorum", "quorum 4 for police is larger than k 3")


def test_quorum_larger_than_a_per_role_k() -> None:
    text = SMALL.replace("{role: police, quorum: 2}", "{role: police, quorum: 2, k: 1}")
    assert_load_problem(text, "steps[0].roles[0].quorum", "larger than k 1")


def test_a_role_listed_twice() -> None:
    text = SMALL.replace("{role: community_doctor, quorum: 1}", "{role: police, quorum: 1}")
    assert_load_problem(text, "steps[0].roles[1].role", "role police is listed twice")


def test_no_lone_responder_needs_two() -> None:
    text = SMALL.replace(
        "{role: police, quorum: 2}\n      - {role: community_doctor, quorum: 1}",
        "{role: police, quorum: 1}",
    ).replace("    k: 3\n", "    k: 3\n    no_lone_responder: true\n")
    assert_load_problem(text, "steps[0].no_lone_responder", "at least 2")


def test_radius_above_its_maximum() -> None:
    text = SMALL.replace("    k: 3\n", "    k: 3\n    radius_m: 9000\n    max_radius_m: 5000\n")
    assert_load_problem(text, "steps[0].radius_m", "exceeds max_radius_m 5000")


def test_a_zero_deadline() -> None:
    assert_load_problem(
        SMALL.replace("deadline: 15m", "deadline: 0s"), "steps[3].deadline", "longer than zero"
    )


def test_an_inverted_grade_range() -> None:
    text = SMALL.replace(
        "triggers: {kinds: [crisis_at_home]}",
        "triggers: {kinds: [crisis_at_home], risk_grade: {min: 4, max: 2}}",
    )
    assert_load_problem(text, "triggers.risk_grade", "min 4 is greater than max 2")


def test_waiting_for_an_unknown_checklist_item() -> None:
    text = SMALL.replace(
        "    until: arrivals\n    roles: [{role: police, quorum: 1}]\n",
        "    until: checklist_item\n    item: checks.missing\n",
    )
    assert_load_problem(text, "steps[3].item", "unknown checklist item 'checks.missing'")


def test_waiting_for_an_item_without_naming_it() -> None:
    text = SMALL.replace(
        "    until: arrivals\n    roles: [{role: police, quorum: 1}]\n",
        "    until: checklist_item\n",
    )
    assert_load_problem(text, "steps[3].item", "needs `item: <step>.<item>`")


def test_waiting_for_arrivals_without_roles() -> None:
    text = SMALL.replace(
        "    roles: [{role: police, quorum: 1}]\n    deadline: 15m", "    deadline: 15m"
    )
    assert_load_problem(text, "steps[3].roles", "needs at least one role")


def test_close_requiring_an_unknown_item() -> None:
    text = SMALL.replace("require_items: [checks.safe]", "require_items: [checks.nope]")
    assert_load_problem(text, "steps[5].require_items[0]", "unknown checklist item 'checks.nope'")


def test_an_unreachable_step() -> None:
    text = (
        SMALL + "  - {id: orphan, type: wait, until: arrivals, roles: [{role: police}], "
        "deadline: 1m, next: close}\n"
    )
    assert_load_problem(text, "steps[6]", "step 'orphan' is unreachable from the first step")


def test_the_last_step_must_close_or_go_somewhere() -> None:
    text = (
        HEADER + "steps:\n  - {id: a, type: wait, until: arrivals, roles: [{role: police}], "
        "deadline: 1m}\n"
    )
    error = load_error(text)
    paths = [(p.path, p.reason) for p in error.problems]
    assert ("steps[0]", "the last step must be a close step or name its next step") in paths


def test_a_cycle_without_a_deadline() -> None:
    text = (
        HEADER
        + """\
steps:
  - {id: a, type: wait, until: arrivals, roles: [{role: police}], deadline: 1m, next: b}
  - {id: b, type: checklist, items: [{id: x, role: police, text: {zh-CN: x, en: x}}], next: a}
  - {id: close, type: close}
"""
    )
    error = load_error(text)
    assert any(
        p.reason.startswith("cycle without a deadline: a → b → a") for p in error.problems
    ), error.problems


def test_a_loop_through_on_timeout_is_fine() -> None:
    # SMALL loops alert_team -> widen -> alert_team, but only after a deadline.
    from .support import book

    assert book(SMALL.removeprefix(HEADER)).id == "test_book"


def test_an_escalation_without_next_must_only_be_reached_by_timeout() -> None:
    text = SMALL.replace("    deadline: 15m\n", "    deadline: 15m\n    next: widen\n")
    assert_load_problem(text, "steps[1]", "must be reached only through on_timeout")


def test_an_escalation_nobody_names_is_unreachable() -> None:
    text = SMALL.replace("on_timeout: [widen, to_street]", "on_timeout: [widen]")
    assert_load_problem(text, "steps[2]", "must be reached only through on_timeout")


def test_a_branch_needs_when_and_then() -> None:
    text = HEADER + "steps:\n  - {id: b, type: branch, then: close}\n" + CLOSE
    assert_load_problem(text, "steps[0]", "needs `when` and `then`")


def test_a_fork_needs_a_join_and_two_branches() -> None:
    text = HEADER + "steps:\n  - {id: f, type: branch, parallel: [close]}\n" + CLOSE
    error = load_error(text)
    paths = {p.path for p in error.problems}
    assert {"steps[0].parallel", "steps[0].join"} <= paths


def test_a_fork_cannot_mix_forms() -> None:
    text = (
        HEADER
        + """\
steps:
  - {id: f, type: branch, when: {violent: true}, then: a, parallel: [a, b], join: close}
  - {id: a, type: wait, until: arrivals, roles: [{role: police}], deadline: 1m, next: close}
  - {id: b, type: wait, until: arrivals, roles: [{role: guardian}], deadline: 1m, next: close}
"""
        + CLOSE
    )
    assert_load_problem(text, "steps[0]", "either a condition (when/then) or a fork")


def test_a_fork_branch_that_never_joins() -> None:
    text = (
        HEADER
        + """\
steps:
  - {id: f, type: branch, parallel: [a, b], join: j}
  - {id: a, type: wait, until: arrivals, roles: [{role: police}], deadline: 1m, next: j}
  - {id: b, type: wait, until: arrivals, roles: [{role: guardian}], deadline: 1m, next: close}
  - {id: j, type: wait, until: arrivals, roles: [{role: ambulance}], deadline: 1m, next: close}
"""
        + CLOSE
    )
    assert_load_problem(text, "steps[0].parallel[1]", "branch 'b' never reaches the join step 'j'")


def test_no_close_step() -> None:
    text = (
        HEADER + "steps:\n  - {id: a, type: wait, until: arrivals, roles: [{role: police}], "
        "deadline: 1m, next: a, on_timeout: [a]}\n"
    )
    errors = load_error(text).problems
    assert any(p.path == "steps" and "no reachable close step" in p.reason for p in errors)


def test_every_problem_is_reported_in_file_order() -> None:
    text = SMALL.replace("{role: police, quorum: 2}", "{role: police, quorum: 4}").replace(
        "deadline: 15m", "deadline: 0s"
    )
    paths = [p.path for p in load_error(text).problems]
    assert paths == ["steps[0].roles[0].quorum", "steps[3].deadline"]
