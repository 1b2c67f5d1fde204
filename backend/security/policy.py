"""Roles, permissions and menus as data. Handlers name permissions, never roles.

To change who may do what, change :data:`ROLE_PERMISSIONS`; guards, menus and the tests' access
matrix all read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args


class Role(StrEnum):
    """What a user account is for."""

    ADMIN = "admin"
    DISTRICT_LEADER = "district_leader"
    STREET_LEADER = "street_leader"
    COMMUNITY_LEADER = "community_leader"
    OPERATOR = "operator"
    CASE_WORKER = "case_worker"
    COUNSELLOR = "counsellor"  # a psychological-service centre's staff (心理服务人员)
    GRID_WORKER = "grid_worker"  # 网格员: walks a grid, inspects its rental houses
    # 部门账号: a department's officer (a street's justice office, the civil-affairs bureau), who
    # keeps the ledgers of the department's groups alone (``users.department``)
    DEPARTMENT_OFFICER = "department_officer"
    RESPONDER = "responder"
    AUDITOR = "auditor"
    GATEWAY = "gateway"  # position gateways and simulators reporting for many responders
    INTEGRATION = "integration"  # hotline and other platforms creating incidents


# The departments with accounts of their own (部门账号): those that keep the special groups'
# ledgers (backend/ledgers/groups.py says which group is whose) and those that act on a rental
# house's rectifications (backend/rentals/checklist.py: fire, police, housing). A department
# officer's account names one.
Department = Literal[
    "civil_affairs",
    "disability_federation",
    "veterans_affairs",
    "justice",
    "public_security",
    "fire",
    "housing",
]
DEPARTMENTS: tuple[str, ...] = get_args(Department)


class Capability(StrEnum):
    """What a responder can be dispatched as."""

    POLICE = "police"
    COMMUNITY_DOCTOR = "community_doctor"
    PSYCHIATRIST = "psychiatrist"
    PSYCHIATRIC_NURSE = "psychiatric_nurse"
    SOCIAL_WORKER = "social_worker"
    GRID_WORKER = "grid_worker"
    CIVIL_AFFAIRS = "civil_affairs"
    DISABILITY_FEDERATION = "disability_federation"
    GUARDIAN = "guardian"
    AMBULANCE = "ambulance"


class Permission(StrEnum):
    """One thing a route or socket topic may require."""

    MAP_READ = "map:read"  # the one map: boundaries, aggregates, key places
    ADDRESS_READ = "address:read"
    PERSON_READ = "person:read"  # block-data persons, masked by policy
    # one resident found by the ID number or phone in hand (no browsing), masked by policy
    PERSON_LOOKUP = "person:lookup"
    PERSON_REVEAL = "person:reveal"  # unmask one record with a written reason
    PATIENT_READ = "patient:read"
    PATIENT_WRITE = "patient:write"  # follow-up visits, care teams
    WARNING_HANDLE = "warning:handle"  # take an early warning in hand
    PSYCH_RECORD = "psych:record"  # assessments, sessions, activities, feedback, reports up
    PSYCH_STATS = "psych:stats"  # unit figures, instructions and reports of the jurisdiction
    PSYCH_DIRECT = "psych:direct"  # issue work instructions to the units below
    LEDGER_READ = "ledger:read"  # special and vulnerable groups' ledgers, masked
    LEDGER_WRITE = "ledger:write"  # register, check, close; read the notes
    RENTAL_READ = "rental:read"  # rental houses' grades, inspections and rectifications
    RENTAL_WRITE = "rental:write"  # inspect a rental house; read the inspection notes
    RENTAL_RECTIFY = "rental:rectify"  # sign off a rectification of one's department (整改销号)
    DISPUTE_READ = "dispute:read"  # disputes, their history and each unit's screenings
    DISPUTE_WRITE = "dispute:write"  # register, mediate, escalate, hand down, close; details
    INCIDENT_READ = "incident:read"
    INCIDENT_CREATE = "incident:create"
    INCIDENT_MANAGE = "incident:manage"  # notes, priority, cancel, manual assign/release
    ARCHIVE_READ = "archive:read"
    ARCHIVE_REVIEW = "archive:review"
    RESPONDER_READ = "responder:read"
    RESPONDER_ADMIN = "responder:admin"
    POSITION_REPORT = "position:report"  # one's own position
    POSITION_REPORT_ANY = "position:report_any"  # a gateway's batches for many responders
    ASSIGNMENT_RESPOND = "assignment:respond"  # accept, decline, en route, on scene, clear
    KPI_READ = "kpi:read"
    PLAYBOOK_READ = "playbook:read"
    PLAYBOOK_DRILL = "playbook:drill"
    AUDIT_READ = "audit:read"
    USER_ADMIN = "user:admin"
    DATA_IMPORT = "data:import"
    SYSTEM_READ = "system:read"  # operational figures: sockets, queues, relay


P = Permission
_LEADER = frozenset(
    {
        P.MAP_READ,
        P.ADDRESS_READ,
        P.PERSON_READ,
        P.PERSON_LOOKUP,
        P.PATIENT_READ,
        P.INCIDENT_READ,
        P.INCIDENT_MANAGE,
        P.ARCHIVE_READ,
        P.ARCHIVE_REVIEW,
        P.RESPONDER_READ,
        P.KPI_READ,
        P.PLAYBOOK_READ,
        P.WARNING_HANDLE,
        P.PSYCH_STATS,
        P.PSYCH_DIRECT,
        P.LEDGER_READ,
        P.RENTAL_READ,
        P.DISPUTE_READ,
        P.DISPUTE_WRITE,  # the comprehensive-governance centre of their level
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.MAP_READ,
            P.ADDRESS_READ,
            P.RESPONDER_READ,
            P.RESPONDER_ADMIN,
            P.USER_ADMIN,
            P.DATA_IMPORT,
            P.PLAYBOOK_READ,
            P.PLAYBOOK_DRILL,
            P.INCIDENT_READ,
            P.SYSTEM_READ,
        }
    ),
    Role.DISTRICT_LEADER: _LEADER | {P.PERSON_REVEAL},
    Role.STREET_LEADER: _LEADER,
    Role.COMMUNITY_LEADER: _LEADER,
    Role.OPERATOR: frozenset(
        {
            P.MAP_READ,
            P.ADDRESS_READ,
            P.PERSON_READ,
            P.PERSON_LOOKUP,
            P.PATIENT_READ,
            P.INCIDENT_READ,
            P.INCIDENT_CREATE,
            P.INCIDENT_MANAGE,
            P.ARCHIVE_READ,
            P.RESPONDER_READ,
            P.KPI_READ,
            P.PLAYBOOK_READ,
            P.PLAYBOOK_DRILL,
            P.WARNING_HANDLE,
        }
    ),
    Role.CASE_WORKER: frozenset(
        {
            P.MAP_READ,
            P.ADDRESS_READ,
            P.PERSON_READ,
            P.PERSON_LOOKUP,
            P.PERSON_REVEAL,
            P.PATIENT_READ,
            P.PATIENT_WRITE,
            P.WARNING_HANDLE,
            P.INCIDENT_READ,
            P.ARCHIVE_READ,
            P.LEDGER_READ,
            P.LEDGER_WRITE,
            P.DISPUTE_READ,
            P.DISPUTE_WRITE,
        }
    ),
    Role.COUNSELLOR: frozenset(
        {
            P.ADDRESS_READ,
            P.PERSON_READ,
            P.PERSON_LOOKUP,
            P.PSYCH_RECORD,
            P.PSYCH_STATS,
            P.PSYCH_DIRECT,
            P.WARNING_HANDLE,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {
            P.MAP_READ,
            P.ADDRESS_READ,
            P.WARNING_HANDLE,
            P.RENTAL_READ,
            P.RENTAL_WRITE,
            P.DISPUTE_READ,
            P.DISPUTE_WRITE,  # 网格上报: disputes met on the rounds
            P.PERSON_LOOKUP,  # a dispute's party, by the ID card shown on the spot
        }
    ),
    # a department officer's permissions are its department's (DEPARTMENT_PERMISSIONS)
    Role.DEPARTMENT_OFFICER: frozenset(),
    Role.RESPONDER: frozenset(
        {P.POSITION_REPORT, P.ASSIGNMENT_RESPOND, P.INCIDENT_CREATE, P.PLAYBOOK_READ}
    ),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    Role.GATEWAY: frozenset({P.POSITION_REPORT_ANY}),
    Role.INTEGRATION: frozenset({P.INCIDENT_CREATE, P.ADDRESS_READ}),
}

# What a department officer may do, by department: the ledgers of its groups (narrowed to them by
# backend/ledgers/scope.py), the rectifications of its rental items (backend/rentals/scope.py).
_LEDGERS = frozenset({P.LEDGER_READ, P.LEDGER_WRITE})
_RECTIFY = frozenset({P.RENTAL_READ, P.RENTAL_RECTIFY})
DEPARTMENT_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "civil_affairs": _LEDGERS,
    "disability_federation": _LEDGERS,
    "veterans_affairs": _LEDGERS,
    "justice": _LEDGERS,
    "public_security": _LEDGERS | _RECTIFY,
    "fire": _RECTIFY,
    "housing": _RECTIFY,
}

# A menu of the frontends is shown when the user holds every permission it lists.
MENU_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "wall": frozenset({P.MAP_READ, P.INCIDENT_READ}),
    "console": frozenset({P.INCIDENT_CREATE, P.INCIDENT_MANAGE}),
    "leader": frozenset({P.KPI_READ, P.ARCHIVE_REVIEW}),
    "responder": frozenset({P.ASSIGNMENT_RESPOND}),
    "casework": frozenset({P.PATIENT_WRITE}),
    "psych": frozenset({P.PSYCH_STATS}),
    "ledgers": frozenset({P.LEDGER_READ}),
    "rentals": frozenset({P.RENTAL_READ}),
    "disputes": frozenset({P.DISPUTE_READ}),
    "audit": frozenset({P.AUDIT_READ}),
    "admin": frozenset({P.USER_ADMIN}),
}

# Roles whose jurisdiction is fixed by their level of the tree (a leader's unit must be that level).
LEADER_LEVELS: dict[Role, str] = {
    Role.DISTRICT_LEADER: "district",
    Role.STREET_LEADER: "street",
    Role.COMMUNITY_LEADER: "community",
}


def permissions_for(
    roles: frozenset[Role] | set[Role] | list[Role], department: str | None = None
) -> frozenset[Permission]:
    """The union of the permissions of ``roles`` (a department officer's: its ``department``'s)."""
    out: frozenset[Permission] = frozenset()
    for role in roles:
        out |= ROLE_PERMISSIONS[role]
    if Role.DEPARTMENT_OFFICER in roles and department is not None:
        # a department no longer known (a token from before a rename) opens nothing
        out |= DEPARTMENT_PERMISSIONS.get(department, frozenset())
    return out


def menus_for(permissions: frozenset[Permission]) -> list[str]:
    """The menus a holder of ``permissions`` may open, in display order."""
    return [menu for menu, needed in MENU_PERMISSIONS.items() if needed <= permissions]


def only_by_department(roles: frozenset[Role], permission: Permission) -> bool:
    """Whether ``permission`` comes to these ``roles`` through a department officer's department
    alone: the work it opens is then narrowed to that department's (its ledger groups, its
    rental items), where any other role that grants it opens everyone's."""
    return not any(
        permission in ROLE_PERMISSIONS[role]
        for role in roles
        if role is not Role.DEPARTMENT_OFFICER
    )
