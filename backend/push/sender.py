"""Web Push to phones whose app is in the background or closed (RFC 8030, 8291, VAPID 8292).

VAPID keys are generated at first start and kept in ``<data_dir>/vapid.pem`` (or configured).
Pushes are sent by the relay leader right after it publishes a personal event, so each offer is
pushed once. A subscription the push service reports gone (404/410) is deleted.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from backend.storage.postgres.pool import PgPool

log = logging.getLogger("pingan.push")
PUSHED_KINDS = frozenset(
    {
        "assignment.offered",
        "leader.notified",
        "warning.raised",
        "warning.escalated",
        "warning.reopened",
    }
)


def load_vapid(data_dir: Path, configured_pem: str | None = None) -> Vapid02:
    """The VAPID key: configured, or kept in the data folder (made once)."""
    if configured_pem:
        return Vapid02.from_pem(configured_pem.encode())
    path = data_dir / "vapid.pem"
    if path.exists():
        return Vapid02.from_file(str(path))
    vapid = Vapid02()
    vapid.generate_keys()
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(vapid.private_pem())
    return vapid


def public_key_b64url(vapid: Vapid02) -> str:
    """The application server key a browser passes to ``pushManager.subscribe``."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_WARNING_TEXT: dict[object, tuple[str, str]] = {
    "follow_up_overdue": (
        "随访逾期预警 / Follow-up overdue",
        "您照护团队中一名患者的随访已逾期 / A patient in your care team is overdue for a follow-up",
    ),
    "repeat_calls": (
        "重复报警预警 / Repeated calls",
        "您照护的患者所在住址近期多次报警 / Repeated calls from the home of a patient in your care",
    ),
    "psych_crisis": (
        "心理危机预警 / Psychological crisis",
        "您照护的一名患者心理测评提示危机 / A screening found a patient in your care in crisis",
    ),
    "ledger_check_overdue": (
        "台账核查逾期 / Ledger check overdue",
        "您负责的一名重点人员逾期未核查 / A person you answer for is overdue for a check",
    ),
    "rental_inspection_overdue": (
        "出租屋检查逾期 / Rental inspection overdue",
        "您检查过的一处出租屋已到期未复查 / A rental house you inspected is due again",
    ),
    "rental_hazard_overdue": (
        "出租屋整改逾期 / Rectification overdue",
        "您检查过的一处出租屋隐患逾期未整改 / A hazard you found is past its deadline",
    ),
    "dispute_high_risk": (
        "矛盾纠纷高风险 / High-risk dispute",
        "您登记的一起矛盾纠纷研判为高风险 / A dispute you registered is judged high-risk",
    ),
    "dispute_overdue": (
        "矛盾纠纷处置逾期 / Dispute overdue",
        "您登记的一起矛盾纠纷已过处置时限 / A dispute you registered is past its deadline",
    ),
    None: ("预警 / Early warning", "请查看 / Please check"),
}


def notification(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What the service worker shows: short, and no more personal data than the offer itself has."""
    if kind == "assignment.offered":
        return {
            "type": kind,
            "title": "新警情 / New incident",
            "incident_id": payload.get("incident_id"),
            "assignment_id": payload.get("assignment_id"),
            "kind": payload.get("kind"),
            "priority": payload.get("priority"),
            "role": payload.get("role"),
            "address": payload.get("address"),
            "lat": payload.get("lat"),
            "lon": payload.get("lon"),
            "distance_m": payload.get("distance_m"),
            "eta_s": payload.get("eta_s"),
            "expires_at": payload.get("expires_at"),
            "patient": payload.get("patient"),
        }
    if kind.startswith("warning."):
        # The subject by id only: whoever opens its record is audited there.
        serious = " (严重 / serious)" if payload.get("level") == "serious" else ""
        title, body = _WARNING_TEXT.get(payload.get("rule"), _WARNING_TEXT[None])
        return {
            "type": kind,
            "title": title + serious,
            "body": body,
            "tag": f"warning-{payload.get('warning_id')}",  # escalated replaces raised
            "warning_id": payload.get("warning_id"),
            "rule": payload.get("rule"),
            "level": payload.get("level"),
            "subject_type": payload.get("subject_type"),
            "subject_id": payload.get("subject_id"),
        }
    return {
        "type": kind,
        "title": "升级提醒 / Escalation",
        "incident_id": payload.get("incident_id"),
        "reason": payload.get("reason"),
    }


class PushSender:
    """Sends pushes for personal events; failures are logged, never raised into the relay."""

    def __init__(
        self, pool: PgPool, vapid: Vapid02, *, subject: str, allow_insecure: bool = False
    ) -> None:
        self._pool = pool
        self._vapid = vapid
        self._subject = subject
        self._allow_insecure = allow_insecure
        self.sent = 0
        self.failed = 0

    async def on_published(self, rows: list[Any]) -> None:
        """Called by the relay with the rows it just published."""
        for row in rows:
            if row["stream"] == "personal" and row["kind"] in PUSHED_KINDS and row["subject"]:
                await self.push_to_user(
                    row["subject"], notification(row["kind"], dict(row["payload"]))
                )

    async def push_to_user(self, user_id: str, message: dict[str, Any]) -> int:
        """Push ``message`` to every subscription of the user; returns how many accepted it."""
        subs = await self._pool.fetch(
            "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1::uuid",
            user_id,
        )
        accepted = 0
        for sub in subs:
            if not self._allow_insecure and urlsplit(sub["endpoint"]).scheme != "https":
                continue
            ok = await asyncio.to_thread(self._send, sub, json.dumps(message, ensure_ascii=False))
            if ok is None:
                await self._pool.execute("DELETE FROM push_subscriptions WHERE id = $1", sub["id"])
            elif ok:
                accepted += 1
                await self._pool.execute(
                    "UPDATE push_subscriptions SET last_ok_at = now(), failures = 0 WHERE id = $1",
                    sub["id"],
                )
            else:
                await self._pool.execute(
                    "UPDATE push_subscriptions SET failures = failures + 1 WHERE id = $1", sub["id"]
                )
        return accepted

    def _send(self, sub: Any, data: str) -> bool | None:
        info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}}
        try:
            webpush(
                info,
                data=data,
                vapid_private_key=self._vapid,
                vapid_claims={"sub": self._subject},
                ttl=120,
                timeout=10,
                headers={"Urgency": "high"},
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                return None  # the subscription is gone for good
            self.failed += 1
            log.warning("push refused", extra={"status": status})
            return False
        except OSError as exc:
            self.failed += 1
            log.warning("push service unreachable", extra={"error": type(exc).__name__})
            return False
        self.sent += 1
        return True
