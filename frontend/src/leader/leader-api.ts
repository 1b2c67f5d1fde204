/**
 * The leader view's HTTP calls and the shapes they answer: KPI trends and SLA heat
 * (`/api/kpi/*`, backend/kpi/models.py), closed incidents (`GET /api/incidents`), after-action
 * archives and review notes (`/api/incidents/{id}/archive…`, backend/api/incidents/archives.py),
 * each unit's outstanding work (`GET /api/governance/units`, backend/governance/overview.py).
 */

import { getAccessToken, sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type { ArchiveNote, ArchiveView, BucketFigures, GovernanceLevel, GovernanceOverview, KpiTrends, SlaCell, SlaCells, UnitSeries } from "../shared/types";

export type TrendBucket = KpiTrends["bucket"];
export type TrendLevel = KpiTrends["level"];
// The shapes live in shared/types.ts so the contract check (endpoints.ts) covers them.
export type { ArchiveNote, ArchiveView, BucketFigures, KpiTrends, SlaCell, SlaCells, UnitSeries };

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

/** Every unit of `level` in the jurisdiction with its outstanding work per service, and the total. */
export function getGovernanceUnits(level: GovernanceLevel): Promise<GovernanceOverview> {
  const e = ENDPOINTS.governanceUnits;
  return sendAuthorized<GovernanceOverview>({ method: e.method, path: apiPath(e.path, {}, { level }), timeoutMs: 30_000 });
}
