"""The playbook language: msgspec Structs that a YAML playbook decodes into.

A playbook is a versioned plan for one kind of incident. Its ``steps`` form a small graph: each
step names the step after it (``next``, or by default the following step in the list), branches
name their targets, and steps with a deadline name the escalations to run when it is missed
(``on_timeout``). :mod:`playbooks.validate` checks the graph; :mod:`playbooks.engine` runs it.

Versioning: a run carries the whole :class:`Playbook` it started with, so editing a playbook
(and raising ``version``) never changes an incident already under way.

Schema-evolution rule (as msgspec recommends): new fields always get defaults, so run states
written by an older release still decode.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, field

from playbooks.durations import Duration

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
ITEM_REF_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"

PlaybookId = Annotated[str, Meta(pattern=ID_PATTERN, max_length=64)]
StepId = Annotated[str, Meta(pattern=ID_PATTERN, max_length=64)]
IncidentKind = Annotated[str, Meta(pattern=ID_PATTERN, max_length=64)]
# "<checklist step id>.<item id>", e.g. "on_scene.scene_safe".
ItemRef = Annotated[str, Meta(pattern=ITEM_REF_PATTERN, max_length=129)]
RiskGrade = Annotated[int, Meta(ge=0, le=5, description="危险性评估 0-5 级")]
# 1 is the most urgent; the backend maps it onto its own incident priority.
Priority = Annotated[int, Meta(ge=1, le=5)]
Meters = Annotated[int, Meta(ge=50, le=100_000)]
Count = Annotated[int, Meta(ge=1, le=50)]

Role = Literal[
    "police",
    "community_doctor",
    "psychiatrist",
    "psychiatric_nurse",
    "social_worker",
    "grid_worker",
    "civil_affairs",
    "disability_federation",
    "guardian",
    "ambulance",
]
ROLES: tuple[Role, ...] = (
    "police",
    "community_doctor",
    "psychiatrist",
    "psychiatric_nurse",
    "social_worker",
    "grid_worker",
    "civil_affairs",
    "disability_federation",
    "guardian",
    "ambulance",
)

Flag = Literal[
    "weapon",
    "minor",
    "public_place",
    "guardian_present",
    "overdose_suspected",
    "repeat_call",
]
Outcome = Literal[
    "stabilised_at_home",
    "hospitalised",
    "handed_to_police",
    "found_safe",
    "false_alarm",
    "deceased",
    "other",
]
LeaderLevel = Literal["street", "district"]
WaitFor = Literal["acceptances", "arrivals", "checklist_item"]
HandoverRule = Literal["never", "always", "if_hospitalised"]


class Base(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """Base of every playbook Struct: immutable, keyword-only, strict about unknown fields."""


class Text(Base, frozen=True, kw_only=True):
    """A text in both interface languages."""

    zh_cn: str = field(name="zh-CN")
    en: str


class IncidentContext(Base, frozen=True, kw_only=True):
    """What the engine knows about an incident when it opens: the input of triggers and branches."""

    kind: IncidentKind
    risk_grade: RiskGrade | None = None
    violent: bool = False
    has_care_team: bool = False
    flags: tuple[Flag, ...] = ()


class Condition(Base, frozen=True, kw_only=True):
    """A test on the incident context; every field that is set must hold (they are ANDed)."""

    risk_grade_at_least: RiskGrade | None = None
    risk_grade_at_most: RiskGrade | None = None
    violent: bool | None = None
    has_care_team: bool | None = None
    flags: tuple[Flag, ...] = ()
    without_flags: tuple[Flag, ...] = ()


class RiskRange(Base, frozen=True, kw_only=True):
    """An inclusive range of risk grades."""

    min: RiskGrade = 0
    max: RiskGrade = 5


class Triggers(Base, frozen=True, kw_only=True):
    """Which incidents a playbook is for; the library picks the most specific match."""

    kinds: Annotated[tuple[IncidentKind, ...], Meta(min_length=1)]
    risk_grade: RiskRange = RiskRange()
    when: Condition | None = None


class RoleQuorum(Base, frozen=True, kw_only=True):
    """How many responders of one role must accept (or arrive); ``k`` overrides the step's k."""

    role: Role
    quorum: Count = 1
    k: Count | None = None


class ChecklistItem(Base, frozen=True, kw_only=True):
    """One thing a role must tick on scene."""

    id: StepId
    role: Role
    text: Text
    required: bool = True


class Step(Base, tag_field="type", frozen=True, kw_only=True):
    """Fields every step has. ``next`` defaults to the following non-escalate step in the list."""

    id: StepId
    title: Text | None = None
    next: StepId | None = None


class AlertStep(Step, tag="alert", frozen=True, kw_only=True):
    """Find and alert responders by role; completes when every role's quorum has accepted.

    Candidates come from the patient's care team first (``care_team_first``), then the nearest
    qualified responders within ``radius_m``, ``k`` at a time. With ``wait: false`` the step only
    sends the alerts and moves on; a later ``wait`` step can wait for the acceptances.
    """

    roles: Annotated[tuple[RoleQuorum, ...], Meta(min_length=1)]
    radius_m: Meters = 3000
    max_radius_m: Meters = 20000
    k: Count = 3
    care_team_first: bool = True
    no_lone_responder: bool = False
    wait: bool = True
    deadline: Duration
    on_timeout: tuple[StepId, ...] = ()


class WaitStep(Step, tag="wait", frozen=True, kw_only=True):
    """Wait for acceptances or arrivals of roles, or for one checklist item, until a deadline."""

    until: WaitFor
    roles: tuple[RoleQuorum, ...] = ()
    item: ItemRef | None = None
    deadline: Duration
    on_timeout: tuple[StepId, ...] = ()


class EscalateStep(Step, tag="escalate", frozen=True, kw_only=True):
    """Run when a deadline is missed; acts on the step that missed it, then moves on.

    With no ``next`` the run goes back to the step that missed its deadline (a new attempt with
    a new deadline), which is how "widen and try again" loops are written.
    """

    radius_factor: Annotated[float, Meta(ge=1.0, le=10.0)] = 1.0
    k_increase: Annotated[int, Meta(ge=0, le=50)] = 0
    notify_supervisor: bool = False
    notify_leader: LeaderLevel | None = None
    raise_priority: bool = False


class ChecklistStep(Step, tag="checklist", frozen=True, kw_only=True):
    """Items each role must tick on scene; completes when every required item is ticked."""

    items: Annotated[tuple[ChecklistItem, ...], Meta(min_length=1)]
    deadline: Duration | None = None
    on_timeout: tuple[StepId, ...] = ()


class BranchStep(Step, tag="branch", frozen=True, kw_only=True):
    """Either a condition (``when`` → ``then``, else ``otherwise`` or the next step) or a fork.

    A fork (``parallel``) starts one branch per listed step; each branch ends when it reaches
    ``join``, and the run continues at ``join`` once all of them have.
    """

    when: Condition | None = None
    then: StepId | None = None
    otherwise: StepId | None = None
    parallel: tuple[StepId, ...] = ()
    join: StepId | None = None


class CloseStep(Step, tag="close", frozen=True, kw_only=True):
    """What must exist before the incident may close; the run waits here for close_requested.

    ``deadline`` is the time allowed for the 应急处置记录单 (emergency handling record sheet),
    counted from reaching this step.
    """

    require_record_sheet: bool = True
    deadline: Duration = "24h"
    require_outcome: bool = True
    require_handover: HandoverRule = "never"
    require_items: tuple[ItemRef, ...] = ()
    on_timeout: tuple[StepId, ...] = ()


AnyStep = AlertStep | WaitStep | EscalateStep | ChecklistStep | BranchStep | CloseStep
DeadlineStep = AlertStep | WaitStep | ChecklistStep | CloseStep


class Playbook(Base, frozen=True, kw_only=True):
    """A versioned plan for a kind of incident. ``steps[0]`` is where every run starts."""

    id: PlaybookId
    version: Annotated[int, Meta(ge=1)]
    title: Text
    summary: Text | None = None
    basis: tuple[str, ...] = ()
    priority: Priority = 3
    triggers: Triggers
    steps: Annotated[tuple[AnyStep, ...], Meta(min_length=1)]

    def find_step(self, step_id: str) -> AnyStep | None:
        """Return the step with this id, or ``None``."""
        for candidate in self.steps:
            if candidate.id == step_id:
                return candidate
        return None

    def next_of(self, step: AnyStep) -> str | None:
        """Return the id of the step that follows ``step`` when it completes, if any.

        Escalate steps without ``next`` resume the step that missed its deadline and close steps
        end the run, so neither falls through to the following step in the list.
        """
        if step.next is not None:
            return step.next
        if isinstance(step, EscalateStep | CloseStep):
            return None
        if isinstance(step, BranchStep) and step.parallel:
            return step.join
        # Escalate steps sit beside the step they serve and are entered only on a timeout,
        # so falling through skips them.
        index = self.steps.index(step)
        for following in self.steps[index + 1 :]:
            if not isinstance(following, EscalateStep):
                return following.id
        return None

    def checklist_items(self) -> dict[str, ChecklistItem]:
        """Map every ``step.item`` reference in this playbook to its item."""
        return {
            f"{s.id}.{item.id}": item
            for s in self.steps
            if isinstance(s, ChecklistStep)
            for item in s.items
        }


def timeouts_of(step: AnyStep) -> tuple[str, ...]:
    """Return the escalation ladder of a step (empty for steps without a deadline)."""
    if isinstance(step, AlertStep | WaitStep | ChecklistStep | CloseStep):
        return step.on_timeout
    return ()
