from __future__ import annotations

import re
from pathlib import Path

import pytest

from playbooks.errors import NoPlaybookError, PlaybookError, PlaybookLoadError
from playbooks.loader import (
    Library,
    check_files,
    explain_validation_error,
    library_dir,
    load_library,
    load_playbook,
    parse_playbook,
)
from playbooks.schema import IncidentContext

from .support import HEADER, SMALL, assert_load_problem, book, load_error


def test_a_good_playbook_loads() -> None:
    playbook = book(SMALL.removeprefix(HEADER))
    assert playbook.id == "test_book"
    assert [s.id for s in playbook.steps][:2] == ["alert_team", "widen"]


def test_a_wrong_type_names_the_exact_path() -> None:
    text = SMALL.replace("deadline: 15m", "deadline: 15")
    assert_load_problem(text, "steps[3].deadline", "Expected `str`, got `int`")


def test_a_bad_duration_says_what_a_duration_looks_like() -> None:
    text = SMALL.replace("deadline: 15m", "deadline: 15 minutes")
    assert_load_problem(text, "steps[3].deadline", "expected a duration such as 90s")


def test_a_missing_field_is_named_in_the_path() -> None:
    text = SMALL.replace("    deadline: 15m\n", "")
    assert_load_problem(text, "steps[3].deadline", "required field is missing")


def test_a_misspelt_field_is_reported_as_unknown() -> None:
    text = SMALL.replace("    deadline: 15m\n", "    deadline: 15m\n    dedline: 1m\n")
    assert_load_problem(text, "steps[3].dedline", "unknown field")


def test_an_unknown_step_type_lists_the_kinds() -> None:
    text = SMALL.replace("type: wait", "type: wiat")
    assert_load_problem(text, "steps[3].type", "unknown step type 'wiat' (use alert, wait")


def test_an_unknown_role_lists_the_roles() -> None:
    text = SMALL.replace("{role: community_doctor, quorum: 1}", "{role: doctor, quorum: 1}")
    assert_load_problem(text, "steps[0].roles[1].role", "unknown role 'doctor' (use police")


def test_a_bad_id_says_what_ids_look_like() -> None:
    assert_load_problem(SMALL.replace("id: arrive", "id: Arrive"), "steps[3].id", "lower-case")


def test_a_number_out_of_range_keeps_msgspecs_reason() -> None:
    text = SMALL.replace("{role: police, quorum: 2}", "{role: police, quorum: 0}")
    assert_load_problem(text, "steps[0].roles[0].quorum", "Expected `int` >= 1")


def test_a_missing_top_level_field_has_a_top_level_path() -> None:
    assert_load_problem(SMALL.replace("version: 1\n", ""), "version", "required field is missing")


def test_a_document_that_is_not_a_mapping_has_an_empty_path() -> None:
    assert_load_problem("- just\n- a list\n", "", "Expected `object`, got `array`")


def test_yaml_syntax_errors_give_the_line() -> None:
    error = load_error(HEADER + "steps:\n  - {id: a, type: close\n")
    assert error.path == "line 7, column 1"
    assert error.reason == "expected ',' or '}', but got '<stream end>'"
    assert isinstance(error, ValueError)
    assert isinstance(error, PlaybookError)


def test_duplicate_yaml_keys_are_refused() -> None:
    error = load_error(SMALL.replace("version: 1\n", "version: 1\nversion: 2\n"))
    assert "duplicate key 'version'" in error.reason
    assert error.path == "line 3, column 1"


def test_the_error_message_names_file_path_and_reason() -> None:
    error = load_error(SMALL.replace("deadline: 15m", "deadline: 15"))
    assert str(error) == "bad.yaml: steps[3].deadline: Expected `str`, got `int`"


@pytest.mark.parametrize(
    ("message", "path", "reason"),
    [
        ("Expected `int`, got `str` - at `$.a[0].b`", "a[0].b", "Expected `int`, got `str`"),
        ("Object missing required field `x` - at `$.a`", "a.x", "required field is missing"),
        ("Object contains unknown field `y`", "y", "unknown field"),
        ("Expected `object`, got `array`", "", "Expected `object`, got `array`"),
    ],
)
def test_explain_validation_error(message: str, path: str, reason: str) -> None:
    assert explain_validation_error(message) == (path, reason)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_files_reports_every_file_and_is_empty_when_clean(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", SMALL)
    bad = _write(
        tmp_path,
        "bad.yaml",
        SMALL.replace("id: test_book", "id: other").replace("deadline: 15m", "deadline: soon"),
    )
    assert check_files([good]) == []
    problems = check_files([tmp_path])
    assert [(p.file, p.path) for p in problems] == [(str(bad), "steps[3].deadline")]
    assert str(problems[0]).startswith(f"{bad}: steps[3].deadline: expected a duration")


def test_check_files_finds_the_same_version_twice(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", SMALL)
    second = _write(tmp_path, "b.yaml", SMALL)
    problems = check_files([tmp_path])
    assert [(p.file, p.path) for p in problems] == [(str(second), "version")]
    assert "test_book version 1 is also in" in problems[0].reason


def test_check_files_reports_an_unreadable_file(tmp_path: Path) -> None:
    problems = check_files([tmp_path / "missing.yaml"])
    assert len(problems) == 1
    assert problems[0].reason.startswith("cannot read")


def test_load_library_raises_with_all_problems(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", SMALL.replace("deadline: 2m", "deadline: x"))
    _write(tmp_path, "b.yaml", SMALL.replace("id: test_book", "id: b").replace("15m", "y"))
    with pytest.raises(PlaybookLoadError) as caught:
        load_library(tmp_path)
    assert len(caught.value.problems) == 2
    assert "(and 1 more)" in str(caught.value)


def test_load_playbook_reads_a_file(tmp_path: Path) -> None:
    assert load_playbook(_write(tmp_path, "a.yml", SMALL)).version == 1


def _library(*triggers: str) -> Library:
    books = []
    for index, trigger in enumerate(triggers):
        text = SMALL.replace("id: test_book", f"id: book_{index}").replace(
            "triggers: {kinds: [crisis_at_home]}", f"triggers: {trigger}"
        )
        books.append(parse_playbook(text, source=f"book_{index}.yaml"))
    return Library(books)


def test_select_prefers_the_most_specific_trigger() -> None:
    library = _library(
        "{kinds: [crisis_at_home, danger_to_others]}",
        "{kinds: [crisis_at_home], risk_grade: {min: 3, max: 5}}",
        "{kinds: [crisis_at_home], risk_grade: {min: 3, max: 5}, when: {violent: true}}",
    )
    assert library.select("crisis_at_home", 1).id == "book_0"
    assert library.select("crisis_at_home", 4).id == "book_1"
    assert library.select("crisis_at_home", 4, violent=True).id == "book_2"
    assert library.select("danger_to_others", 4, violent=True).id == "book_0"


def test_select_breaks_ties_by_id_not_by_file_order() -> None:
    same = "{kinds: [crisis_at_home]}"
    assert _library(same, same).select("crisis_at_home", 2).id == "book_0"
    assert Library(list(reversed(list(_library(same, same))))).select("crisis_at_home", 2).id == (
        "book_0"
    )


def test_an_unknown_grade_matches_only_playbooks_for_every_grade() -> None:
    library = _library("{kinds: [crisis_at_home], risk_grade: {min: 3, max: 5}}")
    with pytest.raises(NoPlaybookError):
        library.select("crisis_at_home", None)
    with pytest.raises(LookupError, match="no playbook for kind 'self_harm'"):
        library.select("self_harm", 2)


def test_select_for_and_flags() -> None:
    library = _library("{kinds: [medication_reaction], when: {flags: [overdose_suspected]}}")
    context = IncidentContext(kind="medication_reaction", flags=("overdose_suspected",))
    assert library.select_for(context).id == "book_0"
    with pytest.raises(NoPlaybookError):
        library.select("medication_reaction", 1)


def test_library_keeps_old_versions_but_selects_the_newest() -> None:
    v1 = book(SMALL.removeprefix(HEADER))
    v2 = book(SMALL.removeprefix(HEADER), header=HEADER.replace("version: 1", "version: 2"))
    library = Library([v2, v1])
    assert len(library) == 1
    assert library.select("crisis_at_home", 2).version == 2
    assert library.get("test_book", 1) == v1
    assert library.get("test_book") == v2
    with pytest.raises(NoPlaybookError, match="no playbook test_book version 3"):
        library.get("test_book", 3)


def test_the_shipped_library_dir_holds_the_playbooks() -> None:
    assert (library_dir() / "crisis_at_home.yaml").is_file()


def test_the_example_in_the_docs_loads() -> None:
    docs = Path(__file__).parents[3] / "docs" / "playbooks.md"
    found = re.search(r"```yaml\n(id: crisis_at_home.*?)```", docs.read_text("utf-8"), re.S)
    assert found is not None
    assert parse_playbook(found.group(1), source="docs/playbooks.md").id == "crisis_at_home"
