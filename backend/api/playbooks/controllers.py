"""``/api/playbooks``: the library in force, and drills for the console (they page nobody)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.errors import NotFound, Unprocessable
from backend.incidents.models import Flag, IncidentKind
from backend.security.context import Auditor
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.validation import UUID_TEXT
from playbooks.drill import Scenario, drill_library, format_report, unmet_expectations
from playbooks.errors import PlaybookError
from playbooks.loader import Library
from playbooks.schema import IncidentContext
from playbooks.titles import shown_title


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
        # Each step as screens name it: its own title, else what it does (playbooks/titles.py).
        steps=[
            {"id": s["id"], "type": s["type"], "title": msgspec.to_builtins(shown_title(step))}
            for s, step in zip(raw["steps"], playbook.steps, strict=True)
        ],
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

    @get(
        "/select",
        opt=needs(Permission.PLAYBOOK_READ),
        summary="The playbook an incident with these facts would run (for the console's intake)",
    )
    async def select(
        self,
        state: State,
        auditor: NamedDependency[Auditor],
        kind: FromQuery[IncidentKind],
        patient_id: Annotated[str | None, QueryParameter(pattern=UUID_TEXT)] = None,
        violent: FromQuery[bool] = False,
        flags: Annotated[list[Flag] | None, QueryParameter(max_items=6)] = None,
    ) -> PlaybookSummary:
        """Chosen as intake chooses it: kind, the patient's risk grade and care team, violence
        and flags. Reading the patient's grade is audited like any patient read."""
        risk_grade: int | None = None
        has_care_team = False
        if patient_id is not None:
            risk_grade, has_care_team = await _patient_facts(state, auditor, patient_id)
        context = IncidentContext(
            kind=kind,
            risk_grade=risk_grade,
            violent=violent,
            has_care_team=has_care_team,
            flags=tuple(flags or ()),
        )
        library: Library = state.library
        try:
            return _summary(library.select_for(context))
        except PlaybookError as exc:
            raise Unprocessable(str(exc), field="kind", code="no_playbook") from None

    @get("/{playbook_id:str}", opt=needs(Permission.PLAYBOOK_READ), summary="One playbook, whole")
    async def get_playbook(self, playbook_id: FromPath[str], state: State) -> dict[str, Any]:
        """The full definition, as loaded, and `shown_titles`: each step as screens name it."""
        library: Library = state.library
        try:
            playbook = library.get(playbook_id)
            whole = dict(msgspec.to_builtins(playbook))
            # Beside the definition (whose `title` stays as written): how screens name each step.
            whole["shown_titles"] = {
                step.id: msgspec.to_builtins(shown_title(step)) for step in playbook.steps
            }
            return whole
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


async def _patient_facts(state: State, auditor: Auditor, patient_id: str) -> tuple[int, bool]:
    """(risk grade, has a care team) of a patient the caller may read; unknown otherwise."""
    principal = auditor.caller.principal
    async with state.resources.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT risk_grade, org_path, "
            "EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = person_id) AS team "
            "FROM patients WHERE person_id = $1",
            uuid.UUID(patient_id),
        )
        if row is None:
            raise NotFound(f"unknown patient {patient_id}", field="patient_id")
        if not (principal.can(Permission.PATIENT_READ) and principal.covers(row["org_path"])):
            await auditor.record(
                conn,
                "patient.read",
                object_type="patient",
                object_id=patient_id,
                org_path=row["org_path"],
                outcome="denied",
                reason="outside jurisdiction or no patient:read",
            )
            raise NotFound(f"unknown patient {patient_id}", field="patient_id")
        await auditor.record(
            conn,
            "patient.read",
            object_type="patient",
            object_id=patient_id,
            org_path=row["org_path"],
            details={"access": "jurisdiction", "purpose": "playbook_select"},
        )
    return int(row["risk_grade"]), bool(row["team"])
