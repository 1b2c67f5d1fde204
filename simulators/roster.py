"""Who is in the simulated fleet: accounts, capabilities, travel modes, home grids, duty shares.

Pure and deterministic: the demo's set-up (which creates the accounts) and the fleet simulator
(which logs into them) compute the same plan from the same count and seed, so no roster file
has to travel between them. Capabilities and travel mode depend only on ``(seed, index)``; the
home grid also on the list of grids, which the simulator reads back from each login anyway.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulators.blockdata import name as person_name

USERNAME_PREFIX = "fleet."
_USERNAME = re.compile(r"^fleet\.(\d{4,6})$")

# (capabilities, share of the fleet, share travelling by vehicle). Police and ambulances drive;
# grid workers and social workers mostly walk their grids (Pingshan's 网格员 patrol on foot).
CAPABILITY_MIX: tuple[tuple[tuple[str, ...], float, float], ...] = (
    (("police",), 0.20, 0.6),
    (("grid_worker",), 0.20, 0.1),
    (("community_doctor",), 0.13, 0.3),
    (("social_worker",), 0.12, 0.2),
    (("psychiatric_nurse",), 0.06, 0.3),
    (("ambulance",), 0.06, 1.0),
    (("guardian",), 0.08, 0.0),
    (("psychiatrist",), 0.04, 0.5),
    (("civil_affairs",), 0.03, 0.3),
    (("disability_federation",), 0.02, 0.3),
    (("police", "grid_worker"), 0.03, 0.5),  # community police who also walk a grid
    (("community_doctor", "psychiatric_nurse"), 0.03, 0.3),
)

# The first members follow this rotation, so even a fleet of ten can staff a crisis team.
CORE_ROTATION: tuple[tuple[str, ...], ...] = (
    ("police",),
    ("community_doctor",),
    ("social_worker",),
    ("ambulance",),
    ("police",),
    ("grid_worker",),
    ("psychiatric_nurse",),
    ("community_doctor",),
    ("psychiatrist",),
    ("social_worker",),
    ("guardian",),
    ("grid_worker",),
)

LABEL_ZH = {
    "police": "民警",
    "grid_worker": "网格员",
    "community_doctor": "社区医生",
    "social_worker": "社工",
    "psychiatric_nurse": "精神科护士",
    "ambulance": "120急救",
    "guardian": "监护人",
    "psychiatrist": "精神科医师",
    "civil_affairs": "民政专干",
    "disability_federation": "残联专干",
}

# Share on duty by capability: (day 08-18, evening 18-22, night 22-08). Police and ambulances
# run shifts round the clock; community services keep office hours with an on-call night roster
# (thin: night incidents wait longer and escalate more, as they do); guardians are family
# members, reachable most of the time.
DUTY_SHARES: dict[str, tuple[float, float, float]] = {
    "police": (0.70, 0.60, 0.45),
    "ambulance": (0.75, 0.70, 0.60),
    "grid_worker": (0.80, 0.35, 0.15),
    "community_doctor": (0.70, 0.40, 0.25),
    "social_worker": (0.70, 0.35, 0.20),
    "psychiatric_nurse": (0.65, 0.45, 0.30),
    "psychiatrist": (0.55, 0.30, 0.20),
    "civil_affairs": (0.60, 0.15, 0.05),
    "disability_federation": (0.60, 0.15, 0.05),
    "guardian": (0.85, 0.90, 0.80),
}


@dataclass(frozen=True)
class FleetMember:
    """One simulated responder account."""

    index: int
    username: str
    display_name: str
    capabilities: tuple[str, ...]
    mode: str  # "on_foot" or "vehicle"
    home_grid: str | None
    team: str


def username_of(index: int) -> str:
    """The account name of fleet member ``index`` (1-based)."""
    return f"{USERNAME_PREFIX}{index:04d}"


def index_of(username: str) -> int | None:
    """The fleet index in a fleet account name, or None for another account."""
    match = _USERNAME.match(username)
    return int(match.group(1)) if match else None


def member(index: int, seed: int, grids: Sequence[str] = ()) -> FleetMember:
    """Fleet member ``index`` (1-based) of the plan for ``seed``."""
    rng = random.Random(f"pingan-fleet:{seed}:{index}")
    if index <= len(CORE_ROTATION):
        caps = CORE_ROTATION[index - 1]
        vehicle_share = next(v for c, _, v in CAPABILITY_MIX if c == caps)
    else:
        caps, _, vehicle_share = rng.choices(
            CAPABILITY_MIX, weights=[share for _, share, _ in CAPABILITY_MIX]
        )[0]
    mode = "vehicle" if rng.random() < vehicle_share else "on_foot"
    label = LABEL_ZH[caps[0]]
    home = _home_grid(index, seed, grids)
    return FleetMember(
        index=index,
        username=username_of(index),
        display_name=f"{person_name(rng)}（{label}）",
        capabilities=caps,
        mode=mode,
        home_grid=home,
        team=f"{label}{'车组' if mode == 'vehicle' else '徒步组'}",
    )


def _home_grid(index: int, seed: int, grids: Sequence[str]) -> str | None:
    if not grids:
        return None
    # A seeded shuffle dealt round-robin: every grid gets someone before any gets two.
    order = sorted(grids)
    random.Random(f"pingan-grids:{seed}").shuffle(order)
    return order[(index - 1) % len(order)]


def plan_fleet(count: int, seed: int, grids: Sequence[str] = ()) -> list[FleetMember]:
    """The whole fleet of ``count`` members, spread over ``grids`` (when given)."""
    return [member(i, seed, grids) for i in range(1, count + 1)]


def duty_share(capabilities: Sequence[str], hour: float) -> float:
    """The share of responders with these capabilities on duty at local ``hour`` (0-24)."""
    day, evening, night = (
        max(DUTY_SHARES.get(c, (0.5, 0.3, 0.1))[k] for c in capabilities) for k in range(3)
    )
    if 8 <= hour < 18:
        return day
    if 18 <= hour < 22:
        return evening
    return night
