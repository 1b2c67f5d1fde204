"""Step names on screens: a step's own title, else the name of what it does, never its id."""

from __future__ import annotations

from playbooks.loader import library_dir, load_library
from playbooks.schema import Playbook
from playbooks.titles import shown_title

from .test_flow import FORK

LIBRARY: list[Playbook] = [*load_library(library_dir())]


def _step(playbook_id: str, step_id: str):  # type: ignore[no-untyped-def]
    book = next(p for p in LIBRARY if p.id == playbook_id)
    step = book.find_step(step_id)
    assert step is not None, f"{playbook_id} has no step {step_id}"
    return step


def test_a_step_with_a_title_keeps_it() -> None:
    titled = next(s for p in LIBRARY for s in p.steps if s.title is not None)
    assert shown_title(titled) == titled.title


def test_an_untitled_wait_is_named_by_what_it_waits_for() -> None:
    step = _step("crisis_at_home", "wait_arrivals")
    assert step.title is None  # the case that showed "wait_arrivals" on the console
    title = shown_title(step)
    assert (title.zh_cn, title.en) == ("等待到场", "Wait for arrivals")


def test_a_fork_is_named_as_one() -> None:
    fork = next(s for s in FORK.steps if getattr(s, "parallel", ()))
    assert shown_title(fork).zh_cn == (fork.title.zh_cn if fork.title else "并行处置")


def test_every_library_step_has_a_name_that_is_not_its_id() -> None:
    for book in LIBRARY:
        for step in book.steps:
            title = shown_title(step)
            assert title.zh_cn and title.en, (book.id, step.id)
            assert step.id not in (title.zh_cn, title.en), (book.id, step.id)
