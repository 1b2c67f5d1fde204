/**
 * Incident messages → the live incident list, ticker lines and KPI counts. The one module that
 * knows what the incidents service puts on the `incidents:<district>` stream, so a change there
 * means editing only this file. The shapes follow backend/incidents (models.IncidentSummary,
 * repo.announce, snapshots.wall_snapshot):
 *
 *   snapshot of `wall` / `leader`   data = {incidents: IncidentSummary[]}  (live states only)
 *   event `incident.created`        data = the new incident's IncidentSummary
 *   event `incident.updated`        data = the incident's whole IncidentSummary after any change;
 *                                   state closed/cancelled → it leaves the list
 *   event `incident.event`          a timeline fact {incident_id, event_id, kind, actor, data};
 *                                   ignored here: the `incident.updated` that follows carries its effect
 *
 * Ticker lines are derived from the difference between an incident's previous and new summary
 * (opened, state changed, priority raised, escalated, closed), not from timeline kinds, so they
 * stay right whatever facts the playbooks record. Summaries older than the one held (by
 * `version`) are ignored. Malformed items are skipped with a console warning, never half-shown.
 */

import { incidentTitle } from "./domain";
import { t, tk, type MessageKey } from "./i18n";
import type { IncidentPriority, IncidentStep, KpiSnapshot, LiveIncident, TickerEvent, TickerSeverity, TodayKpis, WsEvent } from "./types";

/** What `incident.created` / `incident.updated` carry and a snapshot lists (IncidentSummary). */
export interface IncidentSummaryData {
  id: string;
  kind: string;
  priority: number;
  state: string;
  lat: number;
  lon: number;
  address: string | null;
  org_path: string;
  opened_at: number;
  updated_at?: number;
  playbook_id?: string;
  step: { id: string; title_zh: string | null; title_en: string | null; deadline_at: number | null } | null;
  escalations: number;
  responders?: Record<string, number>;
  has_patient?: boolean;
  version: number;
  repeat_call?: boolean;
}

/** Today's KPIs a snapshot carries (`kpis`, backend/kpi), or null when it has none. */
export type KpiFigures = TodayKpis | null;

const CLOSED_STATES: ReadonlySet<string> = new Set(["closed", "cancelled"]);
const SUMMARY_KINDS: ReadonlySet<string> = new Set(["incident.created", "incident.updated"]);

export const INCIDENT_STATE_LABELS: Record<string, MessageKey> = {
  new: tk("incidentState.new"),
  dispatching: tk("incidentState.dispatching"),
  responding: tk("incidentState.responding"),
  on_scene: tk("incidentState.on_scene"),
  resolved: tk("incidentState.resolved"),
  closed: tk("incidentState.closed"),
  cancelled: tk("incidentState.cancelled"),
};

/** An incident's state in the current language (unknown states as they come). */
export function incidentStateLabel(state: string): string {
  const key = INCIDENT_STATE_LABELS[state];
  return key === undefined ? state : t(key);
}

/** What one event did to one incident. */
export interface IncidentChange {
  before: LiveIncident | undefined;
  /** Undefined when the incident left the list (closed or cancelled). */
  after: LiveIncident | undefined;
  state: string;
}

/** The open incidents by id, fed by snapshots and events. */
export class IncidentBook {
  private readonly byId = new Map<string, LiveIncident>();
  private readonly versions = new Map<string, number>();

  /** Replaces everything with a snapshot's `data`. */
  replace(data: Record<string, unknown>): void {
    this.byId.clear();
    this.versions.clear();
    const items = Array.isArray(data.incidents) ? (data.incidents as unknown[]) : [];
    for (const item of items) {
      const summary = parseSummary(item);
      if (summary !== null && !CLOSED_STATES.has(summary.state)) {
        this.byId.set(summary.id, toLiveIncident(summary));
        this.versions.set(summary.id, summary.version);
      }
    }
  }

  /** Applies one event; null when it changed nothing here (other kinds, stale versions). */
  apply(event: WsEvent): IncidentChange | null {
    if (!SUMMARY_KINDS.has(event.kind)) {
      return null;
    }
    const summary = parseSummary(event.data);
    if (summary === null || (this.versions.get(summary.id) ?? -Infinity) > summary.version) {
      return null;
    }
    const before = this.byId.get(summary.id);
    this.versions.set(summary.id, summary.version);
    if (CLOSED_STATES.has(summary.state)) {
      this.byId.delete(summary.id);
      return before === undefined ? null : { before, after: undefined, state: summary.state };
    }
    const after = toLiveIncident(summary);
    this.byId.set(summary.id, after);
    return { before, after, state: summary.state };
  }

  list(): LiveIncident[] {
    return [...this.byId.values()];
  }
}

/** Validates one summary; null (logged) when a field the views need is missing or mistyped. */
export function parseSummary(value: unknown): IncidentSummaryData | null {
  if (typeof value !== "object" || value === null) {
    return null;
  }
  const v = value as Record<string, unknown>;
  const ok =
    typeof v.id === "string" &&
    typeof v.kind === "string" &&
    typeof v.priority === "number" &&
    typeof v.state === "string" &&
    isCoordinate(v.lat, 90) &&
    isCoordinate(v.lon, 180) &&
    typeof v.opened_at === "number";
  if (!ok) {
    console.warn("incident-events: skipping an incident summary that does not have the expected shape", value);
    return null;
  }
  return {
    ...(v as unknown as IncidentSummaryData),
    address: typeof v.address === "string" ? v.address : null,
    step: isStep(v.step) ? v.step : null,
    escalations: typeof v.escalations === "number" ? v.escalations : 0,
    version: typeof v.version === "number" ? v.version : 0,
  };
}

function isCoordinate(value: unknown, limit: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit;
}

function isStep(value: unknown): value is NonNullable<IncidentSummaryData["step"]> {
  return typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string";
}

/** Priorities 1–5, each its own level (out-of-range values are clamped). */
export function toPriority(p: number): IncidentPriority {
  return Math.min(5, Math.max(1, Math.round(p))) as IncidentPriority;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The list's view of one incident; `title` stays empty (the kind's name is shown, see domain.ts). */
export function toLiveIncident(s: IncidentSummaryData): LiveIncident {
  const step: IncidentStep | null =
    s.step === null
      ? null
      : {
          id: s.step.id,
          title_zh: s.step.title_zh,
          title_en: s.step.title_en,
          deadline_at: s.step.deadline_at === null ? null : isoTime(s.step.deadline_at),
        };
  return {
    id: s.id,
    lat: s.lat,
    lon: s.lon,
    priority: toPriority(s.priority),
    kind: s.kind,
    state: s.state,
    title: "",
    address: s.address ?? "",
    opened_at: isoTime(s.opened_at),
    escalated: s.escalations > 0,
    step,
    org_path: s.org_path,
    repeat_call: s.repeat_call === true,
  };
}

// --- ticker ----------------------------------------------------------------------------------

/** A ticker line kept in words-to-be: re-rendered in the current language on every change. */
export interface TickerLine {
  id: string;
  at: string;
  severity: TickerSeverity;
  key: MessageKey;
  incident: Pick<LiveIncident, "title" | "kind" | "address">;
  state: string;
}

/** The ticker line an incident change deserves, or null for changes not worth a line. */
export function tickerLineFor(event: WsEvent, change: IncidentChange): TickerLine | null {
  const { before, after } = change;
  const shown = after ?? before;
  if (shown === undefined) {
    return null;
  }
  let key: MessageKey | null = null;
  let severity: TickerSeverity = "info";
  if (after === undefined) {
    key = change.state === "cancelled" ? tk("ticker.incidentCancelled") : tk("ticker.incidentClosed");
  } else if (before === undefined) {
    key = tk("ticker.incidentCreated");
    severity = after.priority <= 2 ? "critical" : "warning";
  } else if (after.escalated && !before.escalated) {
    key = tk("ticker.incidentEscalated");
    severity = "critical";
  } else if (after.priority < before.priority) {
    key = tk("ticker.incidentPriorityRaised");
    severity = after.priority <= 2 ? "critical" : "warning";
  } else if (after.state !== before.state) {
    key = tk("ticker.incidentState");
  }
  if (key === null) {
    return null;
  }
  return {
    id: String(event.id),
    at: isoTime(event.at),
    severity,
    key,
    incident: { title: shown.title, kind: shown.kind, address: shown.address },
    state: change.state,
  };
}

/** The line in the current language. */
export function renderTickerLine(line: TickerLine): TickerEvent {
  return {
    id: line.id,
    at: line.at,
    severity: line.severity,
    text: t(line.key, { title: incidentTitle(line.incident), address: line.incident.address, state: incidentStateLabel(line.state) }),
  };
}

// --- KPIs ------------------------------------------------------------------------------------

/** KPI tiles from what the page holds: counts from the lists, durations from the server's figures. */
export function deriveKpis(incidents: readonly LiveIncident[], respondersOnDuty: number, figures: KpiFigures): KpiSnapshot {
  const f = figures?.figures;
  return {
    live_incidents: incidents.length,
    escalated_incidents: incidents.filter((i) => i.escalated).length,
    responders_on_duty: respondersOnDuty,
    p50_time_to_alert_s: f?.to_alert.p50_s ?? null,
    p50_time_to_ack_s: f?.to_accept.p50_s ?? null,
    p50_time_to_arrive_s: f?.to_arrive.p50_s ?? null,
    p90_time_to_alert_s: f?.to_alert.p90_s ?? null,
    p90_time_to_ack_s: f?.to_accept.p90_s ?? null,
    p90_time_to_arrive_s: f?.to_arrive.p90_s ?? null,
    opened_today: f?.opened ?? null,
    closed_today: f?.closed ?? null,
    on_duty_by_capability: figures?.on_duty_by_capability ?? {},
  };
}

/** The snapshot's `kpis` part (today's, server-computed), or null when it has none. */
export function kpiFigures(data: Record<string, unknown>): KpiFigures {
  return isTodayKpis(data.kpis) ? data.kpis : null;
}

/** Whether a value has the shape of `TodayKpis` (what the views read of it). */
export function isTodayKpis(value: unknown): value is TodayKpis {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const v = value as Partial<TodayKpis>;
  const f = v.figures;
  return (
    typeof f === "object" &&
    f !== null &&
    typeof f.opened === "number" &&
    typeof f.to_alert === "object" &&
    typeof f.to_accept === "object" &&
    typeof f.to_arrive === "object" &&
    typeof v.on_duty_by_capability === "object"
  );
}
