"""``/api/playbooks``: the library in force, and drills for the console (they page nobody)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.errors import NotFound, Unprocessable
from backend.security.context import Auditor
from backend.security.guards import needs
from backend.security.policy import Permission
from playbooks.drill import Scenario, drill_library, format_report, unmet_expectations
from playbooks.errors import PlaybookError
from playbooks.loader import Library


class PlaybookSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A playbook as the console lists it."""

    id: str
    version: int
    title: dict[str, str]
    kinds: list[str]
    steps: list[dict[str, Any]]


class DrillResult(msgspec.Struct, frozen=True, kw_only=True):
    """A drill's printed timeline, its deadlines, and unmet expectations."""

    playbook_id: str
    playbook_version: int
    text: str
    deadlines: list[dict[str, Any]]
    unmet: list[str]


def _summary(playbook: Any) -> PlaybookSummary:
    raw = msgspec.to_builtins(playbook)
    return PlaybookSummary(
        id=playbook.id,
        version=playbook.version,
        title=raw["title"],
        kinds=list(playbook.triggers.kinds),
        steps=[{"id": s["id"], "type": s["type"], "title": s.get("title")} for s in raw["steps"]],
    )


class PlaybookController(Controller):
    """Read the library; drill it."""

    path = "/api/playbooks"
    tags = ["playbooks"]  # noqa: RUF012

    @get(
        "/", opt=needs(Permission.PLAYBOOK_READ), summary="The playbooks in force (newest versions)"
    )
    async def list_playbooks(self, state: State) -> list[PlaybookSummary]:
        """Id, version, titles, triggering kinds and the steps in order."""
        library: Library = state.library
        return [_summary(p) for p in library]

    @get("/{playbook_id:str}", opt=needs(Permission.PLAYBOOK_READ), summary="One playbook, whole")
    async def get_playbook(self, playbook_id: FromPath[str], state: State) -> dict[str, Any]:
        """The full definition, as loaded."""
        library: Library = state.library
        try:
            return dict(msgspec.to_builtins(library.get(playbook_id)))
        except PlaybookError:
            raise NotFound(f"no playbook {playbook_id}") from None

    @post(
        "/drill",
        opt=needs(Permission.PLAYBOOK_DRILL),
        status_code=200,
        summary="Run a synthetic incident through a playbook on a virtual clock",
    )
    async def drill(
        self, data: JSONBody[dict[str, Any]], state: State, auditor: NamedDependency[Auditor]
    ) -> DrillResult:
        """The body is a scenario (as in playbooks/library/scenarios/*.yaml, in JSON)."""
        try:
            scenario = msgspec.convert(data, Scenario)
            report = drill_library(state.library, scenario)
        except msgspec.ValidationError as exc:
            raise Unprocessable(str(exc), field="scenario", code="bad_scenario") from None
        except PlaybookError as exc:
            raise Unprocessable(str(exc), field="scenario", code="bad_scenario") from None
        async with state.resources.pool.acquire() as conn:
            await auditor.record(
                conn, "playbook.drill", object_type="playbook", object_id=report.playbook.id
            )
        return DrillResult(
            playbook_id=report.playbook.id,
            playbook_version=report.playbook.version,
            text=format_report(report),
            deadlines=[msgspec.to_builtins(d) for d in report.deadlines],
            unmet=unmet_expectations(report, scenario.expect),
        )
