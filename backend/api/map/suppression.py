"""Small-count suppression for sensitive layers (pure): a count never singles out a household.

Rule (see docs/blockdata.md): for the ``patients`` and ``groups`` layers, a cell's or unit's count
from 1 to ``K_MIN - 1`` is published as null with ``suppressed`` (shown as "<5"). For a count
of one risk grade of patients, it is also suppressed when the rest of the cell (all grades minus
this one) is from 1 to ``K_MIN - 1``, so that "all" minus "grade g" cannot reveal a small group.
Zero is published as zero: an empty cell reveals no one.
"""

from __future__ import annotations

K_MIN = 5
SENSITIVE_LAYERS = frozenset({"patients", "groups"})


def is_small(n: int) -> bool:
    """Whether ``n`` could single out a household."""
    return 0 < n < K_MIN


def publish(layer: str, n: int, total: int | None = None) -> int | None:
    """The count to publish for ``n`` (of ``total`` in a partition), or None when suppressed."""
    if layer not in SENSITIVE_LAYERS:
        return n
    if is_small(n):
        return None
    if total is not None and is_small(total - n):
        return None
    return n
