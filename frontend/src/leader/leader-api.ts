/**
 * The leader view's HTTP calls and the shapes they answer: KPI trends and SLA heat
 * (`/api/kpi/*`, backend/kpi/models.py), closed incidents (`GET /api/incidents`), after-action
 * archives and review notes (`/api/incidents/{id}/archive…`, backend/api/incidents/archives.py).
 */

import { getAccessToken, sendAuthorized } from "../shared/auth";
import type { KpiDurations, KpiFigureSet } from "../shared/types";

export type TrendBucket = "day" | "week";
export type TrendLevel = "street" | "community";

export interface BucketFigures {
  start: string;
  figures: KpiFigureSet;
}

export interface UnitSeries {
  path: string;
  name_zh: string;
  name_en: string;
  buckets: BucketFigures[];
}

/** `GET /api/kpi/trends`. */
export interface KpiTrends {
  org_path: string;
  bucket: TrendBucket;
  level: TrendLevel;
  since: string;
  until: string;
  total: UnitSeries;
  units: UnitSeries[];
}

export interface SlaCell {
  cell: string;
  lat: number;
  lon: number;
  incidents: number;
  to_accept: KpiDurations;
  to_arrive: KpiDurations;
}

/** `GET /api/kpi/sla-cells`. */
export interface SlaCells {
  org_path: string;
  res: number;
  since: string;
  until: string;
  cells: SlaCell[];
}

/** One incident as `GET /api/incidents` lists it (IncidentSummary). */
export interface IncidentListItem {
  id: string;
  kind: string;
  priority: number;
  state: string;
  address: string | null;
  org_path: string;
  opened_at: number;
  updated_at: number;
  escalations: number;
}

export interface IncidentPage {
  items: IncidentListItem[];
  next_before: string | null;
}

export interface ArchiveNote {
  at: string;
  author_name: string;
  text: string;
}

/** `GET /api/incidents/{id}/archive/`: `data` is the archive as built at close. */
export interface ArchiveView {
  incident_id: string;
  built_at: string;
  reviewed_at: string | null;
  data: {
    incident: IncidentListItem;
    outcome: string | null;
    record_sheet_id: string | null;
    handover_hospital: string | null;
    kpis: { to_first_offer_s: number | null; to_first_accept_s: number | null; to_first_arrival_s: number | null; to_close_s: number | null };
    deadlines: { timer_id: string; purpose: string; due_at: string; fired_at: string | null; met: boolean }[];
    assignments: { id: string; display_name: string; role: string; state: string; offered_at: string; accepted_at: string | null; on_scene_at: string | null }[];
    timeline: { id: number; at: string; kind: string; actor_name: string | null; data: Record<string, unknown> }[];
  };
  notes: ArchiveNote[];
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) {
      search.set(k, v);
    }
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

export function getTrends(bucket: TrendBucket, level: TrendLevel, unit: string | null): Promise<KpiTrends> {
  return sendAuthorized<KpiTrends>({ method: "GET", path: `/api/kpi/trends${query({ bucket, level, unit: unit ?? undefined })}`, timeoutMs: 30_000 });
}

export function getSlaCells(unit: string | null): Promise<SlaCells> {
  return sendAuthorized<SlaCells>({ method: "GET", path: `/api/kpi/sla-cells${query({ res: "8", unit: unit ?? undefined })}`, timeoutMs: 30_000 });
}

export function getClosedIncidents(before: string | null): Promise<IncidentPage> {
  return sendAuthorized<IncidentPage>({ method: "GET", path: `/api/incidents${query({ state: "closed", limit: "30", before: before ?? undefined })}` });
}

const archivePath = (id: string): string => `/api/incidents/${encodeURIComponent(id)}/archive`;

export function getArchive(id: string): Promise<ArchiveView> {
  return sendAuthorized<ArchiveView>({ method: "GET", path: `${archivePath(id)}/` });
}

export function addReviewNote(id: string, text: string, review: boolean): Promise<unknown> {
  return sendAuthorized({ method: "POST", path: `${archivePath(id)}/${review ? "review" : "notes"}`, body: { text } });
}

/** The printable page, fetched with the session's token (a plain link would carry none). */
export async function openPrintable(id: string): Promise<void> {
  const response = await fetch(`${archivePath(id)}/print`, { headers: { Authorization: `Bearer ${getAccessToken() ?? ""}` } });
  const html = await response.text();
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  window.open(url, "_blank", "noopener");
}

/** One incident with its assignments (for the drill-down), as `GET /api/incidents/{id}` answers. */
export interface IncidentDetailView {
  summary: IncidentListItem & { lat: number; lon: number; step: { title_zh: string | null; title_en: string | null; deadline_at: number | null } | null };
  assignments: { id: string; display_name: string; role: string; state: string }[];
}

export function getIncident(id: string): Promise<IncidentDetailView> {
  return sendAuthorized<IncidentDetailView>({ method: "GET", path: `/api/incidents/${encodeURIComponent(id)}` });
}

export interface TimelineItem {
  id: number;
  at: string;
  kind: string;
  actor_name: string | null;
  data: Record<string, unknown>;
}

export function getTimeline(id: string): Promise<TimelineItem[]> {
  return sendAuthorized<TimelineItem[]>({ method: "GET", path: `/api/incidents/${encodeURIComponent(id)}/timeline` });
}
