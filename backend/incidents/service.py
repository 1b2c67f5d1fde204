"""The incident service: intake and every change to an incident, one transaction each.

The parts live in their own modules (`intake`, `responder_actions`, `operator_actions`, `subjects`, `playbook_switch`, on the
shared `base`); controllers, socket commands and timers get this one object by DI.
"""

from __future__ import annotations

from backend.incidents.intake import Intake
from backend.incidents.operator_actions import CloseRefused, OperatorActions
from backend.incidents.playbook_switch import PlaybookActions
from backend.incidents.responder_actions import ResponderActions
from backend.incidents.subjects import SubjectActions

__all__ = ["CloseRefused", "IncidentService"]


class IncidentService(Intake, ResponderActions, OperatorActions, SubjectActions, PlaybookActions):
    """Everything that changes incidents."""
