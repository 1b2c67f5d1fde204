"""Topics a client may subscribe to: who may, which stream feeds them, which entries they keep.

``wall[:org]`` and ``leader[:org]``: incident events of a jurisdiction (default: the caller's).
``incident:<id>``: one incident's events. ``me``: the caller's personal channel (offers).
``positions[:org]``: live responder positions (batched, not sequenced by a stream).
``warnings[:org]``: the early-warning events of a jurisdiction alone (``warning.*``), for those
who handle warnings without watching incidents; a counsellor's carry psychological crises only.
``disputes[:org]``, ``ledgers[:org]``, ``rentals[:org]``: one service's events of a jurisdiction
(``dispute.updated``: a step on a dispute there; ``ledger.updated``: a registration, check or
closing on a ledger; ``rental.updated``: an inspection of a rental house), so an open page of that
work sees what others did without reading incidents.
Snapshots come from providers that feature modules register (``TopicRegistry.provide``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from backend.early_warning.visibility import visible_rules
from backend.security.policy import Permission
from backend.security.principal import Principal, within

SnapshotFn = Callable[[Any, Principal, "TopicSpec"], Awaitable[dict[str, Any]]]


class TopicError(Exception):
    """A subscription is refused; ``code`` is sent to the client."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class TopicSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed, authorised topic: the stream that feeds it and the filter of its entries."""

    topic: str
    kind: str
    stream: str  # "incidents", "personal" or "positions"
    district: str
    org_path: str  # the jurisdiction the subscription covers
    subject: str | None = None  # incident id, or user id for "me"
    kind_prefix: str | None = None  # only entries whose kind starts so ("warnings")
    rules: frozenset[str] | None = None  # ... and, for warnings, only these rules

    def accepts(self, org_path: str | None, subject: str | None) -> bool:
        """Whether an entry with this org path and subject belongs to the topic."""
        if self.subject is not None and subject != self.subject:
            return False
        if self.kind == "me":
            return True
        return org_path is not None and within(org_path, self.org_path)

    def accepts_kind(self, kind: str, message: str) -> bool:
        """The topic's filter on an accepted entry's kind and warning rule; only topics with a
        ``kind_prefix`` (warnings) need it, so callers test that first, off the hot path."""
        if not kind.startswith(self.kind_prefix or ""):
            return False
        # only warnings topics of callers who may not see every rule get here: rare, and the
        # message is small, so reading its rule back costs less than carrying it on every entry
        return self.rules is None or _RULE_OF.decode(message).data.rule in self.rules


class _Rule(msgspec.Struct):
    rule: str | None = None


class _RuleOf(msgspec.Struct):
    data: _Rule


_RULE_OF = msgspec.json.Decoder(_RuleOf)


# a service's own topic: the permission that reads its work, and the prefix of its events' kinds;
# its events go out under where the work is (a dispute's place, a ledger person's or a house's
# unit), which whoever acts on it covers
_WORK: dict[str, tuple[Permission, str]] = {
    "disputes": (Permission.DISPUTE_READ, "dispute."),
    "ledgers": (Permission.LEDGER_READ, "ledger."),
    "rentals": (Permission.RENTAL_READ, "rental."),
}
_NEEDS: dict[str, tuple[Permission, ...]] = {
    "wall": (Permission.MAP_READ, Permission.INCIDENT_READ),
    "leader": (Permission.KPI_READ,),
    "incident": (),  # checked by the snapshot provider (jurisdiction or assignment)
    "me": (),
    "positions": (Permission.MAP_READ,),
    "warnings": (Permission.WARNING_HANDLE,),
    **{kind: (permission,) for kind, (permission, _) in _WORK.items()},
}
_STREAM = {
    "wall": "incidents",
    "leader": "incidents",
    "incident": "incidents",
    "me": "personal",
    "positions": "positions",
    "warnings": "incidents",
    **dict.fromkeys(_WORK, "incidents"),
}


def parse_topic(topic: str, principal: Principal) -> TopicSpec:
    """Authorise ``topic`` for ``principal``; raises :class:`TopicError` (``forbidden``/``not_found``)."""
    kind, _, arg = topic.partition(":")
    if kind not in _STREAM:
        raise TopicError(
            "unknown_topic", f"no topic kind {kind!r}; known: {', '.join(sorted(_STREAM))}"
        )
    for permission in _NEEDS[kind]:
        if not principal.can(permission):
            raise TopicError("forbidden", f"your role lacks the permission {permission.value}")
    district = principal.org_path.split(".", 1)[0]
    if kind in ("wall", "leader", "positions", "warnings") or kind in _WORK:
        org = arg or principal.org_path
        if not within(org, principal.org_path):
            raise TopicError("not_found", f"no topic {topic}")  # another jurisdiction: not revealed
        if kind == "warnings":
            return TopicSpec(
                topic=topic,
                kind=kind,
                stream=_STREAM[kind],
                district=district,
                org_path=org,
                kind_prefix="warning.",
                rules=visible_rules(principal),
            )
        if kind in _WORK:
            return TopicSpec(
                topic=topic,
                kind=kind,
                stream=_STREAM[kind],
                district=district,
                org_path=org,
                kind_prefix=_WORK[kind][1],
            )
        return TopicSpec(
            topic=topic, kind=kind, stream=_STREAM[kind], district=district, org_path=org
        )
    if kind == "me":
        if arg:
            raise TopicError("unknown_topic", "the personal topic takes no argument: use 'me'")
        return TopicSpec(
            topic=topic,
            kind=kind,
            stream="personal",
            district=district,
            org_path=principal.org_path,
            subject=principal.user_id,
        )
    if not arg:
        raise TopicError("unknown_topic", "incident topics name the incident: 'incident:<id>'")
    return TopicSpec(
        topic=topic,
        kind=kind,
        stream="incidents",
        district=district,
        org_path=district,
        subject=arg,
    )


async def _empty(_conn: Any, _principal: Principal, _spec: TopicSpec) -> dict[str, Any]:
    return {}


class TopicRegistry:
    """Snapshot providers by topic kind; a kind without one snapshots as ``{}``."""

    def __init__(self) -> None:
        self._providers: dict[str, SnapshotFn] = {}

    def provide(self, kind: str, fn: SnapshotFn) -> None:
        """Register the snapshot of topics of ``kind``."""
        self._providers[kind] = fn

    def snapshot_fn(self, kind: str) -> SnapshotFn:
        """The snapshot provider of ``kind``."""
        return self._providers.get(kind, _empty)
