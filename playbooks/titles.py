"""What a step is called on screens: its own title, else a name for what it does.

Most library steps have titles; a ``wait`` or ``escalate`` step often does not, and a screen
must never fall back to the step's id (``wait_arrivals``) in front of an operator.
"""

from __future__ import annotations

from playbooks.schema import (
    AlertStep,
    AnyStep,
    BranchStep,
    ChecklistStep,
    CloseStep,
    EscalateStep,
    Text,
    WaitStep,
)

_BY_KIND: dict[type, Text] = {
    AlertStep: Text(zh_cn="派遣", en="Dispatch"),
    EscalateStep: Text(zh_cn="升级", en="Escalate"),
    ChecklistStep: Text(zh_cn="现场清单", en="On-scene checklist"),
    CloseStep: Text(zh_cn="结案", en="Close"),
    BranchStep: Text(zh_cn="条件判断", en="Decide"),
}
_FORK = Text(zh_cn="并行处置", en="In parallel")
_WAIT: dict[str, Text] = {
    "acceptances": Text(zh_cn="等待接单", en="Wait for acceptances"),
    "arrivals": Text(zh_cn="等待到场", en="Wait for arrivals"),
    "checklist_item": Text(zh_cn="等待现场确认", en="Wait for an on-scene check"),
}


def shown_title(step: AnyStep) -> Text:
    """The step's title, or the name of what it does when the playbook gives none."""
    if step.title is not None:
        return step.title
    if isinstance(step, WaitStep):
        return _WAIT[step.until]
    if isinstance(step, BranchStep) and step.parallel:
        return _FORK
    return _BY_KIND[type(step)]
