/**
 * Keeps today's server-computed KPIs current: the `wall`/`leader` snapshot brings them, and
 * `GET /api/kpi/today` (of the focused unit, when drilled down) refreshes them shortly after
 * incidents change, on every drill-down, and once a minute (milestones of incidents no longer
 * in the live list, like a late arrival, still move the percentiles).
 */

import { sendAuthorized } from "./auth";
import { isTodayKpis } from "./incident-events";
import { getLiveState, onLiveChange, setTodayKpis } from "./live";
import type { TodayKpis } from "./types";

/** Incident changes arrive in bursts; one request after the burst is enough. */
const SETTLE_MS = 2_000;
const REFRESH_MS = 60_000;

/** Today's KPIs of the caller's jurisdiction, or of `unit` inside it. */
export async function getTodayKpis(unit: string | null): Promise<TodayKpis> {
  const query = unit === null ? "" : `?unit=${encodeURIComponent(unit)}`;
  return sendAuthorized<TodayKpis>({ method: "GET", path: `/api/kpi/today${query}` });
}

/** Starts the refresher for this page (runs until it unloads). */
export function startTodayKpis(): void {
  let timer: number | undefined;
  let request = 0;
  const refresh = async (): Promise<void> => {
    const mine = (request += 1);
    const focus = getLiveState().focus;
    try {
      const today = await getTodayKpis(focus?.path ?? null);
      // A newer request (e.g. another drill-down) wins; an answer for an old focus is dropped.
      if (mine === request && getLiveState().focus?.path === focus?.path && isTodayKpis(today)) {
        setTodayKpis(today);
      }
    } catch (err) {
      console.warn("today's KPIs could not be refreshed", err);
    }
  };
  const soon = (delay: number): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), delay);
  };
  onLiveChange((state, part) => {
    if (part === "focus") {
      void refresh();
    } else if (part === "incidents" && state.incidents !== null) {
      soon(SETTLE_MS);
    }
  });
  window.setInterval(() => void refresh(), REFRESH_MS);
}
