/**
 * Incident events → the live incident list. The one place that knows what the incidents API
 * puts into realtime messages, so adjusting to the final shape means editing only this file.
 *
 * PROVISIONAL shape (the incidents API is being built; agree it there and update this comment):
 *
 *   event  {kind: "incident.<verb>", subject: <incident id>, data: IncidentStateData}
 *          verbs seen here: created, updated, step, escalated, closed, cancelled, resolved, merged;
 *          any `incident.*` event carries the incident's whole current state in `data`.
 *   snapshot of `wall` / `leader`: data = {incidents: IncidentStateData[], kpis?: KpiFigures}
 *
 *   IncidentStateData = {id, kind, priority (1–4), state, lat, lon, address, org_path,
 *                        opened_at (ISO 8601 or Unix seconds),
 *                        step?: {name, deadline_at, name_zh?, name_en?},
 *                        escalated?: boolean, title?: string}
 *
 * An incident leaves the list when its state is closed/cancelled/resolved/merged/archived or a
 * closing verb arrives. Malformed items are skipped (and logged), never shown half-parsed.
 */

import { incidentTitle } from "./domain";
import { t, tk, type MessageKey } from "./i18n";
import type { IncidentPriority, KpiSnapshot, LiveIncident, TickerEvent, TickerSeverity, WsEvent } from "./types";

/** What an incident event's `data` (and each snapshot item) holds. Provisional. */
export interface IncidentStateData {
  id: string;
  kind: string;
  priority: IncidentPriority;
  state: string;
  lat: number;
  lon: number;
  address: string;
  org_path: string;
  opened_at: string | number;
  step?: { name: string; deadline_at: string | number; name_zh?: string; name_en?: string } | null;
  escalated?: boolean;
  title?: string;
}

/** Median step times a snapshot may carry for the KPI tiles. Provisional. */
export interface KpiFigures {
  p50_time_to_alert_s?: number | null;
  p50_time_to_ack_s?: number | null;
  p50_time_to_arrive_s?: number | null;
}

const CLOSED_STATES: ReadonlySet<string> = new Set(["closed", "cancelled", "resolved", "merged", "archived"]);
const CLOSING_KINDS: ReadonlySet<string> = new Set(["incident.closed", "incident.cancelled", "incident.resolved", "incident.merged"]);

const TICKER_TEXT: Record<string, MessageKey> = {
  "incident.created": tk("ticker.incidentCreated"),
  "incident.escalated": tk("ticker.incidentEscalated"),
  "incident.closed": tk("ticker.incidentClosed"),
  "incident.resolved": tk("ticker.incidentClosed"),
  "incident.cancelled": tk("ticker.incidentCancelled"),
};

/** The open incidents by id, fed by snapshots and events. */
export class IncidentBook {
  private readonly byId = new Map<string, LiveIncident>();

  /** Replaces everything with a snapshot's `data`. */
  replace(data: Record<string, unknown>): void {
    this.byId.clear();
    const items = Array.isArray(data.incidents) ? (data.incidents as unknown[]) : [];
    for (const item of items) {
      const parsed = parseIncidentState(item);
      if (parsed !== null && !CLOSED_STATES.has(parsed.state)) {
        this.byId.set(parsed.id, toLiveIncident(parsed, false));
      }
    }
  }

  /** Applies one event; returns whether the list changed (false for non-incident events). */
  apply(event: WsEvent): boolean {
    if (!event.kind.startsWith("incident.")) {
      return false;
    }
    const parsed = parseIncidentState(event.data);
    if (parsed === null) {
      if (CLOSING_KINDS.has(event.kind) && event.subject !== null) {
        return this.byId.delete(event.subject);
      }
      return false;
    }
    if (CLOSING_KINDS.has(event.kind) || CLOSED_STATES.has(parsed.state)) {
      return this.byId.delete(parsed.id);
    }
    const before = this.byId.get(parsed.id);
    this.byId.set(parsed.id, toLiveIncident(parsed, (before?.escalated ?? false) || event.kind === "incident.escalated"));
    return true;
  }

  get(id: string): LiveIncident | undefined {
    return this.byId.get(id);
  }

  list(): LiveIncident[] {
    return [...this.byId.values()];
  }
}

/** Validates one item; null (logged) when a required field is missing or of the wrong type. */
export function parseIncidentState(value: unknown): IncidentStateData | null {
  if (typeof value !== "object" || value === null) {
    return null;
  }
  const v = value as Record<string, unknown>;
  const ok =
    (typeof v.id === "string" || typeof v.id === "number") &&
    typeof v.kind === "string" &&
    (v.priority === 1 || v.priority === 2 || v.priority === 3 || v.priority === 4) &&
    typeof v.state === "string" &&
    isCoordinate(v.lat, 90) &&
    isCoordinate(v.lon, 180) &&
    (typeof v.opened_at === "string" || typeof v.opened_at === "number");
  if (!ok) {
    console.warn("incident-events: skipping an item that does not match the provisional shape", value);
    return null;
  }
  return { ...(v as unknown as IncidentStateData), id: String(v.id), address: typeof v.address === "string" ? v.address : "", org_path: typeof v.org_path === "string" ? v.org_path : "" };
}

function isCoordinate(value: unknown, limit: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit;
}

/** ISO 8601 text of a time given as ISO text or Unix seconds. */
export function isoTime(value: string | number): string {
  return typeof value === "number" ? new Date(value * 1000).toISOString() : value;
}

/** The list's view of one incident; `title` stays empty unless the server names it (see domain.ts). */
export function toLiveIncident(data: IncidentStateData, escalated: boolean): LiveIncident {
  const step = data.step ?? null;
  return {
    id: data.id,
    lat: data.lat,
    lon: data.lon,
    priority: data.priority,
    kind: data.kind,
    state: data.state,
    title: data.title ?? "",
    address: data.address,
    opened_at: isoTime(data.opened_at),
    escalated: escalated || data.escalated === true,
    step:
      step === null
        ? null
        : { name: step.name, deadline_at: isoTime(step.deadline_at), name_zh: step.name_zh ?? null, name_en: step.name_en ?? null },
  };
}

/** A ticker line for an incident event (in the current language), or null for events not shown. */
export function tickerEventFor(event: WsEvent): TickerEvent | null {
  if (!event.kind.startsWith("incident.")) {
    return null;
  }
  const parsed = parsedOrNull(event);
  const title = parsed === null ? t("incidentKind.unknown") : incidentTitle(parsed);
  const address = parsed?.address ?? "";
  const key = TICKER_TEXT[event.kind] ?? tk("ticker.incidentUpdated");
  return { id: String(event.id), at: new Date(event.at * 1000).toISOString(), severity: severityOf(event, parsed), text: t(key, { title, address }) };
}

function parsedOrNull(event: WsEvent): LiveIncident | null {
  const parsed = parseIncidentState(event.data);
  return parsed === null ? null : toLiveIncident(parsed, false);
}

function severityOf(event: WsEvent, incident: LiveIncident | null): TickerSeverity {
  if (event.kind === "incident.escalated" || incident?.priority === 1) {
    return "critical";
  }
  return event.kind === "incident.created" || incident?.priority === 2 ? "warning" : "info";
}

/** KPI tiles from what the page holds: counts from the lists, medians from the snapshot. */
export function deriveKpis(incidents: readonly LiveIncident[], respondersOnDuty: number, figures: KpiFigures): KpiSnapshot {
  return {
    live_incidents: incidents.length,
    escalated_incidents: incidents.filter((i) => i.escalated).length,
    responders_on_duty: respondersOnDuty,
    p50_time_to_alert_s: figures.p50_time_to_alert_s ?? null,
    p50_time_to_ack_s: figures.p50_time_to_ack_s ?? null,
    p50_time_to_arrive_s: figures.p50_time_to_arrive_s ?? null,
  };
}

/** The snapshot's `kpis` part, if it has one. */
export function kpiFigures(data: Record<string, unknown>): KpiFigures {
  const k = data.kpis;
  return typeof k === "object" && k !== null ? (k as KpiFigures) : {};
}
