"""The incident lifecycle as a pure function of its run and its assignments."""

from __future__ import annotations

from collections.abc import Sequence

# new → dispatching → responding → on_scene → resolved → closed, plus cancelled.
ORDER = ("new", "dispatching", "responding", "on_scene", "resolved", "closed")


def derive_state(
    current: str, run_status: str, assignments: Sequence[str], outcome: str | None
) -> str:
    """The state an incident should be in now.

    Terminal states stay terminal. Otherwise the furthest the field has got wins, and the state
    never moves backwards while the incident is live (a responder who clears does not make an
    on-scene incident 'dispatching' again).
    """
    if current in ("closed", "cancelled"):
        return current
    if run_status == "closed":
        return "closed"
    if run_status == "cancelled":
        return "cancelled"
    reached = "new"
    if run_status == "running" or "offered" in assignments:
        reached = "dispatching"
    if any(s in ("accepted", "en_route") for s in assignments):
        reached = "responding"
    if "on_scene" in assignments or ("cleared" in assignments and outcome is None):
        reached = max(reached, "on_scene", key=ORDER.index)
    if outcome is not None:
        reached = "resolved"
    return max(current, reached, key=ORDER.index)
