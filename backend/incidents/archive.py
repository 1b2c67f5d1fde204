"""The after-action archive (处置档案): what happened, who did what when, against each deadline."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, Literal

import msgspec

from backend.early_warning.models import ForeseenWarning
from backend.early_warning.store import live_at
from backend.incidents.repo import assignments_of, run_state_of, summarise, timeline_of
from backend.incidents.waivers import Waiver, waivers_of
from backend.storage.postgres.pool import PgConn


class Kpis(msgspec.Struct, frozen=True, kw_only=True):
    """Seconds from the incident's creation to each milestone (None when it never happened)."""

    to_first_offer_s: float | None
    to_first_accept_s: float | None
    to_first_arrival_s: float | None
    to_close_s: float | None


DeadlineOutcome = Literal["met", "missed", "cancelled", "open"]


class DeadlineResult(msgspec.Struct, frozen=True, kw_only=True):
    """One playbook deadline: when it was due and what became of it. ``cancelled``: the run
    ended, or its playbook was replaced, before the step finished (neither met nor missed)."""

    timer_id: str
    purpose: str
    due_at: datetime
    fired_at: datetime | None
    met: bool
    late_ms: float | None
    outcome: DeadlineOutcome = "met"


def _deadline_outcome(timer: Any, cancelled: set[str]) -> DeadlineOutcome:
    if timer["fired_at"] is not None:
        return "missed"
    if timer["id"] in cancelled:
        return "cancelled"
    return "met" if timer["cancelled_at"] is not None else "open"


class TrackPoint(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """[at, lat, lon, status]."""

    at: datetime
    lat: float
    lon: float
    status: str


class Archive(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a review needs, frozen once reviewed."""

    incident: dict[str, Any]
    outcome: str | None
    record_sheet_id: str | None
    handover_hospital: str | None
    kpis: Kpis
    deadlines: list[DeadlineResult]
    assignments: list[dict[str, Any]]
    checklist_ticks: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    tracks: dict[str, list[TrackPoint]]
    built_at: datetime
    waivers: list[Waiver] = msgspec.field(default_factory=list)
    """Steps the duty officer waived: which, by whom, why, when."""
    foreseen: list[ForeseenWarning] = msgspec.field(default_factory=list)
    """Early warnings about the patient or the place that were live when the call came."""


def _since(start: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else round((moment - start).total_seconds(), 1)


async def build_archive(conn: PgConn, incident_id: str) -> Archive:
    """Assemble the archive of an incident from its rows (closed or not)."""
    row = await conn.fetchrow("SELECT * FROM incidents WHERE id = $1", incident_id)
    if row is None:
        raise LookupError(f"no incident {incident_id}")
    assignments = await assignments_of(conn, incident_id)
    timeline = await timeline_of(conn, incident_id, limit=100_000)
    state = run_state_of(row)
    created = row["created_at"]
    firsts = {
        "offer": min((a.offered_at for a in assignments), default=None),
        "accept": min((a.accepted_at for a in assignments if a.accepted_at), default=None),
        "arrive": min((a.on_scene_at for a in assignments if a.on_scene_at), default=None),
    }
    timers = await conn.fetch(
        "SELECT t.id, t.purpose, t.due_at, t.fired_at, t.cancelled_at, f.late_ms FROM timers t "
        "LEFT JOIN timer_firings f ON f.timer_id = t.id WHERE t.incident_id = $1 AND t.kind = 'engine' ORDER BY t.due_at",
        incident_id,
    )
    # the engine says which deadlines it dropped rather than saw met (deadline_cancelled)
    cancelled = {str(e.data.get("timer_id")) for e in timeline if e.kind == "deadline_cancelled"}
    tracks: dict[str, list[TrackPoint]] = {}
    end = row["closed_at"] or datetime.now(created.tzinfo)
    for a in assignments:
        if a.accepted_at is None:
            continue
        points = await conn.fetch(
            "SELECT at, lat, lon, status FROM position_tracks WHERE responder_id = $1::uuid AND at BETWEEN $2 AND $3 "
            "ORDER BY at",
            a.responder_id,
            a.accepted_at,
            a.ended_at or end,
        )
        tracks[a.responder_id] = [
            TrackPoint(at=p["at"], lat=p["lat"], lon=p["lon"], status=p["status"]) for p in points
        ]
    return Archive(
        incident=msgspec.to_builtins(summarise(row, [{"state": a.state} for a in assignments])),
        outcome=row["outcome"],
        record_sheet_id=state.record_sheet_id,
        handover_hospital=state.handover_hospital,
        kpis=Kpis(
            to_first_offer_s=_since(created, firsts["offer"]),
            to_first_accept_s=_since(created, firsts["accept"]),
            to_first_arrival_s=_since(created, firsts["arrive"]),
            to_close_s=_since(created, row["closed_at"]),
        ),
        deadlines=[
            DeadlineResult(
                timer_id=t["id"],
                purpose=t["purpose"],
                due_at=t["due_at"],
                fired_at=t["fired_at"],
                met=_deadline_outcome(t, cancelled) == "met",
                late_ms=t["late_ms"],
                outcome=_deadline_outcome(t, cancelled),
            )
            for t in timers
        ],
        assignments=[msgspec.to_builtins(a) for a in assignments],
        checklist_ticks=[msgspec.to_builtins(e) for e in timeline if e.kind == "checklist.ticked"],
        timeline=[msgspec.to_builtins(e) for e in timeline],
        tracks=tracks,
        built_at=datetime.now(created.tzinfo),
        waivers=waivers_of(timeline),
        foreseen=await live_at(
            conn,
            patient_id=str(row["patient_id"]) if row["patient_id"] else None,
            address_id=row["address_id"],
            moment=created,
        ),
    )


async def store_archive(conn: PgConn, incident_id: str) -> Archive:
    """Build and store (or rebuild, while unreviewed) the archive."""
    archive = await build_archive(conn, incident_id)
    await conn.execute(
        """
        INSERT INTO incident_archives (incident_id, data) VALUES ($1, $2)
        ON CONFLICT (incident_id) DO UPDATE SET data = EXCLUDED.data, built_at = now()
        WHERE incident_archives.reviewed_at IS NULL
        """,
        incident_id,
        msgspec.to_builtins(archive),
    )
    return archive


_OUTCOME_WORDS = {
    "met": "按时 met",
    "missed": "超时 missed",
    "cancelled": "取消 cancelled",
    "open": "进行中 open",
}
_RULE_WORDS = {
    "follow_up_overdue": "随访逾期 follow-up overdue",
    "repeat_calls": "重复报警 repeated calls",
    "psych_crisis": "心理危机 psychological crisis",
    "ledger_check_overdue": "台账核查逾期 ledger check overdue",
    "rental_inspection_overdue": "出租屋检查逾期 rental inspection overdue",
    "rental_hazard_overdue": "出租屋整改逾期 rectification overdue",
    "dispute_high_risk": "矛盾纠纷高风险 high-risk dispute",
    "dispute_overdue": "矛盾纠纷处置逾期 dispute overdue",
}


def render_html(archive: dict[str, Any], notes: list[dict[str, Any]]) -> str:
    """A printable page (the browser's print-to-PDF makes the paper copy)."""
    e = html.escape
    inc = archive["incident"]
    kpis = archive["kpis"]
    rows = "".join(
        f"<tr><td>{e(str(t['at']))}</td><td>{e(t['kind'])}</td><td>{e(str(t.get('actor_name') or ''))}</td>"
        f"<td>{e(msgspec.json.encode(t['data']).decode())}</td></tr>"
        for t in archive["timeline"]
    )
    deadlines = "".join(
        f"<tr><td>{e(d['purpose'])}</td><td>{e(str(d['due_at']))}</td><td>{_OUTCOME_WORDS[d.get('outcome', 'met' if d['met'] else 'missed')]}</td></tr>"
        for d in archive["deadlines"]
    )
    people = "".join(
        f"<tr><td>{e(a['display_name'])}</td><td>{e(a['role'])}</td><td>{e(a['state'])}</td>"
        f"<td>{e(str(a['offered_at']))}</td><td>{e(str(a.get('accepted_at') or ''))}</td>"
        f"<td>{e(str(a.get('on_scene_at') or ''))}</td></tr>"
        for a in archive["assignments"]
    )
    waivers = "".join(
        f"<tr><td>{e(str(w['step_id']))}</td><td>{e(str(w.get('by') or ''))}</td>"
        f"<td>{e(str(w['reason']))}</td><td>{e(str(w['at']))}</td></tr>"
        for w in archive.get("waivers", [])  # archives built before waivers have none
    )
    foreseen = "".join(
        f"<tr><td>{e(_RULE_WORDS.get(w['rule'], str(w['rule'])))}</td><td>{e(str(w['level']))}</td><td>{e(str(w['raised_at']))}</td>"
        f"<td>{w['days_before_call']}</td><td>{e(str(w.get('acknowledged_by_name') or '—'))}</td>"
        f"<td>{e(str(w.get('ack_note') or ''))}</td></tr>"
        for w in archive.get("foreseen", [])  # archives built before warnings have none
    )
    review = "".join(
        f"<li><b>{e(n['author_name'])}</b> {e(str(n['at']))}: {e(n['text'])}</li>" for n in notes
    )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>处置档案 {e(inc["id"])}</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #999;padding:4px;font-size:12px;vertical-align:top}}h1{{font-size:20px}}
@media print{{body{{margin:0}}}}</style></head><body>
<h1>应急处置档案 / After-action archive — {e(inc["id"])}</h1>
<p>类型 Kind: {e(inc["kind"])} · 优先级 Priority: {inc["priority"]} · 状态 State: {e(inc["state"])} ·
地点 Place: {e(str(inc.get("address") or ""))} · 结果 Outcome: {e(str(archive.get("outcome") or ""))} ·
处置记录单 Record sheet: {e(str(archive.get("record_sheet_id") or ""))}</p>
<h2>时效 KPIs</h2><p>首次派单 first offer: {kpis["to_first_offer_s"]} s · 首次接单 first accept: {kpis["to_first_accept_s"]} s ·
首次到场 first arrival: {kpis["to_first_arrival_s"]} s · 结案 close: {kpis["to_close_s"]} s</p>
<h2>时限 Deadlines</h2><table><tr><th>purpose</th><th>due</th><th>result</th></tr>{deadlines}</table>
<h2>豁免步骤 Waived steps</h2><table><tr><th>step</th><th>by</th><th>reason</th><th>at</th></tr>{waivers or '<tr><td colspan="4">—</td></tr>'}</table>
<h2>事前预警 Foreseen</h2><table><tr><th>rule</th><th>level</th><th>raised</th><th>days before the call</th><th>taken by</th><th>note</th></tr>{foreseen or '<tr><td colspan="6">—</td></tr>'}</table>
<h2>人员 Responders</h2><table><tr><th>name</th><th>role</th><th>state</th><th>offered</th><th>accepted</th><th>on scene</th></tr>{people}</table>
<h2>时间线 Timeline</h2><table><tr><th>at</th><th>kind</th><th>by</th><th>data</th></tr>{rows}</table>
<h2>复盘 Review</h2><ul>{review or "<li>—</li>"}</ul></body></html>"""
