"""Live counts for the wall display: responders per H3 cell (res 8 and 7) by status and capability.

The counters are kept by the index's Lua scripts in the same atomic step as every move, status or
capability change, so reading them is one HGETALL per shard, cheap enough to do every second for
a whole district. This module only turns the stored fields into Structs.
"""

from __future__ import annotations

from collections.abc import Mapping

import h3

from dispatch.keys import ANY_CAPABILITY, CAPABILITY_OF, STATUS_OF
from dispatch.models import CellCount


def parse_counts(fields: Mapping[str, int]) -> list[CellCount]:
    """Counters "<cell>|<status code>|<capability code or *>" -> sorted CellCount rows."""
    rows = []
    for field, count in fields.items():
        if count <= 0:
            continue
        cell, status, cap = field.split("|")
        rows.append(
            CellCount(
                cell=cell,
                resolution=h3.get_resolution(cell),
                status=STATUS_OF[status],
                capability=None if cap == ANY_CAPABILITY else CAPABILITY_OF[cap],
                count=count,
            )
        )
    rows.sort(key=lambda r: (r.resolution, r.cell, r.status, r.capability or ""))
    return rows
